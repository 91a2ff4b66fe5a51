import { readApprovedPlan } from "../core/approved-plan.js";
import type { Plan } from "../core/schemas/architect.js";
import type { WorkflowState } from "../core/state.js";
import { TriadError } from "../errors.js";
import { github } from "../github/errors.js";
import { modelText } from "../text/sanitize.js";
import type { WorkflowContext } from "./context.js";

/** The approved plan, read from its comment and checked against the hash frozen at approval. */
export async function loadApprovedPlan(
  w: WorkflowContext,
  state: WorkflowState,
): Promise<{ plan: Plan; version: number; url: string }> {
  const approved = state.approved;
  if (!approved) throw new TriadError("internal", "no approved plan in this workflow");
  const comment = await github("read the approved plan", async () => {
    try {
      return (await w.gh.rest.issues.getComment({ ...w.repo, comment_id: approved.commentId })).data;
    } catch (error) {
      if ((error as { status?: number }).status === 404) return undefined;
      throw error;
    }
  });
  const read = readApprovedPlan(state, comment ? (comment.body ?? "") : undefined, modelText);
  if ("refused" in read) throw new TriadError("config_invalid", read.refused);
  return { ...read, url: comment?.html_url ?? "" };
}
