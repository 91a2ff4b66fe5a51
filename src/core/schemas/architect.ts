import { z } from "zod";
import type { FinishToolSpec as FinishTool } from "../types.js";

/**
 * What the architect hands back (ARCHITECTURE §3): questions, or a plan. zod checks it at the model
 * boundary; an invalid submission goes back to the model with the errors, as a tool error.
 */
const noCode = (text: string) => !/```|~~~/.test(text);
const noCodeMessage = "no code in a plan: describe the change in words; only `signatures` may hold code";

const prose = z.string().min(1).refine(noCode, noCodeMessage);

export const questionSchema = z.object({
  question: z.string().min(1).describe("One question, answerable in a sentence or two."),
  why: z.string().min(1).describe("How the answer changes the plan."),
  options: z
    .array(z.string().min(1))
    .default([])
    .describe("The likely answers, when there are obvious ones."),
});

export const planSchema = z.object({
  goal: prose.describe("What the change achieves, for whom, in two or three sentences."),
  decisions: z
    .array(
      z.object({
        decision: prose,
        why: prose,
        alternatives: z
          .array(z.object({ option: prose, why_rejected: prose }))
          .min(1)
          .describe("What else was considered and why it lost; written for a maintainer new to this stack."),
      }),
    )
    .min(1),
  steps: z
    .array(
      z.object({
        title: prose,
        files: z
          .array(z.object({ path: z.string().min(1), action: z.enum(["create", "change", "delete"]) }))
          .min(1),
        signatures: z
          .array(
            z
              .string()
              .min(1)
              .refine((s) => !s.includes("\n"), "one signature per entry, on one line"),
          )
          .default([])
          .describe("Function, type and method signatures this step adds or changes, exactly."),
        details: prose.describe("What to do, specifically enough that no structural choice is left open."),
      }),
    )
    .min(1),
  tests: z.array(prose).min(1).describe("The tests to add: what each proves."),
  out_of_scope: z.array(prose).default([]),
  risks: z.array(prose).default([]),
});

export const architectOutputSchema = z
  .object({
    // nullish, not optional: OpenAI strict mode needs every property present (null when unused).
    questions: z
      .array(questionSchema)
      .min(1)
      .nullish()
      .describe("Ask these before planning; null with a plan."),
    plan: planSchema
      .nullish()
      .describe("The plan, when nothing that changes the design is still open; null with questions."),
  })
  .refine((o) => (o.questions == null) !== (o.plan == null), {
    message: "submit either `questions` or `plan`, not both and not neither",
  });

export type ArchitectQuestion = z.infer<typeof questionSchema>;
export type Plan = z.infer<typeof planSchema>;
export type ArchitectOutput = z.infer<typeof architectOutputSchema>;

export const SUBMIT_TOOL: FinishTool<ArchitectOutput> = {
  name: "submit",
  description:
    "Hand your result to the maintainers: either `questions` (numbered questions you need answered) or `plan` (the full plan). Call it once, when you are done reading.",
  input: architectOutputSchema,
};
