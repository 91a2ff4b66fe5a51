import { z } from "zod";

/**
 * Phase steps: one job = one step of one workflow (ARCHITECTURE §1). What a step is and how its job
 * id is formed lives here; which queue carries it is the queue adapter's business (src/queue/names.ts).
 */
export const STEP_KINDS = ["architect", "develop", "review", "review_one"] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** The architect's kinds of turn: planning, ruling on escalated findings, tracing a spiral. */
export const ARCHITECT_MODES = ["turn", "ruling", "spiral"] as const;
export type ArchitectMode = (typeof ARCHITECT_MODES)[number];

/** Steps that run without the workflow lock: reviewers work side by side and only post their own review. */
export const UNLOCKED_KINDS: ReadonlySet<StepKind> = new Set(["review_one"]);

export const stepJobSchema = z.object({
  kind: z.enum(STEP_KINDS),
  installationId: z.number().int(),
  repo: z.object({ owner: z.string(), name: z.string() }),
  issue: z.number().int().positive(),
  /** The workflow run this step belongs to (a stale step of a stopped run is dropped). */
  runId: z.string(),
  /** Why the step runs, for people (tracking comment, logs). Never parsed. */
  reason: z.string(),
  /** The human comment an architect turn answers: a turn that finds it already read is skipped. */
  commentId: z.number().int().optional(),
  planVersion: z.number().int().optional(),
  mode: z.enum(ARCHITECT_MODES).optional(),
  /** Developer fix round (0 = the first implementation). */
  round: z.number().int().min(0).optional(),
  /** Review: the PR, the head sha under review, the sha reviewed last (incremental), the reviewer slot. */
  prNumber: z.number().int().optional(),
  headSha: z.string().optional(),
  sinceSha: z.string().optional(),
  slot: z.number().int().min(0).optional(),
  reviewers: z.number().int().min(1).max(2).optional(),
  /** Review: why the reviewers started before the repository's CI finished (said in each review). */
  ciNote: z.string().optional(),
});
export type StepJob = z.infer<typeof stepJobSchema>;

/** A job id that names the step, so enqueueing the same step twice adds nothing. */
export function stepJobId(step: Pick<StepJob, "kind" | "repo" | "issue">, key: string): string {
  const raw = `${step.kind}-${step.repo.owner}-${step.repo.name}-${step.issue}-${key}`;
  return raw.replace(/[^\w.-]/g, "_");
}

/** The id of a retry of a step (`/triad retry`), new for every retry so the queue takes it. */
export function retryJobId(jobId: string, key: string): string {
  return `${jobId.replace(/-retry-[\w.-]+$/, "")}-retry-${key}`.replace(/[^\w.-]/g, "_");
}

/** The job id of reviewer `slot` under a review flow's parent job. */
export function reviewerJobId(parentJobId: string, slot: number): string {
  return `${parentJobId}-r${slot}`;
}

/** The step a job belongs to: a reviewer's job belongs to its review round's parent, others are their own. */
export function stepOfJob(jobId: string): string {
  return jobId.replace(/-r\d+$/, "");
}

export function stepLabel(
  step: Pick<StepJob, "kind" | "reason" | "planVersion" | "round" | "slot" | "headSha" | "mode">,
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
