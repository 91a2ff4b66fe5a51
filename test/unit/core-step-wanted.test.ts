import { describe, expect, it } from "vitest";
import type { WorkflowState } from "../../src/core/state.js";
import {
  onStepSkipped,
  onTurn,
  onWaitingTurn,
  roundBase,
  whyNotWanted,
} from "../../src/core/step-results.js";
import { NOW, PR, reviewing, state, step } from "../helpers/core-fixtures.js";

const approved = { version: 2, commentId: 100, hash: "h", by: "maya", approvalCommentId: 101 };

describe("whether a step off the queue is still wanted (step-results.ts)", () => {
  it("not without a workflow, nor from an earlier run", () => {
    expect(whyNotWanted(undefined, step({ kind: "architect" }))).toBe("no workflow state");
    expect(whyNotWanted(state(), step({ kind: "architect", runId: "old" }))).toBe("a step of an earlier run");
  });

  it("an architect turn: while planning or awaiting approval, on a comment not read yet", () => {
    expect(whyNotWanted(state(), step({ kind: "architect", mode: "turn" }))).toBeUndefined();
    expect(whyNotWanted(state({ phase: "awaiting-approval" }), step({ kind: "architect" }))).toBeUndefined();
    for (const phase of ["implementing", "reviewing", "stopped"] as const)
      expect(whyNotWanted(state({ phase }), step({ kind: "architect" }))).toBe(`the workflow is ${phase}`);
    const s = state({ seenCommentId: 50 });
    expect(whyNotWanted(s, step({ kind: "architect", commentId: 50 }))).toBe(
      "an earlier turn already read the comment",
    );
    expect(whyNotWanted(s, step({ kind: "architect", commentId: 49 }))).toBe(
      "an earlier turn already read the comment",
    );
    expect(whyNotWanted(s, step({ kind: "architect", commentId: 51 }))).toBeUndefined();
  });

  it("a ruling while fixing a PR; a spiral trace while planning with a PR", () => {
    expect(
      whyNotWanted(reviewing({ phase: "fixing" }), step({ kind: "architect", mode: "ruling" })),
    ).toBeUndefined();
    expect(whyNotWanted(reviewing({ phase: "ready" }), step({ kind: "architect", mode: "ruling" }))).toBe(
      "the workflow is ready",
    );
    expect(whyNotWanted(state({ phase: "fixing" }), step({ kind: "architect", mode: "ruling" }))).toBe(
      "the workflow is fixing",
    );
    expect(
      whyNotWanted(reviewing({ phase: "planning" }), step({ kind: "architect", mode: "spiral" })),
    ).toBeUndefined();
    expect(whyNotWanted(state({ phase: "planning" }), step({ kind: "architect", mode: "spiral" }))).toBe(
      "the workflow is planning",
    );
    expect(whyNotWanted(reviewing({ phase: "fixing" }), step({ kind: "architect", mode: "spiral" }))).toBe(
      "the workflow is fixing",
    );
  });

  it("the first implementation: of the approved version, while implementing", () => {
    const s = state({ phase: "implementing", approved });
    expect(whyNotWanted(s, step({ kind: "develop", round: 0, planVersion: 2 }))).toBeUndefined();
    expect(whyNotWanted(s, step({ kind: "develop", planVersion: 2 }))).toBeUndefined();
    expect(whyNotWanted(s, step({ kind: "develop", round: 0, planVersion: 1 }))).toBe(
      "the workflow is implementing with plan v2 approved",
    );
    expect(whyNotWanted({ ...s, phase: "reviewing" }, step({ kind: "develop", planVersion: 2 }))).toBe(
      "the workflow is reviewing with plan v2 approved",
    );
    expect(whyNotWanted(state({ phase: "implementing" }), step({ kind: "develop", planVersion: 2 }))).toBe(
      "no approved plan",
    );
  });

  it("a fix round: only the current round, while fixing a PR", () => {
    const s = reviewing({ phase: "fixing", fixRound: 2, approved });
    expect(whyNotWanted(s, step({ kind: "develop", round: 2 }))).toBeUndefined();
    expect(whyNotWanted(s, step({ kind: "develop", round: 1 }))).toBe(
      "fix round 1 is no longer the round to run",
    );
    expect(whyNotWanted({ ...s, phase: "ready" }, step({ kind: "develop", round: 2 }))).toBe(
      "fix round 2 is no longer the round to run",
    );
    expect(whyNotWanted({ ...s, pr: undefined }, step({ kind: "develop", round: 2 }))).toBe(
      "fix round 2 is no longer the round to run",
    );
  });

  it("reviews: of the PR's current head while reviewing; a reviewer while there is a PR", () => {
    expect(whyNotWanted(reviewing(), step({ kind: "review", headSha: PR.headSha }))).toBeUndefined();
    expect(whyNotWanted(reviewing(), step({ kind: "review", headSha: "old" }))).toBe(
      "reviews of a superseded head",
    );
    expect(whyNotWanted(reviewing({ phase: "fixing" }), step({ kind: "review", headSha: PR.headSha }))).toBe(
      "reviews of a superseded head",
    );
    expect(whyNotWanted(state({ phase: "reviewing" }), step({ kind: "review", headSha: PR.headSha }))).toBe(
      "reviews of a superseded head",
    );
    expect(whyNotWanted(reviewing({ phase: "ready" }), step({ kind: "review_one" }))).toBeUndefined();
    expect(whyNotWanted(state(), step({ kind: "review_one" }))).toBe("no pull request");
  });
});

describe("where a developer round starts and lands", () => {
  it("a plan's first round rebuilds from the default branch; a fix round builds on the PR", () => {
    expect(roundBase(reviewing(), step({ kind: "develop", round: 0 }))).toEqual({
      from: "default-branch",
      rebuild: true,
      branch: PR.branch,
    });
    expect(roundBase(reviewing(), step({ kind: "develop" }))).toMatchObject({
      from: "default-branch",
      rebuild: true,
    });
    expect(roundBase(reviewing(), step({ kind: "develop", round: 1 }))).toEqual({
      from: "pr-branch",
      rebuild: false,
      branch: PR.branch,
    });
    expect(roundBase(state({ branch: "triad/3-x" }), step({ kind: "develop" })).branch).toBe("triad/3-x");
    expect(roundBase(reviewing({ branch: "triad/3-old" }), step({ kind: "develop" })).branch).toBe(PR.branch);
  });
});

describe("skipped steps and waiting turns", () => {
  const queuedState = (over: Partial<WorkflowState> = {}) =>
    state({
      queued: { jobId: "j1", label: "l", step: step({ kind: "architect" }) },
      waiting: { ahead: 3 },
      ...over,
    });

  it("a skipped step stops being shown as queued, if it is the queued one", () => {
    const d = onStepSkipped(queuedState(), "j1", NOW);
    expect(d.state).toMatchObject({ queued: undefined, waiting: undefined, updatedAt: NOW });
    expect(d.effects).toEqual([]);
    expect(d.tracking).toBe(true);
    expect(onStepSkipped(queuedState(), "j2", NOW).ignored).toBe(
      "skipped a step that was not the queued one",
    );
    expect(onStepSkipped(queuedState({ queued: undefined }), "j1", NOW).ignored).toBe(
      "skipped a step that was not the queued one",
    );
  });

  it("the turn comes: no longer waiting, saved without an edit", () => {
    const d = onTurn(queuedState(), NOW);
    expect(d.state?.waiting).toBeUndefined();
    expect(d.state?.updatedAt).toBe(NOW);
    expect(d.tracking).toBe(false);
    expect(d.effects).toEqual([]);
    expect(onTurn(queuedState({ waiting: undefined }), NOW).ignored).toBe("was not waiting");
  });

  it("waiting is shown when it starts and when it grows; a short wait is not shown again as it shrinks", () => {
    expect(onWaitingTurn(queuedState({ waiting: undefined }), 0, NOW).state?.waiting).toEqual({ ahead: 0 });
    expect(onWaitingTurn(queuedState(), 4, NOW).state?.waiting).toEqual({ ahead: 4 });
    expect(onWaitingTurn(queuedState(), 4, NOW).effects).toEqual([]);
    expect(onWaitingTurn(queuedState(), 3, NOW).ignored).toBe("still 3 ahead (shown: 3)");
    expect(onWaitingTurn(queuedState(), 0, NOW).ignored).toBe("still 0 ahead (shown: 3)");
  });

  it("a long wait is shown again once it has fallen to a quarter", () => {
    const long = queuedState({ waiting: { ahead: 8 } });
    expect(onWaitingTurn(long, 3, NOW).ignored).toBeDefined();
    expect(onWaitingTurn(long, 2, NOW).state?.waiting).toEqual({ ahead: 2 });
    const seven = queuedState({ waiting: { ahead: 7 } });
    expect(onWaitingTurn(seven, 1, NOW).ignored).toBeDefined();
  });
});
