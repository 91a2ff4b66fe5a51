import { z } from "zod";
import type { FinishToolSpec as FinishTool } from "../types.js";

/** The developer's report, handed in with `done` (prompts/developer.md, "Your report"). */
export const planStepStatusSchema = z.object({
  step: z.number().int().positive().describe("The plan step's number."),
  status: z.enum(["done", "partly", "not_done"]),
  files: z.array(z.string()).default([]).describe("Files changed for this step."),
  note: z
    .string()
    .nullish()
    .describe("What is missing and why, when the status is not done; null otherwise."),
});

export const doneSchema = z.object({
  summary: z.string().min(1).describe("What you built, step by step, for the pull request's description."),
  not_covered: z.array(z.string()).default([]),
  plan_steps: z.array(planStepStatusSchema).default([]),
  blocked: z
    .object({
      step: z.number().int().positive(),
      found: z.string().min(1).describe("What you found: file, line, type."),
      why: z.string().min(1).describe("Why the step cannot be done as written."),
      decision_needed: z.string().min(1).describe("The decision the architect has to make."),
    })
    .nullish()
    .describe("Only when the plan cannot be followed without a design decision; null otherwise."),
  findings: z
    .array(z.object({ id: z.string(), status: z.enum(["changed", "not_changed"]), note: z.string() }))
    .default([])
    .describe("In a fix round: each finding you were given, by id, and what you did about it."),
});

export type DeveloperReport = z.infer<typeof doneSchema>;

export const DONE_TOOL: FinishTool<DeveloperReport> = {
  name: "done",
  description:
    "End the round with your report: summary, plan_steps (every step once), not_covered, and `blocked` only when the plan cannot be followed. Nothing reaches GitHub before this.",
  input: doneSchema,
};
