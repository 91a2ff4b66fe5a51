import { describe, expect, it } from "vitest";
import type { WorkflowEvent } from "../../src/core/events.js";
import { decideIssueEvent } from "../../src/core/issue-events.js";
import { findingMarker, LABELS, REVIEW_CHECK } from "../../src/core/markers.js";
import { decidePullEvent, type PullEvent, type PullFacts } from "../../src/core/pr-events.js";
import { labelsFor } from "../../src/core/review/outcome.js";
import { reviewRecord } from "../../src/core/review/precision.js";
import type { WorkflowState } from "../../src/core/state.js";
import { foldEvents } from "../../src/stores/precision-store.js";
import {
  aggregated,
  checkFailed,
  ciFindings,
  common,
  ctx,
  effectsOf,
  finding,
  open,
  PR,
  reviewing,
} from "../helpers/core-fixtures.js";

const pull = (s: WorkflowState, e: WorkflowEvent, facts: PullFacts = {}, config = "") =>
  decidePullEvent(s, e as PullEvent, facts, ctx(config));

describe("when CI fails (core/ci-failure.ts)", () => {
  it("on a ready PR: a fix round under the cap, labels moved, findings kept for the round", () => {
    const d = pull(reviewing({ phase: "ready" }), checkFailed(), { findings: ciFindings });
    expect(d.state?.phase).toBe("fixing");
    expect(d.state?.fixRound).toBe(1);
    expect(effectsOf(d.effects, "enqueue")[0]?.step).toMatchObject({ kind: "develop", round: 1 });
    expect(effectsOf(d.effects, "pr_labels")).toEqual([
      { type: "pr_labels", add: [LABELS.inReview], remove: [LABELS.ready] },
    ]);
    expect(effectsOf(d.effects, "save_findings")[0]?.open.round).toBe(1);
  });

  it("bug: the cap holds — with max_fix_rounds 0 a failed check on a ready PR starts no round", () => {
    const d = pull(
      reviewing({ phase: "ready" }),
      checkFailed(),
      { findings: ciFindings },
      "max_fix_rounds: 0\n",
    );
    expect(d.state?.phase).toBe("needs-human");
    expect(d.state?.fixRound).toBe(0);
    expect(effectsOf(d.effects, "enqueue")).toEqual([]);
    expect(effectsOf(d.effects, "check")[0]).toMatchObject({ state: { conclusion: "failure" } });
  });

  it("bug: in needs-human with the cap reached, a failed check starts no round", () => {
    const s = reviewing({ phase: "needs-human", fixRound: 3 });
    const d = pull(s, checkFailed(), { findings: ciFindings });
    expect(d.state?.phase).toBe("needs-human");
    expect(d.state?.fixRound).toBe(3);
    expect(effectsOf(d.effects, "enqueue")).toEqual([]);
  });

  it("the spiral guard holds on this path too", () => {
    const changes = [1, 2, 3].map(() => ({ files: ["src/retry.ts"], components: [] }));
    const d = pull(reviewing({ phase: "ready", fixRound: 2, changes }), checkFailed(), {
      findings: ciFindings,
    });
    expect(d.state?.phase).toBe("planning");
    expect(effectsOf(d.effects, "enqueue")[0]?.step).toMatchObject({ kind: "architect", mode: "spiral" });
  });

  it("a check on an older head is ignored", () => {
    const d = pull(reviewing({ phase: "ready" }), checkFailed("b".repeat(40)), { findings: ciFindings });
    expect(d.ignored).toMatch(/older head/);
    expect(d.effects).toEqual([]);
  });

  it("while reviews run, the findings wait for the next decision (no round now)", () => {
    const d = pull(reviewing(), checkFailed(), { findings: ciFindings });
    expect(d.effects).toEqual([{ type: "add_pending", set: ciFindings }]);
    expect(d.state?.phase).toBe("reviewing");
    expect(d.state?.raisedKeys.length).toBe(1);
  });

  it("the same failure reported twice (creation and completion) is one", () => {
    const once = pull(reviewing(), checkFailed(), { findings: ciFindings });
    const twice = pull(once.state as WorkflowState, checkFailed(), { findings: ciFindings });
    expect(twice.ignored).toMatch(/raised already/);
  });
});

describe("human reviews and /triad fix", () => {
  const review: PullEvent = {
    kind: "pr_review_submitted",
    pullNumber: PR.number,
    reviewId: 5,
    state: "changes_requested",
    ...common,
  };
  const human = { reviewer: "maya", origin: "human" as const, findings: [finding({ severity: "major" })] };

  it("a write+ user's changes requested on a ready PR starts a fix round", () => {
    const d = pull(reviewing({ phase: "ready" }), review, { permission: "write", findings: human });
    expect(d.state?.phase).toBe("fixing");
  });

  for (const permission of ["read", "triage", "none"] as const) {
    it(`a ${permission} user's review raises nothing and is noted as not acted on`, () => {
      const d = pull(reviewing({ phase: "ready" }), review, {
        permission,
        findings: { reviewer: "olly", origin: "human", findings: [] },
      });
      expect(d.state?.phase).toBe("ready");
      expect(d.effects).toEqual([]);
      expect(d.state?.notActedOn).toEqual([expect.objectContaining({ by: "olly" })]);
      expect(d.tracking).toBe(true);
    });
  }

  it("an approving review or a comment review does nothing", () => {
    const d = pull(reviewing({ phase: "ready" }), { ...review, state: "approved" }, { permission: "admin" });
    expect(d.effects).toEqual([]);
  });

  it("/triad fix from a maintainer: a reply on the PR and a fix round", () => {
    const event: WorkflowEvent = {
      kind: "comment_created",
      onPullRequest: true,
      pullNumber: PR.number,
      comment: {
        id: 77,
        body: "/triad fix use jitter",
        author: { login: "maya", type: "User" },
        createdAt: "",
      },
      ...common,
    };
    const d = pull(reviewing({ phase: "ready" }), event, {
      intent: { type: "command", name: "fix", args: "use jitter" },
      permission: "maintain",
      findings: { reviewer: "maya", origin: "human", findings: [finding({ path: null, anchor: null })] },
    });
    expect(d.effects[0]).toMatchObject({ type: "reply", to: 77, onPull: PR.number });
    expect(d.state?.phase).toBe("fixing");
  });
});

describe("/triad ignore", () => {
  const blocker = aggregated([{ reviewer: "reviewer-1", findings: [finding()] }]);
  const key = blocker[0]?.key ?? "";
  const event: WorkflowEvent = {
    kind: "review_comment_created",
    pullNumber: PR.number,
    comment: { id: 88, body: "/triad ignore", author: { login: "maya", type: "User" }, inReplyTo: 55 },
    ...common,
  };
  const fixing = reviewing({
    phase: "fixing",
    fixRound: 1,
    queued: {
      jobId: "develop-x",
      label: "developer: fix round 1",
      step: { ...common, kind: "develop", round: 1, runId: "d-1", reason: "fix" },
    },
  });

  it("overrules the finding and withdraws the queued round when nothing blocking is left", () => {
    const d = pull(fixing, event, {
      permission: "write",
      ignoredKey: key,
      open: open(blocker, { round: 1 }),
    });
    expect(d.state?.ignored).toEqual([{ key, by: "maya", how: "/triad ignore" }]);
    expect(d.state?.phase).toBe("ready");
    expect(d.state?.fixRound).toBe(0);
    expect(d.effects[0]).toMatchObject({ type: "thread_reply", commentId: 55 });
  });

  it("from a read-only user it does nothing", () => {
    const d = pull(fixing, event, { permission: "read", ignoredKey: key, open: open(blocker, { round: 1 }) });
    expect(d.effects).toEqual([]);
    expect(d.state).toBe(fixing);
  });

  it("without a finding key (not triad's comment) it does nothing", () => {
    expect(pull(fixing, event, { permission: "admin" }).ignored).toMatch(/no finding/);
  });

  it("the finding marker is the one every reader uses", () => {
    expect(findingMarker("abc")).toBe("<!-- triad:finding id=abc -->");
  });
});

describe("merge and close", () => {
  const closed = (merged: boolean): WorkflowEvent => ({
    kind: "pr_closed",
    pullNumber: PR.number,
    merged,
    ...common,
  });

  it("merged from any live phase ends as merged with the time", () => {
    for (const phase of ["ready", "reviewing", "fixing", "needs-human"] as const) {
      const d = pull(reviewing({ phase }), closed(true));
      expect(d.state?.phase).toBe("merged");
      expect(d.state?.phaseTimes.merged).toBeDefined();
    }
  });

  it("the merge summary carries the repository's reviewer precision when the shell read it", () => {
    const ledger = foldEvents([
      {
        review: reviewRecord("r1", "openai:gpt-6.2-sol", [
          finding({ message: "one" }),
          finding({ message: "two" }),
        ]),
      },
    ]);
    const d = pull(reviewing({ phase: "ready" }), closed(true), { precision: ledger });
    expect(d.state?.note).toMatch(
      /^Merged by .*\n\n#### Reviewer precision on this repository\n\n\| Reviewer \|[\s\S]*\| `openai:gpt-6.2-sol` \| 2 \|/,
    );
  });

  it("closed without merging ends as closed", () => {
    expect(pull(reviewing({ phase: "ready" }), closed(false)).state?.phase).toBe("closed");
  });

  it("issues.closed arriving before the merge's pull_request.closed still ends as merged", () => {
    const first = decideIssueEvent(
      reviewing({ phase: "ready" }),
      { kind: "issue_closed", ...common },
      {},
      ctx(),
    );
    expect(first.state?.phase).toBe("ready");
    const then = pull(first.state as WorkflowState, closed(true));
    expect(then.state?.phase).toBe("merged");
  });

  it("another PR's close is ignored", () => {
    expect(pull(reviewing(), { ...closed(true), pullNumber: 99 } as WorkflowEvent).ignored).toMatch(
      /another/,
    );
  });
});

describe("labels follow the phase", () => {
  it("moves only the label that changes", () => {
    expect(labelsFor(reviewing(), "fixing")).toEqual({ type: "pr_labels", add: [], remove: [] });
    expect(labelsFor(reviewing(), "ready")).toEqual({
      type: "pr_labels",
      add: [LABELS.ready],
      remove: [LABELS.inReview],
    });
    expect(labelsFor(reviewing({ phase: "ready" }), "needs-human")).toEqual({
      type: "pr_labels",
      add: [LABELS.needsHuman],
      remove: [LABELS.ready],
    });
  });

  it("the check run is triad's named check", () => {
    expect(REVIEW_CHECK).toBe("triad/review");
  });
});
