import type { RepoConfig } from "../../src/config/repo-config.js";
import { defaultRepoConfig, parseRepoConfig } from "../../src/config/repo-config.js";
import type { DecideContext } from "../../src/core/context.js";
import type { Effect, OpenFindings } from "../../src/core/effects.js";
import type { WorkflowEvent } from "../../src/core/events.js";
import type { AggregatedFinding } from "../../src/core/review/aggregate.js";
import { aggregateFindings } from "../../src/core/review/aggregate.js";
import type { FindingInput, FindingSet } from "../../src/core/review/finding.js";
import { type WorkflowState, workflowStateSchema } from "../../src/core/state.js";
import type { StepJob } from "../../src/core/steps.js";
import { modelText } from "../../src/text/sanitize.js";

/** Fixtures for the core's unit tests: states in each phase, events, findings. Plain data, no I/O. */
export const NOW = "2026-12-01T12:00:00.000Z";

export function ctx(config: RepoConfig | string = defaultRepoConfig): DecideContext {
  return { config: typeof config === "string" ? parseRepoConfig(config) : config, now: NOW, text: modelText };
}

export const common = {
  deliveryId: "d-1",
  installationId: 7,
  repo: { owner: "acme", name: "weather-client" },
  issue: 3,
  sender: { login: "maya", type: "User" },
};

export function state(over: Partial<WorkflowState> = {}): WorkflowState {
  return workflowStateSchema.parse({
    v: 1,
    repo: "acme/weather-client",
    issue: 3,
    installationId: 7,
    phase: "planning",
    startedBy: "maya",
    startedAt: NOW,
    updatedAt: NOW,
    runId: "d-1",
    ...over,
  });
}

export const PR = { number: 9, url: "https://x/pull/9", branch: "triad/3-retry", headSha: "a".repeat(40) };

/** A workflow whose PR is under review at `PR.headSha`, after `fixRound` fix rounds. */
export function reviewing(over: Partial<WorkflowState> = {}): WorkflowState {
  return state({
    phase: "reviewing",
    plan: { version: 1, commentId: 100, hash: "h1" },
    approved: { version: 1, commentId: 100, hash: "h1", by: "maya", approvalCommentId: 101 },
    branch: PR.branch,
    pr: PR,
    ...over,
  });
}

export function step(over: Partial<StepJob> & Pick<StepJob, "kind">): StepJob {
  return {
    installationId: 7,
    repo: { owner: "acme", name: "weather-client" },
    issue: 3,
    runId: "d-1",
    reason: "test",
    ...over,
  };
}

export function finding(over: Partial<FindingInput> = {}): FindingInput {
  return {
    path: "src/retry.ts",
    anchor: "return fn();",
    severity: "blocker",
    message: "The retry loop never waits between attempts",
    conflicts_with_plan: false,
    ...over,
  };
}

export function aggregated(sets: FindingSet[], reviewerCount = 1): AggregatedFinding[] {
  return aggregateFindings(sets, { reviewerCount });
}

export function open(findings: AggregatedFinding[], over: Partial<OpenFindings> = {}): OpenFindings {
  return { round: 0, headSha: PR.headSha, findings, agreed: [], comments: {}, ...over };
}

export function checkFailed(headSha = PR.headSha): Extract<WorkflowEvent, { kind: "check_completed" }> {
  return {
    kind: "check_completed",
    headSha,
    name: "ci/test",
    conclusion: "failure",
    summary: "2 tests failed",
    annotations: 0,
    ...common,
  };
}

export const ciFindings: FindingSet = {
  reviewer: "check:ci/test",
  origin: "check",
  findings: [
    {
      path: null,
      anchor: null,
      severity: "blocker",
      message: "The check `ci/test` failed on this head. Its output:\n\n2 tests failed",
      conflicts_with_plan: false,
    },
  ],
};

export function effectsOf<T extends Effect["type"]>(
  effects: Effect[],
  type: T,
): Extract<Effect, { type: T }>[] {
  return effects.filter((e): e is Extract<Effect, { type: T }> => e.type === type);
}
