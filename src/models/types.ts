import type { z } from "zod";

/** Vendors triad can talk to. `openai-compatible` is any Chat Completions server by base URL. */
export type Vendor = "anthropic" | "openai" | "openai-compatible" | "google";

/** A model named as `vendor:model` in config, e.g. `anthropic:claude-sonnet-4-5`. */
export interface ModelRef {
  vendor: Vendor;
  model: string;
}

export type Role = "architect" | "developer" | "reviewer";

export interface Usage {
  /** All input tokens, cached ones included. */
  inputTokens: number;
  /** The part of inputTokens served from the vendor's prompt cache. */
  cachedInputTokens: number;
  outputTokens: number;
  /**
   * The part of inputTokens written to the vendor's prompt cache on this call (Anthropic bills these
   * above the plain input price). Absent when the vendor does not report it.
   */
  cacheWriteInputTokens?: number;
}

export interface ToolCall {
  id: string;
  name: string;
  input: unknown;
  /**
   * Opaque vendor data that must be sent back with this call on the next turn (Gemini's
   * `thoughtSignature`). Adapters set and read it; nothing else should.
   */
  vendorData?: Record<string, unknown>;
}

export interface ToolResult {
  callId: string;
  name: string;
  content: string;
  isError?: boolean;
}

/**
 * A block of the system prompt. Blocks are sent in order; `cache: true` marks the end of a stable
 * prefix (contract, repository facts, plan) so vendor prompt caching can hit.
 */
export interface SystemBlock {
  text: string;
  cache?: boolean;
}

/**
 * Vendor state an assistant turn carries to the next request, unread by anything but its adapter:
 * Anthropic's content blocks with `thinking` / `redacted_thinking` (sent back byte-identical, in
 * order), Responses `reasoning` items with `encrypted_content`, DeepSeek's `reasoning_content`,
 * Gemini's parts with their thought signatures. `api` and `model` say whose it is: another model
 * never receives it.
 */
export interface OpaqueParts {
  api: "anthropic" | "openai-responses" | "openai-chat" | "google";
  model: string;
  items: unknown[];
}

export type ChatMessage =
  | { role: "user"; content: string; cache?: boolean }
  | { role: "assistant"; content: string; toolCalls?: ToolCall[]; opaque?: OpaqueParts }
  | { role: "tool"; results: ToolResult[] };

/** JSON schema as produced by `z.toJSONSchema`. */
export type JsonSchema = Record<string, unknown>;

export interface ToolSpec {
  name: string;
  description: string;
  inputSchema: JsonSchema;
}

export interface ChatRequest {
  system: SystemBlock[];
  messages: ChatMessage[];
  tools?: ToolSpec[];
  /** Ask for a JSON answer matching this schema (vendor-native structured output where it exists). */
  responseFormat?: { name: string; schema: JsonSchema };
  maxOutputTokens?: number;
  signal?: AbortSignal;
}

/**
 * Why the model stopped, mapped once per vendor (src/models/adapters/stop-*.ts):
 * - `max_tokens`: the output budget ran out (thinking included); tool calls in it may be cut off.
 * - `refusal`: the model declined (Anthropic `refusal`, a Responses refusal part).
 * - `context_overflow`: the conversation outgrew the context window.
 * - `safety`: a safety or content filter stopped it (Gemini `SAFETY`, `content_filter`).
 * - `malformed_tool_call`: the vendor could not parse the model's call (Gemini).
 */
export type StopReason =
  | "end"
  | "tool_use"
  | "max_tokens"
  | "refusal"
  | "context_overflow"
  | "safety"
  | "malformed_tool_call"
  | "other";

export interface ChatResponse {
  text: string;
  toolCalls: ToolCall[];
  stopReason: StopReason;
  /** The vendor's own word for the stop (`MAX_TOKENS`, `refusal`, …), for messages. */
  vendorStopReason?: string;
  /** Reasoning state to carry into the next request (see `OpaqueParts`). */
  opaque?: OpaqueParts;
  usage: Usage;
  /** The model id the vendor reports having used. */
  model: string;
}

/** One model behind one vendor adapter. Adapters map requests and responses; nothing more. */
export interface ChatModel {
  readonly ref: ModelRef;
  /**
   * `models.output_tokens.<role>` from the repository config, set by the provider; the tool loop
   * budgets from it (else from the catalogue). Wrappers pass it on.
   */
  readonly configuredOutputTokens?: number | undefined;
  chat(request: ChatRequest): Promise<ChatResponse>;
}

/**
 * A tool the model may call. `run` returns the text the model sees. To report a problem the model
 * can act on (bad path, no match), throw a `ToolInputError`: the loop returns its message as an
 * error result and the job goes on.
 */
export interface ToolDefinition<I = unknown> {
  name: string;
  description: string;
  input: z.ZodType<I>;
  run(input: I): Promise<string>;
}

export class ToolInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ToolInputError";
  }
}
