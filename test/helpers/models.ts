import type { ReviewOutput } from "../../src/core/schemas/review.js";
import type { ChatModel } from "../../src/models/types.js";
import {
  SCRIPTED_REFS,
  ScriptedModel,
  type ScriptedRoleModels,
  type ScriptStep,
} from "../../src/sim/models/scripted-model.js";
import { demoModels } from "../../src/sim/scenario.js";

/** Plan v2 of the demo has three steps; a reviewer that finds them all met. */
export const met = [1, 2, 3].map((step) => ({ step, status: "met" as const, note: "ok" }));
export const clean: ReviewOutput = { findings: [], plan_compliance: met };

export const submit = (output: ReviewOutput): ScriptStep => ({
  toolCalls: [{ name: "submit_review", input: output }],
});

/** The demo's architect and developer with these reviewers (one list of steps per reviewer slot). */
export function withReviewers(
  reviewers: ScriptStep[][],
  extra: { architect?: ScriptStep[]; developer?: ScriptStep[] } = {},
): ScriptedRoleModels {
  const base = demoModels();
  const refs = [SCRIPTED_REFS.reviewerA, SCRIPTED_REFS.reviewerB];
  return {
    architect: extra.architect ? new ScriptedModel(base.architect.ref, extra.architect) : base.architect,
    developer: extra.developer ? new ScriptedModel(base.developer.ref, extra.developer) : base.developer,
    reviewers: reviewers.map((steps, i) => new ScriptedModel(refs[i] ?? SCRIPTED_REFS.reviewerA, steps)),
  };
}

/**
 * A fix round of the developer on the sample repository: caps `maxAttempts` in src/retry.ts's doc
 * comment and reports step 1 done with `summary`.
 */
export function capAttemptsFix(summary: string): ScriptStep[] {
  return [
    {
      toolCalls: [
        {
          name: "edit_file",
          input: {
            path: "src/retry.ts",
            old_string: "Defaults to 3.",
            new_string: "Defaults to 3 (at most 10).",
          },
        },
      ],
    },
    {
      toolCalls: [
        {
          name: "done",
          input: { summary, plan_steps: [{ step: 1, status: "done", files: ["src/retry.ts"] }] },
        },
      ],
    },
  ];
}

/** One reviewer that always finds the code clean. */
export function cleanReview(extra: { architect?: ScriptStep[]; developer?: ScriptStep[] } = {}) {
  return withReviewers([[{ repeat: true, ...submit(clean) }]], extra);
}

/** The role models with one of them replaced (e.g. by a gated wrapper). */
export function replace(
  m: ScriptedRoleModels,
  o: { architect?: ChatModel; developer?: ChatModel; reviewer?: ChatModel },
): { architect: ChatModel; developer: ChatModel; reviewers: ChatModel[] } {
  return {
    architect: o.architect ?? m.architect,
    developer: o.developer ?? m.developer,
    reviewers: o.reviewer ? [o.reviewer, ...m.reviewers.slice(1)] : m.reviewers,
  };
}
