import { createHash } from "node:crypto";

/** Tokens of a wire value, as the rest of the vendor servers count them: characters / 4. */
export const wireTokens = (value: unknown): number =>
  value === undefined ? 0 : Math.ceil(JSON.stringify(value).length / 4);

export interface PrefixCacheRules {
  /** Below this many tokens of matched prefix, nothing is served from the cache. */
  minTokens: number;
  /** Cache hits are counted in steps of this many tokens above `minTokens` (1 = exact). */
  increment: number;
}

/**
 * OpenAI: "works automatically for prompts containing 1024 tokens or more, with cache hits occurring
 * in increments of 128 tokens"; "cache hits require an exact, repeated prefix match" (OpenAI cookbook
 * "Prompt Caching 201", which points to developers.openai.com/api/docs/guides/prompt-caching).
 */
export const OPENAI_PREFIX_CACHE: PrefixCacheRules = { minTokens: 1024, increment: 128 };

/**
 * Gemini implicit caching, on by default for Gemini 2.5 and newer; minimum input tokens 4,096 for
 * Gemini 3.x Flash and 3.1 Pro, 2,048 for Gemini 2.5 (ai.google.dev/gemini-api/docs/caching, table
 * "Min token limit"). The docs give no increment: the whole matched prefix counts.
 */
export function geminiPrefixCache(model: string): PrefixCacheRules {
  return { minTokens: /^gemini-2\.5/.test(model) ? 2048 : 4096, increment: 1 };
}

/**
 * The automatic prompt caches of OpenAI and Gemini: no breakpoints, the longest prefix (in whole
 * request units: tools, instructions, then each input item in order) that an earlier request sent is
 * read from the cache, within the vendor's minimum and increments. Anthropic's explicit breakpoints
 * are `AnthropicPromptCache` (vendor-server.ts).
 */
export class PrefixCache {
  private readonly seen = new Set<string>();

  /** Cached and total input tokens of a request made of these units, in order; remembers them. */
  usageFor(units: readonly unknown[], rules: PrefixCacheRules): { input: number; cached: number } {
    let hash = "";
    let tokens = 0;
    let matched = 0;
    let stillMatching = true;
    const hashes: string[] = [];
    for (const unit of units) {
      hash = createHash("sha256")
        .update(hash)
        .update(JSON.stringify(unit ?? null))
        .digest("hex");
      tokens += wireTokens(unit);
      hashes.push(hash);
      if (stillMatching && this.seen.has(hash)) matched = tokens;
      else stillMatching = false;
    }
    for (const h of hashes) this.seen.add(h);
    let cached = 0;
    if (matched >= rules.minTokens) {
      cached = rules.minTokens + Math.floor((matched - rules.minTokens) / rules.increment) * rules.increment;
    }
    return { input: tokens, cached };
  }
}
