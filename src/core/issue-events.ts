import { onApproval } from "./approval.js";
import { onBudgetCommand, retryPausedStep } from "./budget-pause.js";
import { COMMAND_HELP, type CommandName } from "./commands.js";
import type { DecideContext } from "./context.js";
import { handledAhead, inWrittenOrder } from "./earlier-comments.js";
import { type Decision, decided, type Effect, ignore } from "./effects.js";
import { type CommentEvent, type EventFacts, type IssueEvent, reply } from "./event-facts.js";
import type { WorkflowEvent } from "./events.js";
import { canWrite } from "./permissions.js";
import { renderCallLog } from "./render/call-log.js";
import { withPrecision } from "./render/precision.js";
import { renderStatus } from "./render/tracking.js";
import { withRoundOutcomes } from "./review/precision.js";
import { isActive, type Phase, stepBase, type WorkflowState, workflowStateSchema } from "./state.js";
import { retryJobId, type StepJob, stepJobId, stepLabel } from "./steps.js";

/**
 * What happens on the issue (ARCHITECTURE §2): the trigger label starts a workflow, removing it or
 * closing the issue stops it, comments are answers for the architect, an approval, or `/triad`
 * commands. Pure: the shell gathers the facts first (`EventFacts`).
 */
export function decideIssueEvent(
  state: WorkflowState | undefined,
  event: IssueEvent,
  facts: EventFacts,
  ctx: DecideContext,
): Decision {
  switch (event.kind) {
    case "issue_labeled":
      return onLabeled(state, event, facts, ctx);
    case "issue_unlabeled":
      if (event.label === ctx.config.important_label) return importantLabel(state, false, ctx);
      if (event.label !== ctx.config.trigger_label) return ignore(state, "another label was removed");
      return stop(state, ctx, `the \`${event.label}\` label was removed by ${event.sender.login}`, []);
    case "issue_closed":
      // A merge closes the issue ("Closes #n") and GitHub may deliver that before the PR's own
      // `closed`: a workflow whose PR is open waits for the PR's event, which says whether it merged.
      if (state?.pr && !["stopped", "merged", "closed"].includes(state.phase))
        return decided(
          { ...state, updatedAt: ctx.now, note: `The issue was closed by ${event.sender.login}.` },
          [],
        );
      return stop(state, ctx, `the issue was closed by ${event.sender.login}`, []);
    case "issue_edited":
      // The text a plan was made from is frozen with it: an edit after the plan is shown, never used
      // (a comment asking for the change is how a maintainer changes the plan).
      if (!state?.plan || !isActive(state.phase) || state.issueEditedSincePlan)
        return ignore(state, "an edit before any plan, or one already noted");
      return decided({ ...state, updatedAt: ctx.now, issueEditedSincePlan: true }, []);
    case "comment_created":
      return onComment(state, event, facts, ctx);
  }
}

function onLabeled(
  state: WorkflowState | undefined,
  event: Extract<WorkflowEvent, { kind: "issue_labeled" }>,
  facts: EventFacts,
  ctx: DecideContext,
): Decision {
  if (event.label === ctx.config.important_label) return importantLabel(state, true, ctx);
  if (event.label !== ctx.config.trigger_label)
    return ignore(state, `label "${event.label}" is not the trigger`);
  if (state && isActive(state.phase)) return ignore(state, "the workflow is already running");
  if (facts.labelPresent === false) return ignore(state, "the trigger label is no longer on the issue");
  if (facts.permission !== undefined && !["admin", "maintain", "write", "triage"].includes(facts.permission))
    return ignore(state, `@${event.sender.login} may not start a workflow (${facts.permission} access)`);
  const next: WorkflowState = workflowStateSchema.parse({
    v: 1,
    repo: `${event.repo.owner}/${event.repo.name}`,
    issue: event.issue,
    installationId: event.installationId,
    phase: "planning",
    startedBy: event.sender.login,
    startedAt: ctx.now,
    updatedAt: ctx.now,
    trackingCommentId: state?.trackingCommentId,
    posted: state?.posted,
    planVersion: state?.planVersion ?? 0,
    fixRound: 0,
    runId: event.deliveryId,
    plan: state?.plan,
    branch: state?.branch,
    seenCommentId: state?.seenCommentId ?? 0,
    architectTurns: state?.architectTurns ?? 0,
    usage: state?.usage,
    budget: { maxTokens: ctx.config.budgets.max_tokens, maxCostUsd: ctx.config.budgets.max_cost_usd },
    phaseTimes: { planning: ctx.now },
    ...(facts.important === undefined ? {} : { important: facts.important }),
  });
  const step = architectStep(next, "read the issue");
  const jobId = stepJobId(step, `start-${event.deliveryId}`);
  return decided({ ...next, queued: { jobId, label: stepLabel(step), step } }, [
    { type: "react", content: "eyes" },
    { type: "enqueue", step, jobId },
  ]);
}

function onComment(
  state: WorkflowState | undefined,
  event: CommentEvent,
  facts: EventFacts,
  ctx: DecideContext,
): Decision {
  const intent = facts.intent ?? { type: "message" };
  const permission = facts.permission ?? "none";
  // The log is there to look at after the fact too: on a finished workflow as on a running one.
  if (state && intent.type === "command" && intent.name === "log" && canWrite(permission))
    return reply(state, event, renderCallLog(facts.callLog));
  if (!state || !isActive(state.phase)) return ignore(state, "no running workflow on this issue");
  if (handledAhead(state, event)) return ignore(state, "handled before a later approval, from the thread");
  switch (intent.type) {
    case "approval":
      // Comments written before it that it could overtake are decided first, in the order written.
      if (facts.earlier?.length)
        return inWrittenOrder(state, facts.earlier, event, { ...facts, earlier: [] }, onComment, ctx);
      return onApproval(state, event, facts, ctx);
    case "command":
    case "unknown_command":
      // A workflow paused for budget waits for exactly this: whoever tries is told whether it counted.
      if (intent.type === "command" && intent.name === "budget")
        return onBudgetCommand(state, event, facts, ctx, intent.args);
      // Commands are for write+ users; anyone else is ignored without a reply (no noise to bait).
      if (!canWrite(permission)) return ignore(state, `@${event.comment.author.login} may not give commands`);
      if (intent.type === "unknown_command")
        return reply(state, event, `I don't know \`${clip(intent.text, 80)}\`. Commands:\n${COMMAND_HELP}`);
      return onCommand(state, event, facts, ctx, intent.name);
    case "message":
      return onMessage(state, event, facts, ctx);
  }
}

function onCommand(
  state: WorkflowState,
  event: CommentEvent,
  facts: EventFacts,
  ctx: DecideContext,
  name: CommandName,
): Decision {
  switch (name) {
    case "status": {
      // Late overrules read for the figures are kept in the state (the tracking comment's data).
      const next = withRoundOutcomes(state, facts.precisionOutcomes ?? []);
      const body = withPrecision(renderStatus(state), facts.precision, ctx.text);
      return next === state ? reply(state, event, body) : decided(next, reply(state, event, body).effects);
    }
    case "stop":
      return stop(state, ctx, `${event.comment.author.login} said \`/triad stop\``, [
        { type: "remove_issue_label", label: ctx.config.trigger_label },
      ]);
    case "replan": {
      const allowed: Phase[] = ["planning", "awaiting-approval", "needs-human", "ready"];
      if (!allowed.includes(state.phase)) {
        return reply(
          state,
          event,
          `The workflow is ${state.phase}; a replan can be asked for while planning, awaiting approval, ready or waiting for a human.`,
        );
      }
      const step = architectStep(state, `replan asked by ${event.comment.author.login}`);
      const jobId = stepJobId(step, `replan-${event.comment.id}`);
      return decided(
        {
          ...state,
          phase: "planning",
          updatedAt: ctx.now,
          note: undefined,
          queued: { jobId, label: stepLabel(step), step },
        },
        [
          { type: "react", content: "eyes", commentId: event.comment.id },
          { type: "enqueue", step, jobId },
        ],
      );
    }
    case "retry":
      return onRetry(state, event, facts, ctx);
    case "fix":
    case "ignore":
      return reply(state, event, `\`/triad ${name}\` works on triad's pull request, once there is one.`);
    case "log":
      return reply(state, event, renderCallLog(facts.callLog));
    case "budget":
      return onBudgetCommand(state, event, facts, ctx, "");
  }
}

/**
 * `/triad retry`: the step that failed runs again under a new job id. After Redis lost the queue, the
 * step the tracking comment says was queued or running is queued again from the data kept in the state.
 */
function onRetry(state: WorkflowState, event: CommentEvent, facts: EventFacts, ctx: DecideContext): Decision {
  const held = retryPausedStep(state, event, ctx);
  if (held) return held;
  const target = state.failed ?? (facts.queuedJobExists === false ? state.queued : undefined);
  if (!target) {
    const why = state.queued
      ? `${state.queued.label} is queued or running`
      : "nothing has failed and nothing is waiting to run";
    return reply(state, event, `Nothing to retry: ${why}.`);
  }
  const step = target.step;
  const jobId = retryJobId(target.jobId, String(event.comment.id));
  const effect: Effect =
    step.kind === "review" ? { type: "start_review", step, jobId } : { type: "enqueue", step, jobId };
  return decided(
    {
      ...state,
      updatedAt: ctx.now,
      note: undefined,
      failed: undefined,
      queued: { jobId, label: target.label, step },
    },
    [{ type: "react", content: "eyes", commentId: event.comment.id }, effect],
  );
}

/** An answer or a change request: the architect takes another turn, while planning. */
function onMessage(
  state: WorkflowState,
  event: CommentEvent,
  facts: EventFacts,
  ctx: DecideContext,
): Decision {
  // A collaborator, as GitHub's collaborator check says (never "any permission but none").
  if (ctx.config.commenters === "collaborators" && facts.collaborator !== true)
    return ignore(state, `@${event.comment.author.login} is not a collaborator`);
  if (state.phase !== "planning" && state.phase !== "awaiting-approval")
    return ignore(state, `comments do not drive the ${state.phase} phase`);
  if (event.comment.id <= state.seenCommentId)
    return ignore(state, "the architect has already read this comment");
  const step = {
    ...architectStep(state, `read ${event.comment.author.login}'s comment`),
    commentId: event.comment.id,
  };
  const jobId = stepJobId(step, `c${event.comment.id}`);
  return decided(
    {
      ...state,
      phase: "planning",
      updatedAt: ctx.now,
      note: undefined,
      queued: { jobId, label: stepLabel(step), step },
    },
    [{ type: "enqueue", step, jobId }],
  );
}

/**
 * The important label came or went: the next round is reviewed by two reviewers or by the configured
 * number. Kept in the state (no call per round); shows nothing by itself.
 */
function importantLabel(state: WorkflowState | undefined, on: boolean, ctx: DecideContext): Decision {
  if (!state || !isActive(state.phase)) return ignore(state, "the important label, with no running workflow");
  if (state.important === on) return ignore(state, "the important label, as already known");
  return decided({ ...state, important: on, updatedAt: ctx.now }, [], false);
}

export function architectStep(state: WorkflowState, reason: string): StepJob {
  return { ...stepBase(state), kind: "architect", mode: "turn", reason };
}

function stop(state: WorkflowState | undefined, ctx: DecideContext, why: string, extra: Effect[]): Decision {
  if (!state || !isActive(state.phase)) return ignore(state, "no running workflow");
  return decided(
    { ...state, phase: "stopped", updatedAt: ctx.now, note: `Stopped: ${why}.`, queued: undefined },
    [{ type: "request_stop" }, ...extra],
  );
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
