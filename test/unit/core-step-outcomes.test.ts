import { describe, expect, it } from "vitest";
import { LABELS, marker } from "../../src/core/markers.js";
import { roundFindingLines } from "../../src/core/render/developer.js";
import type { Plan } from "../../src/core/schemas/architect.js";
import type { DeveloperReport } from "../../src/core/schemas/developer.js";
import type { StepRef, WorkflowState } from "../../src/core/state.js";
import {
  onArchitectTurn,
  onDeveloperBlocked,
  onDeveloperProgress,
  onReviewsAggregated,
  onRoundPublished,
  onRuling,
  onStepFailed,
  onTooLargeToReview,
  onTrace,
  type RoundPublished,
  roundNote,
} from "../../src/core/step-results.js";
import type { UsageLine } from "../../src/core/usage.js";
import {
  aggregated,
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
  goal: "Retry failed requests",
  decisions: [
    { decision: "Backoff", why: "Load", alternatives: [{ option: "None", why_rejected: "Storms" }] },
  ],
  steps: [
    {
      title: "Add the loop",
      files: [{ path: "src/retry.ts", action: "create" }],
      signatures: [],
      details: "Loop",
    },
    {
      title: "Wire it",
      files: [{ path: "src/client.ts", action: "change" }],
      signatures: [],
      details: "Call",
    },
  ],
  tests: ["retries"],
  out_of_scope: [],
  risks: [],
};
const report = (over: Partial<DeveloperReport> = {}): DeveloperReport => ({
  summary: "Added the loop.",
  not_covered: [],
  plan_steps: [],
  findings: [],
  ...over,
});
const usageLine = (over: Partial<UsageLine> = {}): UsageLine => ({
  role: "developer",
  vendor: "openai",
  model: "gpt",
  calls: 1,
  inputTokens: 10,
  cachedInputTokens: 0,
  cacheWriteInputTokens: 0,
  outputTokens: 5,
  costUsd: 0.01,
  unpricedCalls: 0,
  ...over,
});
const usage = (...lines: UsageLine[]) => ({ version: 1 as const, lines });
const architectQueued = (jobId: string, commentId?: number): StepRef => ({
  jobId,
  label: "architect: x",
  step: step({ kind: "architect", mode: "turn", ...(commentId === undefined ? {} : { commentId }) }),
});

describe("an architect turn's result", () => {
  it("questions: posted with a mention, still planning, the turn counted and the comments read", () => {
    const s = state({
      seenCommentId: 10,
      architectTurns: 1,
      queued: architectQueued("t1"),
      failed: { ...architectQueued("t0"), error: "x" },
    });
    const d = onArchitectTurn(
      s,
      "t1",
      {
        output: { questions: [{ question: "Which client?", why: "Two exist", options: [] }] },
        seenCommentId: 12,
        usage: usage(usageLine()),
      },
      ctx(),
    );
    expect(d.state).toMatchObject({
      phase: "planning",
      architectTurns: 2,
      seenCommentId: 12,
      queued: undefined,
      failed: undefined,
      updatedAt: NOW,
    });
    expect(d.state?.usage).toEqual(usage(usageLine()));
    const [comment] = effectsOf(d.effects, "comment");
    expect(comment).toMatchObject({ marker: marker("architect", "t1"), learn: "questions" });
    expect(comment?.body).toContain("**The architect has questions before planning.** @maya: Answer");
    expect(d.effects[1]).toEqual({ type: "forget_result", jobId: "t1" });
  });

  it("never forgets a comment read before: the newest seen id is kept", () => {
    const d = onArchitectTurn(
      state({ seenCommentId: 20 }),
      "t1",
      { output: { plan }, seenCommentId: 12, usage: undefined },
      ctx(),
    );
    expect(d.state?.seenCommentId).toBe(20);
  });

  it("a plan: the next version, posted with the approval word, waiting for approval", () => {
    const s = state({
      plan: { version: 2, commentId: 5, hash: "h", issue: { title: "t", body: "b", hash: "x" } },
      planVersion: 2,
    });
    const d = onArchitectTurn(
      s,
      "t3",
      { output: { plan }, seenCommentId: 0, usage: undefined },
      ctx("approval_words: [lgtm, approved]\n"),
    );
    expect(d.state).toMatchObject({ phase: "awaiting-approval", planVersion: 3 });
    // commentId and hash come from the posted comment; without new issue text the old one is kept
    expect(d.state?.plan).toEqual({
      version: 3,
      commentId: 0,
      hash: "",
      issue: { title: "t", body: "b", hash: "x" },
    });
    const [comment] = effectsOf(d.effects, "comment");
    expect(comment).toMatchObject({ marker: marker("architect", "t3"), learn: "plan" });
    expect(comment?.body).toContain("## Plan v3");
    expect(comment?.body).toContain("@maya: reply **`lgtm`**");
    // After the new version is posted, the one it replaces is marked superseded.
    expect(d.effects.map((e) => e.type)).toEqual(["comment", "supersede_plan", "forget_result"]);
  });

  it("a plan made from newly read issue text freezes it with its hash and clears the edit note", () => {
    const d = onArchitectTurn(
      state({ issueEditedSincePlan: true }),
      "t1",
      { output: { plan }, issue: { title: "Add retry", body: "Please" }, seenCommentId: 0, usage: undefined },
      ctx(),
    );
    expect(d.state?.plan?.issue).toEqual({
      title: "Add retry",
      body: "Please",
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(d.state?.issueEditedSincePlan).toBe(false);
    expect(d.state?.plan?.version).toBe(1);
  });

  it("a newer comment already queued for its own turn keeps the workflow planning; an older one does not", () => {
    const newer = onArchitectTurn(
      state({ queued: architectQueued("t2", 30) }),
      "t1",
      { output: { plan }, seenCommentId: 20, usage: undefined },
      ctx(),
    );
    expect(newer.state?.phase).toBe("planning");
    expect(newer.state?.queued?.jobId).toBe("t2");
    const read = onArchitectTurn(
      state({ queued: architectQueued("t2", 20) }),
      "t1",
      { output: { plan }, seenCommentId: 20, usage: undefined },
      ctx(),
    );
    expect(read.state?.phase).toBe("awaiting-approval");
    const noComment = onArchitectTurn(
      state({ queued: architectQueued("t2") }),
      "t1",
      { output: { plan }, seenCommentId: 20, usage: undefined },
      ctx(),
    );
    expect(noComment.state?.phase).toBe("planning");
  });
});

describe("the developer's progress and a blocked round", () => {
  it("progress ticks the checklist", () => {
    const devSteps = [{ title: "Add the loop", done: true }];
    const d = onDeveloperProgress(state({ phase: "implementing" }), devSteps, ctx());
    expect(d.state).toMatchObject({ devSteps, updatedAt: NOW });
    expect(d.effects).toEqual([]);
  });

  it("blocked: the architect revises the plan; the approval is withdrawn", () => {
    const s = reviewing({
      phase: "implementing",
      approved: { version: 2, commentId: 1, hash: "h", by: "maya", approvalCommentId: 2 },
      devSteps: [{ title: "x", done: false }],
    });
    const blocked = report({
      blocked: { step: 2, found: "no client", why: "gone", decision_needed: "where" },
    });
    const d = onDeveloperBlocked(s, "dev-1", blocked, usage(usageLine()), ctx());
    expect(d.state).toMatchObject({
      phase: "planning",
      approved: undefined,
      devSteps: undefined,
      usage: usage(usageLine()),
      note: "The developer stopped at step 2 of plan v2; the architect is revising the plan, which will need a new `approved`.",
    });
    const [enqueue] = effectsOf(d.effects, "enqueue");
    expect(enqueue?.step).toMatchObject({
      kind: "architect",
      mode: "turn",
      reason: "the developer could not follow plan v2 (step 2); revise the plan",
    });
    expect(enqueue?.jobId).toBe("architect-acme-weather-client-3-blocked-dev-1");
    expect(d.state?.queued).toEqual({
      jobId: enqueue?.jobId,
      label: "architect: the developer could not follow plan v2 (step 2); revise the plan",
      step: enqueue?.step,
    });
    expect(effectsOf(d.effects, "comment")[0]?.body).toContain(
      "plan v2 cannot be followed as written (step 2)",
    );
    expect(d.effects[2]).toEqual({ type: "forget_result", jobId: "dev-1" });
  });

  it("blocked with no approved plan or step named", () => {
    const d = onDeveloperBlocked(state({ phase: "implementing" }), "dev-1", report(), undefined, ctx());
    expect(d.state?.note).toBe(
      "The developer stopped at step ? of plan v0; the architect is revising the plan, which will need a new `approved`.",
    );
  });
});

describe("a published round", () => {
  const published = (over: Partial<RoundPublished> = {}): RoundPublished => ({
    round: 0,
    pr: PR,
    freshCommit: false,
    changed: { files: ["src/retry.ts"] },
    report: report(),
    reviewers: 1,
    usage: undefined,
    ...over,
  });

  it("the check says how many reviewers review, and since which head", () => {
    const one = onRoundPublished(reviewing({ phase: "implementing" }), "d1", published(), ctx());
    expect(effectsOf(one.effects, "check")[0]).toEqual({
      type: "check",
      headSha: PR.headSha,
      state: { status: "in_progress" },
      title: "Reviewing aaaaaaa",
      summary: "1 reviewer from other vendors than the developer's are reviewing.",
      fresh: false,
    });
    const two = onRoundPublished(
      reviewing({ phase: "fixing", fixRound: 1, reviewedSha: "b".repeat(40) }),
      "d2",
      published({ round: 1, reviewers: 2 }),
      ctx(),
    );
    expect(effectsOf(two.effects, "check")[0]?.summary).toBe(
      "2 reviewers from other vendors than the developer's are reviewing the changes since bbbbbbb.",
    );
    // a first round reviews everything even when a head was reviewed before
    const again = onRoundPublished(
      reviewing({ phase: "implementing", reviewedSha: "b".repeat(40) }),
      "d1",
      published(),
      ctx(),
    );
    expect(effectsOf(again.effects, "start_review")[0]?.step.sinceSha).toBeUndefined();
  });

  it("reviewing now: the review queued under its head, the phase time, the round noted once", () => {
    const s = reviewing({
      phase: "fixing",
      fixRound: 1,
      note: "Fix round 1",
      roundNotes: [{ round: 1, sha: "old", summary: "earlier try", files: [] }],
      changes: [{ files: ["a"], components: [] }],
    });
    const d = onRoundPublished(
      s,
      "d2",
      published({ round: 1, changed: { files: ["src/retry.ts"] }, usage: usage(usageLine()) }),
      ctx(),
    );
    const [start] = effectsOf(d.effects, "start_review");
    expect(start?.step).toMatchObject({
      kind: "review",
      reason: "review aaaaaaa",
      prNumber: 9,
      headSha: PR.headSha,
      reviewers: 1,
    });
    expect(start?.jobId).toBe(`review-acme-weather-client-3-${PR.headSha}`);
    expect(d.state).toMatchObject({ phase: "reviewing", note: undefined, usage: usage(usageLine()) });
    expect(d.state?.queued).toEqual({ jobId: start?.jobId, label: "reviews of aaaaaaa", step: start?.step });
    expect(d.state?.phaseTimes.reviewing).toBe(NOW);
    expect(d.state?.roundNotes).toEqual([
      { round: 1, sha: PR.headSha, summary: "Added the loop.", files: ["src/retry.ts"] },
    ]);
    expect(d.state?.changes).toEqual([
      { files: ["a"], components: [] },
      { files: ["src/retry.ts"], components: [] },
    ]);
    expect(d.effects.at(-1)).toEqual({ type: "forget_result", jobId: "d2" });
  });

  it("ticks only the plan steps reported done; without a checklist there is none", () => {
    const devSteps = [
      { title: "Add the loop", done: false },
      { title: "Wire it", done: true },
      { title: "Docs", done: false },
    ];
    const d = onRoundPublished(
      reviewing({ phase: "implementing", devSteps }),
      "d1",
      published({
        report: report({
          plan_steps: [
            { step: 1, status: "partly", files: [] },
            { step: 3, status: "done", files: [] },
          ],
        }),
      }),
      ctx(),
    );
    expect(d.state?.devSteps?.map((x) => x.done)).toEqual([false, true, true]);
    const none = onRoundPublished(reviewing({ phase: "implementing" }), "d1", published(), ctx());
    expect(none.state?.devSteps).toEqual([]);
    expect(none.effects.map((e) => e.type)).toEqual(["check", "start_review", "forget_result"]);
  });

  it("keeps the last twenty round notes", () => {
    const roundNotes = Array.from({ length: 20 }, (_, i) => ({
      round: i + 1,
      sha: "s",
      summary: "x",
      files: [],
    }));
    const d = onRoundPublished(
      reviewing({ phase: "fixing", fixRound: 21, roundNotes }),
      "d",
      published({ round: 21 }),
      ctx(),
    );
    expect(d.state?.roundNotes).toHaveLength(20);
    expect(d.state?.roundNotes[0]?.round).toBe(2);
    expect(d.state?.roundNotes[19]?.round).toBe(21);
  });

  it("a round note is the summary's first line, clipped, and at most fifty files", () => {
    const files = Array.from({ length: 60 }, (_, i) => `f${i}.ts`);
    const note = roundNote({
      round: 2,
      pr: PR,
      report: report({ summary: `  ${"s".repeat(400)}\nmore` }),
      changed: { files },
    });
    expect(note.summary).toBe(`${"s".repeat(299)}…`);
    expect(note.files).toHaveLength(50);
    expect(
      roundNote({ round: 1, pr: PR, report: report({ summary: "t".repeat(300) }), changed: { files: [] } })
        .summary,
    ).toBe("t".repeat(300));
  });

  it("lists what a round did per finding, found by any of its keys, linked to its thread; an unknown finding is left out", () => {
    const found = aggregated([
      { reviewer: "r1", findings: [finding()] },
      {
        reviewer: "r2",
        findings: [
          finding({ anchor: "return  fn();", message: "Retry loop does not wait between the attempts" }),
        ],
      },
    ]);
    const f = found[0];
    const second = f?.keys[1] ?? "";
    const lines = roundFindingLines(
      open(found, { round: 2, comments: { [second]: 700 } }),
      report({
        findings: [
          { id: f?.key ?? "", status: "not_changed", note: "The plan says so.\nMore." },
          { id: "unknown", status: "changed", note: "x" },
        ],
      }),
      PR.url,
      ctx().text,
    );
    expect(lines).toEqual([
      `  - ⏸ not changed — [${f?.severity} · ${f?.path}](${PR.url}#discussion_r700): The plan says so.`,
    ]);
    // A finding with no thread (a human's, folded into a body) is listed without a link.
    const unanchored = roundFindingLines(
      open(found, { round: 2, comments: {} }),
      report({ findings: [{ id: f?.key ?? "", status: "changed", note: "" }] }),
      PR.url,
      ctx().text,
    );
    expect(unanchored).toEqual([`  - ✅ fixed — ${f?.severity} · ${f?.path}`]);
  });
});

describe("reviews aggregated", () => {
  it("counts new findings by severity and reviewer once, and merges the reviewers' usage", () => {
    const sets = [
      { reviewer: "r1", findings: [finding()] },
      {
        reviewer: "r2",
        findings: [finding({ path: "src/b.ts", anchor: "b", severity: "minor", message: "Rename b" })],
      },
    ];
    const first = onReviewsAggregated(
      reviewing({ usage: usage(usageLine({ role: "developer" })) }),
      {
        headSha: PR.headSha,
        sets,
        reviewerCount: 2,
        overrules: [],
        comments: {},
        usage: [usage(usageLine({ role: "reviewer" })), usage(usageLine({ role: "reviewer", calls: 2 }))],
        reviewUrls: ["https://r1", "https://r2"],
      },
      ctx(),
    );
    expect(first.state?.findingStats).toEqual({
      "severity:blocker": 1,
      "severity:minor": 1,
      "by:r1": 1,
      "by:r2": 1,
    });
    expect(first.state?.usage?.lines.map((l) => [l.role, l.calls])).toEqual([
      ["developer", 1],
      ["reviewer", 3],
    ]);
    expect(first.state?.links.reviews).toEqual(["https://r1", "https://r2"]);
    expect(first.effects[0]).toEqual({ type: "clear_pending" });
    // the same findings again are repeats: not counted, not raised twice
    const again = onReviewsAggregated(
      first.state as WorkflowState,
      { headSha: PR.headSha, sets, reviewerCount: 2, overrules: [], comments: {}, usage: [], reviewUrls: [] },
      ctx(),
    );
    expect(again.state?.findingStats).toEqual(first.state?.findingStats);
    expect(again.state?.raisedKeys).toEqual(first.state?.raisedKeys);
    expect(again.state?.phase).toBe("ready");
  });

  it("puts the cross-vendor marks in the round's check run and the ledger's verdicts in the state (no review edit)", () => {
    const sets = [
      {
        reviewer: "reviewer-1",
        findings: [finding(), finding({ anchor: "b", severity: "minor", message: "Rename b" })],
      },
      { reviewer: "reviewer-2", findings: [finding({ message: "No wait between the attempts" })] },
    ];
    const outcome = {
      v: 1 as const,
      round: PR.headSha,
      confirmed: ["k1"],
      fixed: [],
      overruled: [],
      rejected: [],
    };
    const d = onReviewsAggregated(
      reviewing(),
      {
        headSha: PR.headSha,
        sets,
        reviewerCount: 2,
        overrules: [],
        comments: {},
        usage: [],
        reviewUrls: [],
        familyOf: { "reviewer-1": "openai", "reviewer-2": "google" },
        outcomes: [outcome],
      },
      ctx(),
    );
    const check = effectsOf(d.effects, "check")[0];
    expect(check?.summary).toMatch(
      /#### Across reviewers\n\n- \*\*blocker\*\* `src\/retry.ts`.* The retry loop never waits between attempts — ✅ Confirmed by two vendors \(google, openai\)/,
    );
    expect(check?.summary).toContain("Rename b — Raised by one reviewer (reviewer-1, openai)");
    expect(d.state?.roundOutcomes).toEqual([outcome]);
    expect(
      d.effects.some((e) => e.type === "save_findings" && e.open.marks?.includes("Across reviewers")),
    ).toBe(true);
    // One reviewer: nothing to compare, the summary is as before.
    const one = onReviewsAggregated(
      reviewing(),
      {
        headSha: PR.headSha,
        sets: sets.slice(0, 1),
        reviewerCount: 1,
        overrules: [],
        comments: {},
        usage: [],
        reviewUrls: [],
      },
      ctx(),
    );
    expect(effectsOf(one.effects, "check")[0]?.summary).not.toContain("Across reviewers");
  });

  it("a reviewer who posted nothing still counts: a finding only one of two raised is single and goes to the architect", () => {
    const d = onReviewsAggregated(
      reviewing(),
      {
        headSha: PR.headSha,
        sets: [{ reviewer: "r1", findings: [finding()] }],
        reviewerCount: 2,
        overrules: [],
        comments: {},
        usage: [],
        reviewUrls: [],
      },
      ctx(),
    );
    expect(d.state?.queued?.step).toMatchObject({ kind: "architect", mode: "ruling" });
  });

  it("new findings add to the counts of earlier rounds", () => {
    const d = onReviewsAggregated(
      reviewing({ findingStats: { "severity:blocker": 2, "by:r1": 5 } }),
      {
        headSha: PR.headSha,
        sets: [{ reviewer: "r1", findings: [finding()] }],
        reviewerCount: 1,
        overrules: [],
        comments: {},
        usage: [],
        reviewUrls: [],
      },
      ctx(),
    );
    expect(d.state?.findingStats).toEqual({ "severity:blocker": 3, "by:r1": 6 });
  });

  it("an overrule read from a thread is kept once", () => {
    const s = reviewing({ ignored: [{ key: "k", by: "maya", how: "👎" }] });
    const d = onReviewsAggregated(
      s,
      {
        headSha: PR.headSha,
        sets: [],
        reviewerCount: 1,
        overrules: [
          { key: "k", by: "omar", how: "/triad ignore" },
          { key: "k2", by: "omar", how: "👎" },
        ],
        comments: {},
        usage: [],
        reviewUrls: [],
      },
      ctx(),
    );
    expect(d.state?.ignored).toEqual([
      { key: "k", by: "maya", how: "👎" },
      { key: "k2", by: "omar", how: "👎" },
    ]);
  });
});

describe("a pull request too large to review", () => {
  it("says why and what a maintainer can do, in a comment, the note and an action-required check", () => {
    const queued = {
      jobId: "review-1",
      label: "reviews of aaaaaaa",
      step: step({ kind: "review", headSha: PR.headSha }),
    };
    const d = onTooLargeToReview(
      reviewing({ queued }),
      queued,
      { headSha: PR.headSha, files: 3500, lines: 90000 },
      ctx(),
    );
    const why =
      "It changes 3500 files (90000 lines); GitHub lists at most 3,000 files of a pull request, so the reviewers cannot see all of it.";
    const todo =
      "A maintainer can review and merge it by hand, or make it smaller — split the work, or take generated and vendored files off the branch — and comment `/triad retry`.";
    expect(d.state).toMatchObject({
      phase: "reviewing",
      queued: undefined,
      failed: { ...queued, error: "too large to review" },
      note: `**Too large to review.** ${why} ${todo}`,
    });
    expect(d.effects).toEqual([
      {
        type: "comment",
        marker: marker("error", `too-large-${PR.headSha}`),
        body: `⚠️ **triad cannot review this pull request.** ${why}\n\n${todo}`,
      },
      { type: "pr_labels", add: [LABELS.needsHuman], remove: [LABELS.inReview] },
      {
        type: "check",
        headSha: PR.headSha,
        state: { status: "completed", conclusion: "action_required" },
        title: "Too large to review",
        summary: `${why}\n\n${todo}`,
      },
    ]);
    const other = { ...queued, jobId: "other" };
    expect(
      onTooLargeToReview(
        reviewing({ queued: other }),
        queued,
        { headSha: PR.headSha, files: 1, lines: 1 },
        ctx(),
      ).state?.queued,
    ).toEqual(other);
  });
});

describe("the architect's ruling and trace", () => {
  const found = aggregated([
    {
      reviewer: "r1",
      findings: [
        finding(),
        finding({ path: "src/b.ts", anchor: "b", severity: "major", message: "Leaks the socket" }),
      ],
    },
  ]);
  const ruling = (over: Partial<WorkflowState> = {}) =>
    reviewing({
      phase: "fixing",
      queued: { jobId: "rule-1", label: "l", step: step({ kind: "architect", mode: "ruling" }) },
      ...over,
    });

  it("accepted findings and the agreed ones go to one round, each once, with the ruling linked", () => {
    const agreed = found.slice(0, 1);
    const d = onRuling(
      ruling(),
      "rule-1",
      {
        rulings: [
          { finding: "F1", decision: "accept", reason: "r" },
          { finding: "F2", decision: "accept", reason: "r" },
        ],
      },
      open(found, { agreed }),
      usage(usageLine()),
      ctx(),
    );
    expect(d.state?.phase).toBe("fixing");
    expect(d.state?.note).toBe(
      "Fix round 1: 2 finding(s) to fix.\nThe architect accepted 2 of 2 disputed finding(s) (see the ruling).",
    );
    expect(effectsOf(d.effects, "save_findings")[0]?.open.findings).toHaveLength(2);
    expect(d.effects[0]).toMatchObject({
      type: "comment",
      marker: marker("architect", "rule-1"),
      learn: "ruling",
    });
    expect(d.effects.at(-1)).toEqual({ type: "forget_result", jobId: "rule-1" });
    expect(d.state?.usage).toEqual(usage(usageLine()));
  });

  it("the ruling's check run keeps the round's cross-vendor marks", () => {
    const d = onRuling(
      ruling(),
      "rule-1",
      { rulings: [{ finding: "F1", decision: "accept", reason: "r" }] },
      open(found.slice(0, 1), { marks: "#### Across reviewers\n\n- one" }),
      usage(usageLine()),
      ctx(),
    );
    expect(effectsOf(d.effects, "check")[0]?.summary).toMatch(/\n\n#### Across reviewers\n\n- one$/);
  });

  it("a rejection of everything disputed makes the PR ready", () => {
    const d = onRuling(
      ruling(),
      "rule-1",
      {
        rulings: [
          { finding: "F1", decision: "reject", reason: "r" },
          { finding: "F2", decision: "reject", reason: "r" },
        ],
      },
      open(found),
      undefined,
      ctx(),
    );
    expect(d.state?.phase).toBe("ready");
  });

  it("a ruling that changes the plan posts the next version for approval", () => {
    const d = onRuling(
      ruling({ plan: { version: 1, commentId: 100, hash: "h1" } }),
      "rule-1",
      { rulings: [], revised_plan: plan },
      open(found),
      undefined,
      ctx(),
    );
    expect(d.state).toMatchObject({
      phase: "awaiting-approval",
      note: "The architect's ruling changes the plan. Plan v2 needs a new `approved`.",
      queued: undefined,
    });
    expect(d.effects.map((e) => e.type)).toEqual(["comment", "comment", "supersede_plan", "forget_result"]);
    expect(effectsOf(d.effects, "supersede_plan")).toEqual([
      { type: "supersede_plan", commentId: 100, version: 1, by: 2 },
    ]);
    expect(effectsOf(d.effects, "comment")[1]).toMatchObject({
      marker: marker("architect", "rule-1-plan"),
      learn: "plan",
    });
  });

  it("a trace posts its explanation and the revised plan", () => {
    const d = onTrace(
      reviewing({ phase: "planning", plan: { version: 3, commentId: 1, hash: "h" } }),
      "spiral-1",
      { trace: "Decision 1 was wrong.", revised_plan: plan },
      open(found),
      undefined,
      ctx(),
    );
    expect(d.state).toMatchObject({
      phase: "awaiting-approval",
      note: "Fixing stopped: the same code kept changing. Plan v4 needs a new `approved`.",
    });
    expect(d.effects[0]).toMatchObject({ type: "comment", marker: marker("architect", "spiral-1") });
    expect(effectsOf(d.effects, "comment")[0]?.body).toContain("Decision 1 was wrong.");
    expect(d.effects.map((e) => e.type)).toEqual(["comment", "comment", "supersede_plan", "forget_result"]);
  });
});

describe("a step that failed for good", () => {
  const ref: StepRef = {
    jobId: "develop-1",
    label: "developer: implement plan v1",
    step: step({ kind: "develop", planVersion: 1 }),
  };

  it("one comment with the error's first line and who to tell; the spend is kept", () => {
    const s = reviewing({
      phase: "implementing",
      queued: ref,
      usage: usage(usageLine({ role: "architect" })),
    });
    const d = onStepFailed(s, ref, "model timed out\nstack…", usage(usageLine()), ctx());
    expect(d.state).toMatchObject({
      failed: { ...ref, error: "model timed out" },
      queued: undefined,
      updatedAt: NOW,
    });
    expect(d.state?.usage?.lines.map((l) => l.role)).toEqual(["architect", "developer"]);
    expect(d.effects).toEqual([
      {
        type: "comment",
        marker: marker("error", "develop-1"),
        body: "⚠️ **triad could not finish a step** (developer: implement plan v1): model timed out\n\n@maya: when the cause is fixed, a maintainer can comment `/triad retry` to run it again.",
      },
      { type: "forget_result", jobId: "develop-1" },
    ]);
    // no spend recorded keeps the usage as it was
    expect(onStepFailed(s, ref, "x", usage(), ctx()).state?.usage).toEqual(s.usage);
    expect(onStepFailed(s, ref, "x", undefined, ctx()).state?.usage).toEqual(s.usage);
  });

  it("a failure of an earlier run, or one already recorded, is not reported again", () => {
    expect(onStepFailed(reviewing({ runId: "d-2" }), ref, "x", undefined, ctx()).ignored).toBe(
      "a failure of an earlier run",
    );
    expect(
      onStepFailed(reviewing({ failed: { ...ref, error: "x" } }), ref, "x", undefined, ctx()).ignored,
    ).toBe("already recorded");
  });

  it("with nothing queued, a failure counts when the step is still wanted", () => {
    const wanted = onStepFailed(reviewing({ phase: "implementing" }), ref, "x", undefined, ctx());
    expect(wanted.state?.failed?.jobId).toBe("develop-1");
    const past = onStepFailed(reviewing({ phase: "ready" }), ref, "x", undefined, ctx());
    expect(past.ignored).toBe("the workflow no longer waits for this step");
    const other = onStepFailed(
      reviewing({ phase: "implementing", queued: { ...ref, jobId: "develop-2" } }),
      ref,
      "x",
      undefined,
      ctx(),
    );
    expect(other.ignored).toBe("the workflow no longer waits for this step");
  });

  it("a reviewer's failure clears the queued review flow", () => {
    const flow: StepRef = {
      jobId: "review-1",
      label: "reviews of aaaaaaa",
      step: step({ kind: "review", headSha: PR.headSha }),
    };
    const reviewer: StepRef = {
      jobId: "review-1-r1",
      label: "reviewer 2 on aaaaaaa",
      step: step({ kind: "review_one", slot: 1, headSha: PR.headSha }),
    };
    const d = onStepFailed(reviewing({ queued: flow }), reviewer, "x", undefined, ctx());
    expect(d.state?.queued).toBeUndefined();
    expect(d.state?.failed).toMatchObject({
      jobId: "review-1",
      label: "reviewer 2 on aaaaaaa",
      step: { kind: "review" },
    });
    expect(d.state?.failed?.step.slot).toBeUndefined();
    expect(d.effects[1]).toEqual({ type: "forget_result", jobId: "review-1-r1" });
  });
});
