import { describe, expect, it } from "vitest";
import { onApproval } from "../../src/core/approval.js";
import { readApprovedPlan } from "../../src/core/approved-plan.js";
import type { CommentEvent } from "../../src/core/event-facts.js";
import { contentHash, marker } from "../../src/core/markers.js";
import { renderPlan } from "../../src/core/render/architect.js";
import { roundFindingLines } from "../../src/core/render/developer.js";
import type { Plan } from "../../src/core/schemas/architect.js";
import type { DeveloperReport } from "../../src/core/schemas/developer.js";
import type { WorkflowState } from "../../src/core/state.js";
import {
  onArchitectTurn,
  onDeveloperBlocked,
  onReviewsAggregated,
  onRoundPublished,
  onRuling,
  onStepFailed,
  onStepSkipped,
  onTrace,
  roundBase,
  whyNotWanted,
} from "../../src/core/step-results.js";
import { modelText } from "../../src/text/sanitize.js";
import {
  aggregated,
  common,
  ctx,
  effectsOf,
  finding,
  NOW,
  open,
  PR,
  reviewing,
  state,
  step,
} from "../helpers/core-fixtures.js";

const plan: Plan = {
  goal: "Retries with backoff.",
  decisions: [
    {
      decision: "Use exponential backoff",
      why: "Load",
      alternatives: [{ option: "Fixed", why_rejected: "Thundering herd" }],
    },
  ],
  steps: [
    {
      title: "Add backoff",
      files: [{ path: "src/backoff.ts", action: "create" }],
      signatures: [],
      details: "Write it.",
    },
    {
      title: "Use it",
      files: [{ path: "src/retry.ts", action: "change" }],
      signatures: [],
      details: "Call it.",
    },
  ],
  tests: ["backoff grows"],
  out_of_scope: [],
  risks: [],
};
const report = (over: Partial<DeveloperReport> = {}): DeveloperReport => ({
  summary: "Built it.",
  not_covered: [],
  plan_steps: [{ step: 1, status: "done", files: ["src/backoff.ts"] }],
  findings: [],
  ...over,
});

describe("is a step still wanted? (the stale-run guard and friends)", () => {
  it("a step of an earlier run is dropped", () => {
    expect(whyNotWanted(state(), step({ kind: "architect", runId: "old" }))).toMatch(/earlier run/);
  });

  it("an architect turn for a comment an earlier turn already read is dropped", () => {
    expect(whyNotWanted(state({ seenCommentId: 50 }), step({ kind: "architect", commentId: 50 }))).toMatch(
      /already read/,
    );
    expect(
      whyNotWanted(state({ seenCommentId: 50 }), step({ kind: "architect", commentId: 51 })),
    ).toBeUndefined();
  });

  it("round 0 runs only for the approved version while implementing; a fix round only as the current round", () => {
    const s = reviewing({ phase: "implementing" });
    expect(whyNotWanted(s, step({ kind: "develop", round: 0, planVersion: 1 }))).toBeUndefined();
    expect(whyNotWanted(s, step({ kind: "develop", round: 0, planVersion: 2 }))).toBeDefined();
    const fixing = reviewing({ phase: "fixing", fixRound: 2 });
    expect(whyNotWanted(fixing, step({ kind: "develop", round: 2 }))).toBeUndefined();
    expect(whyNotWanted(fixing, step({ kind: "develop", round: 1 }))).toMatch(/no longer the round/);
  });

  it("reviews of a superseded head are dropped; rulings and traces only in their phase", () => {
    expect(whyNotWanted(reviewing(), step({ kind: "review", headSha: PR.headSha }))).toBeUndefined();
    expect(whyNotWanted(reviewing(), step({ kind: "review", headSha: "b".repeat(40) }))).toMatch(
      /superseded/,
    );
    expect(
      whyNotWanted(reviewing({ phase: "fixing" }), step({ kind: "architect", mode: "ruling" })),
    ).toBeUndefined();
    expect(
      whyNotWanted(reviewing({ phase: "ready" }), step({ kind: "architect", mode: "ruling" })),
    ).toBeDefined();
    expect(
      whyNotWanted(reviewing({ phase: "planning" }), step({ kind: "architect", mode: "spiral" })),
    ).toBeUndefined();
  });

  it("a skipped step stops showing as queued, only when it is the queued one", () => {
    const queued = { jobId: "j1", label: "x", step: step({ kind: "architect" }) };
    expect(onStepSkipped(state({ queued }), "j1", NOW).state?.queued).toBeUndefined();
    expect(onStepSkipped(state({ queued }), "j2", NOW).ignored).toBeDefined();
  });
});

describe("architect turns", () => {
  it("a plan → awaiting approval, posted with its marker; the interpreter learns its comment and hash", () => {
    const d = onArchitectTurn(
      state({ architectTurns: 1 }),
      "j1",
      { output: { plan }, seenCommentId: 40, usage: undefined },
      ctx(),
    );
    expect(d.state?.phase).toBe("awaiting-approval");
    expect(d.state?.plan?.version).toBe(1);
    expect(d.state?.seenCommentId).toBe(40);
    expect(d.effects[0]).toMatchObject({ type: "comment", marker: marker("architect", "j1"), learn: "plan" });
    expect(effectsOf(d.effects, "forget_result")).toEqual([{ type: "forget_result", jobId: "j1" }]);
  });

  it("a plan keeps the issue text its turn read; a later edit is noted, never used", () => {
    const d = onArchitectTurn(
      state(),
      "j1",
      { output: { plan }, seenCommentId: 0, usage: undefined, issue: { title: "T", body: "B" } },
      ctx(),
    );
    expect(d.state?.plan?.issue).toEqual({ title: "T", body: "B", hash: contentHash("T\n\nB") });
  });

  it("questions → still planning", () => {
    const d = onArchitectTurn(
      state(),
      "j1",
      {
        output: { questions: [{ question: "Which?", why: "It matters", options: [] }] },
        seenCommentId: 0,
        usage: undefined,
      },
      ctx(),
    );
    expect(d.state?.phase).toBe("planning");
    expect(d.effects[0]).toMatchObject({ type: "comment", body: expect.stringContaining("Which?") });
  });

  it("a newer comment waiting for its own turn keeps the workflow planning and stays queued", () => {
    const queued = { jobId: "j2", label: "x", step: step({ kind: "architect", commentId: 60 }) };
    const d = onArchitectTurn(
      state({ queued }),
      "j1",
      { output: { plan }, seenCommentId: 50, usage: undefined },
      ctx(),
    );
    expect(d.state?.phase).toBe("planning");
    expect(d.state?.queued?.jobId).toBe("j2");
  });
});

describe("when a maintainer says approved (core/approval.ts)", () => {
  const event = (id: number): CommentEvent => ({
    kind: "comment_created",
    onPullRequest: false,
    comment: { id, body: "approved", author: { login: "maya", type: "User" }, createdAt: NOW },
    ...common,
  });
  const awaitingV2 = reviewing({
    phase: "awaiting-approval",
    plan: {
      version: 2,
      commentId: 300,
      hash: "h2",
      issue: { title: "Retry", body: "Please.", hash: contentHash("Retry\n\nPlease.") },
    },
    approved: { version: 1, commentId: 100, hash: "h1", by: "maya", approvalCommentId: 101 },
    fixRound: 3,
    changes: [1, 2, 3].map(() => ({ files: ["src/retry.ts"], components: [] })),
    raisedKeys: ["k1", "k2"],
    reviewedSha: PR.headSha,
  });
  const facts = {
    permission: "write" as const,
    planCommentHash: "h2",
  };

  it("bug: a revised plan's approval starts a clean slate: rounds, spiral history, earlier findings", () => {
    const d = onApproval(awaitingV2, event(301), facts, ctx());
    expect(d.state).toMatchObject({ phase: "implementing", fixRound: 0, changes: [], raisedKeys: [] });
    expect(d.state?.reviewedSha).toBeUndefined();
    expect(d.effects).toContainEqual({ type: "clear_pending" });
    expect(effectsOf(d.effects, "enqueue")[0]?.step).toMatchObject({
      kind: "develop",
      round: 0,
      planVersion: 2,
    });
  });

  it("freezes with the plan the issue text the architect read for it, and keeps the branch it named once", () => {
    const d = onApproval(awaitingV2, event(301), facts, ctx());
    expect(d.state?.approved?.issue).toEqual({
      title: "Retry",
      body: "Please.",
      hash: contentHash("Retry\n\nPlease."),
    });
    expect(d.state?.branch).toBe(PR.branch);
    const fresh = onApproval({ ...awaitingV2, branch: undefined, pr: undefined }, event(301), facts, ctx());
    expect(fresh.state?.branch).toBe("triad/3-retry");
  });

  it("refuses an edited plan comment, an older approval, and a read user", () => {
    expect(
      onApproval(awaitingV2, event(301), { ...facts, planCommentHash: "other" }, ctx()).effects[0],
    ).toMatchObject({
      type: "reply",
      body: expect.stringMatching(/edited after the architect posted it/),
    });
    expect(onApproval(awaitingV2, event(299), facts, ctx()).effects[0]).toMatchObject({
      body: expect.stringMatching(/written before plan v2/),
    });
    expect(onApproval(awaitingV2, event(301), { ...facts, permission: "read" }, ctx()).state).toBe(
      awaitingV2,
    );
  });

  it("the plan-hash check at develop time: an approved comment edited afterwards is refused", () => {
    const body = renderPlan(plan, 1, "j1", "approved", modelText);
    const approved = state({
      approved: { version: 1, commentId: 1, hash: contentHash(body), by: "maya", approvalCommentId: 2 },
    });
    expect(readApprovedPlan(approved, body, modelText)).toEqual({ plan, version: 1 });
    expect(readApprovedPlan(approved, `${body}\nedited`, modelText)).toEqual({
      refused: expect.stringMatching(/edited after it was approved/),
    });
    expect(readApprovedPlan(approved, undefined, modelText)).toEqual({
      refused: expect.stringMatching(/deleted/),
    });
    expect(readApprovedPlan(state(), body, modelText)).toEqual({
      refused: expect.stringMatching(/no plan is approved/),
    });
  });
});

describe("developer rounds", () => {
  it("bug: round 0 after re-approval is computed and committed on the same base (a rebuild from the default branch)", () => {
    const s = reviewing({ phase: "implementing" });
    expect(roundBase(s, step({ kind: "develop", round: 0 }))).toEqual({
      from: "default-branch",
      rebuild: true,
      branch: PR.branch,
    });
    expect(roundBase(s, step({ kind: "develop", round: 2 }))).toEqual({
      from: "pr-branch",
      rebuild: false,
      branch: PR.branch,
    });
  });

  it("a published round starts the reviews of its head; only fix rounds count for the spiral", () => {
    const s = reviewing({
      phase: "implementing",
      devSteps: plan.steps.map((x) => ({ title: x.title, done: false })),
    });
    const d = onRoundPublished(
      s,
      "dev-1",
      {
        round: 0,
        pr: PR,
        freshCommit: true,
        changed: { files: ["src/backoff.ts"] },
        report: report(),
        reviewers: 2,
        usage: undefined,
      },
      ctx(),
    );
    expect(d.state?.phase).toBe("reviewing");
    expect(d.state?.changes).toEqual([]);
    expect(d.state?.devSteps?.map((x) => x.done)).toEqual([true, false]);
    expect(effectsOf(d.effects, "start_review")[0]?.step).toMatchObject({
      kind: "review",
      headSha: PR.headSha,
      reviewers: 2,
    });
    expect(effectsOf(d.effects, "check")[0]).toMatchObject({ state: { status: "in_progress" }, fresh: true });
    const fix = onRoundPublished(
      reviewing({ phase: "fixing", fixRound: 1, reviewedSha: "c".repeat(40) }),
      "dev-2",
      {
        round: 1,
        pr: PR,
        freshCommit: true,
        changed: { files: ["src/retry.ts"], components: ["src/**"] },
        report: report(),
        reviewers: 1,
        usage: undefined,
      },
      ctx(),
    );
    expect(fix.state?.changes).toEqual([{ files: ["src/retry.ts"], components: ["src/**"] }]);
    expect(effectsOf(fix.effects, "start_review")[0]?.step.sinceSha).toBe("c".repeat(40));
  });

  it("a fix round replies in no thread: what it did is in the PR body (one write, not one per finding)", () => {
    const found = aggregated([{ reviewer: "reviewer-1", findings: [finding()] }]);
    const key = found[0]?.key ?? "";
    const fixed = report({ findings: [{ id: key, status: "changed", note: "waits now" }] });
    const d = onRoundPublished(
      reviewing({ phase: "fixing", fixRound: 1 }),
      "dev-2",
      {
        round: 1,
        pr: PR,
        freshCommit: true,
        changed: { files: ["src/retry.ts"] },
        report: fixed,
        reviewers: 1,
        usage: undefined,
      },
      ctx(),
    );
    expect(d.effects.map((e) => e.type)).toEqual(["check", "start_review", "forget_result"]);
    expect(
      roundFindingLines(open(found, { round: 1, comments: { [key]: 555 } }), fixed, PR.url, ctx().text),
    ).toEqual([
      `  - ✅ fixed — [${found[0]?.severity} · src/retry.ts](${PR.url}#discussion_r555): waits now`,
    ]);
  });

  it("a blocked developer sends the plan back to the architect", () => {
    const d = onDeveloperBlocked(
      reviewing({ phase: "implementing" }),
      "dev-1",
      report({ blocked: { step: 2, found: "x", why: "y", decision_needed: "z" } }),
      undefined,
      ctx(),
    );
    expect(d.state).toMatchObject({ phase: "planning", approved: undefined });
    expect(effectsOf(d.effects, "enqueue")[0]?.step).toMatchObject({ kind: "architect" });
    expect(d.effects[0]).toMatchObject({ type: "comment", marker: marker("developer", "dev-1") });
  });
});

describe("after the reviews and the ruling", () => {
  const blocker = finding();
  const sets = [{ reviewer: "reviewer-1", findings: [blocker] }];

  it("aggregated reviews take the pending findings and decide", () => {
    const d = onReviewsAggregated(
      reviewing(),
      { headSha: PR.headSha, sets, reviewerCount: 1, overrules: [], comments: {}, usage: [], reviewUrls: [] },
      ctx(),
    );
    expect(d.effects[0]).toEqual({ type: "clear_pending" });
    expect(d.state?.phase).toBe("fixing");
    expect(d.state?.raisedKeys.length).toBe(1);
  });

  it("an overrule read from the threads makes the PR ready", () => {
    const key = aggregated(sets)[0]?.key ?? "";
    const d = onReviewsAggregated(
      reviewing(),
      {
        headSha: PR.headSha,
        sets,
        reviewerCount: 1,
        overrules: [{ key, by: "maya", how: "👎" }],
        comments: {},
        usage: [],
        reviewUrls: [],
      },
      ctx(),
    );
    expect(d.state?.phase).toBe("ready");
  });

  const disputed = aggregated(
    [
      { reviewer: "reviewer-1", findings: [blocker] },
      { reviewer: "reviewer-2", findings: [] },
    ],
    2,
  );
  const fixing = reviewing({ phase: "fixing", fixRound: 1 });
  const accept = { rulings: [{ finding: "F1", decision: "accept" as const, reason: "right" }] };

  it("an accepted finding → a fix round", () => {
    const d = onRuling(fixing, "r1", accept, open(disputed, { round: 1 }), undefined, ctx());
    expect(d.state?.phase).toBe("fixing");
    expect(d.state?.fixRound).toBe(2);
    expect(d.effects[0]).toMatchObject({ type: "comment", body: expect.stringContaining("✅ accepted") });
  });

  it("guard: the cap holds after a ruling", () => {
    const d = onRuling(
      reviewing({ phase: "fixing", fixRound: 3 }),
      "r1",
      accept,
      open(disputed, { round: 3 }),
      undefined,
      ctx(),
    );
    expect(d.state?.phase).toBe("needs-human");
    expect(effectsOf(d.effects, "enqueue")).toEqual([]);
  });

  it("bug: the spiral guard holds after a ruling", () => {
    const changes = [1, 2, 3].map(() => ({ files: ["src/retry.ts"], components: [] }));
    const d = onRuling(
      reviewing({ phase: "fixing", fixRound: 3, changes }),
      "r1",
      accept,
      open(disputed),
      undefined,
      ctx(),
    );
    expect(d.state?.phase).toBe("planning");
    expect(effectsOf(d.effects, "enqueue")[0]?.step).toMatchObject({ mode: "spiral" });
  });

  it("a rejected finding → ready", () => {
    const reject = { rulings: [{ finding: "F1", decision: "reject" as const, reason: "wrong" }] };
    expect(onRuling(fixing, "r1", reject, open(disputed), undefined, ctx()).state?.phase).toBe("ready");
  });

  it("a ruling or a trace with a revised plan → a new version waiting for approval", () => {
    const d = onRuling(fixing, "r1", { ...accept, revised_plan: plan }, open(disputed), undefined, ctx());
    expect(d.state).toMatchObject({ phase: "awaiting-approval", planVersion: 2 });
    expect(effectsOf(d.effects, "comment").map((c) => c.learn)).toEqual(["ruling", "plan"]);
    const t = onTrace(
      reviewing({ phase: "planning" }),
      "s1",
      { trace: "step 2", revised_plan: plan },
      open(disputed),
      undefined,
      ctx(),
    );
    expect(t.state).toMatchObject({ phase: "awaiting-approval", planVersion: 2 });
  });
});

describe("steps that fail for good", () => {
  const ref = {
    jobId: "dev-1",
    label: "developer: implement plan v1",
    step: step({ kind: "develop", round: 0, planVersion: 1 }),
  };

  it("records the failure once, with one comment and the failed job's spend", () => {
    const s = reviewing({ phase: "implementing", queued: ref });
    const spent = {
      version: 1 as const,
      lines: [
        {
          role: "developer",
          vendor: "anthropic",
          model: "m",
          calls: 1,
          inputTokens: 10,
          cachedInputTokens: 0,
          cacheWriteInputTokens: 0,
          outputTokens: 5,
          unpricedCalls: 1,
        },
      ],
    };
    const d = onStepFailed(s, ref, "boom\nstack", spent, ctx());
    expect(d.state?.failed).toMatchObject({ jobId: "dev-1", error: "boom" });
    expect(d.state?.queued).toBeUndefined();
    expect(d.state?.usage?.lines[0]?.inputTokens).toBe(10);
    expect(d.effects[0]).toMatchObject({ type: "comment", marker: marker("error", "dev-1") });
    expect(onStepFailed(d.state as WorkflowState, ref, "boom", undefined, ctx()).ignored).toMatch(/already/);
  });

  it("a failure the workflow has moved past is history", () => {
    const retried = reviewing({ phase: "implementing", queued: { ...ref, jobId: "dev-1-retry-5" } });
    expect(onStepFailed(retried, ref, "boom", undefined, ctx()).ignored).toMatch(/no longer waits/);
  });

  it("a reviewer's failure is its review flow's: retrying re-adds the flow", () => {
    const flow = {
      jobId: "review-x",
      label: "reviews of aaaaaaa",
      step: step({ kind: "review", headSha: PR.headSha }),
    };
    const child = {
      jobId: "review-x-r1",
      label: "reviewer 2 on aaaaaaa",
      step: step({ kind: "review_one", slot: 1, headSha: PR.headSha }),
    };
    const d = onStepFailed(reviewing({ queued: flow }), child, "502", undefined, ctx());
    expect(d.state?.failed).toMatchObject({
      jobId: "review-x",
      label: "reviewer 2 on aaaaaaa",
      step: { kind: "review" },
    });
    expect(d.state?.failed?.step.slot).toBeUndefined();
  });
});
