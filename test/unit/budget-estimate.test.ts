import { describe, expect, it } from "vitest";
import {
  budgetEstimateSchema,
  type EstimateInput,
  estimateBudget,
  expectedFixRounds,
  overEstimate,
  renderEstimate,
} from "../../src/core/budget-estimate.js";

const step = (files: number) => ({
  files: Array.from({ length: files }, (_, i) => ({ path: `f${i}`, action: "change" })),
});

/** 100 files of 4,000 bytes: 1,000 tokens a file read. Two one-file steps, one reviewer. */
const small: EstimateInput = {
  repo: { files: 100, bytes: 400_000 },
  steps: [step(1), step(1)],
  reviewers: 1,
  prices: { developer: { input: 3, output: 15, cachedInput: 0.3 }, reviewer: { input: 2, output: 8 } },
};

describe("estimateBudget", () => {
  it("follows the documented model, number by number", () => {
    const e = estimateBudget(small);
    // Developer: base = contract 3,000 + map 4,000 + plan (600 + 2 × 250) = 8,100; 2 files × 2 + 2 steps + 1 = 7 turns
    // growing by 1,000: 7 × 8,100 + 1,000 × 7 × 6 / 2 = 77,700 sent, of which 8,100 + 6 × 1,000 fresh.
    expect(e.phases[0]).toEqual({
      phase: "implementation",
      role: "developer",
      inputTokens: 77_700,
      cachedInputTokens: 63_600,
      outputTokens: 2 * 500 + 7 * 200,
      costUsd: (14_100 * 3 + 63_600 * 0.3 + 2_400 * 15) / 1e6,
    });
    // Review: the first round's diff is 2 files × 1,000 / 2; a fix round's is a third of it; 5 turns each.
    expect(e.phases[1]).toMatchObject({ phase: "review", inputTokens: 35_500 + 32_167, outputTokens: 4_000 });
    expect(e.phases[1]?.costUsd).toBeCloseTo((67_667 * 2 + 4_000 * 8) / 1e6, 9);
    // One fix round (two steps): a third of the files, one step: 4 turns.
    expect(e.phases[2]).toMatchObject({
      phase: "fix rounds",
      inputTokens: 38_400,
      cachedInputTokens: 27_300,
      outputTokens: 1_300,
    });
    expect(e.phases).toHaveLength(3); // no architect price: no rulings line
    expect(e).toMatchObject({ fixRounds: 1, reviewRounds: 2, reviewers: 1, margin: 0.5 });
    expect(e.tokens).toBe(77_700 + 2_400 + 67_667 + 4_000 + 38_400 + 1_300);
    expect(e.costUsd).toBeCloseTo(0.097_38 + 0.167_334 + 0.060_99, 9);
    expect(e.limitCostUsd).toBeCloseTo((e.costUsd ?? 0) * 1.5, 9);
    expect(e.limitTokens).toBe(Math.ceil(e.tokens * 1.5));
  });

  it("survives the workflow state: JSON and the schema give the same estimate back", () => {
    const e = estimateBudget(small);
    expect(budgetEstimateSchema.parse(JSON.parse(JSON.stringify(e)))).toEqual(e);
    const unpriced = estimateBudget({ ...small, prices: {} });
    expect(budgetEstimateSchema.parse(JSON.parse(JSON.stringify(unpriced)))).toEqual(unpriced);
  });

  it("grows with the plan and the reviewers, and the cap bounds the fix rounds", () => {
    const bigger = estimateBudget({ ...small, steps: [step(3), step(2), step(4), step(1), step(2)] });
    expect(bigger.tokens).toBeGreaterThan(estimateBudget(small).tokens);
    expect(bigger.fixRounds).toBe(2);
    const two = estimateBudget({ ...small, reviewers: 2 });
    expect(two.phases[1]?.inputTokens).toBe(2 * (estimateBudget(small).phases[1]?.inputTokens ?? 0));
    expect(expectedFixRounds(12, 3)).toBe(3);
    expect(expectedFixRounds(12, 0)).toBe(0);
    const none = estimateBudget({ ...small, maxFixRounds: 0 });
    expect(none.phases.map((p) => p.phase)).toEqual(["implementation", "review"]);
    expect(none.reviewRounds).toBe(1);
  });

  it("caps a file read and the reviewer's diff, as the tools do", () => {
    const huge = estimateBudget({
      ...small,
      repo: { files: 10, bytes: 100_000_000 },
      steps: Array.from({ length: 20 }, () => step(3)),
    });
    // A read is capped at 6,000 tokens; 60 files × 6,000 / 2 would be 180,000 tokens of diff, the reviewer
    // sees at most 40,000: each of the 4 review runs sends 5 × (3,000 + 5,600 + 40,000) + 6,000 × 10.
    expect(huge.reviewRounds).toBe(4);
    expect(huge.phases[1]?.inputTokens).toBe(4 * (5 * 48_600 + 60_000));
    const uncapped = estimateBudget({
      ...small,
      repo: { files: 10, bytes: 100_000_000 },
      steps: Array.from({ length: 20 }, () => step(3)),
      diffTokens: 1e9,
    });
    expect(uncapped.phases[1]?.inputTokens).toBeGreaterThan(huge.phases[1]?.inputTokens ?? 0);
  });

  it("prices the architect's rulings when given, and gives tokens only without a price", () => {
    const withArchitect = estimateBudget({
      ...small,
      prices: { ...small.prices, architect: { input: 15, output: 75 } },
    });
    expect(withArchitect.phases.map((p) => p.phase)).toEqual([
      "implementation",
      "review",
      "fix rounds",
      "rulings",
    ]);
    const unpriced = estimateBudget({ ...small, prices: { developer: small.prices.developer } });
    expect(unpriced.phases[1]?.costUsd).toBeUndefined();
    expect(unpriced.costUsd).toBeUndefined();
    expect(unpriced.limitCostUsd).toBeUndefined();
    expect(renderEstimate(unpriced)).toContain(
      `approves spending up to **${Math.round(unpriced.limitTokens / 1000)}k tokens**`,
    );
  });
});

describe("overEstimate", () => {
  const e = estimateBudget(small);
  const cost = e.costUsd ?? 0;

  it("is within up to the estimate plus the margin, and over past it", () => {
    expect(overEstimate({ tokens: e.tokens, costUsd: cost * 1.4 }, e)).toBeUndefined();
    expect(overEstimate({ tokens: e.tokens, costUsd: cost * 1.6 }, e)).toEqual({
      what: "cost",
      spent: cost * 1.6,
      limit: cost * 1.5,
    });
    expect(overEstimate({ tokens: e.tokens, costUsd: cost * 1.6 }, e, 1)).toBeUndefined();
  });

  it("checks tokens always, and counts what a maintainer granted", () => {
    expect(overEstimate({ tokens: e.limitTokens + 1 }, e)).toEqual({
      what: "tokens",
      spent: e.limitTokens + 1,
      limit: e.limitTokens,
    });
    expect(overEstimate({ tokens: e.limitTokens + 1 }, e, e.margin, { tokens: 10 })).toBeUndefined();
    expect(
      overEstimate({ tokens: e.tokens, costUsd: cost * 2 }, e, e.margin, { costUsd: cost }),
    ).toBeUndefined();
  });
});

describe("renderEstimate", () => {
  it("renders the phases, the total and what approval allows", () => {
    expect(renderEstimate(estimateBudget(small))).toBe(
      [
        "### Budget estimate",
        "",
        "| Phase | Role | Tokens (input / output) | Cost |",
        "|---|---|---:|---:|",
        "| Implementation | developer | 78k / 2k | $0.097 |",
        "| Review (2 rounds × 1 reviewer) | reviewer | 68k / 4k | $0.17 |",
        "| Fix rounds (1 expected) | developer | 38k / 1k | $0.061 |",
        "| **Total** | | **191k** | **$0.33** |",
        "",
        "Approving this plan approves spending up to **$0.49** (287k tokens): the estimate plus 50%. Beyond that the workflow pauses and asks for `/triad budget +N` (N tokens) from someone with write access.",
      ].join("\n"),
    );
  });
});
