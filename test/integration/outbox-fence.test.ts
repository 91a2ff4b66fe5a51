import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { tryLock } from "../../src/queue/lock.js";
import { keys } from "../../src/queue/names.js";
import { redisStores } from "../../src/stores/redis-stores.js";
import { state } from "../helpers/core-fixtures.js";
import { REDIS_URL, testPrefix } from "../helpers/redis.js";

/**
 * A job whose workflow lock expired (a stalled event loop, a paused process) and was taken by another
 * worker must not overwrite the state the new holder writes: the outbox writes carry the lock as a
 * fencing token.
 */
const redis = new Redis(REDIS_URL);
afterAll(() => redis.disconnect());

describe("state writes behind the workflow lock", () => {
  it("are made while the lock is the job's, and refused with lock_lost once another worker holds it", async () => {
    const k = keys(testPrefix("fence"));
    const saved: string[] = [];
    const stores = redisStores(redis, k, {
      onSaved: (before, after) => saved.push(`${before?.phase}→${after.phase}`),
    });
    const workflow = "acme/weather-client#3";
    const lock = await tryLock(redis, k.lock(workflow), 10_000);
    if (!lock) throw new Error("no lock");
    const fence = { key: lock.key, token: lock.token };
    const pending = { id: "job-1", effects: [], tracking: true };

    await stores.outbox.put(state({ phase: "planning" }), pending, fence);
    expect(await stores.outbox.get(workflow)).toEqual(pending);
    await stores.outbox.done(state({ phase: "awaiting-approval" }), fence);
    expect((await stores.state.get(workflow))?.phase).toBe("awaiting-approval");
    expect(await stores.outbox.get(workflow)).toBeUndefined();
    expect(saved).toEqual(["undefined→planning", "planning→awaiting-approval"]);

    // The lock expired and another worker took the workflow and moved it on.
    await redis.set(k.lock(workflow), "another-worker", "PX", 10_000);
    await stores.outbox.done(state({ phase: "implementing" }), {
      key: k.lock(workflow),
      token: "another-worker",
    });
    await expect(stores.outbox.done(state({ phase: "awaiting-approval" }), fence)).rejects.toMatchObject({
      code: "lock_lost",
    });
    await expect(stores.outbox.put(state({ phase: "planning" }), pending, fence)).rejects.toMatchObject({
      code: "lock_lost",
    });
    expect((await stores.state.get(workflow))?.phase).toBe("implementing");
    expect(await stores.outbox.get(workflow)).toBeUndefined();
    await lock.release();
  });
});
