import { Redis } from "ioredis";

/**
 * One factory for Redis connections. BullMQ needs `maxRetriesPerRequest: null` on the connections its
 * workers block on; the same setting keeps our own commands waiting through a Redis restart instead
 * of failing after 20 retries.
 */
export function createRedis(url: string, onError?: (error: Error) => void): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
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

/** Resolves true when Redis answers PING within the timeout. */
export async function redisReachable(redis: Redis, timeoutMs = 1000): Promise<boolean> {
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
