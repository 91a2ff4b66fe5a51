import { z } from "zod";
import { budgetEstimateSchema } from "./budget-estimate.js";
import { stepJobSchema } from "./steps.js";

/**
 * The budget an approval bound to its plan (issue [12/12] item 5), as the workflow state keeps it:
 * the plan's estimate as its comment stated it, what the workflow had spent when it was approved
 * (planning is not in the estimate), what maintainers added with `/triad budget +N`, and the step
 * that waits while the workflow is paused for budget. Schema only (state.ts imports it); the
 * decisions are in `budget-pause.ts`.
 */
export const budgetBoundSchema = z.object({
  /** The plan version the approval bound this to. */
  version: z.number().int().positive(),
  estimate: budgetEstimateSchema,
  /** Spend at approval (tokens: input + output, as the estimate counts them). */
  spentBefore: z.object({ tokens: z.number(), costUsd: z.number().optional() }),
  /** Added by `/triad budget +N` (N tokens; the cost limit rises at the estimate's price per token). */
  extra: z.object({ tokens: z.number(), costUsd: z.number().optional() }),
  /** How many grants were made (names the pause comment: one per bound). */
  grants: z.number().int().min(0),
  /** Pauses at the current bound (a retried step re-checks: the same comment is edited). */
  pauses: z.number().int().min(0),
  paused: z
    .object({
      step: z.object({ jobId: z.string(), label: z.string(), step: stepJobSchema }),
      what: z.enum(["cost", "tokens"]),
      spent: z.number(),
      limit: z.number(),
    })
    .optional(),
});

export type BudgetBound = z.infer<typeof budgetBoundSchema>;
