import { afterEach, describe, expect, it } from "vitest";
import { SAMPLE } from "../../src/sim/sample.js";
import { toApprovedPlan, trackingNow } from "../helpers/conversation.js";
import { settled } from "../helpers/settle.js";
import { repo, type SampleStack, startSampleStack } from "../helpers/stack.js";
import { waitFor } from "../helpers/wait.js";

/**
 * Telling people (issue [10/12]): the starter is @mentioned once per state change that needs them —
 * new questions, each plan to approve, ready to merge — and the PR leaves draft when triad's reviews
 * pass (GitHub's markPullRequestReadyForReview mutation, which the simulator implements).
 */
let stack: SampleStack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

describe("notifications and the PR's draft state", () => {
  it("one @mention per state change; the PR opens as a draft and is marked ready for review at triad:ready", {
    timeout: 90_000,
  }, async () => {
    const s = await startSampleStack("notify");
    stack = s;
    const issue = await toApprovedPlan(s, 30_000);
    const pull = await waitFor(
      "the pull request",
      async () => (await s.user(SAMPLE.maintainer).rest.pulls.list({ ...repo })).data[0],
      30_000,
    );
    expect(pull.draft).toBe(true);
    await waitFor("ready", () => /^Ready/.test(trackingNow(s, issue)), 60_000);
    await settled(s);
    const { data: after } = await s
      .user(SAMPLE.maintainer)
      .rest.pulls.get({ ...repo, pull_number: pull.number });
    expect(after.draft).toBe(false);
    expect(s.sim.deliveries.some((d) => d.event === "pull_request" && d.action === "ready_for_review")).toBe(
      true,
    );

    const mentions = s
      .thread(issue)
      .comments.filter(
        (c) => c.user.endsWith("[bot]") && new RegExp(`@${SAMPLE.maintainer}\\b`).test(c.body),
      );
    const kinds = mentions.map((c) =>
      c.body.includes("has questions")
        ? "questions"
        : (/## Plan v(\d)/.exec(c.body)?.[0] ?? (c.body.includes("ready to merge") ? "ready" : "other")),
    );
    expect(kinds.sort(), JSON.stringify(mentions.map((m) => m.body.slice(0, 200)))).toEqual([
      "## Plan v1",
      "## Plan v2",
      "questions",
      "ready",
    ]);
  });
});
