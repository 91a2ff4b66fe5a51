import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { workflowKey } from "../../src/core/state.js";
import { scriptedModels } from "../../src/models/provider.js";
import { keys } from "../../src/queue/names.js";
import type { CallRecord } from "../../src/sim/github/index.js";
import { SAMPLE, sampleIssue } from "../../src/sim/sample.js";
import { demoModels } from "../../src/sim/scenario.js";
import { redisStores } from "../../src/stores/redis-stores.js";
import { ARCHITECT, say, TRACKING, toApprovedPlan, trackingNow } from "../helpers/conversation.js";
import { gated } from "../helpers/gate.js";
import { cleanReview, replace } from "../helpers/models.js";
import { withQueue } from "../helpers/queue.js";
import { REDIS_URL } from "../helpers/redis.js";
import { botComments, repo, type SampleStack, startSampleStack } from "../helpers/stack.js";
import { waitFor } from "../helpers/wait.js";

/**
 * GitHub's rate limits, end to end on the faithful simulator (issue 12, problem 1): a limit of any
 * length is waited out as GitHub asks — `retry-after`, else `x-ratelimit-reset`, else at least a
 * minute — and strands nothing; a wait longer than triad's budget fails the step, records it first
 * and says so once GitHub answers again.
 */
let stack: SampleStack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const installationCalls = (s: SampleStack): CallRecord[] =>
  s.sim.calls.filter((c) => c.actor === "installation");

async function labelled(s: SampleStack): Promise<number> {
  const { title, body } = sampleIssue();
  const issue = await s.openIssue(title, body);
  await s.label(issue, "triad");
  return issue;
}

describe("rate limits (faithful simulator)", () => {
  it("a primary limit for two minutes after the label: no failure, the step runs after the reset, its model once", async () => {
    const m = demoModels();
    const s = await startSampleStack("limit-primary", { models: scriptedModels(m) });
    stack = s;
    const { title, body } = sampleIssue();
    const issue = await s.openIssue(title, body);
    const installationId = s.seeded.installationId;
    const limitEnd = s.sim.clock.now() + 120_000;
    s.sim.rateLimits.force({ installationId }, { kind: "primary", forMs: 120_000 });
    await s.label(issue, "triad");

    await waitFor(
      "the architect's questions",
      () => botComments(s.thread(issue), ARCHITECT).length === 1,
      30_000,
    );
    await waitFor("waiting for answers", () => trackingNow(s, issue).startsWith("Waiting for answers"));
    expect(botComments(s.thread(issue), "<!-- triad:error")).toEqual([]);
    // The architect's turn ran once: its two scripted calls (read, then submit), no second turn.
    expect(m.architect.requests).toHaveLength(2);
    // One request learnt of the limit; nothing was sent again before GitHub's reset.
    const calls = installationCalls(s);
    const refused = calls.filter((c) => c.limited);
    expect(refused).toHaveLength(1);
    expect(refused[0]?.limited).toBe("primary");
    const after = calls.filter((c) => !c.limited && c.githubStartedAt >= (refused[0] as CallRecord).githubAt);
    expect(after.length).toBeGreaterThan(5);
    for (const c of after) expect(c.githubStartedAt).toBeGreaterThanOrEqual(limitEnd);
  });

  const secondary = [
    { name: "without retry-after: waits at least a minute", limit: { forMs: 20_000 }, waited: 60_000 },
    {
      name: "with retry-after: waits what the header says",
      limit: { forMs: 90_000, retryAfter: true },
      waited: 89_000,
    },
    {
      name: "the legacy abuse-detection message is a limit too (retryable)",
      limit: { forMs: 20_000, legacyMessage: true },
      waited: 60_000,
    },
  ];
  for (const c of secondary) {
    it(`a secondary limit ${c.name}`, async () => {
      const base = demoModels();
      const architect = gated(base.architect, 2);
      const s = await startSampleStack("limit-secondary", {
        models: scriptedModels(replace(base, { architect: architect.model })),
      });
      stack = s;
      const issue = await labelled(s);
      // The architect has read the repository and is about to post its questions.
      await architect.reached;
      s.sim.rateLimits.force({ installationId: s.seeded.installationId }, { kind: "secondary", ...c.limit });
      architect.open();
      await waitFor(
        "the architect's questions",
        () => botComments(s.thread(issue), ARCHITECT).length === 1,
        30_000,
      );
      const calls = installationCalls(s);
      const refused = calls.filter((x) => x.limited);
      expect(refused).toHaveLength(1);
      expect(refused[0]).toMatchObject({ limited: "secondary", status: 403 });
      const refusedAt = (refused[0] as CallRecord).githubAt;
      const next = calls.find((x) => !x.limited && x.githubStartedAt > refusedAt);
      expect((next?.githubStartedAt ?? 0) - refusedAt).toBeGreaterThanOrEqual(c.waited);
      expect(botComments(s.thread(issue), "<!-- triad:error")).toEqual([]);
    });
  }

  it("a limit met while a decision is carried out delays the step; it finishes the decision and asks no model again", async () => {
    const base = demoModels();
    const architect = gated(base.architect, 2);
    // Ten minutes of GitHub time are one real second; waits above 200 ms go to the queue.
    const s = await startSampleStack("limit-mid-decision", {
      models: scriptedModels(replace(base, { architect: architect.model })),
      github: { timeScale: 600 },
      extraEnv: { TRIAD_GITHUB_MAX_INLINE_WAIT_MS: "200" },
    });
    stack = s;
    const issue = await labelled(s);
    await architect.reached;
    s.sim.rateLimits.force(
      { installationId: s.seeded.installationId },
      { kind: "secondary", forMs: 10 * 60_000, retryAfter: true },
    );
    architect.open();
    await waitFor(
      "waiting for answers",
      () => trackingNow(s, issue).startsWith("Waiting for answers"),
      30_000,
    );
    await waitFor("the architect's job to end", () =>
      withQueue(REDIS_URL, s.env.TRIAD_REDIS_PREFIX, "architect", async (q) => {
        const jobs = await q.getJobs(["waiting", "delayed", "active", "completed", "failed"]);
        const states = await Promise.all(jobs.map((j) => j.getState()));
        return states.length === 1 && states[0] === "completed";
      }),
    );
    const questions = botComments(s.thread(issue), ARCHITECT);
    expect(questions).toHaveLength(1);
    expect(questions[0]?.body).toContain("The architect has questions");
    // Its two scripted calls, and no third: the delayed step did not run its turn again.
    expect(architect.calls).toBe(2);
    expect(installationCalls(s).filter((c) => c.limited)).toHaveLength(1);
  });

  it("a limit longer than triad waits: the failure is recorded first, said once GitHub answers, and /triad retry works", {
    timeout: 90_000,
  }, async () => {
    const base = cleanReview();
    const reviewer = gated(base.reviewers[0] as NonNullable<(typeof base.reviewers)[0]>);
    // An hour of GitHub time is six real seconds; triad waits at most ten minutes of limits per step.
    const s = await startSampleStack("limit-budget", {
      models: scriptedModels(replace(base, { reviewer: reviewer.model })),
      github: { timeScale: 600 },
      extraEnv: { TRIAD_GITHUB_LIMIT_WAIT_MAX_MS: "600000", TRIAD_GITHUB_MAX_INLINE_WAIT_MS: "200" },
    });
    stack = s;
    const issue = await toApprovedPlan(s);
    await reviewer.reached;
    // The reviewer has its findings and is about to post its review: GitHub limits for 30 minutes.
    const limitEnd = s.sim.clock.now() + 30 * 60_000;
    s.sim.rateLimits.force(
      { installationId: s.seeded.installationId },
      { kind: "primary", forMs: 30 * 60_000 },
    );
    reviewer.open();

    // Recorded in the state while GitHub still refuses everything.
    const redis = new Redis(REDIS_URL);
    try {
      const stores = redisStores(redis, keys(s.env.TRIAD_REDIS_PREFIX));
      const workflow = workflowKey(`${SAMPLE.owner}/${SAMPLE.repo}`, issue);
      const failed = await waitFor(
        "the failure in the state",
        async () => (await stores.state.get(workflow))?.failed,
        30_000,
      );
      expect(s.sim.clock.now()).toBeLessThan(limitEnd);
      expect(failed.label).toMatch(/^reviewer 1 on [0-9a-f]{7}$/);
      expect(failed.error).toMatch(/rate limit/i);
    } finally {
      redis.disconnect();
    }
    // Said once GitHub answers again.
    const error = await waitFor(
      "the failure comment",
      () => botComments(s.thread(issue), "<!-- triad:error")[0],
      30_000,
    );
    expect(error.body).toMatch(
      /could not finish a step\*\* \(reviewer 1 on [0-9a-f]{7}\)[\s\S]*\/triad retry/,
    );
    const posted = s.sim.calls.find(
      (c) =>
        c.method === "POST" &&
        c.route?.endsWith("/comments") &&
        c.status === 201 &&
        c.githubStartedAt > limitEnd - 30 * 60_000,
    );
    expect(posted?.githubStartedAt).toBeGreaterThanOrEqual(limitEnd);
    await waitFor("the failure in the tracking comment", () =>
      botComments(s.thread(issue), TRACKING)[0]?.body.includes("**Failed:** reviewer 1"),
    );

    await say(s, issue, "/triad retry");
    await waitFor("ready", () => trackingNow(s, issue).startsWith("Ready"), 30_000);
    expect(botComments(s.thread(issue), "<!-- triad:error")).toHaveLength(1);
    const { data: pulls } = await s.user("maya").rest.pulls.list({ ...repo, state: "all" });
    const { data: reviews } = await s
      .user("maya")
      .rest.pulls.listReviews({ ...repo, pull_number: pulls[0]?.number as number });
    expect(reviews).toHaveLength(1);
  });
});
