/**
 * A triad worker process against the simulator, for crash tests and benchmarks: the production worker
 * (`runWorker`) with the demo's scripted models (production refuses to start without keys), health and
 * /metrics on PORT as `triad worker` serves them, and a fault port that kills this process at the
 * point named in TRIAD_FAULT, and the simulator's clock from TRIAD_SIM_TIME_SCALE (GitHub's waits pass
 * as fast as its clock) — simulator wiring, so production code reads no such variable.
 */
import { loadEnv } from "../config/env.js";
import { HealthBoard } from "../health.js";
import { createLogger } from "../log.js";
import { createMetrics } from "../metrics/metrics.js";
import { scriptedModels } from "../models/provider.js";
import type { FaultPoint } from "../ports/faults.js";
import { runWorker } from "../runtime.js";
import { startWebServer } from "../web/server.js";
import { demoStatelessModels } from "./scenario.js";

const env = loadEnv(process.env, "worker");
const log = createLogger(env.LOG_LEVEL);
const wanted = new Set((process.env.TRIAD_FAULT ?? "").split(",").filter(Boolean));
const scale = Number(process.env.TRIAD_SIM_TIME_SCALE ?? "1");
// Health and /metrics on PORT, as `triad worker` serves them.
const health = new HealthBoard();
const metrics = createMetrics();
const server = await startWebServer({
  health: () => health.report(),
  metrics,
  log,
  port: env.PORT,
  host: env.HOST,
});
const worker = await runWorker(env, log, {
  health,
  metrics,
  models: scriptedModels(demoStatelessModels()),
  githubTime: { toRealMs: (githubMs) => githubMs / scale },
  faults: {
    at(point: FaultPoint) {
      if (!wanted.has(point)) return;
      process.stderr.write(`triad: fault injected at ${point}, exiting\n`);
      process.kill(process.pid, "SIGKILL");
    },
  },
});
process.once("SIGTERM", () => void worker.stop().then(() => server.close().then(() => process.exit(0))));
