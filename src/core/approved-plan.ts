import { contentHash, extractData } from "./markers.js";
import type { Plan } from "./schemas/architect.js";
import type { WorkflowState } from "./state.js";

/**
 * The plan every later step works from: read from the approved comment, and only while that comment
 * is byte for byte what was approved (its hash, frozen at approval). What the developer implements
 * and the reviewers review against is exactly what the maintainer approved.
 */
export type ApprovedPlan = { plan: Plan; version: number } | { refused: string };

export function readApprovedPlan(state: WorkflowState, commentBody: string | undefined): ApprovedPlan {
  const approved = state.approved;
  if (!approved) return { refused: "no plan is approved in this workflow" };
  if (commentBody === undefined)
    return { refused: `plan v${approved.version}'s comment was deleted after it was approved` };
  if (contentHash(commentBody) !== approved.hash) {
    return {
      refused: `plan v${approved.version}'s comment was edited after it was approved; comment \`/triad replan\` for a new version to approve`,
    };
  }
  const plan = (extractData(commentBody, "plan") as { plan?: Plan } | undefined)?.plan;
  if (!plan) return { refused: `plan v${approved.version}'s comment carries no plan data` };
  return { plan, version: approved.version };
}
