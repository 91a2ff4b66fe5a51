import { API_KEY_ENV, BASE_URL_ENV } from "../../models/config.js";
import type { ChatModel, Vendor } from "../../models/types.js";
import { geminiPrefixCache, OPENAI_PREFIX_CACHE, PrefixCache } from "./prefix-cache.js";
import type { StrictOptions, WireApi } from "./vendor-rules.js";
import {
  AnthropicPromptCache,
  anthropicError,
  type FakeUsage,
  geminiError,
  openaiError,
  type RecordedRequest,
  type Reply,
  startVendorServer,
  type VendorServer,
} from "./vendor-server.js";
import { answerTokens, wireAnswer } from "./wire-answer.js";
import { chatRequestFromWire } from "./wire-request.js";

/** The vendors whose own APIs the scripted servers stand in for (`openai-compatible` is anyone's). */
export type WireVendor = Exclude<Vendor, "openai-compatible">;

/** The one API each vendor's server speaks (triad's `openai:` adapter uses Responses). */
export const VENDOR_API: Record<WireVendor, WireApi> = {
  anthropic: "anthropic",
  openai: "openai-responses",
  google: "google",
};

const BASE_PATH: Record<WireVendor, string> = { anthropic: "", openai: "/v1", google: "/v1beta" };

export interface ScriptedVendors {
  servers: Partial<Record<WireVendor, VendorServer>>;
  /** API keys (dummy values, only these servers read them) and base URLs, as the SDKs take them. */
  env: Record<string, string>;
  /** Every request each server received, in order. */
  requests(vendor: WireVendor): RecordedRequest[];
  close(): Promise<void>;
}

/**
 * Scripted models served over the vendors' real wire formats: one strict vendor server per vendor
 * (vendor-server.ts with vendor-rules.ts on, so retired ids 404, thinking state must come back,
 * thinking spends output tokens), each request read back into a `ChatRequest`, answered by the
 * scripted model registered for the model id it names, and sent in the vendor's response shape with
 * usage from the vendor's prompt cache (Anthropic's breakpoints, OpenAI's and Gemini's automatic
 * prefixes). Point the real adapters at `env` and everything between the tool loop and the socket
 * runs as it would against the vendor.
 */
export async function startScriptedVendors(
  models: Array<{ vendor: WireVendor; model: ChatModel }>,
  options: { strict?: StrictOptions } = {},
): Promise<ScriptedVendors> {
  const byVendor = new Map<WireVendor, Map<string, ChatModel>>();
  for (const { vendor, model } of models) {
    const ids = byVendor.get(vendor) ?? new Map<string, ChatModel>();
    if (ids.has(model.ref.model))
      throw new Error(`two scripted models answer ${vendor}:${model.ref.model}; give each role its own id`);
    ids.set(model.ref.model, model);
    byVendor.set(vendor, ids);
  }
  const servers: Partial<Record<WireVendor, VendorServer>> = {};
  const env: Record<string, string> = {};
  try {
    for (const [vendor, ids] of byVendor) {
      const server = await startVendorServer(scriptedHandler(VENDOR_API[vendor], ids), {
        strict: options.strict ?? {},
      });
      servers[vendor] = server;
      env[API_KEY_ENV[vendor] as string] = `wire-${vendor}-key`;
      // OpenAI's SDK takes the /v1 path in its base URL; Gemini's API version v1beta, the Gemini
      // API's own (ai.google.dev/api), goes in GEMINI_BASE_URL too (splitGeminiBaseUrl).
      env[BASE_URL_ENV[vendor] as string] = `${server.url}${BASE_PATH[vendor]}`;
    }
  } catch (error) {
    await Promise.all(Object.values(servers).map((s) => s.close()));
    throw error;
  }
  return {
    servers,
    env,
    requests: (vendor) => servers[vendor]?.requests ?? [],
    close: async () => {
      await Promise.all(Object.values(servers).map((s) => s.close()));
    },
  };
}

function scriptedHandler(api: WireApi, models: Map<string, ChatModel>) {
  const anthropicCache = new AnthropicPromptCache();
  const prefixCache = new PrefixCache();
  return async (recorded: RecordedRequest): Promise<Reply> => {
    if (recorded.api !== api) return { status: 404, body: { error: `this server speaks ${api} only` } };
    const { model, request, units } = chatRequestFromWire(api, recorded.path, recorded.body);
    const scripted = models.get(model);
    if (!scripted) return unknownModel(api, model);
    const answer = await scripted.chat(request);
    const output = answerTokens(answer);
    let usage: FakeUsage;
    if (api === "anthropic") usage = { ...anthropicCache.usageFor(recorded.body), output };
    else {
      const rules = api === "google" ? geminiPrefixCache(model) : OPENAI_PREFIX_CACHE;
      usage = { ...prefixCache.usageFor(units, rules), output };
    }
    return { body: wireAnswer(api, model, request, recorded.body, answer, usage) };
  };
}

/** The vendor's answer for a model id it does not serve. */
function unknownModel(api: WireApi, model: string): Reply {
  switch (api) {
    case "anthropic":
      // platform.claude.com/docs/en/api/errors: 404 not_found_error
      return anthropicError(404, "not_found_error", `model: ${model}`);
    case "openai-responses":
    case "openai-chat":
      // The API's text for an id it does not know (developers.openai.com/api/docs/guides/error-codes).
      return openaiError(
        404,
        "invalid_request_error",
        `The model \`${model}\` does not exist or you do not have access to it.`,
        "model_not_found",
      );
    case "google":
      return geminiError(404, "NOT_FOUND", `models/${model} is not found for API version v1beta.`);
  }
}
