import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:net";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..", "..");

/** A port nothing listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** A TCP server that accepts connections and never answers: a GitHub or Redis that hangs. */
export async function blackHole(): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const sockets = new Set<import("node:net").Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A real RSA key in PEM (the app's JWT is signed before GitHub is asked anything). */
export function rsaKey(): string {
  return generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
    type: "pkcs1",
    format: "pem",
  }) as string;
}

export interface TriadProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
  kill(): Promise<void>;
}

/** Variables a test must not inherit from the machine (credentials, model keys, production mode). */
const INHERITED =
  /^(APP_ID|PRIVATE_KEY|PRIVATE_KEY_PATH|WEBHOOK_SECRET|WEBHOOK_PROXY_URL|NODE_ENV|.*_API_KEY|GITHUB_.*|REDIS_.*|TRIAD_.*|PORT|HOST)$/;

/** `triad <args>` as its own process (the CLI from source, through tsx), in `cwd`. */
export function spawnTriad(args: string[], env: Record<string, string>, cwd = ROOT): TriadProcess {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !INHERITED.test(k)));
  // tsx from this checkout, whatever the working directory.
  const tsx = import.meta.resolve("tsx");
  const child = spawn(process.execPath, ["--import", tsx, join(ROOT, "src/main.ts"), ...args], {
    cwd,
    env: { ...clean, LOG_LEVEL: "warn", ...env } as NodeJS.ProcessEnv,
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
    child,
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

/** GET a path; the status, or 0 when nothing answers. */
export async function statusOf(url: string): Promise<number> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}
