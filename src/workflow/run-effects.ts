import { faultPoint } from "../faults.js";
import type { GitHubClient, IssueRef } from "../github/client.js";
import { ensureComment, react, removeLabel } from "../github/comments.js";
import type { Effect } from "./decide.js";
import { marker } from "./markers.js";
import type { WorkflowState } from "./state.js";
import { renderTrackingComment } from "./tracking-comment.js";

export interface EffectContext {
  gh: GitHubClient;
  ref: IssueRef;
  botLogin: string;
}

/**
 * The one interpreter of effects. Each effect is repeat-safe ("ensure"), so a job retried after a
 * crash between two effects redoes the first harmlessly. Returns the state with what the effects
 * learned (the tracking comment's id).
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
      case "ensure_tracking_comment": {
        const comment = await ensureComment(ctx.gh, ctx.ref, {
          marker: marker("tracking"),
          body: renderTrackingComment(current),
          botLogin: ctx.botLogin,
          knownId: current.trackingCommentId,
        });
        current = { ...current, trackingCommentId: comment.id };
        faultPoint("after-tracking-comment");
        break;
      }
      case "remove_label":
        await removeLabel(ctx.gh, ctx.ref, effect.label);
        break;
    }
  }
  return current;
}
