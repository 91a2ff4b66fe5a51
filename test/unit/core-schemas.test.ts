import { describe, expect, it } from "vitest";
import { architectOutputSchema, planSchema } from "../../src/core/schemas/architect.js";
import { DONE_TOOL, doneSchema } from "../../src/core/schemas/developer.js";
import {
  isBlocking,
  reviewOutputSchema,
  SEVERITIES,
  severityRank,
  submitReviewTool,
} from "../../src/core/schemas/review.js";

const plan = {
  goal: "Retry failed requests",
  decisions: [
    { decision: "Backoff", why: "Load", alternatives: [{ option: "None", why_rejected: "Storms" }] },
  ],
  steps: [{ title: "Add the loop", files: [{ path: "src/retry.ts", action: "create" }], details: "Loop" }],
  tests: ["retries"],
};
const question = { question: "Which client?", why: "Two exist" };
const errors = (r: { success: boolean; error?: { issues: { message: string }[] } }) =>
  r.error?.issues.map((i) => i.message) ?? [];

describe("what the architect may hand in (schemas/architect.ts)", () => {
  it("questions or a plan, never both and never neither", () => {
    expect(architectOutputSchema.safeParse({ plan, questions: null }).success).toBe(true);
    expect(architectOutputSchema.safeParse({ questions: [question], plan: null }).success).toBe(true);
    expect(architectOutputSchema.safeParse({ questions: [question] }).success).toBe(true);
    const both = architectOutputSchema.safeParse({ plan, questions: [question] });
    expect(errors(both)).toEqual(["submit either `questions` or `plan`, not both and not neither"]);
    expect(errors(architectOutputSchema.safeParse({ plan: null, questions: null }))).toEqual([
      "submit either `questions` or `plan`, not both and not neither",
    ]);
  });

  it("fills defaults the model may leave out", () => {
    const parsed = planSchema.parse(plan);
    expect(parsed.out_of_scope).toEqual([]);
    expect(parsed.risks).toEqual([]);
    expect(parsed.steps[0]?.signatures).toEqual([]);
    expect(architectOutputSchema.parse({ questions: [question] }).questions?.[0]?.options).toEqual([]);
  });

  it("no code in a plan's prose; signatures one per line", () => {
    const fenced = planSchema.safeParse({ ...plan, goal: "Do this:\n```ts\nx()\n```" });
    expect(errors(fenced)[0]).toContain("no code in a plan");
    expect(planSchema.safeParse({ ...plan, goal: "~~~\nx\n~~~" }).success).toBe(false);
    expect(planSchema.safeParse({ ...plan, goal: "Use `retry()` inline" }).success).toBe(true);
    const twoLines = { ...plan, steps: [{ ...plan.steps[0], signatures: ["f(): void\ng(): void"] }] };
    expect(errors(planSchema.safeParse(twoLines))).toEqual(["one signature per entry, on one line"]);
    const oneLine = { ...plan, steps: [{ ...plan.steps[0], signatures: ["export function f(): void"] }] };
    expect(planSchema.safeParse(oneLine).success).toBe(true);
  });
});

describe("the developer's report (schemas/developer.ts)", () => {
  it("a summary is required; the lists default to empty", () => {
    expect(doneSchema.parse({ summary: "Built it." })).toEqual({
      summary: "Built it.",
      not_covered: [],
      plan_steps: [],
      findings: [],
    });
    expect(doneSchema.safeParse({ summary: "" }).success).toBe(false);
    expect(doneSchema.safeParse({}).success).toBe(false);
    expect(DONE_TOOL.name).toBe("done");
    expect(DONE_TOOL.input).toBe(doneSchema);
  });

  it("plan steps: a positive step and a known status; files default to none", () => {
    expect(
      doneSchema.parse({ summary: "s", plan_steps: [{ step: 1, status: "partly" }] }).plan_steps,
    ).toEqual([{ step: 1, status: "partly", files: [] }]);
    expect(doneSchema.safeParse({ summary: "s", plan_steps: [{ step: 0, status: "done" }] }).success).toBe(
      false,
    );
    expect(doneSchema.safeParse({ summary: "s", plan_steps: [{ step: 1, status: "skipped" }] }).success).toBe(
      false,
    );
    for (const status of ["done", "partly", "not_done"])
      expect(doneSchema.safeParse({ summary: "s", plan_steps: [{ step: 1, status }] }).success).toBe(true);
  });

  it("a blocked report names what was found, why, and the decision needed", () => {
    const blocked = { step: 2, found: "f", why: "w", decision_needed: "d" };
    expect(doneSchema.parse({ summary: "s", blocked }).blocked).toEqual(blocked);
    expect(doneSchema.parse({ summary: "s", blocked: null }).blocked).toBeNull();
    for (const field of ["found", "why", "decision_needed"])
      expect(doneSchema.safeParse({ summary: "s", blocked: { ...blocked, [field]: "" } }).success).toBe(
        false,
      );
  });

  it("each finding addressed: changed or not, with a note", () => {
    const f = { id: "k1", status: "changed", note: "n" };
    expect(doneSchema.parse({ summary: "s", findings: [f] }).findings).toEqual([f]);
    expect(doneSchema.safeParse({ summary: "s", findings: [{ ...f, status: "ignored" }] }).success).toBe(
      false,
    );
    expect(doneSchema.safeParse({ summary: "s", findings: [{ ...f, status: "not_changed" }] }).success).toBe(
      true,
    );
  });
});

describe("severities and the reviewer's output (schemas/review.ts)", () => {
  it("blocker and major block; rank is worst first", () => {
    expect(SEVERITIES.filter(isBlocking)).toEqual(["blocker", "major"]);
    expect(SEVERITIES.map(severityRank)).toEqual([3, 2, 1, 0]);
  });

  const finding = {
    path: "src/a.ts",
    anchor: "x()",
    severity: "major",
    message: "It breaks",
    conflicts_with_plan: false,
  };
  const review = (over: object = {}) => ({ findings: [finding], plan_compliance: [], ...over });

  it("a message and a compliance note must say something", () => {
    expect(reviewOutputSchema.safeParse(review({ findings: [{ ...finding, message: "  " }] })).success).toBe(
      false,
    );
    expect(
      errors(reviewOutputSchema.safeParse(review({ findings: [{ ...finding, message: " \n" }] }))),
    ).toEqual(["a message is required"]);
    const note = (n: string) => review({ plan_compliance: [{ step: 1, status: "met", note: n }] });
    expect(errors(reviewOutputSchema.safeParse(note("  ")))).toEqual(["a note is required"]);
    expect(reviewOutputSchema.safeParse(note("src/a.ts")).success).toBe(true);
    expect(
      errors(reviewOutputSchema.safeParse(review({ findings: [{ ...finding, path: "a\nb" }] }))),
    ).toEqual(["one path, on one line"]);
  });

  it("for a plan of n steps: plan_step and compliance steps within 1..n, each step listed once", () => {
    const tool = submitReviewTool(2);
    const met = (step: number) => ({ step, status: "met", note: "ok" });
    expect(tool.input.safeParse(review({ plan_compliance: [met(1), met(2)] })).success).toBe(true);
    expect(
      errors(
        tool.input.safeParse(
          review({ findings: [{ ...finding, plan_step: 3 }], plan_compliance: [met(1), met(2)] }),
        ),
      ),
    ).toEqual(["the plan has steps 1 to 2; there is no step 3"]);
    expect(
      tool.input.safeParse(
        review({ findings: [{ ...finding, plan_step: 2 }], plan_compliance: [met(1), met(2)] }),
      ).success,
    ).toBe(true);
    const outOfRange = tool.input.safeParse(review({ plan_compliance: [met(1), met(2), met(3)] }));
    expect(errors(outOfRange)).toEqual(["the plan has steps 1 to 2; there is no step 3"]);
    expect(outOfRange.error?.issues[0]?.path).toEqual(["plan_compliance", 2, "step"]);
    const twice = tool.input.safeParse(review({ plan_compliance: [met(1), met(1), met(2)] }));
    expect(errors(twice)).toEqual(["step 1 is listed twice"]);
    expect(twice.error?.issues[0]?.path).toEqual(["plan_compliance", 1, "step"]);
    const missing = tool.input.safeParse(review({ plan_compliance: [met(2)] }));
    expect(errors(missing)).toEqual(["list every plan step once; missing: 1"]);
    expect(missing.error?.issues[0]?.path).toEqual(["plan_compliance"]);
  });
});
