import { describe, expect, it } from "vitest";
import { embedData, extractData, extractInnerData } from "../../src/core/markers.js";
import { aggregateFindings } from "../../src/core/review/aggregate.js";
import { confirmationSummary } from "../../src/core/review/confirmation.js";
import { findingKey } from "../../src/core/review/finding.js";
import {
  mergeOutcomes,
  precisionByModel,
  reviewRecord,
  withRoundOutcomes,
} from "../../src/core/review/precision.js";
import type { ReviewFinding } from "../../src/core/schemas/review.js";
import type { WorkflowState } from "../../src/core/state.js";
import { parseUnifiedDiff } from "../../src/diff/index.js";
import { foldReason, LOW_PRECISION_REASON, NIT_REASON } from "../../src/shell/review/folded-findings.js";
import { familyOfResults } from "../../src/shell/review/precision.js";
import { sectionOutcomes } from "../../src/shell/review/render-precision-section.js";
import { renderReview } from "../../src/shell/review/render-review.js";
import { foldEvents } from "../../src/stores/precision-store.js";
import { modelText } from "../../src/text/sanitize.js";

const DIFF = `diff --git a/src/a.ts b/src/a.ts
--- a/src/a.ts
+++ b/src/a.ts
@@ -1,3 +1,5 @@
 export const a = 1;
+export const b = 2;
+export const c = 3;
 export const d = 4;
 export const e = 5;
`;
const files = parseUnifiedDiff(DIFF);
const f = (severity: ReviewFinding["severity"], anchor: string, message: string): ReviewFinding => ({
  path: "src/a.ts",
  anchor,
  severity,
  message,
  conflicts_with_plan: false,
});
const nit = f("nit", "export const b = 2;", "b could be named better.");
const minor = f("minor", "export const c = 3;", "c is never read outside this module.");
const major = f("major", "export const c = 3;", "c must be 4, the spec says so.");
const render = (fold: Parameters<typeof foldReason>[0]) =>
  renderReview({
    output: { findings: [nit, minor, major], plan_compliance: [] },
    files,
    marker: "<!-- triad:review id=0-abc -->",
    fold: foldReason(fold),
  });

describe("nits and a noisy reviewer's minor points in the review body", () => {
  it("lists nits in the body by default, never inline", () => {
    const review = render({ nitsInline: false, foldMinor: false });
    expect(review.comments.map((c) => c.line)).toEqual([3, 3]);
    expect(review.comments.some((c) => c.body.includes("Nit"))).toBe(false);
    expect(review.body).toContain(
      `#### Minor points\n\n_Not inline: ${NIT_REASON}._\n\n- 💬 **Nit** · \`src/a.ts\` line 2: b could be named better.`,
    );
    expect(review.body).toContain("2 inline, 1 below");
  });

  it("keeps a folded finding's suggestion, as plain code under it", () => {
    const review = renderReview({
      output: { findings: [{ ...nit, suggestion: "export const bee = 2;" }], plan_compliance: [] },
      files,
      marker: "<!-- triad:review id=0-abc -->",
      fold: foldReason({ nitsInline: false, foldMinor: false }),
    });
    expect(review.comments).toEqual([]);
    expect(review.body).toContain(
      "b could be named better.\n\n  Suggested:\n\n  ```\n  export const bee = 2;\n  ```",
    );
  });

  it("posts nits inline when the repository asks for it", () => {
    const review = render({ nitsInline: true, foldMinor: false });
    expect(review.comments).toHaveLength(3);
    expect(review.body).not.toContain("#### Minor points");
  });

  it("folds minor points and nits of a reviewer of low precision; majors stay inline", () => {
    const review = render({ nitsInline: true, foldMinor: true });
    expect(review.comments.map((c) => c.body)).toEqual([expect.stringContaining("Major")]);
    expect(review.body).toContain(`_Not inline: ${LOW_PRECISION_REASON}._`);
    expect(review.body).toMatch(/🟡 \*\*Minor\*\* · `src\/a.ts` line 3: c is never read/);
  });
});

describe("the precision section of a review", () => {
  const familyOf = familyOfResults([
    { reviewer: "reviewer-1", model: "openai:gpt-6.2-sol" },
    { reviewer: "reviewer-2", model: "openai-compatible:anthropic/claude-opus-5.5" },
  ]);
  const second = { ...major, message: "c must be 4: the spec says 4." };
  const aggregated = aggregateFindings(
    [
      { reviewer: "reviewer-1", findings: [major, nit] },
      { reviewer: "reviewer-2", findings: [second] },
    ],
    { reviewerCount: 2 },
  );

  it("counts Claude via OpenRouter as Anthropic", () => {
    expect(familyOf).toEqual({ "reviewer-1": "openai", "reviewer-2": "anthropic" });
  });

  it("marks a finding of two vendors confirmed and a lone one as raised by one reviewer (the check run's summary)", () => {
    const list = confirmationSummary(aggregated, familyOf, 2, modelText);
    expect(list).toMatch(/^#### Across reviewers/);
    expect(list).toContain(
      "c must be 4, the spec says so. — ✅ Confirmed by two vendors (anthropic, openai)",
    );
    expect(list).toContain("b could be named better. — Raised by one reviewer (reviewer-1, openai)");
    // One reviewer: nothing to compare, no list.
    expect(confirmationSummary(aggregated, familyOf, 1, modelText)).toBe("");
  });

  it("reads the outcomes a review written before the move carries, its own data still readable", () => {
    const data = { slot: 0, model: "openai:gpt-6.2-sol" };
    const outcome = {
      v: 1 as const,
      round: "abc",
      confirmed: ["k1"],
      fixed: [],
      overruled: [],
      rejected: [],
    };
    const section = `<!-- triad:precision -->\n${embedData("precision", { v: 1, outcomes: [outcome] })}`;
    const body = `<!-- triad:review id=0-abc -->\n### Review\n\nNo findings.\n\n${section}\n\n${embedData("review", data)}`;
    expect(extractData(body, "review")).toEqual(data);
    expect(sectionOutcomes(extractInnerData(body, "precision"))).toEqual([outcome]);
    expect(sectionOutcomes(undefined)).toEqual([]);
  });
});

describe("the round outcomes a workflow's state keeps", () => {
  const o = (
    round: string,
    parts: Partial<Record<"confirmed" | "fixed" | "overruled" | "rejected", string[]>>,
  ) => ({
    v: 1 as const,
    round,
    confirmed: [],
    fixed: [],
    overruled: [],
    rejected: [],
    ...parts,
  });

  it("merge by round, order-free and repeat-safe", () => {
    const a = mergeOutcomes(
      [o("r1", { confirmed: ["k1"] })],
      [o("r1", { fixed: ["k1"] }), o("r2", { overruled: ["k2"] })],
    );
    expect(a).toEqual([o("r1", { confirmed: ["k1"], fixed: ["k1"] }), o("r2", { overruled: ["k2"] })]);
    expect(mergeOutcomes(a, a)).toEqual(a);
  });

  it("leave the state as it is when nothing is new (no tracking comment write for it)", () => {
    const state = { roundOutcomes: [o("r1", { confirmed: ["k1"] })] } as unknown as WorkflowState;
    expect(withRoundOutcomes(state, [o("r1", { confirmed: ["k1"] })])).toBe(state);
    expect(withRoundOutcomes(state, [o("r2", {})])).toBe(state);
    expect(withRoundOutcomes(state, [o("r2", { rejected: ["k3"] })]).roundOutcomes).toHaveLength(2);
  });
});

describe("the ledger's events", () => {
  it("fold the same whatever their order, and a repeat counts once", () => {
    const review = { review: reviewRecord("r1", "openai:gpt-6.2-sol", [major, nit]) };
    const outcome = {
      outcome: {
        v: 1 as const,
        round: "r1",
        confirmed: [findingKey(major)],
        fixed: [findingKey(major)],
        overruled: [findingKey(nit)],
        rejected: [],
      },
    };
    const a = foldEvents([review, outcome]);
    expect(foldEvents([outcome, review, review, outcome])).toEqual(a);
    expect(precisionByModel(a)["openai:gpt-6.2-sol"]).toEqual({
      raised: 2,
      fixed: 1,
      overruled: 1,
      confirmed: 1,
      upheld: 1,
    });
  });
});
