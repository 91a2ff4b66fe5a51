import { z } from "zod";

/**
 * Phase steps: one job = one step of one workflow (ARCHITECTURE §1). Each phase has its own queue,
 * so a deployment can give a phase its own workers, and a phase whose handler is not running in a
 * worker simply waits, visible, in its queue.
 */
export const STEP_KINDS = ["architect", "develop", "review", "review_one"] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export const STEP_QUEUE: Record<StepKind, string> = {
  architect: "architect",
  develop: "developer",
  /** The parent of a review flow: aggregates the reviewers' findings and decides. */
  review: "review",
  /** One reviewer's review: children of a review flow, run in parallel. */
  review_one: "reviewer",
};

/** Steps that run without the workflow lock: reviewers work side by side and only post their own review. */
export const UNLOCKED_KINDS: ReadonlySet<StepKind> = new Set(["review_one"]);

export const stepJobSchema = z.object({
  kind: z.enum(STEP_KINDS),
  installationId: z.number().int(),
  repo: z.object({ owner: z.string(), name: z.string() }),
  issue: z.number().int().positive(),
  /** The workflow run this step belongs to (a stale step of a stopped run is dropped). */
  runId: z.string(),
  /** Why the step runs: "start", "comment 123", "replan", "plan v2 approved", … */
  reason: z.string(),
  planVersion: z.number().int().optional(),
  /** The architect's kind of turn: planning (default), ruling on escalated findings, or tracing a spiral. */
  mode: z.enum(["turn", "ruling", "spiral"]).optional(),
  /** Developer fix round (0 = the first implementation). */
  round: z.number().int().min(0).optional(),
  /** Review: the PR, the head sha under review, the sha reviewed last (incremental), the reviewer slot. */
  prNumber: z.number().int().optional(),
  headSha: z.string().optional(),
  sinceSha: z.string().optional(),
  slot: z.number().int().min(0).optional(),
  reviewers: z.number().int().min(1).max(2).optional(),
});
export type StepJob = z.infer<typeof stepJobSchema>;

/** A job id that names the step, so enqueueing the same step twice adds nothing. */
export function stepJobId(step: Pick<StepJob, "kind" | "repo" | "issue">, key: string): string {
  const raw = `${step.kind}-${step.repo.owner}-${step.repo.name}-${step.issue}-${key}`;
  return raw.replace(/[^\w.-]/g, "_");
}

export function stepLabel(
  step: Pick<StepJob, "kind" | "reason" | "planVersion" | "round" | "slot" | "headSha">,
): string {
  const sha = step.headSha?.slice(0, 7) ?? "?";
  switch (step.kind) {
    case "develop":
      return step.round
        ? `developer: fix round ${step.round}`
        : `developer: implement plan v${step.planVersion ?? "?"}`;
    case "review":
      return `reviews of ${sha}`;
    case "review_one":
      return `reviewer ${(step.slot ?? 0) + 1} on ${sha}`;
    default:
      return `architect: ${step.reason}`;
  }
}
