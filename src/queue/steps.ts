import { z } from "zod";

/**
 * Phase steps: one job = one step of one workflow (ARCHITECTURE §1). Each phase has its own queue,
 * so a deployment can give a phase its own workers, and a phase whose handler is not running in a
 * worker simply waits, visible, in its queue.
 */
export const STEP_KINDS = ["architect", "develop"] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export const STEP_QUEUE: Record<StepKind, string> = {
  architect: "architect",
  develop: "developer",
};

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
});
export type StepJob = z.infer<typeof stepJobSchema>;

/** A job id that names the step, so enqueueing the same step twice adds nothing. */
export function stepJobId(step: Pick<StepJob, "kind" | "repo" | "issue">, key: string): string {
  const raw = `${step.kind}-${step.repo.owner}-${step.repo.name}-${step.issue}-${key}`;
  return raw.replace(/[^\w.-]/g, "_");
}

export function stepLabel(step: Pick<StepJob, "kind" | "reason" | "planVersion">): string {
  if (step.kind === "develop") return `developer: implement plan v${step.planVersion ?? "?"}`;
  return `architect: ${step.reason}`;
}
