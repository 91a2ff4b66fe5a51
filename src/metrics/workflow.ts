import type { WorkflowState } from "../core/state.js";
import type { TriadMetrics } from "./metrics.js";

/** What a saved state change means for the workflow series. */
export interface Milestones {
  /** An outcome the workflow reached with this save. */
  outcome?: "ready" | "needs-human" | "failed" | "stopped" | "merged" | "closed";
  /** Fix rounds begun with this save. */
  fixRounds: number;
  /** The confidence-spiral guard stopped fixing with this save. */
  spiral: boolean;
}

const OUTCOMES = new Set(["ready", "needs-human", "stopped", "merged", "closed"]);

/**
 * Compares the state as it was stored with the state being stored (the outbox saves one decision's
 * state more than once: the second save changes nothing and counts nothing).
 */
export function milestones(before: WorkflowState | undefined, after: WorkflowState): Milestones {
  const sameRun = before?.runId === after.runId;
  const was = sameRun ? before : undefined;
  const result: Milestones = {
    fixRounds: Math.max(0, after.fixRound - (was?.fixRound ?? 0)),
    spiral: false,
  };
  if (after.phase !== was?.phase && OUTCOMES.has(after.phase))
    result.outcome = after.phase as Milestones["outcome"];
  else if (after.failed && after.failed.jobId !== was?.failed?.jobId) result.outcome = "failed";
  const queued = after.queued?.step;
  if (queued?.kind === "architect" && queued.mode === "spiral" && after.queued?.jobId !== was?.queued?.jobId)
    result.spiral = true;
  return result;
}

export function countMilestones(
  metrics: TriadMetrics,
  before: WorkflowState | undefined,
  after: WorkflowState,
): void {
  const m = milestones(before, after);
  if (m.outcome) metrics.workflows.inc({ outcome: m.outcome });
  if (m.fixRounds > 0) metrics.fixRounds.inc(m.fixRounds);
  if (m.spiral) metrics.spiralStops.inc();
}
