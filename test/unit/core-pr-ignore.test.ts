import { describe, expect, it } from "vitest";
import type { WorkflowEvent } from "../../src/core/events.js";
import { LABELS, replyMarker } from "../../src/core/markers.js";
import { decidePullEvent, isPullEvent, type PullEvent, type PullFacts } from "../../src/core/pr-events.js";
import type { WorkflowState } from "../../src/core/state.js";
import {
  aggregated,
  checkFailed,
  ciFindings,
  common,
  ctx,
  effectsOf,
  finding,
  NOW,
  open,
  PR,
  reviewing,
  state,
} from "../helpers/core-fixtures.js";

const pull = (s: WorkflowState | undefined, e: WorkflowEvent, facts: PullFacts = {}) =>
  decidePullEvent(s, e as PullEvent, facts, ctx());

const blocker = aggregated([{ reviewer: "reviewer-1", findings: [finding()] }]);
const mixed = aggregated([
  {
    reviewer: "reviewer-1",
    findings: [
      finding(),
      finding({ path: "src/b.ts", anchor: "b()", severity: "minor", message: "Rename the helper b" }),
    ],
  },
]);
const majorToo = aggregated([
  {
    reviewer: "reviewer-1",
    findings: [
      finding(),
      finding({ path: "src/c.ts", anchor: "c()", severity: "major", message: "Leaks the socket" }),
    ],
  },
]);
const key = blocker[0]?.key ?? "";
const ignoreIn = (inReplyTo: number | undefined, id = 88): WorkflowEvent => ({
  kind: "review_comment_created",
  pullNumber: PR.number,
  comment: {
    id,
    body: "/triad ignore",
    author: { login: "omar", type: "User" },
    ...(inReplyTo === undefined ? {} : { inReplyTo }),
  },
  ...common,
});
const developQueued = (round: number) => ({
  jobId: "develop-x",
  label: `developer: fix round ${round}`,
  step: { ...common, kind: "develop" as const, round, runId: "d-1", reason: "fix" },
});
const fixing = (over: Partial<WorkflowState> = {}) =>
  reviewing({ phase: "fixing", fixRound: 1, queued: developQueued(1), ...over });
const threadReply = {
  type: "thread_reply",
  pull: PR.number,
  commentId: 55,
  marker: replyMarker("ignore-88"),
  body: "Noted: @omar overruled this finding; it is dropped from the next fix round and from the ready decision.",
};

describe("/triad ignore in a finding's thread (pr-events.ts)", () => {
  it("while reviews run: the finding is overruled and the thread is answered, nothing else", () => {
    const d = pull(reviewing(), ignoreIn(55), { permission: "write", ignoredKey: key });
    expect(d.state?.ignored).toEqual([{ key, by: "omar", how: "/triad ignore" }]);
    expect(d.state?.updatedAt).toBe(NOW);
    expect(d.state?.phase).toBe("reviewing");
    expect(d.effects).toEqual([threadReply]);
  });

  it("a top-level review comment is not a reply in a thread", () => {
    expect(pull(reviewing(), ignoreIn(undefined), { permission: "admin", ignoredKey: key }).ignored).toBe(
      "not a reply in a finding's thread",
    );
  });

  it("from someone without write access it overrules nothing", () => {
    const d = pull(reviewing(), ignoreIn(55), { ignoredKey: key });
    expect(d.ignored).toBe("@omar may not overrule findings");
    expect(d.effects).toEqual([]);
  });

  it("a finding overruled twice is answered once", () => {
    const s = reviewing({ ignored: [{ key, by: "maya", how: "👎" }] });
    const d = pull(s, ignoreIn(55, 89), { permission: "write", ignoredKey: key });
    expect(d.ignored).toBe("already overruled");
    expect(d.state).toBe(s);
    // another finding's key is still taken
    const other = pull(s, ignoreIn(55), { permission: "write", ignoredKey: "other" });
    expect(other.state?.ignored.map((i) => i.key)).toEqual([key, "other"]);
  });

  it("the queued round is withdrawn when only minor findings are left: ready, labelled, checked green", () => {
    const d = pull(fixing(), ignoreIn(55), {
      permission: "write",
      ignoredKey: key,
      open: open(mixed, { round: 1, comments: { [key]: 55 } }),
    });
    expect(d.state).toMatchObject({ phase: "ready", fixRound: 0, queued: undefined });
    expect(d.effects[0]).toEqual(threadReply);
    expect(effectsOf(d.effects, "pr_labels")).toEqual([
      { type: "pr_labels", add: [LABELS.ready], remove: [LABELS.inReview] },
    ]);
    const check = effectsOf(d.effects, "check")[0];
    expect(check?.state).toEqual({ status: "completed", conclusion: "success" });
    expect(check?.headSha).toBe(PR.headSha);
    expect(check?.summary).toContain("1 overruled by a maintainer.");
    expect(check?.summary).toContain(
      "Minor findings left for the maintainer:\n- **minor** `src/b.ts`: Rename the helper b",
    );
  });

  it("the round stays while a blocker or a major is left", () => {
    const d = pull(fixing(), ignoreIn(55), {
      permission: "write",
      ignoredKey: key,
      open: open(majorToo, { round: 1 }),
    });
    expect(d.state).toMatchObject({ phase: "fixing", fixRound: 1 });
    expect(d.effects).toEqual([threadReply]);
    const blockerLeft = aggregated([
      {
        reviewer: "reviewer-1",
        findings: [finding(), finding({ path: "src/d.ts", anchor: "d()", message: "Races on close" })],
      },
    ]);
    const d2 = pull(fixing(), ignoreIn(55), {
      permission: "write",
      ignoredKey: key,
      open: open(blockerLeft, { round: 1 }),
    });
    expect(d2.state?.phase).toBe("fixing");
  });

  it("nothing is withdrawn unless the queued step is this round's developer", () => {
    const facts = { permission: "write" as const, ignoredKey: key, open: open(blocker, { round: 1 }) };
    for (const s of [
      fixing({ queued: undefined }),
      fixing({ phase: "reviewing" }),
      fixing({ queued: { ...developQueued(1), step: { ...developQueued(1).step, kind: "architect" } } }),
      fixing({ fixRound: 2, queued: developQueued(2) }),
    ]) {
      const d = pull(s, ignoreIn(55), facts);
      expect(d.state?.phase).toBe(s.phase);
      expect(d.state?.fixRound).toBe(s.fixRound);
      expect(d.effects).toEqual([threadReply]);
    }
    const noOpen = pull(fixing(), ignoreIn(55), { permission: "write", ignoredKey: key });
    expect(noOpen.state?.phase).toBe("fixing");
  });
});

describe("what is and is not a pull request event", () => {
  it("PR closes, reviews, checks, review comments and comments on the PR", () => {
    const comment = (onPullRequest: boolean): WorkflowEvent => ({
      kind: "comment_created",
      onPullRequest,
      comment: { id: 1, body: "x", author: { login: "m", type: "User" }, createdAt: "" },
      ...common,
    });
    expect(isPullEvent({ kind: "pr_closed", pullNumber: 9, merged: false, ...common })).toBe(true);
    expect(
      isPullEvent({ kind: "pr_review_submitted", pullNumber: 9, reviewId: 1, state: "x", ...common }),
    ).toBe(true);
    expect(isPullEvent(checkFailed())).toBe(true);
    expect(isPullEvent(ignoreIn(1))).toBe(true);
    expect(isPullEvent(comment(true))).toBe(true);
    expect(isPullEvent(comment(false))).toBe(false);
    expect(isPullEvent({ kind: "issue_closed", ...common })).toBe(false);
    expect(isPullEvent({ kind: "issue_labeled", label: "triad", ...common })).toBe(false);
  });

  it("without a workflow or its PR, nothing happens", () => {
    expect(pull(undefined, checkFailed()).ignored).toBe("no pull request in this workflow");
    expect(pull(state({ phase: "implementing" }), checkFailed()).ignored).toBe(
      "no pull request in this workflow",
    );
  });
});

describe("reviews, /triad fix and checks on the PR", () => {
  const review = (s: string): WorkflowEvent => ({
    kind: "pr_review_submitted",
    pullNumber: 9,
    reviewId: 5,
    state: s,
    ...common,
  });
  const human = { reviewer: "omar", origin: "human" as const, findings: [finding({ severity: "major" })] };

  it("changes requested counts whatever its case; an approval does not", () => {
    expect(
      pull(reviewing({ phase: "ready" }), review("CHANGES_REQUESTED"), {
        permission: "write",
        findings: human,
      }).state?.phase,
    ).toBe("fixing");
    expect(
      pull(reviewing({ phase: "ready" }), review("commented"), { permission: "write", findings: human })
        .ignored,
    ).toBe("the review requests no changes");
  });

  const fixComment: WorkflowEvent = {
    kind: "comment_created",
    onPullRequest: true,
    pullNumber: 9,
    comment: { id: 77, body: "/triad fix", author: { login: "omar", type: "User" }, createdAt: "" },
    ...common,
  };

  it("/triad fix answers on the PR, first, then the round", () => {
    const d = pull(reviewing({ phase: "ready" }), fixComment, {
      intent: { type: "command", name: "fix", args: "" },
      permission: "write",
      findings: human,
    });
    expect(d.effects[0]).toEqual({
      type: "reply",
      to: 77,
      onPull: 9,
      body: "Queued for the developer's next fix round, ahead of the reviewers' findings.",
    });
    expect(d.effects.slice(1).map((e) => e.type)).toContain("enqueue");
  });

  it("/triad fix that raises nothing gets no reply; other comments on the PR are not commands for it", () => {
    const none = pull(reviewing({ phase: "ready" }), fixComment, {
      intent: { type: "command", name: "fix", args: "" },
      permission: "write",
    });
    expect(none.effects).toEqual([]);
    expect(none.ignored).toBe("no findings");
    for (const intent of [
      undefined,
      { type: "message" as const },
      { type: "command" as const, name: "status" as const, args: "" },
    ])
      expect(
        pull(reviewing(), fixComment, { ...(intent ? { intent } : {}), permission: "write", findings: human })
          .ignored,
      ).toBe("not a command for the PR");
  });

  it("a failed check with no finding in it changes nothing", () => {
    expect(pull(reviewing({ phase: "ready" }), checkFailed()).ignored).toBe("the check gave no finding");
    expect(pull(reviewing({ phase: "ready" }), checkFailed(), { findings: ciFindings }).state?.phase).toBe(
      "fixing",
    );
  });
});

describe("merge and close notes", () => {
  const closed = (merged: boolean): WorkflowEvent => ({
    kind: "pr_closed",
    pullNumber: PR.number,
    merged,
    ...common,
  });

  it("merged: who merged it, nothing left queued; a second merge event is ignored", () => {
    const d = pull(reviewing({ phase: "fixing", queued: developQueued(1) }), closed(true));
    expect(d.state).toMatchObject({
      phase: "merged",
      note: "Merged by maya.",
      queued: undefined,
      updatedAt: NOW,
    });
    expect(d.state?.phaseTimes.merged).toBe(NOW);
    expect(d.effects).toEqual([]);
    expect(d.tracking).toBe(true);
    expect(pull(reviewing({ phase: "merged" }), closed(true)).ignored).toBe("already merged");
  });

  it("a merge after a stop still ends as merged", () => {
    expect(pull(reviewing({ phase: "stopped" }), closed(true)).state?.phase).toBe("merged");
  });

  it("closed without merging: the workflow stopped, with who closed it", () => {
    const d = pull(reviewing({ phase: "ready", queued: developQueued(1) }), closed(false));
    expect(d.state).toMatchObject({
      phase: "closed",
      queued: undefined,
      note: "The pull request was closed without merging by maya; the workflow stopped.",
    });
    expect(d.state?.phaseTimes.closed).toBe(NOW);
    expect(d.effects).toEqual([]);
    for (const phase of ["merged", "closed", "stopped"] as const)
      expect(pull(reviewing({ phase }), closed(false)).ignored).toBe("the workflow has ended");
  });
});
