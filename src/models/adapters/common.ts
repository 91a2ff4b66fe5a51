/** What every adapter needs to build its SDK client. */
export interface AdapterOptions {
  apiKey: string;
  /** The vendor's base URL as its SDK takes it (OpenAI's includes `/v1`). */
  baseURL?: string | undefined;
  /** SDK-level timeout; our retry layer aborts earlier through the request signal. */
  timeoutMs?: number | undefined;
  /** Injected in tests and benchmarks; the SDK's own fetch otherwise. */
  fetch?: typeof fetch | undefined;
  /** Chat Completions: the output-cap parameter the server takes (see `chatTokenParam`). */
  maxTokensParam?: "max_tokens" | "max_completion_tokens" | undefined;
  /** Chat Completions: the server is OpenAI's own (or Azure's), so `strict` tools are understood. */
  openaiHost?: boolean | undefined;
}

export const DEFAULT_MAX_OUTPUT_TOKENS = 8192;
