import type { RepoConfig } from "../config/repo-config.js";
import { COMMAND_HELP, classifyComment } from "./commands.js";
import type { WorkflowEvent } from "./events.js";
import { canWrite, isCollaborator, type Permission } from "./permissions.js";
import { renderStatus } from "./render/tracking.js";
import { isActive, type Phase, type WorkflowState, workflowStateSchema } from "./state.js";
import type { StepKind } from "./steps.js";

/**
 * The workflow's decisions: pure functions of (state, event, facts) → (new state, effects). Nothing
 * here performs I/O; `run-effects.ts` carries the effects out. A reader looking for "what happens
 * when a maintainer says approved" finds it in `onApproval` below.
 */
export type Effect =
  /** A reaction on the issue itself (`commentId` absent) or on a comment. */
  | { type: "react"; content: "eyes" | "+1" | "confused"; commentId?: number }
  /** Create or update the one tracking comment from the new state. */
  | { type: "ensure_tracking_comment" }
  /** Remove a label from the issue (ignored when already gone). */
  | { type: "remove_label"; label: string }
  /** Answer a comment, once: a redelivered event finds the reply instead of posting another. */
  | { type: "reply"; to: number; body: string }
  /** Queue a phase step; `key` makes its job id, so queueing it twice adds nothing. */
  | { type: "enqueue"; kind: StepKind; key: string; reason: string; planVersion?: number }
  /** Queue the step that failed again (`/triad retry`). */
  | { type: "retry_failed"; key: string };

export interface Decision {
  state: WorkflowState | undefined;
  effects: Effect[];
  /** Why nothing happened, for the log. */
  ignored?: string;
}

/** Facts read from GitHub before deciding (the decision itself reads nothing). */
export interface DecideFacts {
  /** The sender's role on the repository, for comments. */
  permission?: Permission;
  /** sha256 of the latest plan comment's body as it is now ("missing" when deleted). */
  planCommentHash?: string;
}

export interface DecideContext {
  config: RepoConfig;
  now: string;
  facts?: DecideFacts;
}

export function decide(state: WorkflowState | undefined, event: WorkflowEvent, ctx: DecideContext): Decision {
  switch (event.kind) {
    case "issue_labeled":
      return onLabeled(state, event, ctx);
    case "issue_unlabeled":
      if (event.label !== ctx.config.trigger_label) return ignore(state, "another label was removed");
      return stop(state, ctx, `the \`${event.label}\` label was removed by @${event.sender.login}`, []);
    case "issue_closed":
      return stop(state, ctx, `the issue was closed by @${event.sender.login}`, []);
    case "comment_created":
      if (event.onPullRequest) return ignore(state, "pull request comments are handled by the review phase");
      return onComment(state, event, ctx);
    default:
      return ignore(state, `${event.kind} is handled by a later phase`);
  }
}

type CommentEvent = Extract<WorkflowEvent, { kind: "comment_created" }>;

function onLabeled(
  state: WorkflowState | undefined,
  event: Extract<WorkflowEvent, { kind: "issue_labeled" }>,
  ctx: DecideContext,
): Decision {
  if (event.label !== ctx.config.trigger_label)
    return ignore(state, `label "${event.label}" is not the trigger`);
  if (state && isActive(state.phase)) return ignore(state, "the workflow is already running");
  const next: WorkflowState = workflowStateSchema.parse({
    v: 1,
    repo: `${event.repo.owner}/${event.repo.name}`,
    issue: event.issue,
    phase: "planning",
    startedBy: event.sender.login,
    startedAt: ctx.now,
    updatedAt: ctx.now,
    trackingCommentId: state?.trackingCommentId,
    planVersion: state?.planVersion ?? 0,
    fixRound: 0,
    runId: event.deliveryId,
    plan: state?.plan,
    seenCommentId: state?.seenCommentId ?? 0,
    architectTurns: state?.architectTurns ?? 0,
    usage: state?.usage,
    phaseTimes: { planning: ctx.now },
  });
  return {
    state: next,
    effects: [
      { type: "react", content: "eyes" },
      { type: "enqueue", kind: "architect", key: `start-${event.deliveryId}`, reason: "read the issue" },
      { type: "ensure_tracking_comment" },
    ],
  };
}

function onComment(state: WorkflowState | undefined, event: CommentEvent, ctx: DecideContext): Decision {
  if (!state || !isActive(state.phase)) return ignore(state, "no running workflow on this issue");
  const intent = classifyComment(event.comment.body, ctx.config.approval_words);
  const permission = ctx.facts?.permission ?? "none";
  switch (intent.type) {
    case "approval":
      return onApproval(state, event, ctx, permission);
    case "command":
    case "unknown_command":
      // Commands are for write+ users; anyone else is ignored without a reply (no noise to bait).
      if (!canWrite(permission)) return ignore(state, `@${event.comment.author.login} may not give commands`);
      if (intent.type === "unknown_command") {
        return reply(state, event, `I don't know \`${intent.text}\`. Commands:\n${COMMAND_HELP}`);
      }
      return onCommand(state, event, ctx, intent.name);
    case "message":
      return onMessage(state, event, ctx, permission);
  }
}

/** A maintainer's `approved`: freeze the plan version it answers and hand it to the developer. */
function onApproval(
  state: WorkflowState,
  event: CommentEvent,
  ctx: DecideContext,
  permission: Permission,
): Decision {
  const who = event.comment.author.login;
  if (!canWrite(permission)) {
    return reply(
      state,
      event,
      `@${who}, only people with write, maintain or admin access can approve a plan (you have ${permission === "none" ? "no" : permission} access). Nothing was started.`,
    );
  }
  if (state.approved?.approvalCommentId === event.comment.id) return ignore(state, "approval already taken");
  const plan = state.plan;
  if (state.phase !== "awaiting-approval" || !plan) {
    const why = state.approved
      ? `plan v${state.approved.version} is already approved (by @${state.approved.by})`
      : plan
        ? `the architect is revising plan v${plan.version} after a comment; approve the new version once it is posted`
        : "the architect has not posted a plan yet";
    return reply(state, event, `@${who}, there is no plan waiting for approval: ${why}.`);
  }
  if (event.comment.id < plan.commentId) {
    return reply(
      state,
      event,
      `@${who}, this approval was written before plan v${plan.version} was posted, so it cannot approve it. Read plan v${plan.version} and reply \`approved\` again if it is right.`,
    );
  }
  if (ctx.facts?.planCommentHash !== plan.hash) {
    return reply(
      state,
      event,
      `@${who}, plan v${plan.version}'s comment was ${ctx.facts?.planCommentHash === "missing" ? "deleted" : "edited"} after the architect posted it, so what you would approve is not what was planned. Comment \`/triad replan\` for a new version, or ask for the change in a comment.`,
    );
  }
  const next: WorkflowState = {
    ...state,
    phase: "implementing",
    updatedAt: ctx.now,
    note: undefined,
    approved: { ...plan, by: who, approvalCommentId: event.comment.id },
  };
  return {
    state: next,
    effects: [
      { type: "react", content: "+1", commentId: event.comment.id },
      {
        type: "enqueue",
        kind: "develop",
        key: `v${plan.version}`,
        reason: `plan v${plan.version} approved`,
        planVersion: plan.version,
      },
      { type: "ensure_tracking_comment" },
    ],
  };
}

function onCommand(
  state: WorkflowState,
  event: CommentEvent,
  ctx: DecideContext,
  name: "status" | "replan" | "stop" | "retry" | "fix" | "ignore",
): Decision {
  switch (name) {
    case "status":
      return reply(state, event, renderStatus(state));
    case "stop":
      return stop(state, ctx, `@${event.comment.author.login} said \`/triad stop\``, [
        { type: "remove_label", label: ctx.config.trigger_label },
      ]);
    case "replan": {
      if (!["planning", "awaiting-approval", "needs-human", "ready"].includes(state.phase)) {
        return reply(
          state,
          event,
          `The workflow is ${state.phase}; a replan can be asked for while planning, awaiting approval, ready or waiting for a human.`,
        );
      }
      return {
        state: { ...state, phase: "planning", updatedAt: ctx.now, note: undefined },
        effects: [
          { type: "react", content: "eyes", commentId: event.comment.id },
          {
            type: "enqueue",
            kind: "architect",
            key: `replan-${event.comment.id}`,
            reason: `replan asked by @${event.comment.author.login}`,
          },
          { type: "ensure_tracking_comment" },
        ],
      };
    }
    case "retry":
      if (!state.failed) return reply(state, event, "Nothing has failed, so there is nothing to retry.");
      return {
        state: { ...state, updatedAt: ctx.now, note: undefined },
        effects: [
          { type: "react", content: "eyes", commentId: event.comment.id },
          { type: "retry_failed", key: String(event.comment.id) },
          { type: "ensure_tracking_comment" },
        ],
      };
    case "fix":
    case "ignore":
      return reply(state, event, `\`/triad ${name}\` works on triad's pull request, once there is one.`);
  }
}

/** An answer or a change request: the architect takes another turn, while planning. */
function onMessage(
  state: WorkflowState,
  event: CommentEvent,
  ctx: DecideContext,
  permission: Permission,
): Decision {
  if (ctx.config.commenters === "collaborators" && !isCollaborator(permission)) {
    return ignore(state, `@${event.comment.author.login} is not a collaborator`);
  }
  if (state.phase !== "planning" && state.phase !== "awaiting-approval") {
    return ignore(state, `comments do not drive the ${state.phase} phase`);
  }
  if (event.comment.id <= state.seenCommentId)
    return ignore(state, "the architect has already read this comment");
  return {
    state: { ...state, phase: "planning", updatedAt: ctx.now, note: undefined },
    effects: [
      {
        type: "enqueue",
        kind: "architect",
        key: `c${event.comment.id}`,
        reason: `read @${event.comment.author.login}'s comment`,
      },
      { type: "ensure_tracking_comment" },
    ],
  };
}

function stop(state: WorkflowState | undefined, ctx: DecideContext, why: string, extra: Effect[]): Decision {
  if (!state || !isActive(state.phase)) return ignore(state, "no running workflow");
  return {
    state: withPhase(state, "stopped", ctx.now, `Stopped: ${why}.`),
    effects: [...extra, { type: "ensure_tracking_comment" }],
  };
}

function reply(state: WorkflowState, event: CommentEvent, body: string): Decision {
  return { state, effects: [{ type: "reply", to: event.comment.id, body }] };
}

function withPhase(state: WorkflowState, phase: Phase, now: string, note?: string): WorkflowState {
  return { ...state, phase, updatedAt: now, note, queued: undefined };
}

function ignore(state: WorkflowState | undefined, why: string): Decision {
  return { state, effects: [], ignored: why };
}
