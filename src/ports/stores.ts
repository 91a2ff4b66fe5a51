import type { Effect, OpenFindings } from "../core/effects.js";
import type { FindingSet } from "../core/review/finding.js";
import type { WorkflowState } from "../core/state.js";

/**
 * The stores the shell keeps beside GitHub (in Redis). GitHub stays the source of truth for the
 * conversation: the state is also embedded in the tracking comment, and everything here either is
 * rebuilt from the thread or only saves a repeat of work (a model result, an unfinished write list).
 */
export interface StateStore {
  get(workflow: string): Promise<WorkflowState | undefined>;
  save(state: WorkflowState): Promise<void>;
}

/** A decision's effects, saved with its state before any of them runs, removed when all have. */
export interface PendingEffects {
  id: string;
  effects: Effect[];
  tracking: boolean;
}

/**
 * The workflow lock a job holds (src/queue/lock.ts), as a fencing token: a write that carries it is
 * made only while the lock is still that job's, so a job whose lock expired (a stalled event loop, a
 * paused process) cannot overwrite the state of the job that took the workflow over.
 */
export interface Fence {
  key: string;
  token: string;
}

export interface OutboxStore {
  get(workflow: string): Promise<PendingEffects | undefined>;
  /** Saves the state and the effects still to run, in one write (refused with `lock_lost` past the fence). */
  put(state: WorkflowState, pending: PendingEffects, fence?: Fence): Promise<void>;
  /** Saves the state and drops the pending effects, in one write (refused with `lock_lost` past the fence). */
  done(state: WorkflowState, fence?: Fence): Promise<void>;
}

/** A step's finished model work, kept so a retried step does not buy it again (by job id). */
export interface StepResultStore {
  get<T>(jobId: string): Promise<T | undefined>;
  set(jobId: string, value: unknown): Promise<void>;
  delete(jobId: string): Promise<void>;
}

/** Findings between steps: the ones the next step works on, and those waiting for the next decision. */
export interface FindingsStore {
  getOpen(workflow: string): Promise<OpenFindings | undefined>;
  saveOpen(workflow: string, open: OpenFindings): Promise<void>;
  pending(workflow: string): Promise<FindingSet[]>;
  addPending(workflow: string, set: FindingSet): Promise<void>;
  clearPending(workflow: string): Promise<void>;
}

/** One model call's spend, persisted the moment it is spent (by job id), failed attempts included. */
export interface SpendRecord {
  role: string;
  vendor: string;
  model: string;
  usage: {
    inputTokens: number;
    cachedInputTokens: number;
    outputTokens: number;
    cacheWriteInputTokens?: number;
  };
}

/** One model call of a step, as `/triad log` shows it; arguments are clipped when recorded. */
export interface CallRecord {
  jobId: string;
  role: string;
  vendor: string;
  model: string;
  /** Tool name and its input as JSON, clipped. */
  toolCalls: Array<{ name: string; args: string }>;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  costUsd?: number | undefined;
  durationMs: number;
  stopReason: string;
  at: string;
}

/** The model calls of a workflow's recent steps (kept for `/triad log`). */
export interface CallLogStore {
  record(workflow: string, call: CallRecord): Promise<void>;
  /** The calls of the last step that called a model (a review round's reviewers together). */
  lastStep(workflow: string): Promise<CallRecord[]>;
}

export interface SpendStore {
  record(jobId: string, line: SpendRecord): Promise<void>;
  lines(jobId: string): Promise<SpendRecord[]>;
  clear(jobId: string): Promise<void>;
}

/**
 * `/triad stop` for steps already running: a flag per workflow run that a running step checks
 * before each GitHub call and honours by ending cleanly (issue 12, part 8).
 */
export interface StopFlags {
  request(workflow: string, runId: string): Promise<void>;
  requested(workflow: string, runId: string): Promise<boolean>;
}
