import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { Probot } from "probot";
import { triadApp } from "./app.js";
import type { TriadEnv } from "./config/env.js";
import { errorMessage, TriadError } from "./errors.js";
import { Admission } from "./github/admission.js";
import { type AppAuth, createAppAuth } from "./github/app-auth.js";
import type { GitHubClient } from "./github/client.js";
import { withPriority } from "./github/paced-client.js";
import { Pacer } from "./github/pacer.js";
import { pacingConfig } from "./github/pacing-config.js";
import { redisRecentPermissions } from "./github/permissions.js";
import { redisDiffCache } from "./github/pull-diff.js";
import { redisRepoConfigCache } from "./github/repo-config.js";
import { type GitHubTime, realGitHubTime } from "./github/time.js";
import { hasAnyApiKey } from "./models/config.js";
import { guardedProvider, liveModels, type ModelProvider, secretValues } from "./models/provider.js";
import { type Clock, systemClock } from "./ports/clock.js";
import { type Faults, noFaults } from "./ports/faults.js";
import { keys } from "./queue/names.js";
import { acceptEvent, createQueues, type Queues, stepQueue } from "./queue/queues.js";
import { createRedis } from "./queue/redis.js";
import { startWorkers } from "./queue/worker.js";
import { SnapshotCache } from "./repo/snapshot.js";
import { releaseTurnIfIdle } from "./shell/admission.js";
import { runArchitectReviewStep } from "./shell/architect/review-time.js";
import { runArchitectTurn } from "./shell/architect/turn.js";
import type { ShellDeps } from "./shell/context.js";
import { runDeveloperRound } from "./shell/developer/round.js";
import { recordStepFailure } from "./shell/failure.js";
import { drainInbox, dropFailedEvent, routePullRequestComment } from "./shell/handle-event.js";
import { runReviewAggregate } from "./shell/review/aggregate.js";
import { runReviewerStep } from "./shell/review/reviewer.js";
import { requestStopIfAsked } from "./shell/stop-request.js";
import { redisStores } from "./stores/redis-stores.js";
import { redisStopFlags } from "./stores/stop-flags.js";
import { startWebServer, type WebServer } from "./web/server.js";

/**
 * Wiring of the two processes (ARCHITECTURE §1). `web` verifies, decides and enqueues; `worker`
 * runs the steps. `start` runs both in one process.
 */
export interface Running {
  stop(): Promise<void>;
}

export interface RunningWeb extends Running {
  url: string;
}

export async function runWeb(env: TriadEnv, log: Logger): Promise<RunningWeb> {
  if (!env.app || !env.webhookSecret) throw new Error("web needs APP_ID, PRIVATE_KEY and WEBHOOK_SECRET");
  const redis = createRedis(env.REDIS_URL, (error) =>
    log.warn({ err: error.message }, "web: Redis unreachable, retrying"),
  );
  const queues = createQueues(redis, env.TRIAD_REDIS_PREFIX);
  const probot = new Probot({
    appId: env.app.appId,
    privateKey: env.app.privateKey,
    secret: env.webhookSecret,
    baseUrl: env.GITHUB_API_URL,
    log: log.child({ name: "probot" }),
  });
  await probot.load(triadApp({ queues, log: log.child({ name: "web" }) }));
  let web: WebServer;
  try {
    web = await startWebServer({
      probot,
      secret: env.webhookSecret,
      redis,
      log: log.child({ name: "web" }),
      port: env.PORT,
      host: env.HOST,
      webhookPath: env.WEBHOOK_PATH,
    });
  } catch (error) {
    await closeAll(queues, redis);
    throw error;
  }
  log.info({ url: `${web.url}${env.WEBHOOK_PATH}` }, "web: receiving webhooks");
  return {
    url: web.url,
    async stop() {
      await web.close();
      await closeAll(queues, redis);
    },
  };
}

export interface WorkerRuntimeOptions {
  /** Replace GitHub App auth (the demo and tests hand in their own). */
  auth?: AppAuth;
  /** Replace the models (the demo and tests hand in scripted ones). */
  models?: ModelProvider;
  lockMs?: number;
  /** Fault injection for crash tests (default: none). */
  faults?: Faults;
  clock?: Clock;
  /** GitHub's clock as this worker should keep it (the simulator's time scale; default: real time). */
  githubTime?: GitHubTime;
}

export async function runWorker(env: TriadEnv, log: Logger, o: WorkerRuntimeOptions = {}): Promise<Running> {
  if (!env.app && !o.auth) throw new Error("worker needs APP_ID and PRIVATE_KEY");
  const models = guardedProvider(o.models ?? liveModelsOrRefuse(env, log), secretValues(env.raw));
  const pacing = pacingConfig(env.raw);
  const githubTime = o.githubTime ?? realGitHubTime;
  const redis = createRedis(env.REDIS_URL, (error) =>
    log.warn({ err: error.message }, "worker: Redis unreachable, retrying"),
  );
  const pacer = pacing.enabled ? new Pacer(redis, env.TRIAD_REDIS_PREFIX, pacing, githubTime) : undefined;
  const auth =
    o.auth ??
    (await createAppAuth(env.app as NonNullable<TriadEnv["app"]>, env.GITHUB_API_URL, log, {
      pacer,
      time: githubTime,
      timeoutMs: pacing.timeoutMs,
      maxInlineWaitMs: pacing.maxInlineWaitMs,
    }));
  const queues = createQueues(redis, env.TRIAD_REDIS_PREFIX);
  const workerLog = log.child({ name: "worker" });
  const deps: ShellDeps = {
    stores: {
      ...redisStores(redis, keys(env.TRIAD_REDIS_PREFIX)),
      stops: redisStopFlags(redis, keys(env.TRIAD_REDIS_PREFIX)),
    },
    queue: stepQueue(queues),
    inbox: queues.inbox,
    accept: async (event, receivedAt) => {
      await acceptEvent(queues, event, receivedAt);
    },
    github: (id: number): Promise<GitHubClient> => auth.installation(id),
    botLogin: auth.botLogin,
    log: workerLog,
    clock: o.clock ?? systemClock,
    models,
    snapshots: new SnapshotCache(),
    faults: o.faults ?? noFaults,
    modelEnv: env.raw,
    admission: new Admission(redis, env.TRIAD_REDIS_PREFIX, {
      cap: pacing.maxActiveWorkflows,
      restMs: githubTime.toRealMs(2 * 60_000),
      recheckMs: Math.max(250, githubTime.toRealMs(30_000)),
    }),
    recentPermissions: redisRecentPermissions(redis, env.TRIAD_REDIS_PREFIX, githubTime.toRealMs(60_000)),
    diffs: redisDiffCache(redis, env.TRIAD_REDIS_PREFIX),
    // "Once per step per sha": a copy younger than five minutes of GitHub time is used as it is.
    repoConfig: redisRepoConfigCache(redis, env.TRIAD_REDIS_PREFIX, {
      maxAgeMs: githubTime.toRealMs(5 * 60_000),
      branchMaxAgeMs: githubTime.toRealMs(24 * 3600_000),
    }),
  };
  /** After a workflow's job: give its installation turn up when it has no step queued (admission.ts). */
  const turns = async <T>(
    at: { installationId: number; repo: { owner: string; name: string }; issue: number },
    work: Promise<T>,
  ): Promise<T> => {
    try {
      return await work;
    } finally {
      await releaseTurnIfIdle(deps, at).catch((error: unknown) =>
        workerLog.warn({ err: errorMessage(error) }, "could not update the installation's turns"),
      );
    }
  };
  const running = startWorkers({
    connection: redis,
    prefix: env.TRIAD_REDIS_PREFIX,
    queues,
    concurrency: env.TRIAD_WORKER_CONCURRENCY,
    lockMs: o.lockMs ?? env.TRIAD_JOB_LOCK_MS,
    limitWaitMaxMs: githubTime.toRealMs(pacing.limitWaitMaxMs),
    log: workerLog,
    handlers: {
      drain: (ref, job) => turns(ref, drainInbox(deps, ref, job)),
      route: (data) => routePullRequestComment(deps, data),
      // Failure reports may use the primary budget's reserve: a failure must always be said.
      stepFailed: (data, job) =>
        turns(
          data,
          withPriority(() => recordStepFailure(deps, data, job)),
        ),
      eventFailed: (data, job) =>
        turns(
          data,
          withPriority(() => dropFailedEvent(deps, data, job, data.error)),
        ),
      drainBusy: (ref) => requestStopIfAsked(deps, ref),
      steps: {
        architect: (step, job) =>
          turns(
            step,
            step.mode === "ruling" || step.mode === "spiral"
              ? runArchitectReviewStep(deps, step, job)
              : runArchitectTurn(deps, step, job),
          ),
        develop: (step, job) => turns(step, runDeveloperRound(deps, step, job)),
        review: (step, job) => turns(step, runReviewAggregate(deps, step, job)),
        review_one: (step, job) => runReviewerStep(deps, step, job),
      },
    },
  });
  await running.ready();
  log.info(
    { bot: auth.botLogin, concurrency: env.TRIAD_WORKER_CONCURRENCY, models: models.mode },
    "worker: waiting for jobs",
  );
  return {
    async stop() {
      // Let running steps finish, but not forever: a worker whose Redis connection was lost can wait
      // on it indefinitely. Steps cut short are safe to run again (every write is "ensure").
      const graceful = await within(SHUTDOWN_GRACE_MS, running.close());
      if (!graceful) {
        log.warn("worker: steps did not finish in time; closing anyway");
        await within(SHUTDOWN_GRACE_MS, running.close(true));
      }
      await closeAll(queues, redis);
    },
  };
}

/**
 * Live models when a key is set. Without one the worker refuses to start: scripted models exist only
 * against the built-in simulator (the demo and the tests hand them in), so a deployment can never
 * post canned plans on real repositories.
 */
function liveModelsOrRefuse(env: TriadEnv, log: Logger): ModelProvider {
  if (hasAnyApiKey(env.raw)) return liveModels(env.raw, { log });
  throw new TriadError(
    "config_invalid",
    "triad cannot start a worker: no model API key is set. Set ANTHROPIC_API_KEY, OPENAI_API_KEY, GEMINI_API_KEY or OPENAI_COMPATIBLE_API_KEY (with OPENAI_COMPATIBLE_BASE_URL); `npm run demo` plays the workflow with scripted models and needs none.",
  );
}

const SHUTDOWN_GRACE_MS = 10_000;

/** True when the work settled within the time; false when the time ran out first. */
async function within(ms: number, work: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function closeAll(queues: Queues, redis: Redis): Promise<void> {
  await within(SHUTDOWN_GRACE_MS / 2, queues.close());
  redis.disconnect();
}
