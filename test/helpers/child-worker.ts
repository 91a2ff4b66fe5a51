import { type ChildProcess, spawn } from "node:child_process";
import { TEST_TIME_SCALE } from "./stack.js";

/** A triad worker in its own process (as `triad worker` runs), so a test can kill it. */
export interface ChildWorker {
  process: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
  kill(): Promise<void>;
}

export function spawnWorker(vars: Record<string, string>, extra: Record<string, string> = {}): ChildWorker {
  const child = spawn(process.execPath, ["--import", "tsx", "src/sim/scripted-worker.ts"], {
    env: {
      ...process.env,
      TRIAD_SIM_TIME_SCALE: String(TEST_TIME_SCALE),
      ...vars,
      ...extra,
      LOG_LEVEL: extra.LOG_LEVEL ?? "warn",
    } as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (c) => {
    output += c;
  });
  child.stderr?.on("data", (c) => {
    output += c;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? (signal ? -1 : null))),
  );
  return {
    process: child,
    exited,
    output: () => output,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited;
      }
    },
  };
}
