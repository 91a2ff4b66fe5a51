import { describe, expect, it } from "vitest";
import { readPlanComment } from "../../src/core/approved-plan.js";
import { estimateBudget } from "../../src/core/budget-estimate.js";
import {
  bindBudget,
  onBudgetCommand,
  parseBudgetArgs,
  pauseIfOverBudget,
  pauseMarker,
  retryPausedStep,
} from "../../src/core/budget-pause.js";
import { type Decision, decided } from "../../src/core/effects.js";
import type { CommentEvent } from "../../src/core/event-facts.js";
import { planExtras, supersedeEffects } from "../../src/core/plan-extras.js";
import {
  isSuperseded,
  renderPlan,
  supersededBanner,
  withoutSupersededBanner,
} from "../../src/core/render/architect.js";
import { nextLine, nowLine } from "../../src/core/render/tracking.js";
import type { WorkflowState } from "../../src/core/state.js";
import type { UsageSnapshot } from "../../src/core/usage.js";
import { DEMO_PLANS } from "../../src/sim/scenario.js";
import { modelText } from "../../src/text/sanitize.js";
import { common, ctx, effectsOf, NOW, reviewing, step } from "../helpers/core-fixtures.js";

const estimate = estimateBudget({
  repo: { files: 10, bytes: 40_000 },
  steps: DEMO_PLANS.v2.steps,
  reviewers: 1,
  prices: {},
});

const usage = (tokens: number): UsageSnapshot => ({
  version: 1,
  lines: [
    {
      role: "developer",
      vendor: "anthropic",
      model: "m",
      calls: 1,
      inputTokens: tokens,
      cachedInputTokens: 0,
      cacheWriteInputTokens: 0,
      outputTokens: 0,
      unpricedCalls: 1,
    },
  ],
});

/** Reviewing plan v1, approved when 1,000 tokens had been spent on planning. */
function bound(spent: number, over: Partial<WorkflowState> = {}): WorkflowState {
  const s = reviewing({ usage: usage(1_000) });
  return { ...s, budgetBound: bindBudget(s, 1, estimate), usage: usage(1_000 + spent), ...over };
}

const review = step({ kind: "review", headSha: "b".repeat(40), prNumber: 9 });
const queuedReview = { jobId: "review-1", label: "reviews of bbbbbbb", step: review };

/** A decision that starts the review flow (as onRoundPublished does). */
function startsReview(s: WorkflowState): Decision {
  return decided({ ...s, queued: queuedReview }, [
    {
      type: "check",
      headSha: review.headSha as string,
      state: { status: "in_progress" },
      title: "Reviewing bbbbbbb",
      summary: "1 reviewer",
    },
    { type: "start_review", step: review, jobId: "review-1" },
    { type: "forget_result", jobId: "dev-1" },
  ]);
}

const say = (id: number, body: string, login = "maya"): CommentEvent => ({
  kind: "comment_created",
  onPullRequest: false,
  comment: { id, body, author: { login, type: "User" }, createdAt: NOW },
  ...common,
  sender: { login, type: "User" },
});

describe("a budget bound to the plan", () => {
  it("approval binds the estimate and what was spent before it; no estimate, no bound", () => {
    const s = reviewing({ usage: usage(5_000) });
    expect(bindBudget(s, 1, estimate)).toMatchObject({
      version: 1,
      spentBefore: { tokens: 5_000 },
      extra: { tokens: 0 },
      grants: 0,
    });
    expect(bindBudget(s, 1, undefined)).toBeUndefined();
  });

  it("within the estimate plus margin a step starts; past it the step is held with one pause comment", () => {
    const within = pauseIfOverBudget(startsReview(bound(estimate.limitTokens)));
    expect(effectsOf(within.effects, "start_review")).toHaveLength(1);
    expect(within.state?.budgetBound?.paused).toBeUndefined();

    const past = pauseIfOverBudget(startsReview(bound(estimate.limitTokens + 1)));
    expect(effectsOf(past.effects, "start_review")).toEqual([]);
    expect(effectsOf(past.effects, "forget_result")).toHaveLength(1);
    expect(past.state?.queued).toBeUndefined();
    expect(effectsOf(past.effects, "check")[0]).toMatchObject({
      state: { status: "in_progress" },
      title: "Paused for budget",
    });
    expect(past.state?.budgetBound?.paused).toMatchObject({ step: queuedReview, what: "tokens" });
    const [comment] = effectsOf(past.effects, "comment");
    expect(comment?.marker).toBe(pauseMarker({ version: 1, grants: 0 }));
    expect(comment?.body).toMatch(/^⏸️ \*\*Paused for budget\.\*\* Plan v1 was approved to spend up to/);
    expect(comment?.body).toContain("The next step — reviews of bbbbbbb — waits.");
    const paused = past.state as WorkflowState;
    expect(nowLine(paused)).toMatch(/^Paused for budget: plan v1's approved budget is spent/);
    expect(nextLine(paused)).toContain("`/triad budget +N`");
  });

  it("a plan with no bound, a new plan's planning, or a step of another plan version is never held", () => {
    expect(
      pauseIfOverBudget(startsReview(bound(10_000_000, { budgetBound: undefined }))).effects,
    ).toHaveLength(3);
    const planning = bound(10_000_000);
    const turn = step({ kind: "architect", mode: "turn" });
    const d = decided({ ...planning, queued: { jobId: "a-1", label: "architect", step: turn } }, [
      { type: "enqueue", step: turn, jobId: "a-1" },
    ]);
    expect(pauseIfOverBudget(d)).toBe(d);
    const other = bound(10_000_000);
    const v2 = {
      ...other,
      approved: { ...(other.approved as NonNullable<WorkflowState["approved"]>), version: 2 },
    };
    expect(effectsOf(pauseIfOverBudget(startsReview(v2)).effects, "start_review")).toHaveLength(1);
  });

  it("a retried step held again at the same bound edits the same comment, saying it was checked again", () => {
    const paused = pauseIfOverBudget(startsReview(bound(estimate.limitTokens * 2))).state as WorkflowState;
    const retry = retryPausedStep(paused, say(300, "/triad retry"), ctx());
    expect(retry && effectsOf(retry.effects, "start_review")).toHaveLength(1);
    const again = pauseIfOverBudget(retry as Decision);
    const [comment] = effectsOf(again.effects, "comment");
    expect(comment?.marker).toBe(pauseMarker({ version: 1, grants: 0 }));
    expect(comment?.body).toContain("Checked again (2 times at this bound)");
    expect(again.state?.budgetBound?.pauses).toBe(2);
  });

  it("`/triad budget +N`: refused with a reply for non-write users; too little keeps it paused; enough resumes", () => {
    const paused = pauseIfOverBudget(startsReview(bound(estimate.limitTokens + 50_000)))
      .state as WorkflowState;
    const refused = onBudgetCommand(
      paused,
      say(301, "/triad budget +1M", "rita"),
      { permission: "read" },
      ctx(),
      "+1M",
    );
    expect(refused.state).toBe(paused);
    expect(effectsOf(refused.effects, "reply")[0]?.body).toBe(
      "@rita, only people with write, maintain or admin access can raise the budget (you have read access). Nothing was changed.",
    );

    const bad = onBudgetCommand(
      paused,
      say(302, "/triad budget lots"),
      { permission: "write" },
      ctx(),
      "lots",
    );
    expect(effectsOf(bad.effects, "reply")[0]?.body).toContain("raises the approved budget by N tokens");

    const little = onBudgetCommand(
      paused,
      say(303, "/triad budget +10k"),
      { permission: "write" },
      ctx(),
      "+10k",
    );
    expect(little.state?.budgetBound?.paused).toBeDefined();
    expect(effectsOf(little.effects, "start_review")).toEqual([]);
    expect(effectsOf(little.effects, "reply")[0]?.body).toMatch(
      /still over, so reviews of bbbbbbb still waits/,
    );

    const enough = onBudgetCommand(
      paused,
      say(304, "/triad budget +200k"),
      { permission: "maintain" },
      ctx(),
      "+200k",
    );
    expect(enough.state?.budgetBound).toMatchObject({ extra: { tokens: 200_000 }, grants: 1, pauses: 0 });
    expect(enough.state?.budgetBound?.paused).toBeUndefined();
    expect(enough.state?.queued).toEqual(queuedReview);
    expect(effectsOf(enough.effects, "start_review")).toEqual([
      { type: "start_review", step: review, jobId: "review-1" },
    ]);
    // The resumed step passes the check it was held by.
    expect(pauseIfOverBudget(enough)).toBe(enough);
  });

  it("N is tokens: +200k, +1.5M, 50000, +300k tokens", () => {
    expect(parseBudgetArgs("+200k")).toBe(200_000);
    expect(parseBudgetArgs("+1.5M")).toBe(1_500_000);
    expect(parseBudgetArgs("50000")).toBe(50_000);
    expect(parseBudgetArgs("+300k tokens")).toBe(300_000);
    expect(parseBudgetArgs("+1,000,000")).toBe(1_000_000);
    for (const bad of ["", "+", "-5k", "$5", "lots", "+0"]) expect(parseBudgetArgs(bad)).toBeUndefined();
  });
});

describe("a revised plan's comment", () => {
  it("shows what changed since the version it revises and the estimate; both read back from its data", () => {
    const extras = planExtras(DEMO_PLANS.v2, {
      budget: { repo: { files: 10, bytes: 40_000 }, reviewers: 1, prices: {}, margin: 0.5 },
      previous: { version: 1, plan: DEMO_PLANS.v1 },
    });
    expect(extras.since).toBe(1);
    const body = renderPlan(DEMO_PLANS.v2, 2, "t-2", "approved", modelText, "", extras);
    expect(body).toContain("### What changed since v1");
    expect(body).toContain("### Budget estimate");
    const read = readPlanComment(body, modelText);
    expect(read).toMatchObject({ version: 2, estimate: { tokens: extras.estimate?.tokens } });
  });

  it("marked superseded, the earlier comment still reads back; only a real banner is taken off", () => {
    const v1 = renderPlan(DEMO_PLANS.v1, 1, "t-1", "approved", modelText);
    const marked = `${supersededBanner(2, "https://github.com/acme/w/issues/3#issuecomment-9")}${v1}`;
    expect(isSuperseded(marked)).toBe(true);
    expect(withoutSupersededBanner(marked)).toBe(v1);
    expect(readPlanComment(marked, modelText)).toMatchObject({ version: 1, plan: DEMO_PLANS.v1 });
    // Anything else before the plan is still refused.
    expect(readPlanComment(`> Superseded, trust me\n\n${v1}`, modelText)).toHaveProperty("refused");
  });

  it("supersedes the previous version's comment once it is known", () => {
    const s = reviewing({ plan: { version: 1, commentId: 100, hash: "h1" } });
    expect(supersedeEffects(s, 2)).toEqual([{ type: "supersede_plan", commentId: 100, version: 1, by: 2 }]);
    expect(supersedeEffects(reviewing({ plan: undefined }), 1)).toEqual([]);
  });
});
