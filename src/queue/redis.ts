import { Cluster, Redis } from "ioredis";

/** A single Redis or a Redis Cluster: both speak the commands triad and BullMQ use. */
export type RedisConnection = Redis | Cluster;

/** Where Redis is: one server by URL, or a cluster by its nodes (`host:port` or redis:// URLs). */
export interface RedisTarget {
  url: string;
  clusterNodes?: string | undefined;
}

/**
 * One factory for Redis connections. BullMQ needs `maxRetriesPerRequest: null` on the connections its
 * workers block on; the same setting keeps our own commands waiting through a Redis restart instead
 * of failing after 20 retries. On a cluster the same options apply to every node's connection, and
 * ioredis follows MOVED/ASK redirections and a failover's new topology by itself.
 */
export function createRedis(target: RedisTarget | string, onError?: (error: Error) => void): RedisConnection {
  const t = typeof target === "string" ? { url: target } : target;
  const options = { maxRetriesPerRequest: null, enableReadyCheck: true } as const;
  const redis: RedisConnection = t.clusterNodes
    ? new Cluster(parseNodes(t.clusterNodes), {
        redisOptions: { ...options, ...credentialsOf(t.url) },
        enableReadyCheck: true,
        // Commands wait for the cluster to be reachable again instead of failing (as on one Redis).
        clusterRetryStrategy: (times) => Math.min(100 * times, 2000),
      })
    : new Redis(t.url, { ...options, lazyConnect: false });
  // ioredis reconnects by itself; an unhandled "error" event would only print a trace per attempt.
  let reported = false;
  redis.on("error", (error: Error) => {
    if (!reported) onError?.(error);
    reported = true;
  });
  redis.on("ready", () => {
    reported = false;
  });
  return redis;
}

function parseNodes(list: string): Array<{ host: string; port: number }> {
  return list
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((node) => {
      const url = new URL(node.includes("://") ? node : `redis://${node}`);
      return { host: url.hostname, port: Number(url.port || 6379) };
    });
}

/** A password (and user) given in REDIS_URL apply to the cluster's nodes too. */
function credentialsOf(url: string): { username?: string; password?: string } {
  try {
    const u = new URL(url);
    return {
      ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
      ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    };
  } catch {
    return {};
  }
}

/** Another connection to the same Redis or cluster, with the same options (for blocking commands). */
export function duplicateConnection(redis: RedisConnection): RedisConnection {
  return redis instanceof Cluster ? redis.duplicate() : redis.duplicate();
}

/** Resolves true when Redis answers PING within the timeout. */
export async function redisReachable(redis: RedisConnection, timeoutMs = 1000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const ping = redis.ping().then((r) => r === "PONG");
    return await Promise.race([ping, timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until Redis answers, or throws after `timeoutMs` naming where it was looked for. */
export async function waitForRedis(redis: RedisConnection, timeoutMs: number, where: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await redisReachable(redis, Math.min(1000, Math.max(50, deadline - Date.now())))) return;
    if (Date.now() >= deadline)
      throw new Error(`Redis at ${where} did not answer within ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Deletes every key under a prefix (the demo's own, when it used a Redis it did not start). On a
 * cluster each master holds its share of the keys, so each is scanned.
 */
export async function deleteKeysWithPrefix(redis: RedisConnection, prefix: string): Promise<number> {
  // A cluster knows its masters once it has read the topology.
  if (redis instanceof Cluster && redis.status !== "ready")
    await new Promise<void>((resolve, reject) => {
      redis.once("ready", () => resolve());
      redis.once("end", () => reject(new Error("the Redis Cluster connection ended")));
    });
  const nodes = redis instanceof Cluster ? redis.nodes("master") : [redis];
  let deleted = 0;
  // The prefix is a hash tag on some keys (`{triad-…}:…`), a plain prefix on others.
  for (const pattern of [`${escapeGlob(prefix)}:*`, `{${escapeGlob(prefix)}}:*`]) {
    for (const node of nodes) {
      let cursor = "0";
      do {
        const [next, found] = await node.scan(cursor, "MATCH", pattern, "COUNT", 500);
        cursor = next;
        // One key per DEL: on a cluster the keys of one batch may live in different slots.
        for (const key of found) deleted += await node.del(key);
      } while (cursor !== "0");
    }
  }
  return deleted;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\{}]/g, (c) => `\\${c}`);
}
