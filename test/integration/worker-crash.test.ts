import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { queuePrefix } from "../../src/queue/names.js";
import { type ChildWorker, spawnWorker } from "../helpers/child-worker.js";
import { expectHttp } from "../helpers/http-expect.js";
import { settled } from "../helpers/settle.js";
import { botComments, type SampleStack, startSampleStack } from "../helpers/stack.js";
import { waitFor } from "../helpers/wait.js";

const TRACKING = "<!-- triad:tracking -->";
let stack: SampleStack | undefined;
const workers: ChildWorker[] = [];

afterEach(async () => {
  for (const w of workers.splice(0)) await w.kill();
  await stack?.stop();
  stack = undefined;
});

describe("a worker killed mid-job", () => {
  it("after the tracking comment, before the job completes: the restarted worker leaves one comment", async () => {
    // Short locks so the dead worker's job and workflow lock are taken over within seconds.
    stack = await startSampleStack("crash", { worker: false, lockMs: 1500 });
    const first = spawnWorker(stack.vars, { TRIAD_FAULT: "after-tracking-comment" });
    workers.push(first);
    const issue = await stack.openIssue();
    await stack.label(issue, "triad");

    const code = await first.exited;
    expect(code, first.output()).toBe(-1); // killed by the injected fault, not a clean exit
    const s = stack;
    expect(botComments(s.thread(issue), TRACKING)).toHaveLength(1);

    // From here on, triad's requests are held to what a repeat-safe retry may do: the tracking comment
    // is found by its marker and edited (PATCH); the only comment it posts is the architect's questions.
    const http = expectHttp(stack.sim, { actor: "installation" })
      .expect("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", 1)
      .expect("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", { min: 1 })
      .allow("POST /repos/{owner}/{repo}/issues/{issue_number}/reactions")
      .allowReads();
    const second = spawnWorker(stack.vars);
    workers.push(second);
    // The stalled job is picked up again and finishes: it updates the same comment.
    await waitFor(
      "job retried by the new worker",
      async () => {
        const redis = new Redis(s.env.REDIS_URL, { maxRetriesPerRequest: null });
        const queue = new Queue("events", {
          connection: redis,
          prefix: queuePrefix(s.env.TRIAD_REDIS_PREFIX),
        });
        const completed = await queue.getCompletedCount();
        await queue.close();
        redis.disconnect();
        return completed === 1;
      },
      // A fresh worker process starts in about a second on an idle machine; far longer when loaded.
      45_000,
    );
    await waitFor(
      "the architect's questions",
      () => botComments(s.thread(issue), "<!-- triad:architect").length === 1,
    );
    await settled(s);
    http.verify();
    const thread = stack.thread(issue);
    expect(botComments(thread, TRACKING)).toHaveLength(1);
    expect(thread.reactions.filter((r) => r.content === "eyes")).toHaveLength(1);
  });
});
