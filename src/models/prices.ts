import { CATALOGUE, type ModelPrice, priceOfEntry } from "./catalogue.js";
import type { ModelRef, Usage } from "./types.js";

export type { ModelPrice } from "./catalogue.js";

/**
 * The price table, read from the catalogue (src/models/catalogue.ts, where each price cites its
 * source). Long-context tiers and Gemini's explicit-cache storage fee are not modelled.
 */
export const PRICES: Readonly<
  Record<"anthropic" | "openai" | "google", Readonly<Record<string, ModelPrice>>>
> = {
  anthropic: table("anthropic"),
  openai: table("openai"),
  google: table("google"),
};

function table(vendor: "anthropic" | "openai" | "google"): Record<string, ModelPrice> {
  return Object.fromEntries(
    CATALOGUE.filter((row) => row.vendor === vendor && row.price).map((row) => [
      row.id,
      row.price as ModelPrice,
    ]),
  );
}

/**
 * The price of a model, or undefined when we do not know it. Dated snapshots share their row's
 * price. Models reached through an `openai-compatible` host are priced only when the catalogue row
 * is that host's own (DeepSeek on DeepSeek); OpenRouter or a local server set their own prices.
 */
export function priceOf(ref: ModelRef): ModelPrice | undefined {
  return priceOfEntry(ref);
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
