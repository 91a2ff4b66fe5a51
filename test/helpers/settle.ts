import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { EVENTS_QUEUE, queuePrefix, STEP_QUEUE } from "../../src/queue/names.js";
import type { LocalStack } from "../../src/sim/stack.js";

/**
 * Wait until nothing is left to happen: the simulator has delivered every webhook, every triad queue
 * has no waiting, delayed or active job, and every workflow inbox is empty — twice in a row, so a
 * job that queued another in between is seen. Tests assert that something did NOT happen only after
 * this, never after a fixed sleep.
 */
export async function settled(
  stack: LocalStack,
  o: { timeoutMs?: number; queues?: string[] } = {},
): Promise<void> {
  const timeoutMs = o.timeoutMs ?? 30_000;
  const redis = new Redis(stack.env.REDIS_URL, { maxRetriesPerRequest: null });
  const prefix = stack.env.TRIAD_REDIS_PREFIX;
  // `queues`: only these (a test that holds a queue paused waits for the others).
  const queues = (o.queues ?? [EVENTS_QUEUE, ...Object.values(STEP_QUEUE)]).map(
    (name) => new Queue(name, { connection: redis, prefix: queuePrefix(prefix) }),
  );
  let last = "";
  const busy = async (): Promise<boolean> => {
    await stack.sim.waitForIdle();
    for (const q of queues) {
      const counts = await q.getJobCounts("waiting", "delayed", "active", "prioritized", "waiting-children");
      if (Object.values(counts).some((n) => n > 0)) {
        last = `${q.name}: ${JSON.stringify(counts)}`;
        return true;
      }
    }
    for (const key of await redis.keys(`${prefix}:{*}:inbox`))
      if ((await redis.zcard(key)) > 0) {
        last = `inbox ${key}`;
        return true;
      }
    return false;
  };
  try {
    const deadline = Date.now() + timeoutMs;
    let quiet = 0;
    while (quiet < 2) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for the queues to drain (${last})`);
      quiet = (await busy()) ? 0 : quiet + 1;
      if (quiet < 2) await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await Promise.all(queues.map((q) => q.close()));
    redis.disconnect();
  }
}
