import { describe, expect, it } from "vitest";
import { normaliseWebhook, workflowEventSchema } from "../../src/core/events.js";

/** Minimal webhook payloads, as GitHub sends them, with only the fields triad reads. */
const base = {
  installation: { id: 7 },
  repository: { name: "weather-client", owner: { login: "acme" } },
  sender: { login: "maya", type: "User" },
};
const common = {
  deliveryId: "d-1",
  installationId: 7,
  repo: { owner: "acme", name: "weather-client" },
  sender: { login: "maya", type: "User" },
};
const bot = { login: "ci[bot]", type: "Bot" };
const pr = (ref = "triad/3-add-retry", more: object = {}) => ({ number: 9, head: { ref }, ...more });
const n = (name: string, payload: object) => normaliseWebhook(name, "d-1", payload);

describe("webhooks become workflow events (core/events.ts)", () => {
  it("refuses payloads with no repository or installation", () => {
    expect(n("issues", { action: "labeled" })).toEqual({ ignored: "no repository" });
    expect(n("issues", { ...base, action: "labeled", repository: { name: "x", owner: {} } })).toEqual({
      ignored: "no repository",
    });
    expect(n("issues", { ...base, action: "labeled", repository: { owner: { login: "a" } } })).toEqual({
      ignored: "no repository",
    });
    expect(n("issues", { ...base, action: "labeled", installation: { id: "7" } })).toEqual({
      ignored: "no installation",
    });
  });

  it("a label added or removed on an issue, by a human", () => {
    const labeled = { ...base, action: "labeled", label: { name: "triad" }, issue: { number: 3 } };
    expect(n("issues", labeled)).toEqual({
      event: { kind: "issue_labeled", label: "triad", issue: 3, ...common },
    });
    expect(n("issues", { ...labeled, action: "unlabeled" })).toEqual({
      event: { kind: "issue_unlabeled", label: "triad", issue: 3, ...common },
    });
    expect(n("issues", { ...labeled, sender: bot })).toEqual({ ignored: "sender is a bot" });
    expect(n("issues", { ...labeled, issue: { number: 3, pull_request: {} } })).toEqual({
      ignored: "label on a pull request",
    });
    expect(n("issues", { ...labeled, label: {} })).toEqual({ ignored: "no label" });
  });

  it("a sender without login or type is a human called ghost", () => {
    const labeled = {
      ...base,
      sender: undefined,
      action: "labeled",
      label: { name: "triad" },
      issue: { number: 3 },
    };
    expect(n("issues", labeled)).toMatchObject({ event: { sender: { login: "ghost", type: "User" } } });
  });

  it("an issue closed by a human", () => {
    const closed = { ...base, action: "closed", issue: { number: 3 } };
    expect(n("issues", closed)).toEqual({ event: { kind: "issue_closed", issue: 3, ...common } });
    expect(n("issues", { ...closed, sender: bot })).toEqual({ ignored: "sender is a bot" });
  });

  it("an issue edit counts only when a human changed its title or body", () => {
    const edited = { ...base, action: "edited", issue: { number: 3 }, changes: { body: { from: "x" } } };
    expect(n("issues", edited)).toEqual({ event: { kind: "issue_edited", issue: 3, ...common } });
    expect(n("issues", { ...edited, changes: { title: { from: "x" } } })).toMatchObject({
      event: { kind: "issue_edited" },
    });
    expect(n("issues", { ...edited, changes: { labels: {} } })).toEqual({
      ignored: "neither the title nor the body changed",
    });
    expect(n("issues", { ...edited, changes: undefined })).toEqual({
      ignored: "neither the title nor the body changed",
    });
    expect(n("issues", { ...edited, sender: bot })).toEqual({ ignored: "not a human's edit of an issue" });
    expect(n("issues", { ...edited, issue: { number: 3, pull_request: {} } })).toEqual({
      ignored: "not a human's edit of an issue",
    });
  });

  it("a comment on an issue or a pull request, by a human", () => {
    const comment = {
      id: 55,
      body: "approved",
      user: { login: "omar", type: "User" },
      created_at: "2026-12-01T10:00:00Z",
    };
    const created = { ...base, action: "created", issue: { number: 3 }, comment };
    const event = {
      kind: "comment_created",
      onPullRequest: false,
      comment: {
        id: 55,
        body: "approved",
        author: { login: "omar", type: "User" },
        createdAt: "2026-12-01T10:00:00Z",
      },
      issue: 3,
      ...common,
    };
    expect(n("issue_comment", created)).toEqual({ event });
    expect(n("issue_comment", { ...created, issue: { number: 9, pull_request: {} } })).toEqual({
      event: { ...event, onPullRequest: true, issue: 9 },
    });
    expect(
      n("issue_comment", { ...created, comment: { ...comment, body: null, user: undefined } }),
    ).toMatchObject({
      event: { comment: { body: "", author: { login: "ghost", type: "User" } } },
    });
    expect(n("issue_comment", { ...created, sender: bot })).toEqual({ ignored: "comment by a bot" });
    expect(n("issue_comment", { ...created, comment: { ...comment, user: bot } })).toEqual({
      ignored: "comment by a bot",
    });
    expect(n("issue_comment", { ...created, issue: {} })).toEqual({ ignored: "no issue" });
  });

  it("a triad pull request closed or merged", () => {
    const closed = {
      ...base,
      action: "closed",
      pull_request: pr("refs/heads/triad/3-add-retry", { merged: true }),
    };
    expect(n("pull_request", closed)).toEqual({
      event: { kind: "pr_closed", pullNumber: 9, merged: true, issue: 3, ...common },
    });
    expect(n("pull_request", { ...closed, pull_request: pr() })).toMatchObject({ event: { merged: false } });
    expect(n("pull_request", { ...closed, pull_request: pr("feature/x") })).toEqual({
      ignored: "not a triad branch",
    });
  });

  it("a review submitted by a human on a triad pull request", () => {
    const submitted = {
      ...base,
      action: "submitted",
      pull_request: pr(),
      review: { id: 77, state: "changes_requested", user: { login: "omar", type: "User" } },
    };
    expect(n("pull_request_review", submitted)).toEqual({
      event: {
        kind: "pr_review_submitted",
        pullNumber: 9,
        reviewId: 77,
        state: "changes_requested",
        issue: 3,
        ...common,
      },
    });
    expect(n("pull_request_review", { ...submitted, sender: bot })).toEqual({ ignored: "review by a bot" });
    expect(n("pull_request_review", { ...submitted, review: { ...submitted.review, user: bot } })).toEqual({
      ignored: "review by a bot",
    });
    expect(n("pull_request_review", { ...submitted, pull_request: pr("main") })).toEqual({
      ignored: "not a triad branch",
    });
  });

  it("a review comment by a human on a triad pull request, with the thread it answers", () => {
    const comment = { id: 60, body: "why?", user: { login: "omar", type: "User" }, in_reply_to_id: 59 };
    const created = { ...base, action: "created", pull_request: pr(), comment };
    expect(n("pull_request_review_comment", created)).toEqual({
      event: {
        kind: "review_comment_created",
        pullNumber: 9,
        comment: { id: 60, body: "why?", author: { login: "omar", type: "User" }, inReplyTo: 59 },
        issue: 3,
        ...common,
      },
    });
    const top = n("pull_request_review_comment", {
      ...created,
      comment: { id: 61, body: undefined, user: undefined },
    });
    expect(top).toMatchObject({
      event: { comment: { id: 61, body: "", author: { login: "ghost", type: "User" } } },
    });
    expect(
      "event" in top && top.event.kind === "review_comment_created" && "inReplyTo" in top.event.comment,
    ).toBe(false);
    expect(n("pull_request_review_comment", { ...created, sender: bot })).toEqual({
      ignored: "comment by a bot",
    });
    expect(n("pull_request_review_comment", { ...created, comment: { ...comment, user: bot } })).toEqual({
      ignored: "comment by a bot",
    });
    expect(n("pull_request_review_comment", { ...created, pull_request: pr("dev") })).toEqual({
      ignored: "not a triad branch",
    });
  });

  describe("check runs", () => {
    const run = (over: object = {}) => ({
      name: "ci/test",
      status: "completed",
      conclusion: "failure",
      head_sha: "abc",
      check_suite: { head_branch: "triad/3-add-retry" },
      output: { title: "2 failed", summary: "retry.test.ts", text: "expected 3 calls" },
      ...over,
    });
    const completed = (over: object = {}) => ({
      ...base,
      sender: bot,
      action: "completed",
      check_run: run(over),
    });

    it("a failed run on a triad branch, even from a bot, with its output as the summary", () => {
      expect(n("check_run", completed())).toEqual({
        event: {
          kind: "check_completed",
          headSha: "abc",
          name: "ci/test",
          conclusion: "failure",
          summary: "2 failed\n\nretry.test.ts\n\nexpected 3 calls",
          annotations: 0,
          issue: 3,
          ...common,
          sender: bot,
        },
      });
      expect(
        n("check_run", completed({ conclusion: "timed_out", output: { summary: "slow" } })),
      ).toMatchObject({
        event: { conclusion: "timed_out", summary: "slow" },
      });
    });

    it("a run created already completed is its completion", () => {
      expect(n("check_run", { ...completed(), action: "created" })).toMatchObject({
        event: { kind: "check_completed" },
      });
      expect(n("check_run", { ...completed({ status: "queued" }), action: "created" })).toEqual({
        ignored: "check_run.created is not handled",
      });
    });

    it("reads the branch from the run's pull request when the suite has none", () => {
      const viaPr = completed({ check_suite: {}, pull_requests: [{ head: { ref: "triad/4-x" } }] });
      expect(n("check_run", viaPr)).toMatchObject({ event: { issue: 4 } });
      expect(n("check_run", completed({ check_suite: undefined }))).toEqual({
        ignored: "not a triad branch",
      });
    });

    it("passes count as well as failures (the reviewers may wait for them), never triad's own check", () => {
      expect(n("check_run", completed({ conclusion: "success", id: 77 }))).toMatchObject({
        event: { kind: "check_completed", conclusion: "success", checkRunId: 77 },
      });
      expect(n("check_run", completed({ output: { annotations_count: 3 } }))).toMatchObject({
        event: { annotations: 3 },
      });
      expect(n("check_run", completed({ conclusion: null }))).toMatchObject({ event: { conclusion: null } });
      expect(n("check_run", completed({ name: "triad/review" }))).toEqual({ ignored: "triad's own check" });
      expect(n("check_run", completed({ check_suite: { head_branch: "main" } }))).toEqual({
        ignored: "not a triad branch",
      });
    });

    it("clips a long output and names a nameless run after its app", () => {
      const long = n("check_run", completed({ output: { text: "x".repeat(10_000) } }));
      expect(long).toMatchObject({ event: { summary: "x".repeat(8_000) } });
      expect(n("check_run", completed({ name: undefined, app: { name: "Jenkins" } }))).toMatchObject({
        event: { name: "Jenkins" },
      });
      expect(n("check_run", completed({ name: undefined }))).toMatchObject({ event: { name: "check" } });
      expect(n("check_run", completed({ output: undefined }))).toMatchObject({ event: { summary: "" } });
    });

    it("check suites are read through their runs", () => {
      expect(n("check_suite", { ...base, action: "completed" })).toEqual({
        ignored: "check suites are read through their check runs",
      });
    });
  });

  it("anything else is ignored, edits with their own reason", () => {
    expect(n("pull_request", { ...base, action: "edited" })).toEqual({
      ignored: "edits never drive a transition",
    });
    expect(n("push", { ...base })).toEqual({ ignored: "push.undefined is not handled" });
    expect(n("pull_request", { ...base, action: "opened" })).toEqual({
      ignored: "pull_request.opened is not handled",
    });
  });

  it("a malformed delivery is ignored, never thrown on", () => {
    expect(n("issues", null as unknown as object)).toEqual({ ignored: "no repository" });
    expect(n("issues", { installation: {}, repository: {} })).toEqual({ ignored: "no repository" });
    expect(n("issues", { ...base, action: "labeled", repository: { name: "x" } })).toEqual({
      ignored: "no repository",
    });
    expect(n("issues", { ...base, installation: undefined, action: "labeled" })).toEqual({
      ignored: "no installation",
    });
    expect(n("issues", { ...base, action: "labeled", issue: { number: 3 } })).toEqual({
      ignored: "no label",
    });
    expect(n("issues", { ...base, action: "edited", issue: { number: 3 } })).toEqual({
      ignored: "neither the title nor the body changed",
    });
    expect(n("issue_comment", { ...base, action: "created", comment: { id: 1 } })).toEqual({
      ignored: "no issue",
    });
    expect(n("pull_request", { ...base, action: "closed" })).toEqual({ ignored: "not a triad branch" });
    expect(n("pull_request", { ...base, action: "closed", pull_request: {} })).toEqual({
      ignored: "not a triad branch",
    });
    expect(n("pull_request_review", { ...base, action: "submitted" })).toEqual({
      ignored: "not a triad branch",
    });
    expect(n("pull_request_review", { ...base, action: "submitted", review: {}, pull_request: {} })).toEqual({
      ignored: "not a triad branch",
    });
    expect(n("pull_request_review_comment", { ...base, action: "created" })).toEqual({
      ignored: "not a triad branch",
    });
    expect(n("pull_request_review_comment", { ...base, action: "created", pull_request: {} })).toEqual({
      ignored: "not a triad branch",
    });
    expect(n("check_run", { ...base, action: "completed" })).toEqual({ ignored: "not a triad branch" });
    expect(n("check_run", { ...base, action: "created" })).toEqual({
      ignored: "check_run.created is not handled",
    });
    expect(n("check_run", { ...base, action: "completed", check_run: { pull_requests: [] } })).toEqual({
      ignored: "not a triad branch",
    });
    expect(n("check_run", { ...base, action: "completed", check_run: { pull_requests: [{}] } })).toEqual({
      ignored: "not a triad branch",
    });
  });

  it("every event it makes passes the queue boundary's schema", () => {
    const made = n("issues", { ...base, action: "labeled", label: { name: "triad" }, issue: { number: 3 } });
    expect("event" in made && workflowEventSchema.parse(made.event)).toEqual("event" in made && made.event);
  });
});
