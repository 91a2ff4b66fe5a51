import type { StopFlags } from "../ports/stores.js";
import type { Keys } from "../queue/names.js";
import type { RedisConnection } from "../queue/redis.js";

/** How long a stop request is kept: longer than any step runs, shorter than a run is remembered. */
const STOP_SECONDS = 2 * 24 * 3600;

/** The stop flags of the ports (src/ports/stores.ts), one Redis key per workflow run. */
export function redisStopFlags(redis: RedisConnection, k: Keys): StopFlags {
  const key = (workflow: string, runId: string) => `${k.state(workflow)}:stop:${runId}`;
  return {
    async request(workflow, runId) {
      await redis.set(key(workflow, runId), "1", "EX", STOP_SECONDS);
    },
    async requested(workflow, runId) {
      return (await redis.exists(key(workflow, runId))) === 1;
    },
  };
}
