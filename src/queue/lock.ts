import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";

/**
 * The per-workflow lock (ARCHITECTURE §7): one job per workflow at a time, across every worker
 * process. A token makes release and renewal safe (a worker whose lock expired cannot release a lock
 * another worker now holds); the TTL frees the workflow when a worker dies; renewal keeps it while a
 * long model call runs.
 */
const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;
const RENEW = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;

export interface HeldLock {
  readonly key: string;
  readonly token: string;
  /** Resolves false when the lock was lost (expired and taken); the holder should stop writing. */
  release(): Promise<boolean>;
}

export async function tryLock(redis: Redis, key: string, ttlMs: number): Promise<HeldLock | undefined> {
  const token = randomUUID();
  const ok = await redis.set(key, token, "PX", ttlMs, "NX");
  if (ok !== "OK") return undefined;
  const renewEvery = Math.max(50, Math.floor(ttlMs / 3));
  const timer = setInterval(() => {
    redis.eval(RENEW, 1, key, token, String(ttlMs)).catch(() => undefined);
  }, renewEvery);
  timer.unref();
  return {
    key,
    token,
    async release() {
      clearInterval(timer);
      const released = await redis.eval(RELEASE, 1, key, token);
      return released === 1;
    },
  };
}
