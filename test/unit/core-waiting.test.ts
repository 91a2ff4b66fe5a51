import { describe, expect, it } from "vitest";
import { defaultRepoConfig } from "../../src/config/repo-config.js";
import { decideIssueEvent } from "../../src/core/issue-events.js";
import { renderStatus, renderTrackingComment } from "../../src/core/render/tracking.js";
import type { WorkflowState } from "../../src/core/state.js";
import { onStepSkipped, onTurn, onWaitingTurn } from "../../src/core/step-results.js";
import { modelText } from "../../src/text/sanitize.js";

const now = "2026-12-01T10:00:00.000Z";
const ctx = { config: defaultRepoConfig, now, text: modelText };
const started = decideIssueEvent(
  undefined,
  {
    kind: "issue_labeled",
    label: "triad",
    deliveryId: "d-1",
    installationId: 1,
    repo: { owner: "acme", name: "w" },
    issue: 4,
    sender: { login: "maya", type: "User" },
  },
  {},
  ctx,
).state as WorkflowState;

describe("a step waiting for its installation's turn", () => {
  it("the tracking comment says how many workflows are ahead, then stops saying it when the turn comes", () => {
    const waiting = onWaitingTurn(started, 12, now);
    expect(waiting.tracking).toBe(true);
    const body = renderTrackingComment(waiting.state as WorkflowState, modelText);
    expect(body).toContain(
      "**Queued:** architect: read the issue — waiting: 12 workflows ahead in this installation",
    );
    expect(renderStatus(waiting.state as WorkflowState)).toContain("waiting: 12 workflows ahead");
    expect(renderTrackingComment(onWaitingTurn(started, 1, now).state as WorkflowState, modelText)).toContain(
      "waiting: 1 workflow ahead in this installation",
    );
    expect(renderTrackingComment(onWaitingTurn(started, 0, now).state as WorkflowState, modelText)).toContain(
      "waiting: next in line in this installation",
    );
    const turn = onTurn(waiting.state as WorkflowState, now);
    expect(turn.tracking).toBe(false); // the step's own result re-renders it
    expect(turn.state?.waiting).toBeUndefined();
    expect(renderTrackingComment(turn.state as WorkflowState, modelText)).not.toContain("waiting:");
    expect(onTurn(started, now).ignored).toBeDefined();
  });

  it("updates once the number has fallen to a quarter, not for every workflow that goes first", () => {
    const at12 = onWaitingTurn(started, 12, now).state as WorkflowState;
    expect(onWaitingTurn(at12, 11, now).ignored).toBeDefined();
    expect(onWaitingTurn(at12, 4, now).ignored).toBeDefined();
    expect(onWaitingTurn(at12, 3, now).state?.waiting).toEqual({ ahead: 3 });
    expect(onWaitingTurn(at12, 14, now).state?.waiting).toEqual({ ahead: 14 });
    // A short wait is shown once.
    const at5 = onWaitingTurn(started, 5, now).state as WorkflowState;
    expect(onWaitingTurn(at5, 1, now).ignored).toBeDefined();
  });

  it("a skipped step no longer shows as waiting", () => {
    const waiting = onWaitingTurn(started, 3, now).state as WorkflowState;
    const skipped = onStepSkipped(waiting, waiting.queued?.jobId as string, now).state;
    expect(skipped?.waiting).toBeUndefined();
    expect(skipped?.queued).toBeUndefined();
  });
});
