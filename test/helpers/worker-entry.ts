/**
 * A triad worker process for crash tests: the production worker (`runWorker`), with the demo's
 * scripted models (production refuses to start without keys) and a fault port that kills this
 * process at the point named in TRIAD_FAULT, and the simulator's clock from TRIAD_TEST_TIME_SCALE —
 * test wiring, so production code reads no such variable.
 */
import { loadEnv } from "../../src/config/env.js";
import { createLogger } from "../../src/log.js";
import { scriptedModels } from "../../src/models/provider.js";
import type { FaultPoint } from "../../src/ports/faults.js";
import { runWorker } from "../../src/runtime.js";
import { demoStatelessModels } from "../../src/sim/scenario.js";

const env = loadEnv(process.env, "worker");
const log = createLogger(env.LOG_LEVEL);
const wanted = new Set((process.env.TRIAD_FAULT ?? "").split(",").filter(Boolean));
// The simulator's time scale (test wiring, like TRIAD_FAULT): GitHub's waits pass as fast as its clock.
const scale = Number(process.env.TRIAD_TEST_TIME_SCALE ?? "1");
const worker = await runWorker(env, log, {
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
process.once("SIGTERM", () => void worker.stop().then(() => process.exit(0)));
