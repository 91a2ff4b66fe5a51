import { randomUUID } from "node:crypto";
import { DelayedError, type Job, QueueEvents, UnrecoverableError, Worker } from "bullmq";
import type { Logger } from "pino";
import { workflowKey } from "../core/state.js";
import { type StepJob, type StepKind, stepJobSchema, stepLabel, UNLOCKED_KINDS } from "../core/steps.js";
import { errorMessage, isRetryable, TriadError } from "../errors.js";
import type { Fence } from "../ports/stores.js";
import { type ControlJob, controlJobSchema, type WorkflowRef } from "./jobs.js";
import { tryLock } from "./lock.js";
import { EVENTS_QUEUE, keys, queuePrefix, STEP_QUEUE } from "./names.js";
import { backoffDelay, enqueueDrain, JOB_DEFAULTS, type Queues } from "./queues.js";
import { duplicateConnection, type RedisConnection } from "./redis.js";

/**
 * What a handler gets besides its data: its job id, a signal that aborts when the lock is lost, and
 * the lock as a fencing token for the state writes (none for the unlocked kinds).
 */
export interface JobContext {
  jobId: string;
  signal: AbortSignal;
  fence?: Fence;
  job: Job;
}

export interface WorkerHandlers {
  drain(ref: WorkflowRef, ctx: JobContext): Promise<void>;
  route(job: Extract<ControlJob, { type: "route" }>, ctx: JobContext): Promise<void>;
  stepFailed(job: Extract<ControlJob, { type: "step_failed" }>, ctx: JobContext): Promise<void>;
  eventFailed(job: Extract<ControlJob, { type: "event_failed" }>, ctx: JobContext): Promise<void>;
  /** The CI gate on a head timed out: the reviewers start. */
  ciDeadline?(job: Extract<ControlJob, { type: "ci_deadline" }>, ctx: JobContext): Promise<void>;
  /** A drain found the workflow busy (a step holds the lock): a chance to see a `/triad stop` waiting. */
  drainBusy?(ref: WorkflowRef): Promise<void>;
  steps: Partial<Record<StepKind, (step: StepJob, ctx: JobContext) => Promise<unknown>>>;
}

export interface WorkerOptions {
  connection: RedisConnection;
  prefix: string;
  queues: Queues;
  concurrency: number;
  /** BullMQ job lock and workflow lock TTL: how soon a dead worker's job is picked up again. */
  lockMs: number;
  log: Logger;
  handlers: WorkerHandlers;
  /**
   * Real ms a step may spend waiting out GitHub's rate limits, in total, before it fails for good
   * (events and failure reports wait as long as it takes). Default two hours.
   */
  limitWaitMaxMs?: number;
}

export interface RunningWorkers {
  workers: Worker[];
  ready(): Promise<void>;
  close(force?: boolean): Promise<void>;
}

/**
 * Failure reports are retried for a long time: a server error or an outage can last an hour. Rate
 * limits do not spend their attempts at all (`waitOut`): a report waits as long as GitHub asks.
 */
const REPORT_OPTIONS = { ...JOB_DEFAULTS, attempts: 60 };
const DEFAULT_LIMIT_WAIT_MAX_MS = 2 * 3600_000;
/** How long a drain that finds the workflow busy waits before it looks again (the holder drains too). */
const BUSY_DRAIN_DELAY_MS = 2_000;
/** At start, failures this recent that nobody reported are reported (older ones were, or do not matter). */
const SWEEP_WINDOW_MS = 2 * 24 * 3600 * 1000;

/**
 * The queue side (ARCHITECTURE §1, §7): one BullMQ worker per queue this process handles. Every job
 * but a reviewer's runs under its workflow's lock; after the lock is released, a workflow with
 * events waiting gets a drain. Failures: retryable ones back off and run again; a job that fails for
 * good — a final error, its attempts used up, or stalled too often (BullMQ fails those without
 * calling the handler) — is reported through the queue's `failed` event, so the workflow records it
 * and says so on the issue, once.
 */
export function startWorkers(o: WorkerOptions): RunningWorkers {
  const k = keys(o.prefix);
  const workers: Worker[] = [];
  const listeners: QueueEvents[] = [];
  const control = (data: ControlJob, ctx: JobContext): Promise<unknown> => {
    switch (data.type) {
      case "drain":
        return o.handlers.drain(data, ctx);
      case "route":
        return o.handlers.route(data, ctx);
      case "step_failed":
        return o.handlers.stepFailed(data, ctx);
      case "event_failed":
        return o.handlers.eventFailed(data, ctx);
      case "ci_deadline":
        return o.handlers.ciDeadline?.(data, ctx) ?? Promise.resolve();
    }
  };
  workers.push(
    queueWorker(o, k, EVENTS_QUEUE, (job) => {
      const parsed = controlJobSchema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`invalid job data: ${parsed.error.message}`);
      const data = parsed.data;
      const drainBusy = o.handlers.drainBusy;
      return {
        ref: data,
        locked: data.type !== "route",
        busyDelayMs: data.type === "drain" ? BUSY_DRAIN_DELAY_MS : undefined,
        ...(data.type === "drain" && drainBusy ? { onBusy: () => drainBusy(data) } : {}),
        run: (ctx) => control(data, ctx),
      };
    }),
  );
  for (const kind of Object.keys(o.handlers.steps) as StepKind[]) {
    const run = o.handlers.steps[kind];
    if (!run) continue;
    workers.push(
      queueWorker(o, k, STEP_QUEUE[kind], (job) => {
        const parsed = stepJobSchema.safeParse(job.data);
        if (!parsed.success) throw new UnrecoverableError(`invalid job data: ${parsed.error.message}`);
        return { ref: parsed.data, locked: !UNLOCKED_KINDS.has(kind), run: (ctx) => run(parsed.data, ctx) };
      }),
    );
  }
  const connections: RedisConnection[] = [];
  for (const worker of workers) {
    // QueueEvents blocks on its connection (XREAD BLOCK): it gets its own.
    const connection = duplicateConnection(o.connection);
    connection.on("error", () => undefined);
    connections.push(connection);
    const events = new QueueEvents(worker.name, { connection, prefix: queuePrefix(o.prefix) });
    events.on("error", () => undefined);
    events.on("failed", ({ jobId, failedReason }) => {
      reportFailure(o, worker.name, jobId, failedReason).catch((error) =>
        o.log.error({ job: jobId, err: errorMessage(error) }, "could not queue the failure report"),
      );
    });
    listeners.push(events);
  }
  return {
    workers,
    async ready() {
      await Promise.all([
        ...workers.map((w) => w.waitUntilReady()),
        ...listeners.map((l) => l.waitUntilReady()),
      ]);
      // Failures that happened while no process was listening.
      for (const worker of workers) await sweepFailed(o, worker.name);
    },
    async close(force = false) {
      await Promise.all(workers.map((w) => w.close(force)));
      await Promise.all(listeners.map((l) => l.close()));
      for (const c of connections) c.disconnect();
    },
  };
}

interface Prepared {
  ref: WorkflowRef;
  locked: boolean;
  busyDelayMs?: number | undefined;
  onBusy?: () => Promise<void>;
  run(ctx: JobContext): Promise<unknown>;
}

function queueWorker(
  o: WorkerOptions,
  k: ReturnType<typeof keys>,
  queueName: string,
  prepare: (job: Job) => Prepared,
): Worker {
  const worker = new Worker(
    queueName,
    async (job, token) => {
      const p = prepare(job);
      const workflow = workflowKey(`${p.ref.repo.owner}/${p.ref.repo.name}`, p.ref.issue);
      const lock = p.locked ? await tryLock(o.connection, k.lock(workflow), o.lockMs) : undefined;
      if (p.locked && !lock) {
        // Another job of this workflow runs: wait without spending an attempt. Order is the inbox's
        // business, not this delay's.
        const delay = p.busyDelayMs ?? 100 + Math.floor(Math.random() * 200);
        await p
          .onBusy?.()
          .catch((error) =>
            o.log.warn({ job: job.id, err: errorMessage(error) }, "could not look for a stop request"),
          );
        await job.moveToDelayed(Date.now() + delay, token);
        throw new DelayedError();
      }
      const ctx: JobContext = {
        jobId: String(job.id),
        signal: lock?.signal ?? new AbortController().signal,
        ...(lock ? { fence: { key: lock.key, token: lock.token } } : {}),
        job,
      };
      try {
        return await p.run(ctx);
      } catch (error) {
        if (error instanceof TriadError && error.code === "stopped") {
          o.log.info({ job: job.id }, "step stopped by a maintainer");
          return undefined;
        }
        if (await waitOut(o, job, token, error)) throw new DelayedError();
        if (!isRetryable(error)) {
          o.log.error({ job: job.id, err: errorMessage(error) }, "job failed for good");
          throw new UnrecoverableError(errorMessage(error));
        }
        o.log.warn(
          { job: job.id, attempt: job.attemptsMade + 1, err: errorMessage(error) },
          "job failed, will retry",
        );
        throw error;
      } finally {
        if (lock) {
          await lock.release().catch(() => undefined);
          // Events that arrived while this job held the lock found it busy: drain them now.
          const waiting = await o.queues.inbox.size(workflow).catch(() => 0);
          if (waiting > 0)
            await enqueueDrain(o.queues, p.ref, `after-${randomUUID()}`).catch(() => undefined);
        }
      }
    },
    {
      connection: o.connection,
      prefix: queuePrefix(o.prefix),
      concurrency: o.concurrency,
      lockDuration: o.lockMs,
      stalledInterval: Math.max(500, Math.floor(o.lockMs / 2)),
      maxStalledCount: 3,
      settings: { backoffStrategy: (attemptsMade, _type, error) => backoffDelay(attemptsMade, error) },
    },
  );
  worker.on("error", (error) => o.log.error({ queue: queueName, err: errorMessage(error) }, "worker error"));
  return worker;
}

/**
 * Waits that are not failures: GitHub's rate limits (as long as GitHub asked) and the installation's
 * turn (until a running workflow makes room). The job is delayed without spending an attempt, so a
 * limit of any length strands nothing; a job kept waiting by rate limits longer than
 * `limitWaitMaxMs` in total fails for good (and is reported) — steps only: events and failure reports
 * wait until GitHub takes them. True when the job was delayed.
 */
async function waitOut(
  o: WorkerOptions,
  job: Job,
  token: string | undefined,
  error: unknown,
): Promise<boolean> {
  if (!(error instanceof TriadError) || error.retryAfterMs === undefined) return false;
  if (error.code !== "rate_limited" && error.code !== "waiting_turn") return false;
  // Only steps have a budget: they hold paid model work and a workflow's turn. Events and failure
  // reports are cheap and must not be lost to a limit (a dropped event would drop whatever was next).
  const step = job.queueName !== EVENTS_QUEUE;
  if (error.code === "rate_limited" && step) {
    const key = `${o.prefix}:limit-wait:${job.id}`;
    await o.connection.set(key, String(Date.now()), "EX", 3 * 24 * 3600, "NX");
    const since = Number(await o.connection.get(key));
    const budget = o.limitWaitMaxMs ?? DEFAULT_LIMIT_WAIT_MAX_MS;
    if (Date.now() + error.retryAfterMs - since > budget) {
      throw new UnrecoverableError(
        `${errorMessage(error)} — GitHub's rate limits kept this step waiting longer than triad waits for them (TRIAD_GITHUB_LIMIT_WAIT_MAX_MS)`,
      );
    }
  }
  const delay = error.retryAfterMs + Math.floor(Math.random() * 100);
  o.log.info({ job: job.id, waitMs: delay, why: error.code, err: errorMessage(error) }, "job waits");
  await job.moveToDelayed(Date.now() + delay, token);
  return true;
}

/** A job failed for good: queue the report that records it on the workflow (once per job). */
async function reportFailure(
  o: WorkerOptions,
  queueName: string,
  jobId: string,
  reason: string,
): Promise<void> {
  const error = reason || "the step failed";
  if (queueName === EVENTS_QUEUE) {
    const job = await o.queues.events.getJob(jobId);
    const data = controlJobSchema.safeParse(job?.data);
    if (!data.success) return;
    if (data.data.type === "drain") {
      const { type: _t, ...ref } = data.data;
      await o.queues.events.add(
        "event_failed",
        { type: "event_failed", error, ...ref },
        { ...REPORT_OPTIONS, jobId: `failed-${jobId}` },
      );
    } else {
      o.log.error({ job: jobId, type: data.data.type, err: error }, "a control job failed for good");
    }
    return;
  }
  // A review flow's parent fails because a reviewer did (BullMQ's "child … failed"): the reviewer's
  // own report says what went wrong, so the parent's would only race it with a vaguer message.
  if (/^child \S+ failed$/.test(reason)) return;
  const kind = (Object.keys(STEP_QUEUE) as StepKind[]).find((x) => STEP_QUEUE[x] === queueName);
  const job = kind ? await o.queues.steps[kind].getJob(jobId) : undefined;
  const step = stepJobSchema.safeParse(job?.data);
  if (!step.success) return;
  const ref = { jobId, label: stepLabel(step.data), step: step.data };
  await o.queues.events.add(
    "step_failed",
    {
      type: "step_failed",
      ref,
      error,
      installationId: step.data.installationId,
      repo: step.data.repo,
      issue: step.data.issue,
    },
    { ...REPORT_OPTIONS, jobId: `failed-${jobId}` },
  );
}

async function sweepFailed(o: WorkerOptions, queueName: string): Promise<void> {
  const queue =
    queueName === EVENTS_QUEUE
      ? o.queues.events
      : Object.values(o.queues.steps).find((q) => q.name === queueName);
  const failed = (await queue?.getFailed(0, 200)) ?? [];
  const since = Date.now() - SWEEP_WINDOW_MS;
  for (const job of failed) {
    if (!job.id || String(job.id).startsWith("failed-") || (job.finishedOn ?? 0) < since) continue;
    await reportFailure(o, queueName, String(job.id), job.failedReason);
  }
}
