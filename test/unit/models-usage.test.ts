import { describe, expect, it } from "vitest";
import { costFor, costOf, PRICES, priceOf } from "../../src/models/prices.js";
import { ledgerBudget, UsageLedger } from "../../src/models/usage.js";

describe("price table", () => {
  it("has current models of all three vendors, each with input, cached input and output", () => {
    for (const name of ["claude-fable-5-2", "claude-opus-5-5", "claude-sonnet-5-5", "claude-haiku-5-5"])
      expect(PRICES.anthropic[name]).toBeDefined();
    for (const name of ["gpt-6.2-sol", "gpt-6.1-sol"]) expect(PRICES.openai[name]).toBeDefined();
    for (const name of ["gemini-3.8-flash", "gemini-3.5-flash-lite"])
      expect(PRICES.google[name]).toBeDefined();
    for (const table of Object.values(PRICES)) {
      for (const price of Object.values(table)) {
        expect(price.cachedInput).toBeLessThan(price.input);
        expect(price.output).toBeGreaterThan(price.input);
      }
    }
  });

  it("prices dated snapshots like their family, and nothing else", () => {
    expect(priceOf({ vendor: "anthropic", model: "claude-sonnet-4-5-20250929" })).toBe(
      PRICES.anthropic["claude-sonnet-4-5"],
    );
    expect(priceOf({ vendor: "openai", model: "gpt-5-mini-2025-08-07" })).toBe(PRICES.openai["gpt-5-mini"]);
    expect(priceOf({ vendor: "google", model: "models/gemini-2.5-flash" })).toBe(
      PRICES.google["gemini-2.5-flash"],
    );
    // A longer name is another model, not a snapshot: no invented price.
    expect(priceOf({ vendor: "openai", model: "gpt-5-turbo-experimental" })).toBeUndefined();
    expect(priceOf({ vendor: "anthropic", model: "claude-future-9" })).toBeUndefined();
    // Compatible endpoints have their own prices.
    expect(priceOf({ vendor: "openai-compatible", model: "gpt-5" })).toBeUndefined();
  });

  it("computes cost with cached and cache-write tokens at their own rates", () => {
    const price = { input: 3, cachedInput: 0.3, output: 15, cacheWrite: 3.75 };
    // 1M input of which 600k cached and 100k written; 100k output.
    const cost = costOf(
      {
        inputTokens: 1_000_000,
        cachedInputTokens: 600_000,
        cacheWriteInputTokens: 100_000,
        outputTokens: 100_000,
      },
      price,
    );
    expect(cost).toBeCloseTo(0.3 * 3 + 0.6 * 0.3 + 0.1 * 3.75 + 0.1 * 15, 10);
    expect(
      costOf(
        { inputTokens: 2_000_000, cachedInputTokens: 0, outputTokens: 0 },
        { input: 1.25, cachedInput: 0.125, output: 10 },
      ),
    ).toBe(2.5);
    expect(
      costFor(
        { vendor: "openai-compatible", model: "x" },
        { inputTokens: 5, cachedInputTokens: 0, outputTokens: 5 },
      ),
    ).toBeUndefined();
  });
});

describe("UsageLedger", () => {
  const sonnet = { vendor: "anthropic" as const, model: "claude-sonnet-4-6" };
  const opus = { vendor: "anthropic" as const, model: "claude-opus-4-5" };
  const local = { vendor: "openai-compatible" as const, model: "llama3" };

  it("sums per call, per role and in total; unknown prices count tokens only", () => {
    const ledger = new UsageLedger();
    ledger.record("architect", opus, { inputTokens: 10_000, cachedInputTokens: 8_000, outputTokens: 2_000 });
    ledger.record("developer", sonnet, {
      inputTokens: 20_000,
      cachedInputTokens: 15_000,
      outputTokens: 1_000,
      cacheWriteInputTokens: 1_000,
    });
    ledger.record("developer", sonnet, {
      inputTokens: 30_000,
      cachedInputTokens: 25_000,
      outputTokens: 1_000,
    });
    ledger.record("reviewer", local, { inputTokens: 5_000, cachedInputTokens: 0, outputTokens: 500 });

    const byRole = ledger.byRole();
    expect(byRole.developer).toMatchObject({
      calls: 2,
      inputTokens: 50_000,
      cachedInputTokens: 40_000,
      outputTokens: 2_000,
      cacheWriteInputTokens: 1_000,
    });
    expect(byRole.developer?.costUsd).toBeCloseTo(
      (9_000 * 3 + 40_000 * 0.3 + 1_000 * 3.75 + 2_000 * 15) / 1e6,
      10,
    );
    expect(byRole.architect?.costUsd).toBeCloseTo((2_000 * 5 + 8_000 * 0.5 + 2_000 * 25) / 1e6, 10);
    expect(byRole.reviewer).toMatchObject({
      calls: 1,
      costUsd: undefined,
      unpricedCalls: 1,
      inputTokens: 5_000,
    });

    const totals = ledger.totals();
    expect(totals.calls).toBe(4);
    expect(totals.inputTokens).toBe(65_000);
    expect(totals.outputTokens).toBe(4_500);
    expect(totals.unpricedCalls).toBe(1);
    expect(totals.costUsd).toBeCloseTo(
      (byRole.architect?.costUsd ?? 0) + (byRole.developer?.costUsd ?? 0),
      10,
    );
    expect(ledger.entries()).toHaveLength(3);
  });

  it("round-trips through JSON and merges", () => {
    const ledger = new UsageLedger();
    ledger.record("developer", sonnet, { inputTokens: 100, cachedInputTokens: 50, outputTokens: 10 });
    const restored = UsageLedger.fromJSON(JSON.parse(JSON.stringify(ledger)));
    expect(restored.totals()).toEqual(ledger.totals());
    restored.merge(ledger);
    expect(restored.totals().calls).toBe(2);
    expect(restored.totals().inputTokens).toBe(200);
    expect(UsageLedger.fromJSON(undefined).totals().calls).toBe(0);
  });

  it("ledgerBudget stops on tokens or cost", () => {
    const ledger = new UsageLedger();
    const budget = ledgerBudget(ledger, { maxTokens: 1_000, maxCostUsd: 1 });
    expect(budget.exceeded()).toBeUndefined();
    ledger.record("developer", sonnet, { inputTokens: 900, cachedInputTokens: 0, outputTokens: 100 });
    expect(budget.exceeded()).toMatch(/token budget reached \(1000 of 1000/);
    const costly = new UsageLedger();
    costly.record("architect", opus, { inputTokens: 0, cachedInputTokens: 0, outputTokens: 50_000 });
    expect(ledgerBudget(costly, { maxCostUsd: 1 }).exceeded()).toMatch(
      /cost budget reached \(\$1\.25 of \$1\.00\)/,
    );
  });
});
