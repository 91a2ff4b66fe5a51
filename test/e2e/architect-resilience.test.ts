import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { type PrivateRedis, startPrivateRedis } from "../../src/demo/private-redis.js";
import { type ModelProvider, scriptedModels } from "../../src/models/provider.js";
import type { ChatModel } from "../../src/models/types.js";
import { SAMPLE, sampleIssue } from "../../src/sim/sample.js";
import { DEMO_ANSWERS, demoModels } from "../../src/sim/scenario.js";
import { allJobs } from "../helpers/queue.js";
import { botComments, repo, type SampleStack, startSampleStack } from "../helpers/stack.js";
import { waitFor } from "../helpers/wait.js";

let stack: SampleStack | undefined;
let redis: PrivateRedis | undefined;

afterEach(async () => {
  await stack?.stop();
  await redis?.stop();
  stack = undefined;
  redis = undefined;
});

const ARCHITECT = "<!-- triad:architect id=";
const plan = (s: SampleStack, issue: number, v: number) =>
  botComments(s.thread(issue), `<!-- triad:plan id=v${v} -->`)[0];
const say = (s: SampleStack, issue: number, body: string) =>
  s.user(SAMPLE.maintainer).rest.issues.createComment({ ...repo, issue_number: issue, body });

describe("the architect phase when things go wrong", () => {
  it("with Redis flushed between two comments, the next comment continues at the right plan version", async () => {
    redis = await startPrivateRedis();
    const s = await startSampleStack("flush-plan", {
      redisUrl: redis.url,
      models: scriptedModels(demoModels()),
    });
    stack = s;
    const { title, body } = sampleIssue();
    const issue = await s.openIssue(title, body);
    await s.label(issue, "triad");
    await waitFor("questions", () => botComments(s.thread(issue), ARCHITECT).length === 1);
    await say(s, issue, DEMO_ANSWERS.answers);
    await waitFor("plan v1", () => plan(s, issue, 1));
    await waitFor("awaiting approval", () =>
      botComments(s.thread(issue), "<!-- triad:tracking -->")[0]?.body.includes("to plan v1"),
    );

    const client = new Redis(redis.url);
    await client.flushall();
    client.disconnect();

    await say(s, issue, DEMO_ANSWERS.change);
    await waitFor("plan v2", () => plan(s, issue, 2));
    expect(botComments(s.thread(issue), "<!-- triad:plan id=v1 -->")).toHaveLength(1); // not a second v1
    const approval = await say(s, issue, "approved");
    await waitFor(
      "developer job",
      async () => (await allJobs(redis?.url as string, s.env.TRIAD_REDIS_PREFIX, "developer")).length === 1,
    );
    const [job] = await allJobs(redis.url, s.env.TRIAD_REDIS_PREFIX, "developer");
    expect(job?.data).toMatchObject({ planVersion: 2 });
    expect(approval.data.id).toBeGreaterThan(plan(s, issue, 2)?.id ?? Infinity);
  });

  it("comments arriving together: turns run one at a time, and the last turn has read them all", async () => {
    const models = demoModels();
    let active = 0;
    let maxActive = 0;
    const counted: ChatModel = {
      ref: models.architect.ref,
      async chat(request) {
        active++;
        maxActive = Math.max(maxActive, active);
        try {
          await new Promise((r) => setTimeout(r, 40)); // long enough for a second turn to overlap if it could
          return await models.architect.chat(request);
        } finally {
          active--;
        }
      },
    };
    const provider: ModelProvider = { ...scriptedModels(models), architect: () => counted };
    const s = await startSampleStack("concurrent", { models: provider });
    stack = s;
    const { title, body } = sampleIssue();
    const issue = await s.openIssue(title, body);
    await s.label(issue, "triad");
    await waitFor("questions", () => botComments(s.thread(issue), ARCHITECT).length === 1);

    await Promise.all([
      say(s, issue, "1. GETs only: never retry `subscribeAlerts`."),
      say(s, issue, "2. 429, 502, 503, 504 and timeouts. 3. 3 attempts, configurable per client."),
    ]);
    await waitFor("plan v1", () => plan(s, issue, 1));
    await waitFor(
      "no step queued",
      () => !botComments(s.thread(issue), "<!-- triad:tracking -->")[0]?.body.includes("**Queued:**"),
      15_000,
    );
    expect(maxActive).toBe(1);
    const last = models.architect.requests.at(-1);
    const prompt = last?.messages[0]?.role === "user" ? last.messages[0].content : "";
    expect(prompt).toContain("GETs only");
    expect(prompt).toContain("3 attempts, configurable per client");
  });
});
