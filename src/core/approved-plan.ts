import { type BudgetEstimate, budgetEstimateSchema } from "./budget-estimate.js";
import { contentHash, extractData, TRAILING_DATA_BLOCK } from "./markers.js";
import type { ModelText } from "./model-text.js";
import { type PlanData, renderPlanView, withoutSupersededBanner } from "./render/architect.js";
import { splitBody } from "./render/limits.js";
import type { Plan } from "./schemas/architect.js";
import type { WorkflowState } from "./state.js";

/**
 * What is approved is what is built (ARCHITECTURE §8). A plan is read from its comment's data block
 * (only the one at the very end, written by triad), and only when rendering that data again gives
 * exactly what the comment shows: a comment whose data says one plan while its text shows another is
 * refused, whatever put it there. A plan over GitHub's body limit was posted split
 * (render/limits.ts): its comment is then the first part, which splitting the same rendering again
 * gives exactly (the data block is taken as it stands, not encoded again).
 */
export type PlanRead = { plan: Plan; version: number; estimate?: BudgetEstimate } | { refused: string };

export function readPlanComment(shown: string, text: ModelText): PlanRead {
  // A superseded plan keeps its text and data under one line triad adds on top.
  const body = withoutSupersededBanner(shown);
  const data = extractData(body, "plan") as Partial<PlanData> | undefined;
  if (!data?.plan || typeof data.version !== "number" || !data.turnId || !data.approvalWord)
    return { refused: "the plan comment carries no plan data" };
  const block = TRAILING_DATA_BLOCK.exec(body)?.[0].trim() ?? "";
  const posted = splitBody(`${renderPlanView(data as PlanData, text)}\n\n${block}`).parts[0];
  if (posted !== body.trimEnd())
    return { refused: `plan v${data.version}'s comment does not show the plan its data holds` };
  const estimate = budgetEstimateSchema.safeParse(data.estimate);
  return { plan: data.plan, version: data.version, ...(estimate.success ? { estimate: estimate.data } : {}) };
}

/**
 * The plan every later step works from: the approved comment, unchanged since approval (its hash,
 * frozen at approval), read as above.
 */
export function readApprovedPlan(
  state: WorkflowState,
  commentBody: string | undefined,
  text: ModelText,
): PlanRead {
  const approved = state.approved;
  if (!approved) return { refused: "no plan is approved in this workflow" };
  if (commentBody === undefined)
    return { refused: `plan v${approved.version}'s comment was deleted after it was approved` };
  if (contentHash(commentBody) !== approved.hash) {
    return {
      refused: `plan v${approved.version}'s comment was edited after it was approved; comment \`/triad replan\` for a new version to approve`,
    };
  }
  return readPlanComment(commentBody, text);
}
