import type { Effect } from "../core/effects.js";
import { isOwnComment } from "../core/markers.js";
import { isSuperseded, supersededBanner } from "../core/render/architect.js";
import type { IssueComment } from "../github/comments.js";
import { github } from "../github/errors.js";
import type { WorkflowContext } from "./context.js";

/**
 * Marks an earlier plan comment superseded (issue [12/12] item 8): one line on top, linked to the
 * plan that replaces it; the rest of the body, data block included, stays byte for byte, so the plan
 * is still read back from it (`readPlanComment` takes the line off). A comment already marked, gone,
 * or not triad's own is left alone.
 */
export async function supersedePlanComment(
  w: WorkflowContext,
  comments: IssueComment[],
  effect: Extract<Effect, { type: "supersede_plan" }>,
  newPlanUrl: string | undefined,
): Promise<void> {
  const old = comments.find((c) => c.id === effect.commentId);
  const body = old?.body ?? "";
  if (!old || !isOwnComment(old.user, w.deps.botLogin) || isSuperseded(body)) return;
  const marked = `${supersededBanner(effect.by, newPlanUrl)}${body}`;
  await github("mark the earlier plan superseded", async () => {
    try {
      await w.gh.rest.issues.updateComment({ ...w.repo, comment_id: old.id, body: marked });
    } catch (error) {
      if ((error as { status?: number }).status !== 404) throw error;
    }
  });
  old.body = marked;
}
