import { describe, expect, it } from "vitest";
import { defaultRepoConfig, parseRepoConfig } from "../../src/config/repo-config.js";
import { decide } from "../../src/workflow/decide.js";
import type { WorkflowEvent } from "../../src/workflow/events.js";
import type { WorkflowState } from "../../src/workflow/state.js";

const now = "2026-11-27T12:00:00.000Z";
const common = {
  deliveryId: "delivery-1",
  installationId: 1,
  repo: { owner: "acme", name: "weather-client" },
  issue: 3,
  sender: { login: "maya", type: "User" },
};
const labeled = (label: string): WorkflowEvent => ({ kind: "issue_labeled", label, ...common });

describe("decide: starting a workflow", () => {
  it("starts planning on the trigger label: 👀 and the tracking comment", () => {
    const d = decide(undefined, labeled("triad"), { config: defaultRepoConfig, now });
    expect(d.state).toMatchObject({
      phase: "planning",
      repo: "acme/weather-client",
      issue: 3,
      startedBy: "maya",
    });
    expect(d.effects).toEqual([{ type: "react", content: "eyes" }, { type: "ensure_tracking_comment" }]);
  });

  it("ignores any other label", () => {
    const d = decide(undefined, labeled("bug"), { config: defaultRepoConfig, now });
    expect(d.state).toBeUndefined();
    expect(d.effects).toEqual([]);
    expect(d.ignored).toMatch(/not the trigger/);
  });

  it("uses the repository's own trigger label", () => {
    const config = parseRepoConfig("trigger_label: ai-plan\n");
    expect(decide(undefined, labeled("triad"), { config, now }).effects).toEqual([]);
    expect(decide(undefined, labeled("ai-plan"), { config, now }).state?.phase).toBe("planning");
  });

  it("does not start twice while a workflow runs", () => {
    const first = decide(undefined, labeled("triad"), { config: defaultRepoConfig, now })
      .state as WorkflowState;
    const again = decide(first, labeled("triad"), { config: defaultRepoConfig, now });
    expect(again.effects).toEqual([]);
    expect(again.state).toBe(first);
  });

  it("restarts a stopped workflow and keeps its tracking comment", () => {
    const first = decide(undefined, labeled("triad"), { config: defaultRepoConfig, now })
      .state as WorkflowState;
    const stopped: WorkflowState = { ...first, phase: "stopped", trackingCommentId: 99 };
    const d = decide(
      stopped,
      { ...labeled("triad"), deliveryId: "delivery-2" },
      { config: defaultRepoConfig, now },
    );
    expect(d.state).toMatchObject({ phase: "planning", trackingCommentId: 99, runId: "delivery-2" });
  });
});

describe("decide: stopping", () => {
  const running = decide(undefined, labeled("triad"), { config: defaultRepoConfig, now })
    .state as WorkflowState;

  it("stops when the trigger label is removed or the issue is closed", () => {
    const unlabeled: WorkflowEvent = { kind: "issue_unlabeled", label: "triad", ...common };
    expect(decide(running, unlabeled, { config: defaultRepoConfig, now }).state?.phase).toBe("stopped");
    const closed: WorkflowEvent = { kind: "issue_closed", ...common };
    const d = decide(running, closed, { config: defaultRepoConfig, now });
    expect(d.state?.phase).toBe("stopped");
    expect(d.state?.note).toMatch(/closed by @maya/);
    expect(d.effects).toEqual([{ type: "ensure_tracking_comment" }]);
  });

  it("ignores removal of another label and events without a workflow", () => {
    const other: WorkflowEvent = { kind: "issue_unlabeled", label: "bug", ...common };
    expect(decide(running, other, { config: defaultRepoConfig, now }).effects).toEqual([]);
    expect(
      decide(undefined, { kind: "issue_closed", ...common }, { config: defaultRepoConfig, now }).effects,
    ).toEqual([]);
  });
});
