import { randomBytes } from "node:crypto";
import { Octokit } from "@octokit/rest";
import type { Logger } from "pino";
import { loadEnv, type TriadEnv } from "../config/env.js";
import { HealthBoard } from "../health.js";
import { createLogger } from "../log.js";
import { createMetrics, type TriadMetrics } from "../metrics/metrics.js";
import { type ModelProvider, scriptedModels } from "../models/provider.js";
import { type RunningWeb, type RunningWorker, runWeb, runWorker } from "../runtime.js";
import { type BehaviourPatch, type GitHubSimulator, startSimulator } from "./github/index.js";
import { demoStatelessModels } from "./scenario.js";

/**
 * triad running against the GitHub simulator in one process: the simulator, the webhook receiver
 * and a worker, wired exactly as in production (signed webhooks over HTTP, app JWT → installation
 * token, BullMQ on Redis). Used by the demo, the integration tests and the benchmarks.
 */
export interface LocalStack {
  sim: GitHubSimulator;
  web: RunningWeb;
  worker: RunningWorker | undefined;
  env: TriadEnv;
  /** What `GET /metrics` on `web.url` serves (web and worker share it, as in `triad start`). */
  metrics: TriadMetrics;
  /** The environment variables behind `env`, for triad processes started as children. */
  vars: Record<string, string>;
  log: Logger;
  /** A REST client acting as a simulator user (by token). */
  as(token: string): Octokit;
  stop(): Promise<void>;
}

export interface LocalStackOptions {
  redisUrl: string;
  /** Redis key prefix; unique per test so parallel tests never see each other's jobs. */
  prefix?: string;
  logLevel?: string;
  /** Start without a worker (tests that run workers in child processes). */
  worker?: boolean;
  lockMs?: number;
  extraEnv?: Record<string, string>;
  /** The models the worker uses (default: scripted, the demo's scenario). */
  models?: ModelProvider;
  /** How strict the simulated GitHub is (default SIM_DEFAULTS); `sim.configure` changes it later. */
  github?: BehaviourPatch;
}

export async function startLocalStack(o: LocalStackOptions): Promise<LocalStack> {
  const secret = randomBytes(16).toString("hex");
  const sim = await startSimulator({ ...o.github, webhookSecret: secret });
  const vars = stackEnv(sim, o, secret);
  const env = loadEnv(vars, "start");
  const log = createLogger(env.LOG_LEVEL);
  const metrics = createMetrics();
  const health = new HealthBoard();
  if (o.worker !== false) health.starting("worker");
  const web = await runWeb(env, log, { health, metrics }).catch(async (error) => {
    await sim.stop();
    throw error;
  });
  sim.setWebhookUrl(`${web.url}${env.WEBHOOK_PATH}`);
  const worker =
    o.worker === false
      ? undefined
      : await runWorker(env, log, {
          lockMs: o.lockMs,
          health,
          metrics,
          // The worker keeps the simulator's clock: with a time scale, GitHub's waits pass faster.
          githubTime: sim.clock,
          // Scripted models only ever run here, against the simulator.
          models: o.models ?? scriptedModels(demoStatelessModels()),
        }).catch(async (error) => {
          await web.stop();
          await sim.stop();
          throw error;
        });
  return {
    sim,
    web,
    worker,
    env,
    metrics,
    vars,
    log,
    as: (token) => new Octokit({ baseUrl: sim.url, auth: token, request: { retries: 0 } }),
    async stop() {
      await worker?.stop();
      await web.stop();
      await sim.stop();
    },
  };
}

/** The environment a triad process needs to talk to this simulator (also for child processes). */
export function stackEnv(sim: GitHubSimulator, o: LocalStackOptions, secret: string): Record<string, string> {
  return {
    APP_ID: String(sim.appId),
    PRIVATE_KEY: sim.privateKey,
    WEBHOOK_SECRET: secret,
    GITHUB_API_URL: sim.url,
    REDIS_URL: o.redisUrl,
    TRIAD_REDIS_PREFIX: o.prefix ?? `triad-${randomBytes(4).toString("hex")}`,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: o.logLevel ?? "silent",
    ...(o.lockMs ? { TRIAD_JOB_LOCK_MS: String(o.lockMs) } : {}),
    // Nothing is missed here unless a test makes it so (and turns the pass on).
    TRIAD_REDELIVERY_INTERVAL_MS: "0",
    ...o.extraEnv,
  };
}
