import { FlowProducer, type JobsOptions, Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { WorkflowEvent } from "../core/events.js";
import type { StepRef } from "../core/state.js";
import { STEP_KINDS, STEP_QUEUE, type StepJob, type StepKind, stepJobId, stepLabel } from "../core/steps.js";
import { TriadError } from "../errors.js";
import { deliveryJobId, EVENTS_QUEUE } from "./names.js";

/**
 * Retry policy for every job, once: retryable failures back off exponentially with jitter (1 s, 2 s,
 * 4 s, … capped at a minute) or wait as long as the remote asked (retry-after); final failures stop
 * at once (the worker throws `UnrecoverableError`). Completed jobs are kept a week so a redelivered
 * webhook still finds its job and adds nothing.
 */
export const BACKOFF_TYPE = "triad";

export function backoffDelay(attemptsMade: number, error: unknown, random = Math.random): number {
  const asked = error instanceof TriadError ? error.retryAfterMs : undefined;
  if (asked !== undefined) return asked + Math.floor(random() * 250);
  const base = Math.min(60_000, 1000 * 2 ** Math.max(0, attemptsMade - 1));
  return Math.floor(base * (0.7 + random() * 0.6));
}

export const JOB_DEFAULTS: JobsOptions = {
  attempts: 6,
  backoff: { type: BACKOFF_TYPE },
  removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

export interface Queues {
  events: Queue<WorkflowEvent>;
  steps: Record<StepKind, Queue<StepJob>>;
  /** For review flows: reviewer children and an aggregating parent. */
  flows: FlowProducer;
  close(): Promise<void>;
}

export function createQueues(connection: Redis, prefix: string): Queues {
  const options = { connection, prefix, defaultJobOptions: JOB_DEFAULTS };
  const events = new Queue<WorkflowEvent>(EVENTS_QUEUE, options);
  const steps = Object.fromEntries(
    STEP_KINDS.map((kind) => [kind, new Queue<StepJob>(STEP_QUEUE[kind], options)]),
  ) as Record<StepKind, Queue<StepJob>>;
  const flows = new FlowProducer({ connection, prefix });
  // Connection errors are the Redis client's to retry; unhandled, each would print a stack trace.
  const quiet = () => undefined;
  events.on("error", quiet);
  flows.on("error", quiet);
  for (const queue of Object.values(steps)) queue.on("error", quiet);
  return {
    events,
    steps,
    flows,
    async close() {
      await Promise.all([events.close(), flows.close(), ...Object.values(steps).map((q) => q.close())]);
    },
  };
}

/** Enqueue a webhook's event under a job id derived from its delivery id: redelivery adds nothing. */
export async function enqueueEvent(queues: Queues, event: WorkflowEvent): Promise<string> {
  const jobId = deliveryJobId(event.deliveryId);
  await queues.events.add(event.kind, event, { jobId });
  return jobId;
}

/** Enqueue a phase step under an id that names it (see `stepJobId`): a repeat adds nothing. */
export async function enqueueStep(queues: Queues, step: StepJob, key: string): Promise<StepRef> {
  const jobId = stepJobId(step, key);
  await queues.steps[step.kind].add(step.kind, step, { jobId });
  return { queue: STEP_QUEUE[step.kind], jobId, label: stepLabel(step) };
}
