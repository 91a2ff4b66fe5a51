import type { RepoConfig } from "../config/repo-config.js";
import type { WorkflowEvent } from "./events.js";
import { isActive, type Phase, type WorkflowState } from "./state.js";

/**
 * The workflow's decisions: pure functions of (state, event) → (new state, effects). Nothing here
 * performs I/O; `run-effects.ts` carries the effects out. A reader looking for "what happens when X"
 * starts here.
 */
export type Effect =
  /** A reaction on the issue itself (`commentId` absent) or on a comment. */
  | { type: "react"; content: "eyes" | "+1" | "confused"; commentId?: number }
  /** Create or update the one tracking comment from the new state. */
  | { type: "ensure_tracking_comment" }
  /** Remove a label from the issue (ignored when already gone). */
  | { type: "remove_label"; label: string };

export interface Decision {
  state: WorkflowState | undefined;
  effects: Effect[];
  /** Why nothing happened, for the log. */
  ignored?: string;
}

export interface DecideContext {
  config: RepoConfig;
  now: string;
}

export function decide(state: WorkflowState | undefined, event: WorkflowEvent, ctx: DecideContext): Decision {
  switch (event.kind) {
    case "issue_labeled":
      return onLabeled(state, event, ctx);
    case "issue_unlabeled":
      if (event.label !== ctx.config.trigger_label) return ignore(state, "another label was removed");
      return stop(state, ctx, `the \`${event.label}\` label was removed by @${event.sender.login}`);
    case "issue_closed":
      return stop(state, ctx, `the issue was closed by @${event.sender.login}`);
    default:
      return ignore(state, `${event.kind} is handled by a later phase`);
  }
}

function onLabeled(
  state: WorkflowState | undefined,
  event: Extract<WorkflowEvent, { kind: "issue_labeled" }>,
  ctx: DecideContext,
): Decision {
  if (event.label !== ctx.config.trigger_label)
    return ignore(state, `label "${event.label}" is not the trigger`);
  if (state && isActive(state.phase)) return ignore(state, "the workflow is already running");
  const next: WorkflowState = {
    v: 1,
    repo: `${event.repo.owner}/${event.repo.name}`,
    issue: event.issue,
    phase: "planning",
    startedBy: event.sender.login,
    startedAt: ctx.now,
    updatedAt: ctx.now,
    trackingCommentId: state?.trackingCommentId,
    planVersion: 0,
    fixRound: 0,
    runId: event.deliveryId,
  };
  return { state: next, effects: [{ type: "react", content: "eyes" }, { type: "ensure_tracking_comment" }] };
}

function stop(state: WorkflowState | undefined, ctx: DecideContext, why: string): Decision {
  if (!state || !isActive(state.phase)) return ignore(state, "no running workflow");
  return {
    state: withPhase(state, "stopped", ctx.now, `Stopped: ${why}.`),
    effects: [{ type: "ensure_tracking_comment" }],
  };
}

function withPhase(state: WorkflowState, phase: Phase, now: string, note?: string): WorkflowState {
  return { ...state, phase, updatedAt: now, note };
}

function ignore(state: WorkflowState | undefined, why: string): Decision {
  return { state, effects: [], ignored: why };
}
