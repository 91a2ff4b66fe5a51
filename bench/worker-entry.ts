/**
 * A triad worker process for the installation bench: the production worker (`runWorker`) with the
 * bench's scripted models, keeping the simulator's clock from BENCH_TIME_SCALE — bench wiring, so
 * production code reads no such variable.
 */
import { loadEnv } from "../src/config/env.js";
import { createLogger } from "../src/log.js";
import { scriptedModels } from "../src/models/provider.js";
import { runWorker } from "../src/runtime.js";
import { installationBenchModels } from "./installation-models.js";

const env = loadEnv(process.env, "worker");
const scale = Number(process.env.BENCH_TIME_SCALE ?? "1");
const worker = await runWorker(env, createLogger(env.LOG_LEVEL), {
  models: scriptedModels(installationBenchModels()),
  githubTime: { toRealMs: (githubMs) => githubMs / scale },
});
process.once("SIGTERM", () => void worker.stop().then(() => process.exit(0)));
