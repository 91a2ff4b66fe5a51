import { describe, expect, it } from "vitest";
import { reviewOutputSchema, SUBMIT_REVIEW_TOOL, submitReviewTool } from "../../src/core/schemas/review.js";
import { toToolSpec } from "../../src/models/schema.js";

const finding = {
  path: "src/util.ts",
  anchor: "  if (min > max) return null;",
  severity: "major",
  message: "Returns null from a number function.",
  conflicts_with_plan: false,
};

describe("the reviewer's output schema", () => {
  it("accepts a review and an empty one", () => {
    expect(reviewOutputSchema.parse({ findings: [], plan_compliance: [] })).toEqual({
      findings: [],
      plan_compliance: [],
    });
    expect(
      reviewOutputSchema.parse({
        findings: [{ ...finding, plan_step: 1, suggestion: "x", near_line: 2 }],
        plan_compliance: [],
      }).findings[0]?.plan_step,
    ).toBe(1);
  });

  it("refuses an unknown severity, a blank anchor and a missing conflicts_with_plan", () => {
    expect(
      reviewOutputSchema.safeParse({ findings: [{ ...finding, severity: "critical" }], plan_compliance: [] })
        .success,
    ).toBe(false);
    expect(
      reviewOutputSchema.safeParse({ findings: [{ ...finding, anchor: "  " }], plan_compliance: [] }).success,
    ).toBe(false);
    const { conflicts_with_plan: _, ...rest } = finding;
    expect(reviewOutputSchema.safeParse({ findings: [rest], plan_compliance: [] }).success).toBe(false);
  });

  it("is a finish tool named submit_review whose JSON schema defines the severities", () => {
    const spec = toToolSpec(SUBMIT_REVIEW_TOOL);
    expect(spec.name).toBe("submit_review");
    const text = JSON.stringify(spec.inputSchema);
    for (const s of ["blocker:", "major:", "minor:", "nit:"]) expect(text).toContain(s);
    expect(text).toContain("conflicts_with_plan");
  });

  it("submitReviewTool(n) holds plan steps to 1..n and wants every step listed once", () => {
    const tool = submitReviewTool(2);
    const ok = {
      findings: [{ ...finding, plan_step: 2 }],
      plan_compliance: [
        { step: 1, status: "met", note: "src/util.ts" },
        { step: 2, status: "partly", note: "no test" },
      ],
    };
    expect(tool.input.safeParse(ok).success).toBe(true);
    const bad = tool.input.safeParse({
      findings: [{ ...finding, plan_step: 3 }],
      plan_compliance: [
        { step: 1, status: "met", note: "a" },
        { step: 1, status: "met", note: "a" },
      ],
    });
    expect(bad.success).toBe(false);
    const messages = bad.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(messages).toEqual([
      "findings.0.plan_step: the plan has steps 1 to 2; there is no step 3",
      "plan_compliance.1.step: step 1 is listed twice",
      "plan_compliance: list every plan step once; missing: 2",
    ]);
  });
});
