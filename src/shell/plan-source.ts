import { readApprovedPlan } from "../core/approved-plan.js";
import type { Plan } from "../core/schemas/architect.js";
import type { WorkflowState } from "../core/state.js";
import { TriadError } from "../errors.js";
import { github } from "../github/errors.js";
import { modelText } from "../text/sanitize.js";
import type { WorkflowContext } from "./context.js";

type ApprovedPlan = { plan: Plan; version: number; url: string };

/** Where the body of a plan comment read at approval time is kept, by the hash approval freezes. */
export function planCommentKey(hash: string): string {
  return `plan-comment-${hash}`;
}

/**
 * The approved plan, read from its comment and checked against the hash frozen at approval. Once
 * read and checked it is kept by that hash (content-addressed: the same hash is the same plan), so
 * the workflow's later steps do not read the comment again.
 */
export async function loadApprovedPlan(w: WorkflowContext, state: WorkflowState): Promise<ApprovedPlan> {
  const approved = state.approved;
  if (!approved) throw new TriadError("internal", "no approved plan in this workflow");
  const key = `approved-plan-${approved.hash}`;
  const kept = await w.deps.stores.results.get<ApprovedPlan>(key);
  if (kept) return kept;
  const seen = await w.deps.stores.results.get<{ body: string; url: string }>(planCommentKey(approved.hash));
  const comment = seen
    ? { body: seen.body, html_url: seen.url }
    : await github("read the approved plan", async () => {
        try {
          return (await w.gh.rest.issues.getComment({ ...w.repo, comment_id: approved.commentId })).data;
        } catch (error) {
          if ((error as { status?: number }).status === 404) return undefined;
          throw error;
        }
      });
  const read = readApprovedPlan(state, comment ? (comment.body ?? "") : undefined, modelText);
  if ("refused" in read) throw new TriadError("config_invalid", read.refused);
  const result = { ...read, url: comment?.html_url ?? "" };
  await w.deps.stores.results.set(key, result);
  return result;
}
