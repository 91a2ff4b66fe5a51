import { describe, expect, it } from "vitest";
import type { CiFacts } from "../../src/core/ci-gate.js";
import { onCheckCompleted, onCiDeadline } from "../../src/core/ci-gate.js";
import { decidePullEvent } from "../../src/core/pr-events.js";
import { nowLine, renderTrackingComment, stateFromTrackingComment } from "../../src/core/render/tracking.js";
import type { DeveloperReport } from "../../src/core/schemas/developer.js";
import type { WorkflowState } from "../../src/core/state.js";
import { onRoundPublished } from "../../src/core/step-results.js";
import { modelText } from "../../src/text/sanitize.js";
import { checkFailed, ciFindings, ctx, effectsOf, PR, reviewing } from "../helpers/core-fixtures.js";

/** The CI gate's pure decisions (src/core/ci-gate.ts): hold, count, fail, time out, or no gate at all. */
const report: DeveloperReport = {
  summary: "Built it.",
  not_covered: [],
  plan_steps: [{ step: 1, status: "done", files: ["src/backoff.ts"] }],
  findings: [],
};

function published(ci: CiFacts | undefined, over: Partial<WorkflowState> = {}) {
  return onRoundPublished(
    reviewing({ phase: "implementing", pr: undefined, ...over }),
    "dev-1",
    {
      round: 0,
      pr: PR,
      freshCommit: true,
      changed: { files: ["src/backoff.ts"] },
      report,
      reviewers: 1,
      usage: undefined,
      ...(ci ? { ci } : {}),
    },
    ctx("ci_timeout_minutes: 45"),
  );
}

const passed = (name: string, headSha = PR.headSha) => ({
  ...checkFailed(headSha),
  name,
  conclusion: "success",
  summary: "",
});

describe("CI before reviewers: the gate's decisions", () => {
  it("no checks on the default branch nor on the head → the review starts at once, no deadline", () => {
    for (const ci of [undefined, { expected: [], done: [] }]) {
      const d = published(ci);
      expect(effectsOf(d.effects, "start_review")).toHaveLength(1);
      expect(effectsOf(d.effects, "ci_deadline")).toHaveLength(0);
      expect(d.state?.ci).toBeUndefined();
      expect(d.state?.queued?.step.kind).toBe("review");
    }
  });

  it("every expected check already green on the head → the review starts at once", () => {
    const d = published({ expected: ["ci/test"], done: ["ci/test"] });
    expect(effectsOf(d.effects, "start_review")).toHaveLength(1);
    expect(d.state?.ci).toBeUndefined();
  });

  it("checks pending → no review queued, a deadline of ci_timeout_minutes, the check and the tracking comment say so", () => {
    const d = published({
      expected: ["ci/test", "ci/lint", "ci/e2e", "ci/build", "ci/docs"],
      done: ["ci/lint"],
    });
    expect(effectsOf(d.effects, "start_review")).toHaveLength(0);
    expect(effectsOf(d.effects, "ci_deadline")).toEqual([
      { type: "ci_deadline", headSha: PR.headSha, minutes: 45 },
    ]);
    expect(effectsOf(d.effects, "forget_result")).toHaveLength(1);
    expect(effectsOf(d.effects, "check")[0]).toMatchObject({
      state: { status: "in_progress" },
      title: `Waiting for CI on ${PR.headSha.slice(0, 7)}`,
      fresh: true,
    });
    expect(d.state?.queued).toBeUndefined();
    expect(d.state?.phase).toBe("reviewing");
    expect(d.state?.ci).toMatchObject({ headSha: PR.headSha, done: ["ci/lint"], timeoutMinutes: 45 });
    expect(nowLine(d.state as WorkflowState)).toMatch(/^Waiting for CI \(1 of 5 checks done\)/);
  });

  it("each green check is counted; the last one starts the review and drops the deadline", () => {
    let s = published({ expected: ["ci/test", "ci/lint"], done: [] }).state as WorkflowState;
    const one = onCheckCompleted(s, passed("ci/lint"), {}, ctx());
    expect(effectsOf(one.effects, "start_review")).toHaveLength(0);
    expect(one.tracking).toBe(true);
    s = one.state as WorkflowState;
    expect(nowLine(s)).toMatch(/^Waiting for CI \(1 of 2 checks done\)/);
    expect(onCheckCompleted(s, passed("ci/lint"), {}, ctx()).ignored).toMatch(/counted already/);
    expect(onCheckCompleted(s, passed("ci/test", "b".repeat(40)), {}, ctx()).ignored).toBe("a check passed");
    const all = onCheckCompleted(s, passed("ci/test"), {}, ctx());
    const [start] = effectsOf(all.effects, "start_review");
    expect(start?.step).toMatchObject({ kind: "review", headSha: PR.headSha });
    expect(start?.step.ciNote).toBeUndefined();
    expect(effectsOf(all.effects, "drop_ci_deadline")).toHaveLength(1);
    expect(all.state?.ci).toBeUndefined();
    expect(all.state?.queued?.jobId).toBe(start?.jobId);
    expect(nowLine(all.state as WorkflowState)).toBe("Reviewers are reviewing the pull request.");
  });

  it("checks that registered on the head after the round (never on the default branch) are waited for too", () => {
    const s = published({ expected: ["ci/test"], done: [] }).state as WorkflowState;
    const seen = [
      { name: "ci/test", completed: true, failed: false },
      { name: "ci/e2e", completed: false, failed: false },
    ];
    const d = onCheckCompleted(s, passed("ci/test"), { ciOnHead: seen }, ctx());
    expect(effectsOf(d.effects, "start_review")).toHaveLength(0);
    expect(nowLine(d.state as WorkflowState)).toMatch(/^Waiting for CI \(1 of 2 checks done\)/);
    // The e2e check's own webhook was lost; the next look at the head counts it.
    const later = onCheckCompleted(
      d.state as WorkflowState,
      passed("ci/test"),
      { ciOnHead: seen.map((r) => ({ ...r, completed: true })) },
      ctx(),
    );
    expect(effectsOf(later.effects, "start_review")).toHaveLength(1);
  });

  it("with ci_checks configured, only those names are waited for and counted", () => {
    const s = published({ expected: ["ci/test"], done: [], fixed: true }).state as WorkflowState;
    const seen = [
      { name: "ci/test", completed: false, failed: false },
      { name: "deploy-preview", completed: false, failed: false },
    ];
    const other = onCheckCompleted(s, passed("codecov"), { ciOnHead: seen }, ctx());
    expect(other.ignored).toMatch(/counted already/);
    const d = onCheckCompleted(s, passed("ci/test"), { ciOnHead: seen }, ctx());
    expect(effectsOf(d.effects, "start_review")).toHaveLength(1);
  });

  it("the gate survives in the tracking comment's data (a Redis loss rebuilds it)", () => {
    const s = published({ expected: ["ci/test", "ci/lint"], done: ["ci/lint"] }).state as WorkflowState;
    const rebuilt = stateFromTrackingComment(renderTrackingComment(s, modelText), 1);
    expect(rebuilt?.ci).toEqual(s.ci);
  });

  it("a failing check on the gated head → a fix round with its output, no review, the reviewed sha kept", () => {
    const s = published({ expected: ["ci/test", "ci/lint"], done: [] }, { reviewedSha: "c".repeat(40) })
      .state as WorkflowState;
    const d = decidePullEvent(s, checkFailed(), { findings: ciFindings }, ctx());
    expect(effectsOf(d.effects, "start_review")).toHaveLength(0);
    expect(d.state?.phase).toBe("fixing");
    expect(d.state?.fixRound).toBe(1);
    expect(d.state?.ci).toBeUndefined();
    // The failed head was never reviewed: the next review covers it too.
    expect(d.state?.reviewedSha).toBe("c".repeat(40));
    expect(effectsOf(d.effects, "save_findings")[0]?.open.findings[0]?.message).toMatch(/2 tests failed/);
    expect(effectsOf(d.effects, "enqueue")[0]?.step).toMatchObject({ kind: "develop", round: 1 });
    expect(effectsOf(d.effects, "drop_ci_deadline")).toHaveLength(1);
    expect(d.state?.findingStats["by:check:ci/test"]).toBe(1);
  });

  it("the same failure on the next round's head is a new failure (not 'raised already')", () => {
    const s = published({ expected: ["ci/test"], done: [] }).state as WorkflowState;
    const again = { ...s, raisedKeys: ["whatever", ...(ciFindingsKeys(s) ?? [])] };
    const d = onCheckCompleted(again, checkFailed(), { findings: ciFindings }, ctx());
    expect(d.state?.phase).toBe("fixing");
  });

  it("a check that already failed on the head when the round is published → the fix round at once", () => {
    const d = published({ expected: ["ci/test"], done: [], failed: ciFindings });
    expect(effectsOf(d.effects, "start_review")).toHaveLength(0);
    expect(effectsOf(d.effects, "ci_deadline")).toHaveLength(0);
    expect(d.state?.phase).toBe("fixing");
    expect(effectsOf(d.effects, "forget_result")).toHaveLength(1);
  });

  it("without a gate, a failing check is what it was (a finding first in line) and a pass says nothing", () => {
    const s = reviewing();
    expect(decidePullEvent(s, checkFailed(), { findings: ciFindings }, ctx()).effects).toEqual([
      { type: "add_pending", set: ciFindings },
    ]);
    expect(decidePullEvent(s, passed("ci/test"), {}, ctx()).ignored).toBe("a check passed");
  });

  it("the deadline → the review starts with a note (in the review step, the check and the tracking comment)", () => {
    const s = published({ expected: ["ci/test", "ci/slow"], done: ["ci/test"] }).state as WorkflowState;
    const d = onCiDeadline(s, PR.headSha, ctx());
    const note =
      "CI did not finish within 45 minutes on aaaaaaa (1 of 2 checks done; still running: ci/slow): the reviewers started without it.";
    expect(effectsOf(d.effects, "start_review")[0]?.step.ciNote).toBe(note);
    expect(d.state?.queued?.step.ciNote).toBe(note);
    expect(d.state?.note).toBe(note);
    expect(effectsOf(d.effects, "check")[0]?.summary).toContain(note);
    expect(d.state?.ci).toBeUndefined();
    // Late, or for another head: nothing.
    expect(onCiDeadline(d.state as WorkflowState, PR.headSha, ctx()).ignored).toMatch(/open already/);
    expect(onCiDeadline(s, "b".repeat(40), ctx()).ignored).toMatch(/open already/);
    expect(onCiDeadline({ ...s, phase: "stopped" }, PR.headSha, ctx()).ignored).toMatch(/open already/);
  });
});

/** The keys the CI finding would have if it had been raised before. */
function ciFindingsKeys(s: WorkflowState): string[] | undefined {
  const d = onCheckCompleted(s, checkFailed(), { findings: ciFindings }, ctx());
  return d.state?.raisedKeys;
}
