import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { type PrivateRedis, startPrivateRedis } from "../../src/demo/private-redis.js";
import { SAMPLE } from "../../src/sim/sample.js";
import { settled } from "../helpers/settle.js";
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

  it("the label's delivery replayed after a flush: the issue has comments now, so the state is rebuilt from its thread and nothing starts twice", async () => {
    redis = await startPrivateRedis();
    stack = await startSampleStack("flush-replay", { redisUrl: redis.url });
    const s = stack;
    const issue = await s.openIssue();
    await s.label(issue, "triad");
    await waitFor(
      "the questions",
      () => botComments(s.thread(issue), "<!-- triad:architect id=").length === 1,
    );
    await s.sim.waitForIdle();

    const client = new Redis(redis.url);
    await client.flushall();
    client.disconnect();
    // The payload GitHub replays still says the issue had no comments; GitHub's count now does not.
    const labelled = s.sim.deliveries.find((d) => d.event === "issues" && d.action === "labeled");
    await s.sim.redeliver(labelled?.id as string);
    await s.sim.waitForIdle();
    await settled(s);
    expect(botComments(s.thread(issue), TRACKING)).toHaveLength(1);
    expect(botComments(s.thread(issue), "<!-- triad:architect id=")).toHaveLength(1);
    expect(botComments(s.thread(issue), TRACKING)[0]?.body).toMatch(/Waiting for answers/);
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
