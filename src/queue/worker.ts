import { DelayedError, type Job, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { z } from "zod";
import { type WorkflowEvent, workflowEventSchema } from "../core/events.js";
import { marker } from "../core/markers.js";
import { workflowKey } from "../core/state.js";
import {
  STEP_QUEUE,
  type StepJob,
  type StepKind,
  stepJobSchema,
  stepLabel,
  UNLOCKED_KINDS,
} from "../core/steps.js";
import { errorMessage, isRetryable } from "../errors.js";
import type { IssueRef } from "../github/client.js";
import { ensureComment } from "../github/comments.js";
import type { HandlerDeps } from "../shell/handle-event.js";
import { ensureTrackingComment } from "../shell/interpret.js";
import { tryLock } from "./lock.js";
import { EVENTS_QUEUE, keys } from "./names.js";
import { backoffDelay } from "./queues.js";

/** What a job must say about itself: which workflow it belongs to. */
interface WorkflowJob {
  installationId: number;
  repo: { owner: string; name: string };
  issue: number;
}

/** A handler for one queue: it gets validated job data and runs under the workflow's lock. */
export interface QueueHandler<T extends WorkflowJob> {
  schema: z.ZodType<T>;
  /** What it returns becomes the job's return value (a reviewer's findings, read by its parent). */
  run(data: T, job: Job<T>): Promise<unknown>;
  /** Run under the workflow's lock (default true). */
  locked?: boolean;
  /** How the step is named in the tracking comment and failure comments. */
  label(data: T): string;
}

export interface WorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
  /** BullMQ job lock and workflow lock TTL: how soon a dead worker's job is picked up again. */
  lockMs: number;
  deps: HandlerDeps;
  log: Logger;
  handlers: {
    events: (data: WorkflowEvent) => Promise<void>;
    /** Step handlers get the job id (a step marks what it writes with it) and the job itself. */
    steps: Partial<Record<StepKind, (data: StepJob, jobId: string, job: Job<StepJob>) => Promise<unknown>>>;
  };
}

/**
 * The queue side (ARCHITECTURE §1, §7): one BullMQ worker per queue (webhook events, and each phase
 * whose handler this process runs). Every job runs under its workflow's lock; failures become
 * retries (retryable) or one comment on the issue and a `failed` mark that `/triad retry` re-runs
 * (final). Phases plug in as handlers; this file does not change when they do.
 */
export function startWorkers(o: WorkerOptions): Worker[] {
  const workers: Worker[] = [
    startQueueWorker<WorkflowEvent>(o, EVENTS_QUEUE, {
      schema: workflowEventSchema,
      run: (data) => o.handlers.events(data),
      label: (data) => `handle ${data.kind}`,
    }),
  ];
  for (const kind of Object.keys(o.handlers.steps) as StepKind[]) {
    const run = o.handlers.steps[kind];
    if (!run) continue;
    workers.push(
      startQueueWorker<StepJob>(o, STEP_QUEUE[kind], {
        schema: stepJobSchema,
        run: (data, job) => run(data, String(job.id), job),
        label: stepLabel,
        locked: !UNLOCKED_KINDS.has(kind),
      }),
    );
  }
  return workers;
}

function startQueueWorker<T extends WorkflowJob>(
  o: WorkerOptions,
  queueName: string,
  handler: QueueHandler<T>,
): Worker<T> {
  const k = keys(o.prefix);
  const worker = new Worker<T>(
    queueName,
    async (job, token) => {
      const parsed = handler.schema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`invalid job data: ${parsed.error.message}`);
      const data = parsed.data;
      const workflow = workflowKey(`${data.repo.owner}/${data.repo.name}`, data.issue);
      const lock =
        handler.locked === false
          ? { release: async () => true }
          : await tryLock(o.connection, k.lock(workflow), o.lockMs);
      if (!lock) {
        // Another job of this workflow runs: wait our turn without spending an attempt.
        await job.moveToDelayed(Date.now() + 100 + Math.floor(Math.random() * 200), token);
        throw new DelayedError();
      }
      try {
        return await handler.run(data, job);
      } catch (error) {
        return await onFailure(o, queueName, job, data, handler.label(data), error);
      } finally {
        await lock.release().catch(() => undefined);
      }
    },
    {
      connection: o.connection,
      prefix: o.prefix,
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

async function onFailure(
  o: WorkerOptions,
  queueName: string,
  job: Job,
  data: WorkflowJob,
  label: string,
  error: unknown,
): Promise<never> {
  const attempts = job.opts.attempts ?? 1;
  const last = job.attemptsMade + 1 >= attempts;
  if (isRetryable(error) && !last) {
    o.log.warn(
      { job: job.id, attempt: job.attemptsMade + 1, err: errorMessage(error) },
      "job failed, will retry",
    );
    throw error;
  }
  o.log.error({ job: job.id, err: errorMessage(error) }, "job failed for good");
  try {
    const gh = await o.deps.github(data.installationId);
    const ref: IssueRef = { owner: data.repo.owner, repo: data.repo.name, issue_number: data.issue };
    await ensureComment(gh, ref, {
      marker: marker("error", String(job.id)),
      botLogin: o.deps.botLogin,
      body: `⚠️ **triad could not finish a step** (${label}): ${errorMessage(error)}\n\nWhen the cause is fixed, a maintainer can comment \`/triad retry\` to run it again.`,
    });
    const state = await o.deps.store.load(gh, ref, o.deps.botLogin);
    if (state) {
      const failed = {
        queue: queueName,
        jobId: String(job.id),
        label,
        error: errorMessage(error).split("\n")[0] ?? "",
      };
      const next = await ensureTrackingComment(
        { gh, ref, botLogin: o.deps.botLogin },
        { ...state, failed, queued: undefined },
      );
      await o.deps.store.save(next);
    }
  } catch (reportError) {
    o.log.error({ job: job.id, err: errorMessage(reportError) }, "could not report the failure on the issue");
  }
  throw new UnrecoverableError(errorMessage(error));
}
