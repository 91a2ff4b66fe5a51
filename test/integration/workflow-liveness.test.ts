import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { EVENTS_QUEUE, keys, queuePrefix } from "../../src/queue/names.js";
import { SAMPLE, sampleIssue } from "../../src/sim/sample.js";
import { DEMO_ANSWERS } from "../../src/sim/scenario.js";
import { type ChildWorker, spawnWorker } from "../helpers/child-worker.js";
import {
  ARCHITECT,
  planComment,
  say,
  TRACKING,
  toApprovedPlan,
  trackingNow,
} from "../helpers/conversation.js";
import { allJobs } from "../helpers/queue.js";
import { settled } from "../helpers/settle.js";
import { botComments, repo, type SampleStack, startSampleStack } from "../helpers/stack.js";
import { waitFor } from "../helpers/wait.js";

/**
 * Order and liveness (issue [7/12]): events of one workflow in the order GitHub sent them, and a step
 * that cannot finish always ends in one comment that `/triad retry` really retries.
 */
let stack: SampleStack | undefined;
const workers: ChildWorker[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) await w.kill();
  await stack?.stop();
  stack = undefined;
});

async function toPlanV1(s: SampleStack): Promise<number> {
  const { title, body } = sampleIssue();
  const issue = await s.openIssue(title, body);
  await s.label(issue, "triad");
  await waitFor("the questions", () => botComments(s.thread(issue), ARCHITECT).length === 1, 30_000);
  await say(s, issue, DEMO_ANSWERS.answers);
  await waitFor("plan v1", () => planComment(s, issue, 1), 30_000);
  await waitFor("awaiting approval of v1", () => trackingNow(s, issue).includes("to plan v1"), 30_000);
  return issue;
}

describe("events of one workflow are handled in the order they were written", () => {
  it("a change request then an approval, while the workflow is busy: 20 of 20 times the change request is answered first and plan v1 is never approved", {
    timeout: 240_000,
  }, async () => {
    const s = await startSampleStack("order");
    stack = s;
    const redis = new Redis(s.env.REDIS_URL);
    const trial = async (n: number) => {
      const issue = await toPlanV1(s);
      const workflow = `${repo.owner}/${repo.repo}#${issue}`;
      // The workflow is busy (another job holds its lock) while both comments arrive.
      // Taken like a worker takes it (NX): the step that posted plan v1 may still be saving its state
      // under the lock after the tracking comment says "to plan v1"; overwriting its lock would make
      // two holders, which no worker can be.
      await waitFor(
        "the workflow's lock to be free",
        async () =>
          (await redis.set(
            keys(s.env.TRIAD_REDIS_PREFIX).lock(workflow),
            "a-busy-step",
            "PX",
            30_000,
            "NX",
          )) === "OK",
      );
      await say(s, issue, DEMO_ANSWERS.change);
      const approval = await say(s, issue, "approved");
      await s.sim.waitForIdle();
      await redis.del(keys(s.env.TRIAD_REDIS_PREFIX).lock(workflow));
      await waitFor(
        `plan v2 (trial ${n})`,
        () => planComment(s, issue, 2),
        60_000,
        async () => {
          const inbox = await redis.zcard(keys(s.env.TRIAD_REDIS_PREFIX).inbox(workflow));
          const lock = await redis.get(keys(s.env.TRIAD_REDIS_PREFIX).lock(workflow));
          const jobs = async (queue: string) =>
            (await allJobs(s.env.REDIS_URL, s.env.TRIAD_REDIS_PREFIX, queue))
              .filter((j) => (j.data as { issue?: number }).issue === issue)
              .map((j) => ({
                id: j.id,
                attempts: j.attemptsMade,
                failed: j.failedReason,
                done: j.finishedOn !== undefined,
              }));
          const last = s
            .thread(issue)
            .comments.slice(-3)
            .map((c) => `${c.user}: ${c.body.slice(0, 300)}`);
          return JSON.stringify(
            {
              now: trackingNow(s, issue),
              inbox,
              lock,
              architect: await jobs("architect"),
              events: await jobs(EVENTS_QUEUE),
              last,
            },
            null,
            1,
          );
        },
      );
      return { issue, approval, n };
    };
    try {
      // Twenty workflows, four at a time.
      const done: Array<{ issue: number; approval: number; n: number }> = [];
      for (let batch = 0; batch < 5; batch++)
        done.push(...(await Promise.all([0, 1, 2, 3].map((k) => trial(batch * 4 + k + 1)))));
      await settled(s);
      for (const { issue, approval, n } of done) {
        const reply = botComments(s.thread(issue), `<!-- triad:reply id=${approval} -->`)[0];
        expect(reply?.body, `trial ${n}`).toMatch(/the architect is revising plan v1/);
      }
      const developer = await allJobs(s.env.REDIS_URL, s.env.TRIAD_REDIS_PREFIX, "developer");
      expect(developer).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });
});

describe("a burst of events edits the tracking comment once", () => {
  it("comments that arrive while the workflow is busy are drained together: one tracking edit, by the last", {
    timeout: 60_000,
  }, async () => {
    const s = await startSampleStack("burst");
    stack = s;
    const redis = new Redis(s.env.REDIS_URL);
    const { title, body } = sampleIssue();
    const issue = await s.openIssue(title, body);
    await s.label(issue, "triad");
    await waitFor("the questions", () => trackingNow(s, issue).startsWith("Waiting for answers"), 30_000);
    await settled(s);
    const tracking = botComments(s.thread(issue), TRACKING)[0];
    const workflow = `${repo.owner}/${repo.repo}#${issue}`;
    const lock = keys(s.env.TRIAD_REDIS_PREFIX).lock(workflow);
    await waitFor(
      "the lock",
      async () => (await redis.set(lock, "a-busy-step", "PX", 30_000, "NX")) === "OK",
    );
    const from = s.sim.calls.length;
    const seen = s.sim.deliveries.length;
    // Answers, then a stop: each alone would edit the tracking comment.
    await say(s, issue, DEMO_ANSWERS.answers);
    await say(s, issue, "/triad stop");
    await s.sim.waitForIdle();
    await redis.del(lock);
    await waitFor(
      "stopped",
      () => trackingNow(s, issue).startsWith("Stopped"),
      30_000,
      async () =>
        `${trackingNow(s, issue)} inbox=${await redis.zcard(keys(s.env.TRIAD_REDIS_PREFIX).inbox(workflow))} lock=${await redis.get(lock)}`,
    );
    await settled(s);
    redis.disconnect();
    const edits = s.sim.calls
      .slice(from)
      .filter(
        (c) =>
          c.actor === "installation" && c.method === "PATCH" && c.path.endsWith(`/comments/${tracking?.id}`),
      );
    expect(edits).toHaveLength(1);
    // What a maintainer saw: the comment went from the questions straight to "Stopped".
    const shown = s.sim.deliveries
      .slice(seen)
      .filter((d) => d.event === "issue_comment" && d.action === "edited")
      .map((d) => (d.payload as { comment: { id: number; body: string } }).comment)
      .filter((c) => c.id === tracking?.id)
      .map((c) => /\*\*Now:\*\* (.*)/.exec(c.body)?.[1] ?? "");
    expect(shown).toEqual([expect.stringMatching(/^Stopped/)]);
  });
});

describe("a step that cannot finish always ends in one comment, and /triad retry really retries", () => {
  it("a developer step killed 4 times in a row: one failure comment; /triad retry finishes the workflow", {
    timeout: 180_000,
  }, async () => {
    const s = await startSampleStack("killed4", { worker: false, lockMs: 1500 });
    stack = s;
    const spawn = (fault?: string) => {
      const w = spawnWorker(s.vars, fault ? { TRIAD_FAULT: fault } : {});
      workers.push(w);
      return w;
    };
    let current = spawn("after-blobs");
    const issue = await toApprovedPlan(s, 30_000);
    // Killed while publishing, four times: each restart takes the stalled step over and dies again.
    for (let kill = 1; kill <= 4; kill++) {
      expect(await current.exited, current.output()).toBe(-1);
      current = spawn(kill < 4 ? "after-blobs" : undefined);
    }
    const failure = await waitFor(
      "the failure comment",
      () => botComments(s.thread(issue), "<!-- triad:error id=develop-")[0],
      60_000,
    );
    expect(failure.body).toMatch(
      /could not finish a step\*\* \(developer: implement plan v2\)[\s\S]*\/triad retry/,
    );
    await waitFor("the failure in the tracking comment", () =>
      botComments(s.thread(issue), TRACKING)[0]?.body.includes("**Failed:**"),
    );
    await say(s, issue, "/triad retry");
    await waitFor("ready", () => /^Ready/.test(trackingNow(s, issue)), 60_000);
    await settled(s);
    expect(botComments(s.thread(issue), "<!-- triad:error")).toHaveLength(1);
    const { data: pulls } = await s.user(SAMPLE.maintainer).rest.pulls.list({ ...repo, state: "all" });
    expect(pulls).toHaveLength(1);
  });

  it("FLUSHALL while the reviewers run: /triad retry rebuilds the state from the thread and finishes the workflow", {
    timeout: 120_000,
  }, async () => {
    const { startPrivateRedis } = await import("../../src/demo/private-redis.js");
    const redis = await startPrivateRedis();
    try {
      const s = await startSampleStack("flush-review", { redisUrl: redis.url });
      stack = s;
      // Hold the reviews: the reviewer queue is paused while the flush happens.
      const { Queue } = await import("bullmq");
      const conn = new Redis(redis.url, { maxRetriesPerRequest: null });
      const reviewers = new Queue("reviewer", {
        connection: conn,
        prefix: queuePrefix(s.env.TRIAD_REDIS_PREFIX),
      });
      await reviewers.pause();
      const issue = await toApprovedPlan(s, 30_000);
      await waitFor("the reviews queued", () => trackingNow(s, issue).startsWith("Reviewers"), 30_000);
      await conn.flushall();
      await reviewers.close();
      conn.disconnect();
      await say(s, issue, "/triad retry");
      await waitFor("ready", () => /^Ready/.test(trackingNow(s, issue)), 60_000);
      expect(botComments(s.thread(issue), TRACKING)).toHaveLength(1);
      const pull = (await s.user(SAMPLE.maintainer).rest.pulls.list({ ...repo })).data[0]?.number as number;
      const { data: reviews } = await s
        .user(SAMPLE.maintainer)
        .rest.pulls.listReviews({ ...repo, pull_number: pull });
      // One review per reviewer and head sha: the flow run again after the flush posted no duplicate.
      // (A reply in a thread is a review of its own with an empty body, as on GitHub.)
      const marks = reviews
        .filter((r) => r.body)
        .map((r) => /<!-- triad:review id=([^ ]+) -->/.exec(r.body ?? "")?.[1]);
      expect(marks.length).toBeGreaterThan(0);
      expect(marks.every(Boolean)).toBe(true);
      expect(new Set(marks).size).toBe(marks.length);
    } finally {
      await stack?.stop();
      stack = undefined;
      await redis.stop();
    }
  });
});

describe("retries and the lock", () => {
  it("a reviewer whose review post fails with a 502 once is retried and its review posted", {
    timeout: 60_000,
  }, async () => {
    const s = await startSampleStack("reviewer-502");
    stack = s;
    const fault = s.sim.faults.add({
      route: "POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
      actor: "installation",
      kind: "error",
      status: 502,
    });
    const issue = await toApprovedPlan(s, 30_000);
    await waitFor("ready", () => /^Ready/.test(trackingNow(s, issue)), 60_000);
    expect(fault.hits).toBe(1);
    await settled(s);
    expect(botComments(s.thread(issue), "<!-- triad:error")).toEqual([]);
    const pull = (await s.user(SAMPLE.maintainer).rest.pulls.list({ ...repo })).data[0]?.number as number;
    const { data: reviews } = await s
      .user(SAMPLE.maintainer)
      .rest.pulls.listReviews({ ...repo, pull_number: pull });
    expect(reviews.filter((r) => r.body).length).toBeGreaterThan(0);
  });

  it("a step whose lock is lost mid-step makes no GitHub request after the loss", {
    timeout: 60_000,
  }, async () => {
    const { demoStatelessModels } = await import("../../src/sim/scenario.js");
    const { scriptedModels } = await import("../../src/models/provider.js");
    const demo = demoStatelessModels();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let entered: () => void = () => undefined;
    const inModel = new Promise<void>((r) => {
      entered = r;
    });
    let held = false;
    const architect = {
      ref: demo.architect.ref,
      async chat(request: Parameters<typeof demo.architect.chat>[0]) {
        if (!held) {
          held = true;
          entered();
          await gate;
        }
        return demo.architect.chat(request);
      },
    };
    const s = await startSampleStack("lock-lost", {
      lockMs: 1500,
      models: scriptedModels({ ...demo, architect: architect as typeof demo.architect }),
    });
    stack = s;
    const redis = new Redis(s.env.REDIS_URL);
    try {
      const issue = await s.openIssue();
      await s.label(issue, "triad");
      await inModel;
      // Another worker takes the workflow's lock while the architect's model call runs.
      const lock = keys(s.env.TRIAD_REDIS_PREFIX).lock(`${repo.owner}/${repo.repo}#${issue}`);
      await redis.set(lock, "another-worker", "PX", 60_000);
      const writesAfter = s.sim.calls.length;
      // Renewal finds the lock taken (it renews every lockMs / 3): let the model answer after that.
      await new Promise((r) => setTimeout(r, 1_200));
      release();
      await waitFor("the lost attempt to give up", async () => {
        const jobs = await allJobs(s.env.REDIS_URL, s.env.TRIAD_REDIS_PREFIX, "architect");
        return jobs.some((j) => j.attemptsMade >= 1);
      });
      const written = s.sim.calls
        .slice(writesAfter)
        .filter((c) => c.actor === "installation" && !["GET", "HEAD"].includes(c.method));
      expect(written).toEqual([]);
      // The lock comes back: the retried step posts the questions, once.
      await redis.del(lock);
      await waitFor("the questions", () => botComments(s.thread(issue), ARCHITECT).length === 1, 30_000);
      await settled(s);
      expect(botComments(s.thread(issue), ARCHITECT)).toHaveLength(1);
    } finally {
      redis.disconnect();
    }
  });
});
