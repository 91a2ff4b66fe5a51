import { FlowProducer, type JobsOptions, Queue } from "bullmq";
import type { WorkflowEvent } from "../core/events.js";
import { reviewerJobId, STEP_KINDS, type StepJob, type StepKind } from "../core/steps.js";
import { TriadError } from "../errors.js";
import type { StepQueue } from "../ports/queue.js";
import { Inbox, workflowOf } from "./inbox.js";
import type { ControlJob, WorkflowRef } from "./jobs.js";
import { deliveryJobId, EVENTS_QUEUE, keys, queuePrefix, STEP_QUEUE } from "./names.js";
import type { RedisConnection } from "./redis.js";

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

export const JOB_DEFAULTS = {
  attempts: 6,
  backoff: { type: BACKOFF_TYPE },
  removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
} satisfies JobsOptions;

export interface Queues {
  events: Queue<ControlJob>;
  steps: Record<StepKind, Queue<StepJob>>;
  /** For review flows: reviewer children and an aggregating parent. */
  flows: FlowProducer;
  inbox: Inbox;
  close(): Promise<void>;
}

export function createQueues(connection: RedisConnection, prefix: string): Queues {
  const options = { connection, prefix: queuePrefix(prefix), defaultJobOptions: JOB_DEFAULTS };
  const events = new Queue<ControlJob>(EVENTS_QUEUE, options);
  const steps = Object.fromEntries(
    STEP_KINDS.map((kind) => [kind, new Queue<StepJob>(STEP_QUEUE[kind], options)]),
  ) as Record<StepKind, Queue<StepJob>>;
  const flows = new FlowProducer({ connection, prefix: queuePrefix(prefix) });
  // Connection errors are the Redis client's to retry; unhandled, each would print a stack trace.
  const quiet = () => undefined;
  events.on("error", quiet);
  flows.on("error", quiet);
  for (const queue of Object.values(steps)) queue.on("error", quiet);
  return {
    events,
    steps,
    flows,
    inbox: new Inbox(connection, keys(prefix)),
    async close() {
      await Promise.all([events.close(), flows.close(), ...Object.values(steps).map((q) => q.close())]);
    },
  };
}

function refOf(event: WorkflowEvent): WorkflowRef {
  return { installationId: event.installationId, repo: event.repo, issue: event.issue };
}

/** Queue a drain of the workflow's inbox. Unique ids: a drain that is not needed finds the inbox empty. */
export async function enqueueDrain(queues: Queues, ref: WorkflowRef, id: string): Promise<void> {
  await queues.events.add(
    "drain",
    { type: "drain", ...ref },
    { jobId: `drain-${id.replace(/[^\w-]/g, "_")}` },
  );
}

/**
 * A verified webhook's event enters triad (ARCHITECTURE §1, §7): into its workflow's inbox, in
 * arrival order and once per delivery id, and a drain is queued. A comment on a pull request is
 * routed to its workflow's issue by the worker first (that needs a GitHub call, which web never makes).
 */
export async function acceptEvent(
  queues: Queues,
  event: WorkflowEvent,
  receivedAt = Date.now(),
): Promise<string> {
  const jobId = deliveryJobId(event.deliveryId);
  if (event.kind === "comment_created" && event.onPullRequest && event.pullNumber === undefined) {
    await queues.events.add("route", { type: "route", event, receivedAt, ...refOf(event) }, { jobId });
    return jobId;
  }
  await queues.inbox.accept(event, receivedAt);
  // Queued even when the delivery was seen: an earlier attempt may have died before queueing its drain.
  await enqueueDrain(queues, refOf(event), event.deliveryId);
  return jobId;
}

/** The CI gate's deadline job of a workflow's head: one per head. */
function ciDeadlineJobId(at: WorkflowRef, headSha: string): string {
  return `ci-deadline-${at.repo.owner}-${at.repo.name}-${at.issue}-${headSha}`.replace(/[^\w-]/g, "_");
}

/** The step queue port (src/ports/queue.ts) over BullMQ. */
export function stepQueue(queues: Queues): StepQueue {
  return {
    async enqueue(step, jobId) {
      await queues.steps[step.kind].add(step.kind, step, { jobId });
    },
    async startReview(step, jobId) {
      if (await queues.steps.review.getJob(jobId)) return;
      // Children get the queue's attempts and backoff too: a flow's jobs do not inherit the defaults.
      await queues.flows.add({
        name: "review",
        queueName: STEP_QUEUE.review,
        data: step,
        opts: { ...JOB_DEFAULTS, jobId },
        children: Array.from({ length: step.reviewers ?? 1 }, (_, slot) => ({
          name: "review_one",
          queueName: STEP_QUEUE.review_one,
          data: { ...step, kind: "review_one" as const, slot },
          opts: { ...JOB_DEFAULTS, jobId: reviewerJobId(jobId, slot), failParentOnFailure: true },
        })),
      });
    },
    async ciDeadline(at, headSha, delayMs) {
      await queues.events.add(
        "ci_deadline",
        { type: "ci_deadline", headSha, ...at },
        { jobId: ciDeadlineJobId(at, headSha), delay: Math.max(0, Math.round(delayMs)) },
      );
    },
    async dropCiDeadline(at, headSha) {
      const job = await queues.events.getJob(ciDeadlineJobId(at, headSha));
      // Only while it waits: one that runs or ran is its own business (it finds the gate open).
      if (job && (await job.isDelayed())) await job.remove().catch(() => undefined);
    },
    async wake(kind, jobId) {
      const job = await queues.steps[kind].getJob(jobId);
      if (job && (await job.isDelayed())) await job.promote().catch(() => undefined);
    },
    async exists(step, jobId) {
      const job = await queues.steps[step.kind].getJob(jobId);
      if (!job) return false;
      // A job that failed for good is no longer "queued" either.
      return !(await job.isFailed());
    },
  };
}

export { workflowOf };
