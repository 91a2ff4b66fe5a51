import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { Redis } from "ioredis";

/**
 * A private, throw-away redis-server on a free port (no persistence): for the demo when nothing
 * answers at REDIS_URL, and for tests that kill or flush Redis. Stopped by pid, never by name.
 */
export interface PrivateRedis {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export function hasRedisServer(): boolean {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

/**
 * A free port below Linux's ephemeral range (32768+), so that servers listening on port 0 (the
 * simulator, web) never take it in the moment a test has stopped Redis and is about to restart it.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canListen(port)) return port;
  }
  throw new Error("no free port found for redis-server");
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

export interface PrivateRedisOptions {
  /** Keep an append-only file in `dir` (as production should), so a restart keeps every key. */
  appendonly?: { dir: string };
  /** More redis-server arguments (e.g. cluster mode). */
  args?: string[];
}

export async function startPrivateRedis(port?: number, o: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  const chosen = port ?? (await freePort());
  const persistence = o.appendonly
    ? ["--appendonly", "yes", "--appendfsync", "always", "--dir", o.appendonly.dir]
    : ["--appendonly", "no"];
  const child: ChildProcess = spawn(
    "redis-server",
    [
      "--port",
      String(chosen),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      ...persistence,
      "--maxmemory-policy",
      "noeviction",
      ...(o.args ?? []),
    ],
    { stdio: "ignore" },
  );
  const url = `redis://127.0.0.1:${chosen}`;
  const deadline = Date.now() + 5000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    if (await answers(url)) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error("redis-server did not answer within 5 s");
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    port: chosen,
    pid: child.pid ?? 0,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** True when a Redis server answers PING at the URL within a short time. */
export async function answers(url: string, timeoutMs = 500): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
