import { describe, expect, it } from "vitest";
import { issueFromBranch, normaliseWebhook } from "../../src/core/events.js";
import { webhookExample, webhookExamples } from "../helpers/webhook-examples.js";

describe("normaliseWebhook on GitHub's example payloads", () => {
  it("turns issues.labeled into an issue_labeled event with the label and issue", () => {
    const payload = webhookExample("issues", "labeled");
    const result = normaliseWebhook("issues", "d-1", payload);
    expect(result).toMatchObject({
      event: {
        kind: "issue_labeled",
        deliveryId: "d-1",
        label: (payload.label as { name: string }).name,
        issue: (payload.issue as { number: number }).number,
        repo: { owner: "Codertocat", name: "Hello-World" },
      },
    });
  });

  it("accepts every example of the events triad listens to without throwing", () => {
    for (const name of [
      "issues",
      "issue_comment",
      "pull_request",
      "pull_request_review",
      "check_run",
      "check_suite",
    ]) {
      for (const payload of webhookExamples(name)) {
        const result = normaliseWebhook(name, "d", payload);
        expect("event" in result || "ignored" in result).toBe(true);
      }
    }
  });

  it("ignores bot senders, edits and events without an installation", () => {
    const labeled = webhookExample("issues", "labeled");
    const fromBot = {
      ...labeled,
      sender: { ...(labeled.sender as object), login: "triad[bot]", type: "Bot" },
    };
    expect(normaliseWebhook("issues", "d", fromBot)).toEqual({ ignored: "sender is a bot" });
    expect(normaliseWebhook("issue_comment", "d", webhookExample("issue_comment", "edited"))).toEqual({
      ignored: "edits never drive a transition",
    });
    const { installation: _, ...noInstallation } = labeled;
    expect(normaliseWebhook("issues", "d", noInstallation)).toEqual({ ignored: "no installation" });
  });

  it("takes a comment by a human and refuses one by a bot", () => {
    const created = webhookExample("issue_comment", "created");
    const result = normaliseWebhook("issue_comment", "d", created);
    expect(result).toMatchObject({
      event: { kind: "comment_created", comment: { body: expect.any(String) } },
    });
    const botComment = {
      ...created,
      comment: { ...(created.comment as object), user: { login: "x[bot]", type: "Bot" } },
    };
    expect(normaliseWebhook("issue_comment", "d", botComment)).toEqual({ ignored: "comment by a bot" });
  });

  it("counts pull request and check events only on triad branches", () => {
    const closed = webhookExample("pull_request", "closed");
    expect(normaliseWebhook("pull_request", "d", closed)).toEqual({ ignored: "not a triad branch" });
    const pr = closed.pull_request as { head: { ref: string } };
    const onTriad = { ...closed, pull_request: { ...pr, head: { ...pr.head, ref: "triad/12-add-retries" } } };
    expect(normaliseWebhook("pull_request", "d", onTriad)).toMatchObject({
      event: { kind: "pr_closed", issue: 12 },
    });
  });
});

describe("check runs of the repository's CI (the gate before the reviewers)", () => {
  const completed = webhookExample("check_run", "completed");
  const onTriad = (over: Record<string, unknown>) => ({
    ...completed,
    check_run: {
      ...(completed.check_run as object),
      check_suite: {
        ...((completed.check_run as { check_suite: object }).check_suite ?? {}),
        head_branch: "triad/12-add-retries",
      },
      ...over,
    },
  });

  it("a passed check on a triad branch is an event too (the reviewers may be waiting for it)", () => {
    expect(
      normaliseWebhook("check_run", "d", onTriad({ name: "ci/test", conclusion: "success" })),
    ).toMatchObject({
      event: { kind: "check_completed", issue: 12, name: "ci/test", conclusion: "success" },
    });
  });

  it("a failed check carries its output; triad's own checks are never events", () => {
    const failed = onTriad({
      name: "ci/test",
      conclusion: "failure",
      output: { title: "1 failed", summary: "retry.test.ts", text: "expected 3" },
    });
    expect(normaliseWebhook("check_run", "d", failed)).toMatchObject({
      event: {
        kind: "check_completed",
        conclusion: "failure",
        summary: "1 failed\n\nretry.test.ts\n\nexpected 3",
      },
    });
    for (const name of ["triad/review", "triad/anything"])
      expect(normaliseWebhook("check_run", "d", onTriad({ name, conclusion: "failure" }))).toEqual({
        ignored: "triad's own check",
      });
  });
});

describe("issueFromBranch", () => {
  it("reads the issue number of a triad branch", () => {
    expect(issueFromBranch("triad/7-add-retry")).toBe(7);
    expect(issueFromBranch("refs/heads/triad/31-x")).toBe(31);
    expect(issueFromBranch("main")).toBeUndefined();
    expect(issueFromBranch("triad/abc")).toBeUndefined();
  });
});
