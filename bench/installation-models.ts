import type { ReviewOutput } from "../src/core/schemas/review.js";
import type { RoleModelSet } from "../src/models/provider.js";
import { SCRIPTED_REFS, type ScriptStep } from "../src/sim/models/scripted-model.js";
import { StatelessScriptedModel } from "../src/sim/models/stateless-model.js";
import { demoStatelessModels } from "../src/sim/scenario.js";
import { DEMO_PLAN_FINDING } from "../src/sim/scenario-review.js";

/**
 * The installation bench's workflow, as stateless scripted models (each answer follows from the
 * request, so any worker process plays any workflow): the demo's conversation — questions, plan v1,
 * a change, plan v2, approved — then one reviewer who finds one agreed defect, a fix round that
 * answers it (in the PR body's rounds section), and a clean incremental review. Eight content-creating
 * requests: the tracking comment, three architect comments, the "ready" notice, the pull request and
 * two reviews.
 */
const met = [1, 2, 3].map((step) => ({ step, status: "met" as const, note: "as planned" }));
const agreed: ReviewOutput = {
  findings: [{ ...DEMO_PLAN_FINDING, conflicts_with_plan: false }],
  plan_compliance: met,
};
const clean: ReviewOutput = { findings: [], plan_compliance: met };

export function installationBenchModels(): RoleModelSet {
  const demo = demoStatelessModels();
  const reviewer = new StatelessScriptedModel(SCRIPTED_REFS.reviewerA, (_request, text): ScriptStep[] =>
    text.includes("incremental review")
      ? [{ toolCalls: [{ name: "submit_review", input: clean }] }]
      : [
          { toolCalls: [{ name: "read_file", input: { path: "src/retry.ts" } }] },
          { toolCalls: [{ name: "submit_review", input: agreed }] },
        ],
  );
  return { architect: demo.architect, developer: demo.developer, reviewers: [reviewer] };
}
