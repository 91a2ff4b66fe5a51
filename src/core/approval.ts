import { bindBudget } from "./budget-pause.js";
import type { DecideContext } from "./context.js";
import { type Decision, decided, ignore } from "./effects.js";
import { type CommentEvent, type EventFacts, reply } from "./event-facts.js";
import { canWrite } from "./permissions.js";
import { branchName } from "./render/developer.js";
import { stepBase, type WorkflowState } from "./state.js";
import { type StepJob, stepJobId, stepLabel } from "./steps.js";

/**
 * "What happens when a maintainer says approved" (ARCHITECTURE §2, §8). An approval counts only when
 * it comes from a write+ user, answers the latest plan version, was written after that plan was posted,
 * and the plan comment is byte for byte what the architect posted (its hash). Then the plan and the
 * issue text it was made from are frozen, the implementation starts from a clean slate (a revised plan is a new
 * implementation: rounds, the spiral history and earlier findings start over), and the developer is
 * queued.
 */
export function onApproval(
  state: WorkflowState,
  event: CommentEvent,
  facts: EventFacts,
  ctx: DecideContext,
): Decision {
  const who = event.comment.author.login;
  const permission = facts.permission ?? "none";
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
  if (facts.planCommentHash !== plan.hash) {
    return reply(
      state,
      event,
      `@${who}, plan v${plan.version}'s comment was ${facts.planCommentHash === "missing" ? "deleted" : "edited"} after the architect posted it, so what you would approve is not what was planned. Comment \`/triad replan\` for a new version, or ask for the change in a comment.`,
    );
  }
  // The issue text frozen with the plan is the text the architect read for it.
  const branch = state.branch ?? branchName(state.issue, plan.issue?.title ?? "");
  const step: StepJob = {
    ...stepBase(state),
    kind: "develop",
    round: 0,
    planVersion: plan.version,
    reason: `plan v${plan.version} approved`,
  };
  const jobId = stepJobId(step, `v${plan.version}`);
  const next: WorkflowState = {
    ...state,
    phase: "implementing",
    updatedAt: ctx.now,
    note: undefined,
    approved: { ...plan, by: who, approvalCommentId: event.comment.id },
    // What the plan's comment said it would cost, plus its margin, is what this approval allows.
    budgetBound: bindBudget(state, plan.version, facts.planEstimate),
    branch,
    // A new implementation: nothing of an earlier plan's rounds carries over.
    fixRound: 0,
    changes: [],
    raisedKeys: [],
    roundNotes: [],
    reviewedSha: undefined,
    devSteps: undefined,
    failed: undefined,
    queued: { jobId, label: stepLabel(step), step },
    phaseTimes: { ...state.phaseTimes, implementing: ctx.now },
  };
  return decided(next, [
    { type: "react", content: "+1", commentId: event.comment.id },
    { type: "clear_pending" },
    { type: "enqueue", step, jobId },
  ]);
}
