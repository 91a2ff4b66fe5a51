import { z } from "zod";
import { TriadError } from "../errors.js";
import { lifecycleWarnings, modelFamily, retirementProblem } from "./catalogue.js";
import type { ModelRef, Role, Vendor } from "./types.js";

/**
 * Defaults when the environment names no model; change them here only, and only to catalogue rows
 * (src/models/catalogue.ts) that are priced and not retiring. The architect is the strongest current
 * Claude (Fable 5.2), the developer a current Sonnet (5.5), the reviewers OpenAI's current coding
 * model on the Responses API (GPT-6.2 Sol) and a current Gemini Flash (3.8).
 */
export const DEFAULT_ROLE_MODELS = {
  architect: "anthropic:claude-fable-5-2",
  developer: "anthropic:claude-sonnet-5-5",
  reviewers: ["openai:gpt-6.2-sol", "google:gemini-3.8-flash"],
} as const;

export const VENDORS: readonly Vendor[] = ["anthropic", "openai", "openai-compatible", "google"];

export const API_KEY_ENV: Record<Vendor, string> = {
  anthropic: "ANTHROPIC_API_KEY",
  openai: "OPENAI_API_KEY",
  "openai-compatible": "OPENAI_COMPATIBLE_API_KEY",
  google: "GEMINI_API_KEY",
};

export const BASE_URL_ENV: Record<Vendor, string> = {
  anthropic: "ANTHROPIC_BASE_URL",
  openai: "OPENAI_BASE_URL",
  "openai-compatible": "OPENAI_COMPATIBLE_BASE_URL",
  google: "GEMINI_BASE_URL",
};

const optional = z
  .string()
  .optional()
  .transform((value) => (value?.trim() ? value.trim() : undefined));
const optionalUrl = optional.refine((value) => value === undefined || URL.canParse(value), {
  message: "must be a URL, e.g. http://localhost:11434/v1",
});

/** The model side of the environment. Fixed names: deployments and scripts rely on them. */
export const modelEnvSchema = z.object({
  TRIAD_ARCHITECT_MODEL: optional,
  TRIAD_DEVELOPER_MODEL: optional,
  /** Comma-separated `vendor:model` list. */
  TRIAD_REVIEWER_MODELS: optional,
  ANTHROPIC_API_KEY: optional,
  OPENAI_API_KEY: optional,
  GEMINI_API_KEY: optional,
  OPENAI_COMPATIBLE_API_KEY: optional,
  ANTHROPIC_BASE_URL: optionalUrl,
  OPENAI_BASE_URL: optionalUrl,
  GEMINI_BASE_URL: optionalUrl,
  OPENAI_COMPATIBLE_BASE_URL: optionalUrl,
  /**
   * Which output-cap parameter the Chat Completions server takes. OpenAI and Azure hosts get
   * `max_completion_tokens` by themselves; older compatible servers know only `max_tokens`.
   */
  OPENAI_COMPATIBLE_MAX_TOKENS_PARAM: z
    .enum(["max_tokens", "max_completion_tokens"])
    .optional()
    .describe("max_tokens or max_completion_tokens"),
});

export type ModelEnv = z.output<typeof modelEnvSchema>;
type EnvInput = ModelEnv | NodeJS.ProcessEnv | Record<string, string | undefined>;

/** Parses the model variables out of an environment (extra variables are ignored). */
export function parseModelEnv(env: EnvInput): ModelEnv {
  const parsed = modelEnvSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
  throw new TriadError("config_invalid", `Invalid model environment: ${problems}`);
}

/** Parses `vendor:model` (the model part may itself contain `:` or `/`, e.g. `llama3.1:8b`). */
export function parseModelRef(text: string): ModelRef {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(":");
  const expected = `expected "vendor:model" with vendor one of ${VENDORS.join(", ")}, e.g. "anthropic:claude-sonnet-4-6"`;
  if (colon <= 0) throw new TriadError("config_invalid", `Invalid model "${text}": ${expected}.`);
  const vendor = trimmed.slice(0, colon).toLowerCase();
  const model = trimmed.slice(colon + 1).trim();
  if (!(VENDORS as readonly string[]).includes(vendor)) {
    throw new TriadError(
      "config_invalid",
      `Invalid model "${text}": unknown vendor "${vendor}"; ${expected}.`,
    );
  }
  if (!model || /\s/.test(model)) {
    throw new TriadError(
      "config_invalid",
      `Invalid model "${text}": the model name is empty or has spaces; ${expected}.`,
    );
  }
  return { vendor: vendor as Vendor, model };
}

export const formatModelRef = (ref: ModelRef) => `${ref.vendor}:${ref.model}`;

/**
 * The company whose model it is, for the diversity rule ("vendor means model family"). For an
 * `openai-compatible` server the model id decides (`anthropic/claude-…` on OpenRouter is
 * Anthropic's); OpenAI's own API host is OpenAI; an id of no known family counts as the server's own.
 */
export function vendorIdentity(ref: ModelRef, env: EnvInput = {}): string {
  if (ref.vendor !== "openai-compatible") return ref.vendor;
  const family = modelFamily(ref);
  if (family !== "unknown") return family;
  const url = (env as Record<string, string | undefined>).OPENAI_COMPATIBLE_BASE_URL;
  try {
    if (url && new URL(url).hostname.toLowerCase() === "api.openai.com") return "openai";
  } catch {
    // an invalid URL is reported by the env schema
  }
  return "openai-compatible";
}

/** `models.output_tokens.<role>` in `.github/triad.yml`: the first attempt's output budget. */
export const outputTokensSchema = z
  .object({
    architect: z.number().int().min(256).max(1_000_000).optional(),
    developer: z.number().int().min(256).max(1_000_000).optional(),
    reviewer: z.number().int().min(256).max(1_000_000).optional(),
  })
  .strict();
export type OutputTokens = z.output<typeof outputTokensSchema>;

/** What `.github/triad.yml` may set on the model side: models and output budgets, never keys or URLs. */
export const repoModelOverridesSchema = z
  .object({
    architect: z.string().optional(),
    developer: z.string().optional(),
    reviewers: z.union([z.string(), z.array(z.string())]).optional(),
    output_tokens: outputTokensSchema.optional(),
  })
  .strict();
export type RepoModelOverrides = z.input<typeof repoModelOverridesSchema>;

export interface RoleModels {
  architect: ModelRef;
  developer: ModelRef;
  reviewers: ModelRef[];
  /** `models.output_tokens` from the repository config (absent roles use the catalogue's budget). */
  outputTokens: Partial<Record<Role, number>>;
  /**
   * Accepted but worth telling the user: two reviewers of one vendor, a model within 30 days of
   * retirement (`lifecycleWarnings`). Show them in the log and the tracking comment.
   */
  warnings: string[];
}

export interface ResolveOptions {
  /** The clock for retirement dates (tests inject one). */
  now?: Date;
}

const splitList = (value: string | readonly string[]) =>
  (typeof value === "string" ? value.split(",") : [...value]).map((item) => item.trim()).filter(Boolean);

/**
 * Resolves the model of each role: repository overrides, then the environment, then the defaults.
 * Refuses a reviewer of the developer's vendor; warns about two reviewers of the same vendor.
 */
export function resolveRoleModels(
  env: EnvInput,
  repoOverrides: RepoModelOverrides = {},
  options: ResolveOptions = {},
): RoleModels {
  const parsedEnv = parseModelEnv(env);
  const overrides = repoModelOverridesSchema.safeParse(repoOverrides);
  if (!overrides.success) {
    throw new TriadError(
      "config_invalid",
      `The repository config may set only the architect, developer and reviewers models and output_tokens (never keys or URLs): ${overrides.error.issues
        .map((issue) => issue.message)
        .join("; ")}`,
    );
  }
  const o = overrides.data;
  const architect = parseModelRef(
    o.architect ?? parsedEnv.TRIAD_ARCHITECT_MODEL ?? DEFAULT_ROLE_MODELS.architect,
  );
  const developer = parseModelRef(
    o.developer ?? parsedEnv.TRIAD_DEVELOPER_MODEL ?? DEFAULT_ROLE_MODELS.developer,
  );
  const reviewerList = splitList(
    o.reviewers ?? parsedEnv.TRIAD_REVIEWER_MODELS ?? DEFAULT_ROLE_MODELS.reviewers,
  );
  if (reviewerList.length === 0) {
    throw new TriadError(
      "config_invalid",
      "At least one reviewer model is needed (TRIAD_REVIEWER_MODELS or reviewers).",
    );
  }
  const reviewers = reviewerList.map(parseModelRef);
  const developerVendor = vendorIdentity(developer, parsedEnv);
  const warnings: string[] = [];
  const seen = new Map<string, ModelRef>();
  for (const reviewer of reviewers) {
    const vendor = vendorIdentity(reviewer, parsedEnv);
    if (vendor === developerVendor) {
      throw new TriadError(
        "config_invalid",
        `Reviewer ${formatModelRef(reviewer)} is from the developer's vendor (${formatModelRef(developer)}; both are ${vendor} models): ` +
          "no model reviews its own vendor's work, because models of one vendor share blind spots. " +
          "Pick a reviewer from another vendor.",
      );
    }
    const other = seen.get(vendor);
    if (other) {
      warnings.push(
        `Reviewers ${formatModelRef(other)} and ${formatModelRef(reviewer)} are from the same vendor (${vendor}); ` +
          "a second vendor gives more independent reviews.",
      );
    }
    seen.set(vendor, reviewer);
  }
  const now = options.now ?? new Date();
  const all = [architect, developer, ...reviewers];
  const retired = all.map((ref) => retirementProblem(ref, now)).filter((p) => p !== undefined);
  if (retired.length > 0) throw new TriadError("config_invalid", [...new Set(retired)].join(" "));
  warnings.push(...lifecycleWarnings(all, now));
  return { architect, developer, reviewers, outputTokens: { ...o.output_tokens }, warnings };
}

/** True when at least one vendor key is set; without one, triad runs its scripted models. */
export function hasAnyApiKey(env: EnvInput): boolean {
  const parsed = parseModelEnv(env);
  return Boolean(
    parsed.ANTHROPIC_API_KEY ||
      parsed.OPENAI_API_KEY ||
      parsed.GEMINI_API_KEY ||
      parsed.OPENAI_COMPATIBLE_API_KEY,
  );
}
