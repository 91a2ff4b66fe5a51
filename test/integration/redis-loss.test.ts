import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { type PrivateRedis, startPrivateRedis } from "../../src/demo/private-redis.js";
import { SAMPLE } from "../../src/sim/sample.js";
import { botComments, repo, type SampleStack, startSampleStack } from "../helpers/stack.js";
import { waitFor } from "../helpers/wait.js";

const TRACKING = "<!-- triad:tracking -->";
let stack: SampleStack | undefined;
let redis: PrivateRedis | undefined;

afterEach(async () => {
  await stack?.stop();
  await redis?.stop();
  stack = undefined;
  redis = undefined;
});

describe("losing Redis", () => {
  it("a flushed Redis loses no decision: the state is rebuilt from the tracking comment", async () => {
    redis = await startPrivateRedis();
    stack = await startSampleStack("flush", { redisUrl: redis.url });
    const issue = await stack.openIssue();
    await stack.label(issue, "triad");
    const s = stack;
    await waitFor("tracking comment", () => botComments(s.thread(issue), TRACKING).length === 1);

    const client = new Redis(redis.url);
    await client.flushall();
    client.disconnect();

    // Without the rebuilt state, "label removed" would find no workflow and do nothing.
    await stack
      .user(SAMPLE.maintainer)
      .rest.issues.removeLabel({ ...repo, issue_number: issue, name: "triad" });
    await waitFor("stopped", () => botComments(s.thread(issue), TRACKING)[0]?.body.includes("Stopped"));
    expect(botComments(stack.thread(issue), TRACKING)).toHaveLength(1);
  });

  it("a restarted Redis: the app reconnects and the next label is handled", { timeout: 60_000 }, async () => {
    redis = await startPrivateRedis();
    stack = await startSampleStack("restart", { redisUrl: redis.url });
    const port = redis.port;
    await redis.stop();
    const down = await fetch(new URL("/readyz", stack.web.url));
    expect(down.status).toBe(503);
    redis = await startPrivateRedis(port);
    const s = stack;
    await waitFor("ready again", async () => (await fetch(new URL("/readyz", s.web.url))).status === 200);

    const issue = await stack.openIssue();
    await stack.label(issue, "triad");
    await waitFor("tracking comment", () => botComments(s.thread(issue), TRACKING).length === 1, 40_000);
    // The tracking comment goes first; the 👀 a paced second of GitHub time after it.
    await waitFor("the reaction", () => s.thread(issue).reactions.length > 0);
    expect(stack.thread(issue).reactions.map((r) => r.content)).toEqual(["eyes"]);
  });
});
