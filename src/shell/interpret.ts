import type { Effect } from "../core/issue-events.js";
import { marker } from "../core/markers.js";
import { renderTrackingComment } from "../core/render/tracking.js";
import type { WorkflowState } from "../core/state.js";
import { STEP_QUEUE, type StepJob } from "../core/steps.js";
import { faultPoint } from "../faults.js";
import type { GitHubClient, IssueRef } from "../github/client.js";
import { ensureComment, react, removeLabel } from "../github/comments.js";
import { enqueueStep, type Queues } from "../queue/queues.js";
import { addReviewFlow } from "./review/flow.js";

export interface EffectContext {
  gh: GitHubClient;
  ref: IssueRef;
  botLogin: string;
  queues: Queues;
  installationId: number;
}

/**
 * The one interpreter of effects. Each effect is repeat-safe ("ensure"), so a job retried after a
 * crash between two effects redoes the first harmlessly. Returns the state with what the effects
 * learned (the tracking comment's id, the queued step).
 */
export async function runEffects(
  ctx: EffectContext,
  state: WorkflowState,
  effects: Effect[],
): Promise<WorkflowState> {
  let current = state;
  for (const effect of effects) {
    switch (effect.type) {
      case "react":
        await react(ctx.gh, ctx.ref, effect.content, effect.commentId);
        break;
      case "ensure_tracking_comment":
        current = await ensureTrackingComment(ctx, current);
        faultPoint("after-tracking-comment");
        break;
      case "remove_label":
        await removeLabel(ctx.gh, ctx.ref, effect.label);
        break;
      case "reply":
        await ensureComment(ctx.gh, ctx.ref, {
          marker: marker("reply", String(effect.to)),
          body: effect.body,
          botLogin: ctx.botLogin,
        });
        break;
      case "enqueue": {
        const step: StepJob = {
          kind: effect.kind,
          installationId: ctx.installationId,
          repo: { owner: ctx.ref.owner, name: ctx.ref.repo },
          issue: ctx.ref.issue_number,
          runId: current.runId,
          reason: effect.reason,
          ...(effect.planVersion !== undefined ? { planVersion: effect.planVersion } : {}),
        };
        current = { ...current, queued: await enqueueStep(ctx.queues, step, effect.key), failed: undefined };
        break;
      }
      case "retry_failed":
        current = await retryFailed(ctx, current, effect.key);
        break;
    }
  }
  return current;
}

export async function ensureTrackingComment(
  ctx: Pick<EffectContext, "gh" | "ref" | "botLogin">,
  state: WorkflowState,
): Promise<WorkflowState> {
  const comment = await ensureComment(ctx.gh, ctx.ref, {
    marker: marker("tracking"),
    body: renderTrackingComment(state),
    botLogin: ctx.botLogin,
    knownId: state.trackingCommentId,
  });
  return { ...state, trackingCommentId: comment.id };
}

/** Queue the failed step again under a new id (its data is read back from the failed job). */
async function retryFailed(ctx: EffectContext, state: WorkflowState, key: string): Promise<WorkflowState> {
  const failed = state.failed;
  if (!failed) return state;
  const queue =
    failed.queue === ctx.queues.events.name
      ? ctx.queues.events
      : Object.values(ctx.queues.steps).find((q) => q.name === failed.queue);
  const job = queue ? await queue.getJob(failed.jobId) : undefined;
  if (!queue || !job)
    return {
      ...state,
      failed: {
        ...failed,
        error: `${failed.error} (the failed job is no longer stored; add the label again to restart)`,
      },
    };
  const retryId = `${failed.jobId.replace(/-retry-\w+$/, "")}-retry-${key}`;
  if (failed.queue === STEP_QUEUE.review || failed.queue === STEP_QUEUE.review_one) {
    // A review is a flow: run the whole of it again. Reviewers that already posted find their
    // review by its marker and only hand their findings to the new parent.
    const { slot: _slot, ...data } = job.data as StepJob;
    await addReviewFlow(ctx.queues, { ...data, kind: "review" }, retryId, (slot) => `${retryId}-${slot}`);
    return {
      ...state,
      phase: "reviewing",
      failed: undefined,
      queued: { queue: STEP_QUEUE.review, jobId: retryId, label: failed.label },
    };
  }
  // biome-ignore lint/suspicious/noExplicitAny: the job's data goes back to the queue it came from.
  await (queue as any).add(job.name, job.data, { jobId: retryId });
  return {
    ...state,
    failed: undefined,
    queued: { queue: failed.queue, jobId: retryId, label: failed.label },
  };
}
