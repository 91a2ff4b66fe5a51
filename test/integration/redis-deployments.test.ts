import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { type PrivateRedis, startPrivateRedis } from "../../src/demo/private-redis.js";
import { createRedis, deleteKeysWithPrefix } from "../../src/queue/redis.js";
import {
  ARCHITECT,
  planComment,
  say,
  TRACKING,
  toApprovedPlan,
  trackingNow,
} from "../helpers/conversation.js";
import { REDIS_URL } from "../helpers/redis.js";
import { type LocalCluster, startLocalCluster } from "../helpers/redis-cluster.js";
import { botComments, type SampleStack, startSampleStack } from "../helpers/stack.js";
import { waitFor } from "../helpers/wait.js";

/**
 * Redis as deployments run it (issue [10/12] part 6): a Redis Cluster (every key hash-tagged, so
 * BullMQ's scripts and triad's multi-key writes stay within a slot), and a Redis that restarts under
 * a running workflow (append-only file on, as the README asks).
 */
let s: SampleStack | undefined;
let cluster: LocalCluster | undefined;
let single: PrivateRedis | undefined;
let dir: string | undefined;
afterEach(async () => {
  await s?.stop();
  await cluster?.stop();
  await single?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  s = undefined;
  cluster = undefined;
  single = undefined;
  dir = undefined;
});

async function keysOn(url: string, pattern: string): Promise<string[]> {
  const client = new Redis(url);
  try {
    return await client.keys(pattern);
  } finally {
    client.disconnect();
  }
}

describe("Redis Cluster", () => {
  it("the demo workflow runs to ready on a local 3-master cluster, its keys spread over the masters", {
    timeout: 90_000,
  }, async () => {
    cluster = await startLocalCluster();
    s = await startSampleStack("cluster", { extraEnv: { REDIS_CLUSTER_NODES: cluster.nodes } });
    const stack = s;
    const prefix = stack.env.TRIAD_REDIS_PREFIX;
    const issue = await toApprovedPlan(stack, 30_000, ["triad:important"]);
    await waitFor("ready", () => /^Ready/.test(trackingNow(stack, issue)), 60_000);
    expect(botComments(stack.thread(issue), TRACKING)).toHaveLength(1);

    // The keys are on the cluster, not on the Redis at REDIS_URL.
    expect(await keysOn(REDIS_URL, `*${prefix}*`)).toEqual([]);
    const perNode = await Promise.all(cluster.servers.map((n) => keysOn(n.url, `*${prefix}*`)));
    const all = perNode.flat();
    expect(all.some((k) => k.startsWith(`{${prefix}}:events:`))).toBe(true);
    expect(all.some((k) => k.startsWith(`${prefix}:{`) && k.endsWith(":state"))).toBe(true);
    // Queue keys share one slot (one master); workflow keys go where their workflow's tag says.
    expect(perNode.filter((keys) => keys.some((k) => k.startsWith(`{${prefix}}:`)))).toHaveLength(1);

    // What the demo does when it used a Redis it did not start: remove its prefix, on every master.
    await stack.stop();
    s = undefined;
    const left = (await Promise.all(cluster.servers.map((n) => keysOn(n.url, `*${prefix}*`)))).flat();
    expect(left.length).toBeGreaterThan(10);
    const redis = createRedis({ url: REDIS_URL, clusterNodes: cluster.nodes });
    try {
      expect(await deleteKeysWithPrefix(redis, prefix)).toBe(left.length);
    } finally {
      redis.disconnect();
    }
    expect((await Promise.all(cluster.servers.map((n) => keysOn(n.url, `*${prefix}*`)))).flat()).toEqual([]);
  });
});

describe("a Redis restart under a running workflow", () => {
  it("with the append-only file on, the workflow goes on: nothing lost, nothing twice", {
    timeout: 90_000,
  }, async () => {
    dir = mkdtempSync(join(tmpdir(), "triad-aof-"));
    single = await startPrivateRedis(undefined, { appendonly: { dir } });
    const port = single.port;
    s = await startSampleStack("aof-restart", { redisUrl: single.url });
    const stack = s;
    const issue = await stack.openIssue();
    await stack.label(issue, "triad");
    await waitFor(
      "the architect's questions",
      () => botComments(stack.thread(issue), ARCHITECT).length === 1,
      20_000,
    );

    // Redis goes away (a failover restart) while the maintainer answers.
    await single.stop();
    expect((await fetch(new URL("/readyz", stack.web.url))).status).toBe(503);
    const answered = say(stack, issue, "Yes to all three, keep it small.");
    await new Promise((r) => setTimeout(r, 500));
    single = await startPrivateRedis(port, { appendonly: { dir } });
    await answered;
    await waitFor("ready again", async () => (await fetch(new URL("/readyz", stack.web.url))).status === 200);

    // The answer queued during the restart reaches the architect; the state kept its history.
    await waitFor("plan v1", () => planComment(stack, issue, 1), 30_000);
    expect(botComments(stack.thread(issue), TRACKING)).toHaveLength(1);
    // The questions and plan v1, each once.
    expect(botComments(stack.thread(issue), ARCHITECT)).toHaveLength(2);
    expect(botComments(stack.thread(issue), "<!-- triad:plan id=v1 -->")).toHaveLength(1);
    await say(stack, issue, "approved");
    await waitFor("implementing", () => /developer|Reviewers|Ready/i.test(trackingNow(stack, issue)), 30_000);
  });
});
