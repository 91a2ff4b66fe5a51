import { TriadError } from "../errors.js";
import { AnthropicChatModel } from "./adapters/anthropic.js";
import type { AdapterOptions } from "./adapters/common.js";
import { GeminiChatModel } from "./adapters/google.js";
import {
  chatTokenParam,
  isOpenAIHost,
  OpenAIChatCompletionsModel,
  OpenAIResponsesModel,
} from "./adapters/openai.js";
import { API_KEY_ENV, BASE_URL_ENV, type ModelEnv, parseModelEnv } from "./config.js";
import { DEFAULT_RETRY_POLICY, type Logger, RetryingChatModel, type RetryPolicy } from "./retry.js";
import type { ChatModel, ModelRef } from "./types.js";

export interface CreateChatModelOptions {
  /** Overrides of the default retry policy (tests inject short deadlines and backoff). */
  retry?: Partial<RetryPolicy>;
  fetch?: typeof fetch;
  log?: Logger;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** Builds the adapter without the retry layer (the benchmark measures it alone). */
export function createAdapter(
  ref: ModelRef,
  env: ModelEnv,
  options: { fetch?: typeof fetch; timeoutMs?: number } = {},
): ChatModel {
  const keyName = API_KEY_ENV[ref.vendor] as keyof ModelEnv;
  const urlName = BASE_URL_ENV[ref.vendor] as keyof ModelEnv;
  let apiKey = env[keyName];
  const baseURL = env[urlName];
  if (!apiKey) {
    // Local OpenAI-compatible servers (Ollama, vLLM) often need no key.
    if (ref.vendor === "openai-compatible") apiKey = "not-needed";
    else
      throw new TriadError(
        "auth_failed",
        `${keyName} is missing or invalid (it is not set; ${ref.vendor}:${ref.model} needs it)`,
      );
  }
  const adapterOptions: AdapterOptions = {
    apiKey,
    baseURL,
    timeoutMs: options.timeoutMs,
    fetch: options.fetch,
    maxTokensParam: chatTokenParam(baseURL, env.OPENAI_COMPATIBLE_MAX_TOKENS_PARAM),
    openaiHost: isOpenAIHost(baseURL),
  };
  switch (ref.vendor) {
    case "anthropic":
      return new AnthropicChatModel(ref.model, adapterOptions);
    case "openai":
      return new OpenAIResponsesModel(ref.model, adapterOptions);
    case "openai-compatible":
      if (!baseURL) {
        throw new TriadError(
          "config_invalid",
          `${ref.vendor}:${ref.model} needs OPENAI_COMPATIBLE_BASE_URL (e.g. http://localhost:11434/v1 for Ollama)`,
        );
      }
      return new OpenAIChatCompletionsModel(ref, adapterOptions);
    case "google":
      return new GeminiChatModel(ref.model, adapterOptions);
  }
}

/**
 * Builds a `ChatModel` for `vendor:model` from the environment: the vendor adapter (SDK built with
 * the key, base URL, a timeout and `maxRetries: 0`) inside the one retry layer.
 */
export function createChatModel(
  ref: ModelRef,
  env: ModelEnv | NodeJS.ProcessEnv,
  options: CreateChatModelOptions = {},
): ChatModel {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const adapter = createAdapter(ref, parseModelEnv(env), {
    ...(options.fetch ? { fetch: options.fetch } : {}),
    // The SDK timeout is a backstop only; the retry layer aborts each attempt itself.
    timeoutMs: policy.attemptTimeoutMs + 5_000,
  });
  return new RetryingChatModel(adapter, policy, {
    apiKeyEnv: API_KEY_ENV[ref.vendor],
    ...(options.log ? { log: options.log } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(options.random ? { random: options.random } : {}),
  });
}
