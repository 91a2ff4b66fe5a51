import { randomUUID } from "node:crypto";
import { TriadError } from "../errors.js";
import type { RedisConnection } from "./redis.js";

/**
 * The per-workflow lock (ARCHITECTURE §7): one job per workflow at a time, across every worker
 * process. A token makes release and renewal safe (a worker whose lock expired cannot release a lock
 * another worker now holds); the TTL frees the workflow when a worker dies; renewal keeps it while a
 * long model call runs. When a renewal fails or finds the lock gone, `signal` aborts: the holder
 * must not write again (the interpreter and the GitHub client check it before every write).
 */
const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;
const RENEW = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;

export interface HeldLock {
  readonly key: string;
  readonly token: string;
  /** Aborted (with a retryable `lock_lost` error) when the lock was lost. */
  readonly signal: AbortSignal;
  /** Resolves false when the lock was lost (expired and taken). */
  release(): Promise<boolean>;
}

export async function tryLock(
  redis: RedisConnection,
  key: string,
  ttlMs: number,
): Promise<HeldLock | undefined> {
  const token = randomUUID();
  const ok = await redis.set(key, token, "PX", ttlMs, "NX");
  if (ok !== "OK") return undefined;
  const lost = new AbortController();
  const renewEvery = Math.max(50, Math.floor(ttlMs / 3));
  let lastRenewed = Date.now();
  const lose = (why: string) => {
    if (!lost.signal.aborted) lost.abort(new TriadError("lock_lost", `the workflow lock was lost: ${why}`));
    clearInterval(timer);
  };
  const timer = setInterval(() => {
    // A renewal that comes later than the TTL (an event loop blocked too long) is too late.
    if (Date.now() - lastRenewed > ttlMs) return lose("it expired before it could be renewed");
    redis.eval(RENEW, 1, key, token, String(ttlMs)).then(
      (renewed) => {
        if (renewed === 1) lastRenewed = Date.now();
        else lose("another worker holds it now");
      },
      (error: Error) => {
        // One failed renewal is not a loss yet; the TTL check above decides.
        if (Date.now() - lastRenewed > ttlMs) lose(error.message);
      },
    );
  }, renewEvery);
  timer.unref();
  return {
    key,
    token,
    signal: lost.signal,
    async release() {
      clearInterval(timer);
      const released = await redis.eval(RELEASE, 1, key, token);
      return released === 1;
    },
  };
}
