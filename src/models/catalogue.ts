import type { ModelRef, Role, Vendor } from "./types.js";

/**
 * The models triad knows: one row per model, each with its sources. Defaults, prices, output budgets,
 * thinking behaviour and lifecycle all come from here (ARCHITECTURE §4). Prices are USD per million
 * tokens at the vendor's standard tier, short-context rates; a row without a price is reported with
 * tokens only. Never add a guessed price or date: every value below is in one of the row's sources.
 *
 * Source abbreviations:
 * - ANTHROPIC_MODELS  platform.claude.com/docs/en/about-claude/models/overview (stored copy, Nov 2026)
 * - ANTHROPIC_PRICING platform.claude.com/docs/en/about-claude/pricing
 * - ANTHROPIC_SDK     @anthropic-ai/sdk 1.14 `Model` union (resources/messages/messages.d.ts) and
 *                     `DEPRECATED_MODELS` (internal/data/deprecated-models.js)
 * - OPENAI_SDK        openai 7.59 `ChatModel` / `ResponsesModel` unions (resources/shared.d.ts)
 * - OPENAI_DEPRECATIONS developers.openai.com/api/docs/deprecations
 * - GEMINI_DEPRECATIONS ai.google.dev/gemini-api/docs/deprecations
 */
export type ModelFamily =
  | "anthropic"
  | "openai"
  | "google"
  | "deepseek"
  | "meta"
  | "qwen"
  | "mistral"
  | "microsoft"
  | "nvidia"
  | "ibm"
  | "cohere"
  | "xai"
  | "zhipu"
  | "moonshot"
  | "unknown"
  /** An open model of an organisation not in `ORG_FAMILIES`: the org itself (`allenai/olmo-2` → `allenai`). */
  | (string & {});

/**
 * - `always`: thinking cannot be turned off (adaptive, always on).
 * - `default`: the model thinks unless told not to.
 * - `optional`: thinking only when requested.
 * - `never`: no reasoning tokens.
 */
export type ThinkingMode = "always" | "default" | "optional" | "never";

/**
 * How the depth of thinking is set, which decides what a request may carry:
 * - `adaptive`: Anthropic adaptive thinking; `budget_tokens` and `thinking: disabled` are refused.
 * - `budget`: Anthropic extended thinking with `budget_tokens` (≥ 1024, below `max_tokens`).
 * - `effort`: OpenAI `reasoning.effort`; DeepSeek `reasoning_effort`.
 * - `level`: Gemini 3 `thinkingLevel`.
 * - `none`: the model does not think.
 */
export type ThinkingControl = "adaptive" | "budget" | "effort" | "level" | "none";

export interface ModelPrice {
  input: number;
  cachedInput: number;
  output: number;
  /** The 5-minute cache write price (Anthropic) or the cache write price (OpenAI); absent → input price. */
  cacheWrite?: number;
}

export interface CatalogueEntry {
  id: string;
  /** The API triad talks to for it. */
  vendor: Vendor;
  /** Whose model it is ("vendor means model family" for the diversity rule). */
  family: ModelFamily;
  fitFor: readonly Role[];
  contextTokens: number;
  maxOutputTokens: number;
  thinking: ThinkingMode;
  thinkingControl: ThinkingControl;
  /** False when the model answers a forced `tool_choice` (a named tool, or `any`) with a 400. */
  forcedToolChoice: boolean;
  price?: ModelPrice;
  /** ISO dates. `retires` is the day the API stops serving the id. */
  deprecated?: string;
  retires?: string;
  /** What the vendor recommends instead (a `vendor:model` ref). */
  replacement?: string;
  sources: readonly string[];
}

const ALL_ROLES: readonly Role[] = ["architect", "developer", "reviewer"];
const ANTHROPIC_FORCED_TOOL_REJECTED =
  "platform.claude.com/docs/en/models/opus-5-5/migration-guide (forced tool_choice returns 400; same set as Fable 5.1 onward)";

export const CATALOGUE: readonly CatalogueEntry[] = [
  // ---------------------------------------------------------------- Anthropic
  {
    id: "claude-fable-5-2",
    vendor: "anthropic",
    family: "anthropic",
    fitFor: ALL_ROLES,
    contextTokens: 1_000_000,
    maxOutputTokens: 128_000,
    thinking: "always",
    thinkingControl: "adaptive",
    forcedToolChoice: false,
    price: { input: 8, cachedInput: 0.2, cacheWrite: 10, output: 40 },
    sources: [
      "ANTHROPIC_MODELS (Fable 5.2: $8/$40, 1M context, 128K output, adaptive always on)",
      "ANTHROPIC_PRICING (cache read $0.20, 5m write $10)",
      "ANTHROPIC_SDK",
      ANTHROPIC_FORCED_TOOL_REJECTED,
    ],
  },
  {
    id: "claude-fable-5-1",
    vendor: "anthropic",
    family: "anthropic",
    fitFor: ALL_ROLES,
    contextTokens: 1_000_000,
    maxOutputTokens: 128_000,
    thinking: "always",
    thinkingControl: "adaptive",
    forcedToolChoice: false,
    price: { input: 10, cachedInput: 0.25, cacheWrite: 12.5, output: 50 },
    sources: ["ANTHROPIC_PRICING", "ANTHROPIC_SDK", ANTHROPIC_FORCED_TOOL_REJECTED],
  },
  {
    id: "claude-opus-5-5",
    vendor: "anthropic",
    family: "anthropic",
    fitFor: ALL_ROLES,
    contextTokens: 1_000_000,
    maxOutputTokens: 128_000,
    thinking: "always",
    thinkingControl: "adaptive",
    forcedToolChoice: false,
    price: { input: 4, cachedInput: 0.2, cacheWrite: 5, output: 20 },
    sources: [
      "ANTHROPIC_MODELS (Opus 5.5: $4/$20, adaptive always on)",
      "ANTHROPIC_PRICING (cache hits $0.20, 5m write $5)",
      "ANTHROPIC_SDK",
      ANTHROPIC_FORCED_TOOL_REJECTED,
    ],
  },
  {
    id: "claude-sonnet-5-5",
    vendor: "anthropic",
    family: "anthropic",
    fitFor: ALL_ROLES,
    contextTokens: 1_000_000,
    maxOutputTokens: 128_000,
    thinking: "default",
    thinkingControl: "adaptive",
    forcedToolChoice: false,
    price: { input: 2, cachedInput: 0.1, cacheWrite: 2.5, output: 10 },
    sources: [
      "ANTHROPIC_MODELS (Sonnet 5.5: $2/$10, 1M context, 128K output, adaptive)",
      "ANTHROPIC_PRICING (cache reads $0.10 from 2026-10-07, 5m write $2.50)",
      "ANTHROPIC_SDK",
      ANTHROPIC_FORCED_TOOL_REJECTED,
    ],
  },
  {
    id: "claude-haiku-5-5",
    vendor: "anthropic",
    family: "anthropic",
    fitFor: ["reviewer"],
    contextTokens: 1_000_000,
    maxOutputTokens: 128_000,
    thinking: "default",
    thinkingControl: "adaptive",
    forcedToolChoice: true,
    // The ≤ 100k-prompt band; longer prompts are billed higher (not modelled).
    price: { input: 0.1, cachedInput: 0.01, cacheWrite: 0.125, output: 0.5 },
    sources: ["ANTHROPIC_MODELS (Haiku 5.5: from $0.10/$0.50)", "ANTHROPIC_PRICING", "ANTHROPIC_SDK"],
  },
  {
    id: "claude-opus-5",
    vendor: "anthropic",
    family: "anthropic",
    fitFor: ALL_ROLES,
    contextTokens: 1_000_000,
    maxOutputTokens: 128_000,
    thinking: "default",
    thinkingControl: "adaptive",
    forcedToolChoice: true,
    price: { input: 5, cachedInput: 0.5, cacheWrite: 6.25, output: 25 },
    sources: [
      "platform.claude.com/docs/en/models/opus-5/overview (legacy; thinking on by default; retirement not sooner than 2027-07-24)",
      "ANTHROPIC_PRICING",
      "ANTHROPIC_SDK",
    ],
  },
  {
    id: "claude-sonnet-5",
    vendor: "anthropic",
    family: "anthropic",
    fitFor: ALL_ROLES,
    contextTokens: 1_000_000,
    maxOutputTokens: 128_000,
    thinking: "optional",
    thinkingControl: "adaptive",
    forcedToolChoice: true,
    price: { input: 2, cachedInput: 0.2, cacheWrite: 2.5, output: 10 },
    sources: ["ANTHROPIC_MODELS (Sonnet 5: $2/$10)", "ANTHROPIC_PRICING", "ANTHROPIC_SDK"],
  },
  {
    id: "claude-opus-4-8",
    vendor: "anthropic",
    family: "anthropic",
    fitFor: ALL_ROLES,
    contextTokens: 1_000_000,
    maxOutputTokens: 128_000,
    thinking: "optional",
    thinkingControl: "adaptive",
    forcedToolChoice: true,
    price: { input: 5, cachedInput: 0.5, cacheWrite: 6.25, output: 25 },
    sources: ["ANTHROPIC_PRICING", "ANTHROPIC_SDK"],
  },
  {
    id: "claude-sonnet-4-6",
    vendor: "anthropic",
    family: "anthropic",
    fitFor: ALL_ROLES,
    contextTokens: 1_000_000,
    maxOutputTokens: 64_000,
    thinking: "optional",
    thinkingControl: "budget",
    forcedToolChoice: true,
    price: { input: 3, cachedInput: 0.3, cacheWrite: 3.75, output: 15 },
    sources: ["ANTHROPIC_PRICING", "ANTHROPIC_SDK"],
  },
  {
    id: "claude-haiku-4-5",
    vendor: "anthropic",
    family: "anthropic",
    fitFor: ["reviewer"],
    contextTokens: 200_000,
    maxOutputTokens: 64_000,
    thinking: "optional",
    thinkingControl: "budget",
    forcedToolChoice: true,
    price: { input: 1, cachedInput: 0.1, cacheWrite: 1.25, output: 5 },
    sources: ["ANTHROPIC_MODELS (Haiku 4.5: 200K context, 64K output)", "ANTHROPIC_PRICING", "ANTHROPIC_SDK"],
  },
  {
    id: "claude-opus-4-5",
    vendor: "anthropic",
    family: "anthropic",
    fitFor: ALL_ROLES,
    contextTokens: 200_000,
    maxOutputTokens: 64_000,
    thinking: "optional",
    thinkingControl: "budget",
    forcedToolChoice: true,
    price: { input: 5, cachedInput: 0.5, cacheWrite: 6.25, output: 25 },
    deprecated: "2026-07-24",
    retires: "2027-01-22",
    replacement: "anthropic:claude-opus-5-5",
    sources: ["ANTHROPIC_SDK DEPRECATED_MODELS ('January 22nd, 2027')", "ANTHROPIC_PRICING"],
  },
  {
    id: "claude-sonnet-4-5",
    vendor: "anthropic",
    family: "anthropic",
    fitFor: ALL_ROLES,
    contextTokens: 200_000,
    maxOutputTokens: 64_000,
    thinking: "optional",
    thinkingControl: "budget",
    forcedToolChoice: true,
    price: { input: 3, cachedInput: 0.3, cacheWrite: 3.75, output: 15 },
    retires: "2026-11-30",
    replacement: "anthropic:claude-sonnet-5-5",
    sources: ["ANTHROPIC_SDK DEPRECATED_MODELS ('November 30th, 2026')", "ANTHROPIC_PRICING"],
  },
  {
    id: "claude-opus-4-1",
    vendor: "anthropic",
    family: "anthropic",
    fitFor: ALL_ROLES,
    contextTokens: 200_000,
    maxOutputTokens: 32_000,
    thinking: "optional",
    thinkingControl: "budget",
    forcedToolChoice: true,
    price: { input: 15, cachedInput: 1.5, cacheWrite: 18.75, output: 75 },
    // The pricing page lists it as "retired, except on Bedrock and Google Cloud" without a day; the
    // date below is the day that page was read, so the model counts as retired from then on.
    retires: "2026-11-27",
    replacement: "anthropic:claude-opus-5-5",
    sources: ["ANTHROPIC_PRICING ('Claude Opus 4.1 (retired, except on Bedrock and Google Cloud)')"],
  },
  // ---------------------------------------------------------------- OpenAI (Responses API)
  {
    id: "gpt-6.2-sol",
    vendor: "openai",
    family: "openai",
    fitFor: ALL_ROLES,
    contextTokens: 1_050_000,
    maxOutputTokens: 128_000,
    thinking: "always",
    thinkingControl: "effort",
    forcedToolChoice: true,
    price: { input: 2, cachedInput: 0.1, cacheWrite: 2.5, output: 10 },
    sources: [
      "developers.openai.com/api/docs/models/gpt-6.2-sol ('our go-to model for everyday work, from coding to powering agents'; 1,050,000 context, 128,000 output; effort none rejected; $2 / $0.10 cached / $2.50 cache write / $10)",
      "OPENAI_SDK",
    ],
  },
  {
    id: "gpt-6.1-sol",
    vendor: "openai",
    family: "openai",
    fitFor: ALL_ROLES,
    contextTokens: 1_050_000,
    maxOutputTokens: 128_000,
    thinking: "default",
    thinkingControl: "effort",
    forcedToolChoice: true,
    price: { input: 2, cachedInput: 0.1, cacheWrite: 2.5, output: 10 },
    sources: ["developers.openai.com/api/docs/models/gpt-6.1-sol", "OPENAI_SDK"],
  },
  {
    id: "gpt-6-sol",
    vendor: "openai",
    family: "openai",
    fitFor: ALL_ROLES,
    contextTokens: 1_050_000,
    maxOutputTokens: 128_000,
    thinking: "default",
    thinkingControl: "effort",
    forcedToolChoice: true,
    price: { input: 2, cachedInput: 0.2, cacheWrite: 2.5, output: 10 },
    sources: [
      "developers.openai.com/api/docs/models/gpt-6-sol ('built to power complex coding')",
      "OPENAI_SDK",
    ],
  },
  {
    id: "gpt-5.1",
    vendor: "openai",
    family: "openai",
    fitFor: ALL_ROLES,
    contextTokens: 400_000,
    maxOutputTokens: 128_000,
    thinking: "default",
    thinkingControl: "effort",
    forcedToolChoice: true,
    price: { input: 1.25, cachedInput: 0.125, output: 10 },
    deprecated: "2026-10-01",
    retires: "2027-04-01",
    sources: ["OPENAI_DEPRECATIONS (GPT-5.1 shuts down 1 April 2027)", "OPENAI_SDK"],
  },
  {
    id: "gpt-5",
    vendor: "openai",
    family: "openai",
    fitFor: ALL_ROLES,
    contextTokens: 400_000,
    maxOutputTokens: 128_000,
    thinking: "default",
    thinkingControl: "effort",
    forcedToolChoice: true,
    price: { input: 1.25, cachedInput: 0.125, output: 10 },
    deprecated: "2026-06-11",
    retires: "2026-12-11",
    replacement: "openai:gpt-6.1-sol",
    sources: ["OPENAI_DEPRECATIONS (gpt-5, gpt-5-2025-08-07: Dec 11, 2026 → gpt-6.1-sol)", "OPENAI_SDK"],
  },
  {
    id: "gpt-5-mini",
    vendor: "openai",
    family: "openai",
    fitFor: ["reviewer"],
    contextTokens: 400_000,
    maxOutputTokens: 128_000,
    thinking: "default",
    thinkingControl: "effort",
    forcedToolChoice: true,
    price: { input: 0.25, cachedInput: 0.025, output: 2 },
    deprecated: "2026-06-11",
    retires: "2026-12-11",
    replacement: "openai:gpt-6.1-terra",
    sources: ["OPENAI_DEPRECATIONS (gpt-5-mini: Dec 11, 2026 → gpt-6.1-terra)", "OPENAI_SDK"],
  },
  {
    id: "gpt-5.1-codex",
    vendor: "openai",
    family: "openai",
    fitFor: ALL_ROLES,
    contextTokens: 400_000,
    maxOutputTokens: 128_000,
    thinking: "default",
    thinkingControl: "effort",
    forcedToolChoice: true,
    price: { input: 1.25, cachedInput: 0.125, output: 10 },
    retires: "2026-07-23",
    replacement: "openai:gpt-6.2-sol",
    sources: ["OPENAI_DEPRECATIONS (reported shut down 2026-07-23, issue [6/12])", "OPENAI_SDK"],
  },
  {
    id: "gpt-5-codex",
    vendor: "openai",
    family: "openai",
    fitFor: ALL_ROLES,
    contextTokens: 400_000,
    maxOutputTokens: 128_000,
    thinking: "default",
    thinkingControl: "effort",
    forcedToolChoice: true,
    price: { input: 1.25, cachedInput: 0.125, output: 10 },
    retires: "2026-07-23",
    replacement: "openai:gpt-6.2-sol",
    sources: ["developers.openai.com/api/docs/models/gpt-5-codex ('Shut down')", "OPENAI_SDK"],
  },
  // ---------------------------------------------------------------- Google
  {
    id: "gemini-3.8-flash",
    vendor: "google",
    family: "google",
    fitFor: ALL_ROLES,
    contextTokens: 1_048_576,
    maxOutputTokens: 65_536,
    thinking: "default",
    thinkingControl: "level",
    forcedToolChoice: true,
    // The introductory price through 2026-12-31 ($1.50 / $7.50 from 2027-01-01).
    price: { input: 0.75, cachedInput: 0.075, output: 3.75 },
    sources: [
      "ai.google.dev/gemini-api/docs/whats-new-gemini-3.6 ('our newest Flash model, see Gemini 3.8 Flash')",
      "Gemini 3.8 Flash announcement as quoted by LiteLLM (1,048,576 context, 65,536 output, $0.75 / $0.075 cached / $3.75 to 2026-12-31)",
    ],
  },
  {
    id: "gemini-3.7-flash",
    vendor: "google",
    family: "google",
    fitFor: ALL_ROLES,
    contextTokens: 1_048_576,
    maxOutputTokens: 65_536,
    thinking: "default",
    thinkingControl: "level",
    forcedToolChoice: true,
    price: { input: 0.75, cachedInput: 0.075, output: 3.75 },
    sources: ["ai.google.dev/gemini-api/docs/whats-new-gemini-3.7 (1M context, 64k output, $0.75/$3.75)"],
  },
  {
    id: "gemini-3.5-flash-lite",
    vendor: "google",
    family: "google",
    fitFor: ["reviewer"],
    contextTokens: 1_048_576,
    maxOutputTokens: 65_536,
    thinking: "optional",
    thinkingControl: "level",
    forcedToolChoice: true,
    price: { input: 0.3, cachedInput: 0.03, output: 2.5 },
    sources: [
      "ai.google.dev/gemini-api/docs/latest-model (3.5 Flash-Lite: $0.30/$2.50, default thinking minimal)",
    ],
  },
  {
    id: "gemini-2.5-pro",
    vendor: "google",
    family: "google",
    fitFor: ALL_ROLES,
    contextTokens: 1_048_576,
    maxOutputTokens: 65_536,
    thinking: "always",
    thinkingControl: "budget",
    forcedToolChoice: true,
    price: { input: 1.25, cachedInput: 0.125, output: 10 },
    retires: "2026-12-01",
    replacement: "google:gemini-3.8-flash",
    sources: [
      "GEMINI_DEPRECATIONS (gemini-2.5-pro shut down Dec 1, 2026 → gemini-3.8-flash; read 2026-11-10)",
    ],
  },
  {
    id: "gemini-2.5-flash",
    vendor: "google",
    family: "google",
    fitFor: ALL_ROLES,
    contextTokens: 1_048_576,
    maxOutputTokens: 65_536,
    thinking: "default",
    thinkingControl: "budget",
    forcedToolChoice: true,
    price: { input: 0.3, cachedInput: 0.03, output: 2.5 },
    retires: "2026-12-01",
    replacement: "google:gemini-3.8-flash",
    sources: ["GEMINI_DEPRECATIONS (gemini-2.5-flash shut down Dec 1, 2026 → gemini-3.5-flash-lite)"],
  },
  // ---------------------------------------------------------------- OpenAI-compatible servers
  {
    id: "deepseek-v4-pro",
    vendor: "openai-compatible",
    family: "deepseek",
    fitFor: ALL_ROLES,
    contextTokens: 1_048_576,
    maxOutputTokens: 262_144,
    thinking: "default",
    thinkingControl: "effort",
    forcedToolChoice: true,
    sources: [
      "api-docs.deepseek.com/guides/thinking_mode (thinking on by default; reasoning_content must be passed back on tool-call turns, else 400)",
    ],
  },
  {
    id: "deepseek-v4-flash",
    vendor: "openai-compatible",
    family: "deepseek",
    fitFor: ALL_ROLES,
    contextTokens: 1_048_576,
    maxOutputTokens: 262_144,
    thinking: "default",
    thinkingControl: "effort",
    forcedToolChoice: true,
    sources: ["api-docs.deepseek.com/guides/thinking_mode"],
  },
];

/** Dated snapshots share their row: `claude-sonnet-4-5-20250929`, `gpt-5-2025-08-07`, `…-latest`. */
const SNAPSHOT_SUFFIX = /^-(\d{8}|\d{4}-\d{2}-\d{2}|latest)$/;

/** The model id without routing decoration: `models/…` (Gemini), `vendor/…` (OpenRouter). */
export function bareModelId(model: string): string {
  return model
    .replace(/^models\//, "")
    .split("/")
    .at(-1) as string;
}

/** OpenRouter spells versions with dots (`anthropic/claude-opus-5.5`); the vendors' ids use dashes. */
function candidates(model: string): string[] {
  const bare = bareModelId(model).toLowerCase();
  const dashed = bare.startsWith("claude-") ? bare.replace(/(\d)\.(\d)/g, "$1-$2") : bare;
  return [...new Set([bare, dashed])];
}

/**
 * The catalogue row of a model, or undefined. `openai-compatible` ids are matched across vendors
 * (`anthropic/claude-…` on OpenRouter, `deepseek-v4-pro` on DeepSeek), since any server may host them.
 */
export function catalogueEntry(ref: ModelRef): CatalogueEntry | undefined {
  const rows =
    ref.vendor === "openai-compatible" ? CATALOGUE : CATALOGUE.filter((row) => row.vendor === ref.vendor);
  for (const id of candidates(ref.model)) {
    const exact = rows.find((row) => row.id === id);
    if (exact) return exact;
    const snapshot = rows
      .filter((row) => id.startsWith(row.id) && SNAPSHOT_SUFFIX.test(id.slice(row.id.length)))
      .sort((a, b) => b.id.length - a.id.length)[0];
    if (snapshot) return snapshot;
  }
  return undefined;
}

const FAMILY_PATTERNS: Array<[RegExp, ModelFamily]> = [
  [/^(anthropic\/|claude)/, "anthropic"],
  [/^(openai\/|gpt-|o\d|codex|chatgpt)/, "openai"],
  [/^(google\/|gemini|gemma)/, "google"],
  [/^(deepseek)/, "deepseek"],
  [/^(meta-llama\/|meta\/|llama)/, "meta"],
  [/^(qwen\/|qwen|qwq)/, "qwen"],
  [/^(mistralai\/|mistral|mixtral|codestral|devstral|ministral|magistral)/, "mistral"],
  [/^(phi-?\d)/, "microsoft"],
  [/^(nemotron)/, "nvidia"],
  [/^(granite)/, "ibm"],
  [/^(command-|c4ai-)/, "cohere"],
  [/^(grok)/, "xai"],
  [/^(glm-|chatglm)/, "zhipu"],
  [/^(kimi|moonshot)/, "moonshot"],
];

/**
 * The family behind an organisation prefix of an open model id (Hugging Face / OpenRouter / vLLM
 * spellings, lower-cased): two open models on one server are of one vendor only when their makers
 * are. An org not listed here is its own family.
 */
export const ORG_FAMILIES: Readonly<Record<string, ModelFamily>> = {
  anthropic: "anthropic",
  openai: "openai",
  google: "google",
  deepseek: "deepseek",
  "deepseek-ai": "deepseek",
  meta: "meta",
  "meta-llama": "meta",
  facebook: "meta",
  qwen: "qwen",
  alibaba: "qwen",
  mistralai: "mistral",
  mistral: "mistral",
  microsoft: "microsoft",
  nvidia: "nvidia",
  "ibm-granite": "ibm",
  ibm: "ibm",
  cohere: "cohere",
  cohereforai: "cohere",
  coherelabs: "cohere",
  "x-ai": "xai",
  xai: "xai",
  thudm: "zhipu",
  "zai-org": "zhipu",
  "z-ai": "zhipu",
  moonshotai: "moonshot",
};

/**
 * Whose model a ref names. The vendor API decides it for `anthropic`, `openai` and `google`; for an
 * `openai-compatible` server the model id does (`anthropic/claude-opus-5.5` on OpenRouter is
 * Anthropic's, `deepseek-chat` DeepSeek's, `llama3.1:8b` on Ollama Meta's): the catalogue row, then
 * the id's own name, then its organisation prefix (`ORG_FAMILIES`, else the org itself). A bare id of
 * no known maker is `unknown`.
 */
export function modelFamily(ref: ModelRef): ModelFamily {
  if (ref.vendor !== "openai-compatible") return ref.vendor;
  const row = catalogueEntry(ref);
  if (row) return row.family;
  const id = ref.model.toLowerCase().replace(/^models\//, "");
  const slash = id.indexOf("/");
  const org = slash > 0 ? id.slice(0, slash) : undefined;
  if (org && ORG_FAMILIES[org]) return ORG_FAMILIES[org];
  const name = bareModelId(id);
  for (const [pattern, family] of FAMILY_PATTERNS) if (pattern.test(name) || pattern.test(id)) return family;
  return org ?? "unknown";
}

export function priceOfEntry(ref: ModelRef): ModelPrice | undefined {
  const row = catalogueEntry(ref);
  // A price is the vendor's own; a model hosted elsewhere (OpenRouter, a local server) has the host's.
  if (!row || (ref.vendor === "openai-compatible" && row.vendor !== "openai-compatible")) return undefined;
  return row.price;
}

// ---------------------------------------------------------------------------------------------
// Output budgets

/** Tokens a role writes in one turn, before thinking: the developer writes whole files. */
const ROLE_OUTPUT_TOKENS: Record<Role, number> = { architect: 16_000, developer: 32_000, reviewer: 16_000 };
/** What a thinking model spends before it answers, on top of the answer. */
export const THINKING_HEADROOM_TOKENS = 16_000;
/** For models not in the catalogue: the lowest output cap among current models. */
const UNKNOWN_MODEL_OUTPUT_CAP = 8_192;

export interface OutputBudget {
  /** `max_tokens` of the first attempt. */
  initial: number;
  /** The most a length-stopped call is retried with (the model's own output cap). */
  cap: number;
}

/**
 * The output budget of a role's call: the configured `models.output_tokens.<role>`, else the role's
 * answer size plus thinking headroom for models that think, never above the model's cap. A call that
 * stops for length is retried once at `cap`.
 */
export function outputBudget(ref: ModelRef, role: Role, configured?: number): OutputBudget {
  const row = catalogueEntry(ref);
  const modelCap = row?.maxOutputTokens ?? UNKNOWN_MODEL_OUTPUT_CAP;
  const thinks = row ? row.thinking !== "never" && row.thinking !== "optional" : false;
  const wanted = configured ?? ROLE_OUTPUT_TOKENS[role] + (thinks ? THINKING_HEADROOM_TOKENS : 0);
  const initial = Math.max(1, Math.min(wanted, modelCap));
  const cap = configured !== undefined ? Math.max(initial, Math.min(modelCap, initial * 2)) : modelCap;
  return { initial, cap };
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

const DAY_MS = 86_400_000;
export const RETIREMENT_WARNING_DAYS = 30;

export interface LifecycleStatus {
  state: "active" | "retiring" | "retired" | "unknown";
  entry?: CatalogueEntry;
  /** Whole days until `retires` (negative once past). */
  daysLeft?: number;
}

export function lifecycleOf(ref: ModelRef, now: Date = new Date()): LifecycleStatus {
  const entry = catalogueEntry(ref);
  if (!entry) return { state: "unknown" };
  if (!entry.retires) return { state: "active", entry };
  const daysLeft = Math.floor((Date.parse(`${entry.retires}T00:00:00Z`) - now.getTime()) / DAY_MS);
  if (daysLeft < 0 || now.toISOString().slice(0, 10) >= entry.retires)
    return { state: "retired", entry, daysLeft };
  if (daysLeft <= RETIREMENT_WARNING_DAYS) return { state: "retiring", entry, daysLeft };
  return { state: "active", entry, daysLeft };
}

const formatRef = (ref: ModelRef) => `${ref.vendor}:${ref.model}`;

/** The refusal for a retired model, naming the replacement; undefined when it still answers. */
export function retirementProblem(ref: ModelRef, now: Date = new Date()): string | undefined {
  const status = lifecycleOf(ref, now);
  if (status.state !== "retired" || !status.entry) return undefined;
  const instead = status.entry.replacement ? ` Use ${status.entry.replacement} instead.` : "";
  return `${formatRef(ref)} was retired by its vendor on ${status.entry.retires}; requests to it fail.${instead}`;
}

/**
 * Warnings for configured models within 30 days of retirement, for the log and the tracking
 * comment. Models past retirement are refused by `resolveRoleModels`, not warned about.
 */
export function lifecycleWarnings(refs: readonly ModelRef[], now: Date = new Date()): string[] {
  const seen = new Set<string>();
  const warnings: string[] = [];
  for (const ref of refs) {
    const key = formatRef(ref);
    if (seen.has(key)) continue;
    seen.add(key);
    const status = lifecycleOf(ref, now);
    if (status.state !== "retiring" || !status.entry) continue;
    const instead = status.entry.replacement ? `; switch to ${status.entry.replacement}` : "";
    warnings.push(
      `${key} retires on ${status.entry.retires} (${status.daysLeft} day${status.daysLeft === 1 ? "" : "s"} left)${instead}.`,
    );
  }
  return warnings;
}
