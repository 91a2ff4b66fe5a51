import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { type PrivateRedis, startPrivateRedis } from "../../src/demo/private-redis.js";

export interface LocalCluster {
  /** `host:port,…`, as REDIS_CLUSTER_NODES takes them. */
  nodes: string;
  servers: PrivateRedis[];
  stop(): Promise<void>;
}

/**
 * A local Redis Cluster of three masters, no replicas, from redis-server itself (the recipe in
 * STACK-NOTES): each node in cluster mode with its own nodes.conf, then `redis-cli --cluster create`.
 * Stopped by pid.
 */
/**
 * One cluster node. A node also listens on its port + 10000 (the cluster bus), so both must be free
 * — and below Linux's ephemeral range (32768+), where any outgoing connection may hold the bus port.
 * A node that still fails to start (a port taken in between) is tried again on other ports.
 */
async function startNode(dir: string, i: number): Promise<PrivateRedis> {
  let last: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freeNodePort();
    try {
      return await startPrivateRedis(port, {
        args: [
          "--cluster-enabled",
          "yes",
          "--cluster-config-file",
          join(dir, `nodes-${i}-${attempt}.conf`),
          "--dir",
          dir,
        ],
      });
    } catch (error) {
      last = error;
    }
  }
  throw last;
}

async function freeNodePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 2_700);
    if ((await canListen(port)) && (await canListen(port + 10_000))) return port;
  }
  throw new Error("no free port pair for a cluster node");
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

export async function startLocalCluster(): Promise<LocalCluster> {
  const dir = mkdtempSync(join(tmpdir(), "triad-cluster-"));
  const servers: PrivateRedis[] = [];
  try {
    for (let i = 0; i < 3; i++) servers.push(await startNode(dir, i));
    const addresses = servers.map((s) => `127.0.0.1:${s.port}`);
    const made = spawnSync(
      "redis-cli",
      ["--cluster", "create", ...addresses, "--cluster-replicas", "0", "--cluster-yes"],
      {
        encoding: "utf8",
        timeout: 30_000,
      },
    );
    if (made.status !== 0)
      throw new Error(`redis-cli --cluster create failed:\n${made.stdout}${made.stderr}`);
    await clusterOk(servers);
    return {
      nodes: addresses.join(","),
      servers,
      async stop() {
        for (const s of servers) await s.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    for (const s of servers) await s.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Every node sees the cluster as ok (all 16384 slots served). */
async function clusterOk(servers: PrivateRedis[]): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const states = await Promise.all(
      servers.map(async (s) => {
        const client = new Redis(s.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
        client.on("error", () => undefined);
        try {
          await client.connect();
          return /cluster_state:ok/.test(String(await client.call("cluster", "info")));
        } catch {
          return false;
        } finally {
          client.disconnect();
        }
      }),
    );
    if (states.every(Boolean)) return;
    if (Date.now() > deadline) throw new Error("the local Redis Cluster did not become ok");
    await new Promise((r) => setTimeout(r, 100));
  }
}
