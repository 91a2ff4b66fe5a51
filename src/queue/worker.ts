import { DelayedError, type Job, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { errorMessage, isRetryable } from "../errors.js";
import { ensureComment } from "../github/comments.js";
import type { WorkflowEvent } from "../workflow/events.js";
import { workflowEventSchema } from "../workflow/events.js";
import { type HandlerDeps, handleEvent } from "../workflow/handle-event.js";
import { marker } from "../workflow/markers.js";
import { workflowKey } from "../workflow/state.js";
import { tryLock } from "./lock.js";
import { EVENTS_QUEUE, keys } from "./names.js";
import { backoffDelay } from "./queues.js";

export interface WorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
  /** BullMQ job lock and workflow lock TTL: how soon a dead worker's job is picked up again. */
  lockMs: number;
  deps: HandlerDeps;
  log: Logger;
}

/**
 * The queue side (ARCHITECTURE §1, §7): takes event jobs, runs each under its workflow's lock, and
 * turns failures into retries (retryable) or one comment on the issue (final). Phases plug in as
 * handlers behind `handleEvent`; this file does not change when they do.
 */
export function startWorker(o: WorkerOptions): Worker<WorkflowEvent> {
  const k = keys(o.prefix);
  const worker = new Worker<WorkflowEvent>(
    EVENTS_QUEUE,
    async (job, token) => {
      const parsed = workflowEventSchema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`invalid job data: ${parsed.error.message}`);
      const event = parsed.data;
      const workflow = workflowKey(`${event.repo.owner}/${event.repo.name}`, event.issue);
      const lock = await tryLock(o.connection, k.lock(workflow), o.lockMs);
      if (!lock) {
        // Another job of this workflow runs: wait our turn without spending an attempt.
        await job.moveToDelayed(Date.now() + 100 + Math.floor(Math.random() * 200), token);
        throw new DelayedError();
      }
      try {
        await handleEvent(o.deps, event);
      } catch (error) {
        await onFailure(o, job, event, error);
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
  worker.on("error", (error) => o.log.error({ err: errorMessage(error) }, "worker error"));
  return worker;
}

async function onFailure(
  o: WorkerOptions,
  job: Job<WorkflowEvent>,
  event: WorkflowEvent,
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
    const gh = await o.deps.github(event.installationId);
    await ensureComment(
      gh,
      { owner: event.repo.owner, repo: event.repo.name, issue_number: event.issue },
      {
        marker: marker("error", String(job.id)),
        botLogin: o.deps.botLogin,
        body: `⚠️ **triad could not finish a step** (${event.kind}): ${errorMessage(error)}\n\nWhen the cause is fixed, comment \`/triad retry\` to run it again.`,
      },
    );
  } catch (reportError) {
    o.log.error({ job: job.id, err: errorMessage(reportError) }, "could not post the failure comment");
  }
  throw new UnrecoverableError(errorMessage(error));
}
