import { pino } from "pino";
import { loadDotEnv } from "./config/dotenv.js";
import { type EnvNeeds, loadEnv } from "./config/env.js";
import { errorMessage, TriadError } from "./errors.js";
import { HealthBoard } from "./health.js";
import { createLogger } from "./log.js";
import { createMetrics } from "./metrics/metrics.js";
import { type Running, runWeb, runWorker } from "./runtime.js";
import { startWebServer, type WebServer } from "./web/server.js";

export type ServeCommand = "start" | "web" | "worker";

/**
 * `triad start | web | worker` as a process: read `.env`, then either the app-registration flow
 * (`start` with no APP_ID outside production) or the parts the command runs. The process is alive
 * only while every part it needs runs: a part that cannot start stops the others and the promise
 * rejects (the CLI exits non-zero); until then `/readyz` answers 503.
 */
export async function serve(command: ServeCommand): Promise<void> {
  loadDotEnv();
  if (command === "start" && !process.env.APP_ID && process.env.NODE_ENV !== "production")
    return registerThenStart();
  await startParts(command);
}

async function startParts(command: ServeCommand): Promise<void> {
  const env = loadEnv(process.env, command as EnvNeeds);
  const log = createLogger(env.LOG_LEVEL);
  const metrics = createMetrics();
  const health = new HealthBoard();
  const parts: Running[] = [];
  let healthServer: WebServer | undefined;
  const stopAll = async () => {
    for (const part of [...parts].reverse()) await part.stop().catch(() => undefined);
    await healthServer?.close();
  };
  try {
    // The worker is known to be coming before web answers its first /readyz.
    if (command !== "web") health.starting("worker");
    if (command === "worker")
      // A worker receives no webhooks; its server answers health checks and scrapes.
      healthServer = await startWebServer({
        health: () => health.report(),
        metrics,
        log: log.child({ name: "worker" }),
        port: env.PORT,
        host: env.HOST,
      });
    if (command !== "worker") parts.push(await runWeb(env, log, { health, metrics }));
    if (command !== "web") parts.push(await runWorker(env, log, { health, metrics }));
  } catch (error) {
    await stopAll();
    throw error;
  }
  if (healthServer) log.info({ url: healthServer.url }, "worker: health and metrics served");
  const stop = async (signal: string) => {
    log.info({ signal }, "stopping: finishing running steps");
    await stopAll();
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}

/** How often the registration flow looks whether probot has written the app's credentials. */
const REGISTERED_POLL_MS = 250;

/**
 * probot's registration flow (GitHub App manifest from app.yml): probot serves the page, GitHub
 * creates the app, probot writes APP_ID, PRIVATE_KEY and WEBHOOK_SECRET to `.env` and into this
 * process's environment. triad then stops the setup server and starts for real in the same process —
 * no restart. When something else is missing (a model key), it says exactly what and what to run.
 */
async function registerThenStart(): Promise<void> {
  const log = createLogger(process.env.LOG_LEVEL ?? "info");
  const { run } = await import("probot");
  // probot's setup says to restart the server; triad needs no restart, so those lines go.
  const setupLog = pino({
    level: process.env.LOG_LEVEL ?? "info",
    hooks: {
      logMethod(args, method) {
        if (typeof args[0] === "string" && /restart the server/i.test(args[0])) return;
        method.apply(this, args);
      },
    },
  });
  const setup = await run(() => undefined, { log: setupLog });
  log.info(
    "triad: no APP_ID yet — open the URL above and register the GitHub App; triad starts by itself once GitHub hands back its credentials (no restart needed)",
  );
  await registered();
  // Let probot's answer (a redirect to the app's installation page) reach the browser first.
  await new Promise((r) => setTimeout(r, 300));
  await setup.stop().catch(() => undefined);
  log.info({ appId: process.env.APP_ID }, "triad: the GitHub App is registered (.env written); starting");
  try {
    await startParts("start");
  } catch (error) {
    throw new TriadError(
      "config_invalid",
      `${errorMessage(error)}\n\nThe GitHub App is registered: its APP_ID, PRIVATE_KEY and WEBHOOK_SECRET are in .env. Add what is listed above to .env (or the environment), then run \`npm start\` again.`,
    );
  }
}

function registered(): Promise<void> {
  const done = () =>
    Boolean(
      process.env.APP_ID &&
        (process.env.PRIVATE_KEY || process.env.PRIVATE_KEY_PATH) &&
        process.env.WEBHOOK_SECRET,
    );
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (!done()) return;
      clearInterval(timer);
      resolve();
    }, REGISTERED_POLL_MS);
  });
}
