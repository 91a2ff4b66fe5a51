import type { ModelRef, Usage } from "./types.js";

/** USD per million tokens. `cacheWrite` is Anthropic's 5-minute cache write price; absent → input price. */
export interface ModelPrice {
  input: number;
  cachedInput: number;
  output: number;
  cacheWrite?: number;
}

/**
 * Standard (non-batch, non-priority) list prices.
 * - Anthropic: platform.claude.com/docs/en/about-claude/pricing (stored copy read 2026-11-27);
 *   `cacheWrite` is the 5-minute cache write price.
 * - OpenAI: platform.openai.com/docs/pricing; Google: ai.google.dev/gemini-api/docs/pricing — both
 *   as published 2025-12 (not re-verified for this release).
 * Models newer than those sources (e.g. claude-opus-5-5, claude-sonnet-5*, gpt-5.2 and later,
 * gemini-3.1 and later) are left out on purpose: they are reported with tokens only until someone
 * adds a price checked against the vendor's page. Never add a guessed price.
 *
 * Simplifications: long-context tiers (Gemini Pro above 200k input tokens, older Sonnets above
 * 200k) are billed higher by the vendors and are not modelled; Gemini's explicit-cache storage fee
 * is not included (triad relies on implicit caching).
 */
export const PRICES: Readonly<
  Record<"anthropic" | "openai" | "google", Readonly<Record<string, ModelPrice>>>
> = {
  anthropic: {
    "claude-opus-5": { input: 5, cachedInput: 0.5, output: 25, cacheWrite: 6.25 },
    "claude-opus-4-8": { input: 5, cachedInput: 0.5, output: 25, cacheWrite: 6.25 },
    "claude-opus-4-7": { input: 5, cachedInput: 0.5, output: 25, cacheWrite: 6.25 },
    "claude-opus-4-6": { input: 5, cachedInput: 0.5, output: 25, cacheWrite: 6.25 },
    "claude-opus-4-5": { input: 5, cachedInput: 0.5, output: 25, cacheWrite: 6.25 },
    "claude-opus-4-1": { input: 15, cachedInput: 1.5, output: 75, cacheWrite: 18.75 },
    "claude-opus-4": { input: 15, cachedInput: 1.5, output: 75, cacheWrite: 18.75 },
    "claude-sonnet-4-6": { input: 3, cachedInput: 0.3, output: 15, cacheWrite: 3.75 },
    "claude-sonnet-4-5": { input: 3, cachedInput: 0.3, output: 15, cacheWrite: 3.75 },
    "claude-sonnet-4": { input: 3, cachedInput: 0.3, output: 15, cacheWrite: 3.75 },
    "claude-haiku-4-5": { input: 1, cachedInput: 0.1, output: 5, cacheWrite: 1.25 },
    "claude-3-5-haiku": { input: 0.8, cachedInput: 0.08, output: 4, cacheWrite: 1 },
  },
  openai: {
    "gpt-5.1": { input: 1.25, cachedInput: 0.125, output: 10 },
    "gpt-5.1-codex": { input: 1.25, cachedInput: 0.125, output: 10 },
    "gpt-5.1-codex-mini": { input: 0.25, cachedInput: 0.025, output: 2 },
    "gpt-5": { input: 1.25, cachedInput: 0.125, output: 10 },
    "gpt-5-codex": { input: 1.25, cachedInput: 0.125, output: 10 },
    "gpt-5-mini": { input: 0.25, cachedInput: 0.025, output: 2 },
    "gpt-5-nano": { input: 0.05, cachedInput: 0.005, output: 0.4 },
    "gpt-4.1": { input: 2, cachedInput: 0.5, output: 8 },
    "gpt-4.1-mini": { input: 0.4, cachedInput: 0.1, output: 1.6 },
  },
  google: {
    "gemini-3-pro-preview": { input: 2, cachedInput: 0.2, output: 12 },
    "gemini-2.5-pro": { input: 1.25, cachedInput: 0.125, output: 10 },
    "gemini-2.5-flash": { input: 0.3, cachedInput: 0.03, output: 2.5 },
    "gemini-2.5-flash-lite": { input: 0.1, cachedInput: 0.01, output: 0.4 },
  },
};

/** Dated snapshots share their family's price: `claude-sonnet-4-5-20250929`, `gpt-5-2025-08-07`. */
const SNAPSHOT_SUFFIX = /^-(\d{8}|\d{4}-\d{2}-\d{2}|latest)$/;

/**
 * The price of a model, or undefined when we do not know it. `openai-compatible` endpoints
 * (OpenRouter, DeepSeek, a local vLLM) have their own prices, so they are never priced here.
 */
export function priceOf(ref: ModelRef): ModelPrice | undefined {
  if (ref.vendor === "openai-compatible") return undefined;
  const table = PRICES[ref.vendor];
  const model = ref.vendor === "google" ? ref.model.replace(/^models\//, "") : ref.model;
  const exact = table[model];
  if (exact) return exact;
  for (const [name, price] of Object.entries(table)) {
    if (model.startsWith(name) && SNAPSHOT_SUFFIX.test(model.slice(name.length))) return price;
  }
  return undefined;
}

/** Cost in USD of one usage record at a price; cached and cache-write tokens at their own rates. */
export function costOf(usage: Usage, price: ModelPrice): number {
  const cached = usage.cachedInputTokens;
  const written = usage.cacheWriteInputTokens ?? 0;
  const plain = Math.max(0, usage.inputTokens - cached - written);
  return (
    (plain * price.input +
      cached * price.cachedInput +
      written * (price.cacheWrite ?? price.input) +
      usage.outputTokens * price.output) /
    1_000_000
  );
}

/** Cost in USD, or undefined when the model's price is unknown. */
export function costFor(ref: ModelRef, usage: Usage): number | undefined {
  const price = priceOf(ref);
  return price ? costOf(usage, price) : undefined;
}
