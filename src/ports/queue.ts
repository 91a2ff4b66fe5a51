import type { StepJob, StepKind } from "../core/steps.js";

/** What the shell needs of the queues: queue a step or a review flow, and ask whether a job still exists. */
export interface StepQueue {
  /** Queue a step under its job id (a known id adds nothing). */
  enqueue(step: StepJob, jobId: string): Promise<void>;
  /** Queue a review flow: a reviewer child per slot and the aggregating parent `step`. */
  startReview(step: StepJob, jobId: string): Promise<void>;
  /** The job is on its queue (waiting, delayed, active, or finished and still kept). */
  exists(step: StepJob, jobId: string): Promise<boolean>;
  /** A delayed job runs now (its turn came); a job that is not delayed is left as it is. */
  wake?(kind: StepKind, jobId: string): Promise<void>;
  /** In `delayMs` real ms, the workflow's CI gate on `headSha` times out (once per head: a repeat adds nothing). */
  ciDeadline?(at: WorkflowAt, headSha: string, delayMs: number): Promise<void>;
  /** The gate opened before its deadline: the deadline job goes (gone already is fine). */
  dropCiDeadline?(at: WorkflowAt, headSha: string): Promise<void>;
}

export interface WorkflowAt {
  installationId: number;
  repo: { owner: string; name: string };
  issue: number;
}
