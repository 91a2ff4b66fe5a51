import { z } from "zod";
import type { FinishToolSpec as FinishTool } from "../types.js";
import { planSchema } from "./architect.js";

/**
 * What the architect hands back at review time (ARCHITECTURE §3): a ruling on disputed findings
 * (accept or reject each, with the reason; a revised plan when the plan's structure must change), or,
 * when the same code keeps changing, a trace back to the plan decision behind it with a revised plan.
 */
export const rulingSchema = z.object({
  rulings: z
    .array(
      z.object({
        finding: z.string().describe("The finding's label, e.g. F1."),
        decision: z.enum(["accept", "reject"]),
        reason: z.string().min(1),
      }),
    )
    .describe("One ruling per finding, every finding once."),
  revised_plan: planSchema
    .nullish()
    .describe("Only when a finding shows the plan's structure must change; null otherwise."),
});
export const traceSchema = z.object({
  trace: z.string().min(1).describe("Which plan decision the repeated failures come from, and why."),
  revised_plan: planSchema,
});
export type Ruling = z.infer<typeof rulingSchema>;
export type Trace = z.infer<typeof traceSchema>;

export const RULING_TOOL: FinishTool<Ruling> = {
  name: "submit_ruling",
  description: "Hand in your ruling on every finding.",
  input: rulingSchema,
};
export const TRACE_TOOL: FinishTool<Trace> = {
  name: "submit_trace",
  description: "Hand in the trace and the revised plan.",
  input: traceSchema,
};

/** The label a finding has in a ruling prompt and comment: F1, F2, … */
export function rulingLabel(index: number): string {
  return `F${index + 1}`;
}
