import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { Probot } from "probot";
import { triadApp } from "./app.js";
import type { TriadEnv } from "./config/env.js";
import { redactionList } from "./config/secrets.js";
import {
  octokitDeliveries,
  type RecoveryResult,
  recoverMissedDeliveries,
  webAlive,
} from "./deliveries/recover.js";
import { errorMessage, TriadError } from "./errors.js";
import { Admission } from "./github/admission.js";
import { type AppAuth, createAppAuth } from "./github/app-auth.js";
import { redisDefaultBranchRunsCache } from "./github/ci-checks.js";
import type { GitHubClient } from "./github/client.js";
import { withPriority } from "./github/paced-client.js";
import { Pacer } from "./github/pacer.js";
import { pacingConfig } from "./github/pacing-config.js";
import { redisRecentPermissions } from "./github/permissions.js";
import { redisDiffCache } from "./github/pull-diff.js";
import { redisRepoConfigCache } from "./github/repo-config.js";
import { type GitHubTime, realGitHubTime } from "./github/time.js";
import { HealthBoard } from "./health.js";
import { type HookableOctokit, meterGitHub } from "./metrics/github.js";
import type { TriadMetrics } from "./metrics/metrics.js";
import { meteredProvider } from "./metrics/models.js";
import { watchPrecision } from "./metrics/precision.js";
import { allQueues, meterJobs, watchQueueDepths } from "./metrics/queues.js";
import { countMilestones } from "./metrics/workflow.js";
import { hasAnyApiKey } from "./models/config.js";
import { guardedProvider, liveModels, type ModelProvider } from "./models/provider.js";
import { type Clock, systemClock } from "./ports/clock.js";
import { type Faults, noFaults } from "./ports/faults.js";
import { keys } from "./queue/names.js";
import { acceptEvent, createQueues, type Queues, stepQueue } from "./queue/queues.js";
import { createRedis, type RedisConnection, redisReachable, waitForRedis } from "./queue/redis.js";
import { startWorkers } from "./queue/worker.js";
import { SnapshotCache } from "./repo/snapshot.js";
import { releaseTurnIfIdle } from "./shell/admission.js";
import { runArchitectReviewStep } from "./shell/architect/review-time.js";
import { runArchitectTurn } from "./shell/architect/turn.js";
import { runCiDeadline } from "./shell/ci-deadline.js";
import type { ShellDeps } from "./shell/context.js";
import { redisContractCache } from "./shell/contracts.js";
import { runDeveloperRound } from "./shell/developer/round.js";
import { recordStepFailure } from "./shell/failure.js";
import { drainInbox, dropFailedEvent, routePullRequestComment } from "./shell/handle-event.js";
import { runReviewAggregate } from "./shell/review/aggregate.js";
import { runReviewerStep } from "./shell/review/reviewer.js";
import { requestStopIfAsked } from "./shell/stop-request.js";
import { redisPrecisionStore } from "./stores/precision-store.js";
import { redisStores } from "./stores/redis-stores.js";
import { redisStopFlags } from "./stores/stop-flags.js";
import { adminHandler } from "./web/admin.js";
import { startWebhookProxy, type WebhookProxy } from "./web/proxy.js";
import { startWebServer, type WebServer } from "./web/server.js";

/**
 * Wiring of the two processes (ARCHITECTURE §1). `web` verifies, decides and enqueues; `worker`
 * runs the steps. `start` runs both in one process. Each part reports its health on the process's
 * `HealthBoard` (src/health.ts) and counts on its `TriadMetrics`; a part that cannot start within
 * TRIAD_START_TIMEOUT_MS (Redis or GitHub unreachable, a wrong key) throws, and the process exits.
 */
export interface Running {
  stop(): Promise<void>;
}

export interface RunningWeb extends Running {
  url: string;
}

export interface RunningWorker extends Running {
  /** One recovery pass for missed webhook deliveries now (the worker also runs it periodically). */
  recoverDeliveries(): Promise<RecoveryResult>;
}

/** What the parts of one process share. */
export interface PartOptions {
  /** Where the part reports whether it is alive and ready (default: its own board). */
  health?: HealthBoard | undefined;
  metrics?: TriadMetrics | undefined;
}

export function redisTarget(env: TriadEnv) {
  return { url: env.REDIS_URL, clusterNodes: env.REDIS_CLUSTER_NODES };
}

function redisWhere(env: TriadEnv): string {
  return env.REDIS_CLUSTER_NODES
    ? `cluster ${env.REDIS_CLUSTER_NODES}`
    : env.REDIS_URL.replace(/\/\/[^@/]*@/, "//");
}

export async function runWeb(env: TriadEnv, log: Logger, o: PartOptions = {}): Promise<RunningWeb> {
  if (!env.app || !env.webhookSecret) throw new Error("web needs APP_ID, PRIVATE_KEY and WEBHOOK_SECRET");
  const health = o.health ?? new HealthBoard();
  health.starting("web");
  const redis = createRedis(redisTarget(env), (error) =>
    log.warn({ err: error.message }, "web: Redis unreachable, retrying"),
  );
  const queues = createQueues(redis, env.TRIAD_REDIS_PREFIX);
  if (o.metrics) watchQueueDepths(o.metrics, queues, env.TRIAD_REDIS_PREFIX);
  if (o.metrics)
    watchPrecision(
      o.metrics,
      redisPrecisionStore(redis, keys(env.TRIAD_REDIS_PREFIX)),
      env.TRIAD_REDIS_PREFIX,
    );
  const probot = new Probot({
    appId: env.app.appId,
    privateKey: env.app.privateKey,
    secret: env.webhookSecret,
    baseUrl: env.GITHUB_API_URL,
    log,
  });
  const webLog = log.child({ name: "web" });
  await probot.load(triadApp({ queues, log: webLog, metrics: o.metrics }));
  let web: WebServer | undefined;
  let proxy: WebhookProxy | undefined;
  try {
    web = await startWebServer({
      webhook: { probot, secret: env.webhookSecret, path: env.WEBHOOK_PATH },
      health: () => health.report(),
      metrics: o.metrics,
      admin: env.TRIAD_ADMIN_TOKEN ? adminHandler(allQueues(queues), env.TRIAD_ADMIN_TOKEN) : undefined,
      log: webLog,
      port: env.PORT,
      host: env.HOST,
    });
    // Webhooks can be taken only when they can be queued.
    await waitForRedis(redis, env.TRIAD_START_TIMEOUT_MS, redisWhere(env));
    if (env.WEBHOOK_PROXY_URL)
      proxy = await startWebhookProxy(
        env.WEBHOOK_PROXY_URL,
        `${web.url}${env.WEBHOOK_PATH}`,
        log,
        env.TRIAD_START_TIMEOUT_MS,
      );
  } catch (error) {
    health.failed("web", errorMessage(error));
    await web?.close();
    await closeAll(queues, redis);
    throw startFailure("web", error);
  }
  // Missed deliveries are asked for again only while a web process is up to take them.
  const stopAlive = webAlive(redis, env.TRIAD_REDIS_PREFIX, randomUUID());
  health.set("web", async () => {
    const ok = await redisReachable(redis);
    return {
      live: true,
      ready: ok,
      detail: ok ? "Redis reachable" : `Redis unreachable (${redisWhere(env)})`,
    };
  });
  webLog.info(
    {
      url: `${web.url}${env.WEBHOOK_PATH}`,
      proxy: env.WEBHOOK_PROXY_URL,
      admin: Boolean(env.TRIAD_ADMIN_TOKEN),
    },
    "web: receiving webhooks",
  );
  const server = web;
  return {
    url: server.url,
    async stop() {
      await proxy?.close().catch(() => undefined);
      await stopAlive();
      await server.close();
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

export async function runWorker(
  env: TriadEnv,
  log: Logger,
  o: WorkerRuntimeOptions & PartOptions = {},
): Promise<RunningWorker> {
  if (!env.app && !o.auth) throw new Error("worker needs APP_ID and PRIVATE_KEY");
  const health = o.health ?? new HealthBoard();
  health.starting("worker");
  const metrics = o.metrics;
  const chosen = o.models ?? liveModelsOrRefuse(env, log);
  // Every secret of the deployment, in every form it may take (parsed credentials, not raw strings),
  // is redacted from every model request, whatever put it there.
  const models = guardedProvider(metrics ? meteredProvider(chosen, metrics) : chosen, redactionList(env));
  const workerLog = log.child({ name: "worker" });
  const startPart = (what: string, work: Promise<void>) =>
    startWithin(env.TRIAD_START_TIMEOUT_MS, what, work);
  const pacing = pacingConfig(env.raw);
  const githubTime = o.githubTime ?? realGitHubTime;
  const redis = createRedis(redisTarget(env), (error) =>
    log.warn({ err: error.message }, "worker: Redis unreachable, retrying"),
  );
  const pacer = pacing.enabled ? new Pacer(redis, env.TRIAD_REDIS_PREFIX, pacing, githubTime) : undefined;
  let auth: AppAuth | undefined = o.auth;
  await startPart(
    `GitHub at ${env.GITHUB_API_URL}`,
    (async () => {
      auth ??= await createAppAuth(env.app as NonNullable<TriadEnv["app"]>, env.GITHUB_API_URL, log, {
        pacer,
        time: githubTime,
        timeoutMs: pacing.timeoutMs,
        maxInlineWaitMs: pacing.maxInlineWaitMs,
        // Inside the request layer: every answer is counted, limits it waits out included.
        ...(metrics
          ? { observe: (client: HookableOctokit, id: number) => meterGitHub(client, String(id), metrics) }
          : {}),
      });
    })(),
  ).catch((error) => {
    health.failed("worker", errorMessage(error));
    redis.disconnect();
    throw startFailure("a worker", error);
  });
  const app = auth as AppAuth;
  if (metrics && isHookable(app.app)) meterGitHub(app.app, "app", metrics);
  const queues = createQueues(redis, env.TRIAD_REDIS_PREFIX);
  if (metrics) watchQueueDepths(metrics, queues, env.TRIAD_REDIS_PREFIX);
  const precisionStore = redisPrecisionStore(redis, keys(env.TRIAD_REDIS_PREFIX));
  if (metrics) watchPrecision(metrics, precisionStore, env.TRIAD_REDIS_PREFIX);
  const deps: ShellDeps = {
    stores: {
      ...redisStores(redis, keys(env.TRIAD_REDIS_PREFIX), {
        onSaved: metrics ? (before, after) => countMilestones(metrics, before, after) : undefined,
      }),
      stops: redisStopFlags(redis, keys(env.TRIAD_REDIS_PREFIX)),
      precision: precisionStore,
    },
    queue: stepQueue(queues),
    inbox: queues.inbox,
    accept: async (event, receivedAt) => {
      await acceptEvent(queues, event, receivedAt);
    },
    github: (id: number): Promise<GitHubClient> => app.installation(id),
    botLogin: app.botLogin,
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
    // Which checks the default branch runs, shared by every round of the repository for three minutes.
    defaultBranchRuns: redisDefaultBranchRunsCache(
      redis,
      env.TRIAD_REDIS_PREFIX,
      githubTime.toRealMs(3 * 60_000),
    ),
    diffs: redisDiffCache(redis, env.TRIAD_REDIS_PREFIX),
    githubTime,
    // The default branch's contracts, by the config's rule (five minutes of GitHub time).
    contracts: redisContractCache(redis, env.TRIAD_REDIS_PREFIX, githubTime.toRealMs(5 * 60_000)),
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
      ciDeadline: (data, job) => turns(data, runCiDeadline(deps, data, job)),
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
  if (metrics) meterJobs(metrics, running.workers);
  try {
    await startPart(
      `Redis at ${redisWhere(env)}`,
      waitForRedis(redis, env.TRIAD_START_TIMEOUT_MS, redisWhere(env)).then(() => running.ready()),
    );
  } catch (error) {
    health.failed("worker", errorMessage(error));
    await within(SHUTDOWN_GRACE_MS, running.close(true));
    await closeAll(queues, redis);
    throw startFailure("a worker", error);
  }
  health.set("worker", async () => {
    const live = running.workers.every((w) => w.isRunning());
    const reachable = live && (await redisReachable(redis));
    return {
      live,
      ready: reachable,
      detail: !live
        ? "a queue worker stopped"
        : reachable
          ? "taking jobs"
          : `Redis unreachable (${redisWhere(env)})`,
    };
  });
  const recover = () =>
    recoverMissedDeliveries(
      octokitDeliveries(app.app as unknown as Parameters<typeof octokitDeliveries>[0]),
      {
        redis,
        prefix: env.TRIAD_REDIS_PREFIX,
        log: workerLog,
      },
    ).then((result) => {
      if (result.redelivered > 0) metrics?.redeliveries.inc(result.redelivered);
      return result;
    });
  const recovery = periodic(env.TRIAD_REDELIVERY_INTERVAL_MS, () =>
    recover().catch((error) =>
      workerLog.warn({ err: errorMessage(error) }, "missed-deliveries pass failed; next pass will try again"),
    ),
  );
  workerLog.info(
    { bot: app.botLogin, concurrency: env.TRIAD_WORKER_CONCURRENCY, models: models.mode },
    "worker: waiting for jobs",
  );
  return {
    recoverDeliveries: recover,
    async stop() {
      recovery.stop();
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
 * A pass every `intervalMs` (0: never), the first one soon after start; never two at once in one
 * process (the pass itself also takes a Redis lock across processes).
 */
function periodic(intervalMs: number, run: () => Promise<unknown>): { stop(): void } {
  if (intervalMs <= 0) return { stop: () => undefined };
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    void run().finally(() => {
      running = false;
    });
  };
  const first = setTimeout(tick, Math.min(intervalMs, 5_000));
  const timer = setInterval(tick, intervalMs);
  first.unref();
  timer.unref();
  return {
    stop() {
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}

function isHookable(client: unknown): client is HookableOctokit {
  return typeof (client as { hook?: { wrap?: unknown } } | undefined)?.hook?.wrap === "function";
}

/** A part could not start: one message naming the part and why (the CLI prints it and exits 1). */
function startFailure(part: string, error: unknown): TriadError {
  const code = error instanceof TriadError ? error.code : "network";
  return new TriadError(code, `triad cannot start ${part}: ${errorMessage(error)}`, { cause: error });
}

/** Rejects when the work has not finished within the time, naming what it waited for. */
async function startWithin(ms: number, what: string, work: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not answer within ${Math.round(ms / 1000)} s`)),
      ms,
    );
  });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
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

async function closeAll(queues: Queues, redis: RedisConnection): Promise<void> {
  await within(SHUTDOWN_GRACE_MS / 2, queues.close());
  redis.disconnect();
}
