/** The two Redis calls a short-lived cache needs (an ioredis connection has them). */
export interface TtlRedis {
  get(key: string): Promise<string | null>;
  set(key: string, v: string, px: "PX", ms: number): Promise<unknown>;
}

/**
 * Strings kept in Redis for `ttlMs`, as a cache of what GitHub said a moment ago: a Redis error reads
 * as a miss and a failed write is dropped, so the caller simply asks GitHub again.
 */
export function redisTtl(
  redis: TtlRedis,
  ttlMs: number,
): { get(key: string): Promise<string | null>; set(key: string, value: string): Promise<void> } {
  const ms = Math.max(1, Math.ceil(ttlMs));
  return {
    get: (key) => redis.get(key).catch(() => null),
    set: (key, value) =>
      redis.set(key, value, "PX", ms).then(
        () => undefined,
        () => undefined,
      ),
  };
}
