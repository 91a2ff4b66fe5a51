import { findingKey } from "../core/review/finding.js";
import type { ReviewOutput } from "../core/schemas/review.js";
import type { ScriptStep } from "./models/scripted-model.js";

/**
 * The demo's reviews. Round 0: reviewer 1 finds that a Retry-After above maxDelayMs is cut short
 * (a real defect, but the plan said "capped", so it questions the plan → the architect rules);
 * reviewer 2 has a minor point. Round 1 (only the fix): both find nothing.
 */
const met = [1, 2, 3].map((step) => ({ step, status: "met" as const, note: "as planned" }));

export const DEMO_PLAN_FINDING = {
  path: "src/retry.ts",
  anchor: "  if (asked !== undefined) return Math.min(options.maxDelayMs, asked);",
  severity: "major" as const,
  message:
    "A Retry-After longer than maxDelayMs is cut to maxDelayMs, so the client retries sooner than the server asked and earns another 429. The plan says 'capped', but honouring Retry-After means giving up when it is too long, not retrying early.",
  plan_step: 1,
  conflicts_with_plan: true,
};

/** The key the aggregation gives that finding (the developer answers it by this id). */
export const DEMO_FINDING_ID = findingKey(DEMO_PLAN_FINDING);

const reviewer1Round0: ReviewOutput = { findings: [DEMO_PLAN_FINDING], plan_compliance: met };
const reviewer2Round0: ReviewOutput = {
  findings: [
    {
      path: "test/retry.test.ts",
      anchor: '    assert.equal(retryDelayMs(1, options, "soon", () => 0), 0);',
      severity: "minor",
      message:
        "With random fixed at 0 this passes whether or not an invalid Retry-After falls back to backoff; use a random above 0 to show the fallback.",
      conflicts_with_plan: false,
    },
  ],
  plan_compliance: met,
};
const clean: ReviewOutput = { findings: [], plan_compliance: met };

export function reviewerSteps(slot: 0 | 1): ScriptStep[] {
  return [
    { toolCalls: [{ name: "read_file", input: { path: "src/retry.ts" } }] },
    { toolCalls: [{ name: "submit_review", input: slot === 0 ? reviewer1Round0 : reviewer2Round0 }] },
    { repeat: true, toolCalls: [{ name: "submit_review", input: clean }] },
  ];
}

export const DEMO_RULING = {
  rulings: [
    {
      finding: "F1",
      decision: "accept",
      reason:
        "Right: the maintainer asked to respect Retry-After. Giving up when the server asks for more than maxDelayMs keeps the plan's structure (same functions, same option); only the cap's meaning changes.",
    },
  ],
};
