import { z } from "zod";
import type { FinishToolSpec as FinishTool } from "../types.js";

/**
 * What one reviewer hands back (ARCHITECTURE §3, prompts/reviewer.md): findings anchored on a verbatim
 * line of the new code, and a plan-compliance list. Code, not the model, turns the anchor into a line
 * number (src/diff/anchor.ts); the severities below repeat the contract's definitions word for word in
 * substance, so the schema the model sees never says more than the contract does.
 */

export const SEVERITIES = ["blocker", "major", "minor", "nit"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Severities that hold the pull request back: they start a fix round (or an architect ruling). */
export const BLOCKING_SEVERITIES: readonly Severity[] = ["blocker", "major"];

export function isBlocking(severity: Severity): boolean {
  return severity === "blocker" || severity === "major";
}

/** blocker 3 · major 2 · minor 1 · nit 0: higher is worse. */
export function severityRank(severity: Severity): number {
  return 3 - SEVERITIES.indexOf(severity);
}

export const SEVERITY_DESCRIPTION = [
  "blocker: merging would break or endanger something — the main path behaves wrongly, data is lost or duplicated, a security hole, a compile or type error, an import of something that does not exist, an unplanned break of the public API.",
  "major: a real defect on a plausible path, a planned step missing or only partly done, or a planned test missing.",
  "minor: a defect with small impact or on an unlikely path, a misleading error message, a test that asserts too little.",
  "nit: harmless; a clear improvement the author may take or leave.",
  "Blocker and major start a fix round; minor and nit are shown but do not hold the pull request back. Do not inflate a severity to get a finding fixed.",
].join(" ");

const oneLine = (s: string) => !/[\r\n]/.test(s);

export const findingSchema = z.object({
  path: z
    .string()
    .min(1)
    .refine(oneLine, "one path, on one line")
    .describe("The file, as the diff names it (its new path)."),
  anchor: z
    .string()
    .refine((s) => s.trim().length > 0, "an anchor line is required")
    .describe(
      "One line copied verbatim from the new side of the diff, with its indentation and without the line number or the `+` prefix. The most specific line of the problem, one that occurs once in the file where you can; for something missing, the line where it belongs. When `suggestion` replaces several consecutive lines, give all of them here, one per line.",
    ),
  near_line: z
    .number()
    .int()
    .min(1)
    .nullish()
    .describe(
      "The new-file line number shown next to the anchor in the diff; only used to tell equal lines apart. Null when not needed.",
    ),
  severity: z.enum(SEVERITIES).describe(SEVERITY_DESCRIPTION),
  message: z
    .string()
    .refine((s) => s.trim().length > 0, "a message is required")
    .describe(
      "What is wrong, the concrete scenario (the input or state, and what then happens), and why it matters, in one to four sentences. Name the fix when it is not obvious.",
    ),
  suggestion: z
    .string()
    .nullish()
    .describe(
      "Only when the fix is an exact, small replacement for the anchor line(s): the complete replacement lines and nothing else, correct as they stand (a maintainer can commit them with one click). Null otherwise.",
    ),
  plan_step: z
    .number()
    .int()
    .min(1)
    .nullish()
    .describe("The number of the plan step the finding concerns, when there is one; null otherwise."),
  conflicts_with_plan: z
    .boolean()
    .describe(
      "True only when the code follows the plan and the plan itself causes the problem. False when the code departs from the plan or has a defect of its own.",
    ),
});

export const planComplianceSchema = z.object({
  step: z.number().int().min(1).describe("The plan step's number."),
  status: z
    .enum(["met", "partly", "missing"])
    .describe("met: implemented as planned; partly: some of it is absent; missing: not implemented."),
  note: z
    .string()
    .refine((s) => s.trim().length > 0, "a note is required")
    .describe("For met, the files; for partly and missing, what is absent."),
});

export const reviewOutputSchema = z.object({
  findings: z
    .array(findingSchema)
    .describe("What is real and matters. An empty list is the correct answer for correct code."),
  plan_compliance: z
    .array(planComplianceSchema)
    .describe(
      "Every step of the plan, once, in order. A step that is partly or missing also gets a finding at major or above.",
    ),
});

export type ReviewFinding = z.infer<typeof findingSchema>;
export type PlanCompliance = z.infer<typeof planComplianceSchema>;
export type ReviewOutput = z.infer<typeof reviewOutputSchema>;

const SUBMIT_REVIEW_DESCRIPTION =
  "Hand in your review: `findings` (possibly empty) and `plan_compliance` (every plan step, once, in order). Call it once, when you are done reading.";

/** The reviewer's finish tool, for any plan. */
export const SUBMIT_REVIEW_TOOL: FinishTool<ReviewOutput> = {
  name: "submit_review",
  description: SUBMIT_REVIEW_DESCRIPTION,
  input: reviewOutputSchema,
};

/**
 * The finish tool for a plan of `stepCount` steps: additionally refuses a `plan_step` or compliance
 * `step` outside 1..n and a compliance list that does not name every step exactly once, so the model
 * gets the mistake back as a tool error and repairs it instead of the review showing a step that
 * does not exist.
 */
export function submitReviewTool(stepCount: number): FinishTool<ReviewOutput> {
  const input = reviewOutputSchema.superRefine((output, ctx) => {
    const inRange = (n: number) => n >= 1 && n <= stepCount;
    output.findings.forEach((f, i) => {
      if (f.plan_step != null && !inRange(f.plan_step))
        ctx.addIssue({
          code: "custom",
          path: ["findings", i, "plan_step"],
          message: `the plan has steps 1 to ${stepCount}; there is no step ${f.plan_step}`,
        });
    });
    const seen = new Set<number>();
    output.plan_compliance.forEach((c, i) => {
      if (!inRange(c.step))
        ctx.addIssue({
          code: "custom",
          path: ["plan_compliance", i, "step"],
          message: `the plan has steps 1 to ${stepCount}; there is no step ${c.step}`,
        });
      else if (seen.has(c.step))
        ctx.addIssue({
          code: "custom",
          path: ["plan_compliance", i, "step"],
          message: `step ${c.step} is listed twice`,
        });
      seen.add(c.step);
    });
    const absent = Array.from({ length: stepCount }, (_, i) => i + 1).filter((n) => !seen.has(n));
    if (absent.length > 0)
      ctx.addIssue({
        code: "custom",
        path: ["plan_compliance"],
        message: `list every plan step once; missing: ${absent.join(", ")}`,
      });
  });
  return { name: "submit_review", description: SUBMIT_REVIEW_DESCRIPTION, input };
}
