/**
 * OpenAI adapters.
 *
 * `openai:` uses the **Responses API**. OpenAI's codex models (`gpt-5-codex`, `gpt-5.1-codex`, ...)
 * are served only there, it is the API OpenAI recommends for GPT-5-family reasoning models with
 * tools, and it reports cached tokens the same way. We call it statelessly (`store: false`,
 * the full conversation each turn), so nothing is kept at OpenAI between turns, and we send a
 * `prompt_cache_key` derived from the stable prefix so repeated prefixes route to the same cache.
 *
 * `openai-compatible:` uses **Chat Completions** with a base URL: it is the one API that DeepSeek,
 * OpenRouter, vLLM and Ollama all implement.
 */
import { createHash } from "node:crypto";
import OpenAI from "openai";
import type {
  ChatCompletion,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from "openai/resources/chat/completions";
import type {
  FunctionTool,
  Response,
  ResponseCreateParamsNonStreaming,
  ResponseInputItem,
} from "openai/resources/responses/responses";
import { catalogueEntry } from "../catalogue.js";
import { toStrictSchema } from "../schema.js";
import type {
  ChatModel,
  ChatRequest,
  ChatResponse,
  JsonSchema,
  ModelRef,
  ToolCall,
  ToolResult,
  Usage,
} from "../types.js";
import { type AdapterOptions, DEFAULT_MAX_OUTPUT_TOKENS } from "./common.js";
import { mapChatFinishReason, mapResponsesStatus } from "./stop-openai.js";

/** A schema sent `strict: true` when it can be (toStrictSchema), as it was otherwise. */
function strictOrPlain(schema: JsonSchema): { schema: JsonSchema; strict: boolean } {
  const strict = toStrictSchema(schema);
  return strict ? { schema: strict, strict: true } : { schema, strict: false };
}

/**
 * Which output-cap parameter a Chat Completions server takes. OpenAI deprecated `max_tokens` there,
 * and its reasoning models refuse it ("Unsupported parameter: 'max_tokens' is not supported with this
 * model. Use 'max_completion_tokens' instead."); Azure OpenAI follows the same API. Other compatible
 * servers (older vLLM, Ollama, DeepSeek) may know only `max_tokens`: `OPENAI_COMPATIBLE_MAX_TOKENS_PARAM`
 * chooses for them.
 */
export function chatTokenParam(
  baseURL: string | undefined,
  configured?: "max_tokens" | "max_completion_tokens",
): "max_tokens" | "max_completion_tokens" {
  if (configured) return configured;
  return isOpenAIHost(baseURL) ? "max_completion_tokens" : "max_tokens";
}

export function isOpenAIHost(baseURL: string | undefined): boolean {
  if (!baseURL) return false;
  try {
    const host = new URL(baseURL).hostname.toLowerCase();
    return host === "api.openai.com" || host.endsWith(".openai.azure.com") || host.endsWith(".azure.com");
  } catch {
    return false;
  }
}

const systemText = (request: ChatRequest) => request.system.map((block) => block.text).join("\n\n");

/** Chat Completions and Responses have no error flag on a tool result: the text says so. */
const toolOutput = (result: ToolResult) => (result.isError ? `ERROR: ${result.content}` : result.content);

/** Tool arguments arrive as a JSON string; unparsable ones reach the tool's validation as a string. */
function parseArguments(raw: string): unknown {
  try {
    return raw.trim() ? JSON.parse(raw) : {};
  } catch {
    return raw;
  }
}

// ---------------------------------------------------------------------------------------------
// Chat Completions (openai-compatible)

export function toChatCompletionParams(
  model: string,
  request: ChatRequest,
  options: { maxTokensParam?: "max_tokens" | "max_completion_tokens"; openaiHost?: boolean } = {},
): ChatCompletionCreateParamsNonStreaming {
  const messages: ChatCompletionMessageParam[] = [];
  if (request.system.length) messages.push({ role: "system", content: systemText(request) });
  for (const message of request.messages) {
    if (message.role === "user") messages.push({ role: "user", content: message.content });
    else if (message.role === "assistant") {
      // DeepSeek's thinking mode: `reasoning_content` of a tool-call turn must go back on every later
      // request, or the API answers 400 (api-docs.deepseek.com/guides/thinking_mode#tool-calls).
      const reasoning =
        message.opaque?.api === "openai-chat" && message.opaque.model === model
          ? (message.opaque.items[0] as string | undefined)
          : undefined;
      messages.push({
        role: "assistant",
        content: message.content || null,
        ...(reasoning !== undefined ? ({ reasoning_content: reasoning } as object) : {}),
        ...(message.toolCalls?.length
          ? {
              tool_calls: message.toolCalls.map((call) => ({
                id: call.id,
                type: "function" as const,
                function: { name: call.name, arguments: JSON.stringify(call.input ?? {}) },
              })),
            }
          : {}),
      });
    } else {
      for (const result of message.results) {
        messages.push({ role: "tool", tool_call_id: result.callId, content: toolOutput(result) });
      }
    }
  }
  const params: ChatCompletionCreateParamsNonStreaming = { model, messages };
  params[options.maxTokensParam ?? "max_tokens"] = request.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS;
  if (request.tools?.length) {
    params.tools = request.tools.map((tool): ChatCompletionTool => {
      // `strict` on function tools is OpenAI's; other servers may refuse the unknown field.
      const sent = options.openaiHost
        ? strictOrPlain(tool.inputSchema)
        : { schema: tool.inputSchema, strict: false };
      return {
        type: "function",
        function: {
          name: tool.name,
          description: tool.description,
          parameters: sent.schema,
          ...(sent.strict ? { strict: true } : {}),
        },
      };
    });
  }
  if (request.responseFormat) {
    const sent = strictOrPlain(request.responseFormat.schema);
    params.response_format = {
      type: "json_schema",
      json_schema: { name: request.responseFormat.name, schema: sent.schema, strict: sent.strict },
    };
  }
  return params;
}

export function fromChatCompletion(completion: ChatCompletion, model = completion.model): ChatResponse {
  const choice = completion.choices[0];
  const toolCalls: ToolCall[] = [];
  for (const call of choice?.message.tool_calls ?? []) {
    if (call.type === "function") {
      toolCalls.push({
        id: call.id,
        name: call.function.name,
        input: parseArguments(call.function.arguments),
      });
    }
  }
  // DeepSeek reports its cache hits as `prompt_cache_hit_tokens` (api-docs.deepseek.com, context caching).
  const deepseekHits = (completion.usage as { prompt_cache_hit_tokens?: number } | undefined)
    ?.prompt_cache_hit_tokens;
  const usage: Usage = {
    inputTokens: completion.usage?.prompt_tokens ?? 0,
    cachedInputTokens: completion.usage?.prompt_tokens_details?.cached_tokens ?? deepseekHits ?? 0,
    outputTokens: completion.usage?.completion_tokens ?? 0,
  };
  const reasoning = (choice?.message as { reasoning_content?: unknown } | undefined)?.reasoning_content;
  const refusal = choice?.message.refusal;
  let stopReason = mapChatFinishReason(choice?.finish_reason, toolCalls.length > 0);
  if (refusal && stopReason === "end") stopReason = "refusal";
  return {
    text: choice?.message.content ?? "",
    toolCalls,
    stopReason,
    ...(choice?.finish_reason ? { vendorStopReason: choice.finish_reason } : {}),
    usage,
    model: completion.model,
    ...(typeof reasoning === "string"
      ? { opaque: { api: "openai-chat" as const, model, items: [reasoning] } }
      : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Responses (openai)

/** Reasoning models return `reasoning` items; asking a non-reasoning model for them is refused. */
function reasons(model: string): boolean {
  const row = catalogueEntry({ vendor: "openai", model });
  if (row) return row.thinking !== "never";
  return !/^(gpt-4|gpt-3|chatgpt-4o)/.test(model);
}

export function toResponsesParams(model: string, request: ChatRequest): ResponseCreateParamsNonStreaming {
  const input: ResponseInputItem[] = [];
  for (const message of request.messages) {
    if (message.role === "user") input.push({ role: "user", content: message.content });
    else if (message.role === "assistant") {
      // Stateless (`store: false`) reasoning: the turn's reasoning items go back whole, with their
      // `encrypted_content`; a bare id would be answered 400 "Items are not persisted when `store`
      // is set to false" (platform.openai.com/docs/guides/reasoning#encrypted-reasoning-items).
      if (message.opaque?.api === "openai-responses" && message.opaque.model === model) {
        for (const item of message.opaque.items) input.push(structuredClone(item) as ResponseInputItem);
      }
      if (message.content) input.push({ role: "assistant", content: message.content });
      for (const call of message.toolCalls ?? []) {
        input.push({
          type: "function_call",
          call_id: call.id,
          name: call.name,
          arguments: JSON.stringify(call.input ?? {}),
        });
      }
    } else {
      for (const result of message.results) {
        input.push({ type: "function_call_output", call_id: result.callId, output: toolOutput(result) });
      }
    }
  }
  const params: ResponseCreateParamsNonStreaming = {
    model,
    input,
    store: false,
    max_output_tokens: request.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS,
  };
  if (reasons(model)) params.include = ["reasoning.encrypted_content"];
  if (request.system.length) params.instructions = systemText(request);
  const stable = request.system.filter((block) => block.cache);
  if (stable.length) {
    const hash = createHash("sha256");
    for (const block of stable) hash.update(block.text);
    params.prompt_cache_key = `triad-${hash.digest("hex").slice(0, 32)}`;
  }
  if (request.tools?.length) {
    params.tools = request.tools.map((tool): FunctionTool => {
      const sent = strictOrPlain(tool.inputSchema);
      return {
        type: "function",
        name: tool.name,
        description: tool.description,
        parameters: sent.schema,
        strict: sent.strict,
      };
    });
  }
  if (request.responseFormat) {
    const sent = strictOrPlain(request.responseFormat.schema);
    params.text = {
      format: {
        type: "json_schema",
        name: request.responseFormat.name,
        schema: sent.schema,
        strict: sent.strict,
      },
    };
  }
  return params;
}

export function fromResponse(response: Response, model = response.model): ChatResponse {
  let text = "";
  let refused = false;
  const toolCalls: ToolCall[] = [];
  const reasoning: unknown[] = [];
  for (const item of response.output) {
    // Only items carrying encrypted_content can be sent back under store: false.
    if (item.type === "reasoning" && item.encrypted_content) reasoning.push(structuredClone(item));
    else if (item.type === "message") {
      for (const part of item.content) {
        if (part.type === "output_text") text += part.text;
        else if (part.type === "refusal") {
          refused = true;
          text += part.refusal;
        }
      }
    } else if (item.type === "function_call") {
      toolCalls.push({ id: item.call_id, name: item.name, input: parseArguments(item.arguments) });
    }
  }
  const usage: Usage = {
    inputTokens: response.usage?.input_tokens ?? 0,
    cachedInputTokens: response.usage?.input_tokens_details?.cached_tokens ?? 0,
    outputTokens: response.usage?.output_tokens ?? 0,
  };
  const incomplete = response.incomplete_details?.reason;
  const stopReason = mapResponsesStatus(response.status, incomplete, toolCalls.length > 0, refused);
  return {
    text,
    toolCalls,
    stopReason,
    vendorStopReason: incomplete ?? response.status ?? "completed",
    usage,
    model: response.model,
    ...(reasoning.length ? { opaque: { api: "openai-responses" as const, model, items: reasoning } } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Models

export function createOpenAIClient(options: AdapterOptions): OpenAI {
  return new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseURL ?? null,
    maxRetries: 0,
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

/** `openai:` — the Responses API. */
export class OpenAIResponsesModel implements ChatModel {
  readonly ref: ModelRef;
  private readonly client: OpenAI;

  constructor(model: string, options: AdapterOptions) {
    this.ref = { vendor: "openai", model };
    this.client = createOpenAIClient(options);
  }

  async chat(request: ChatRequest): Promise<ChatResponse> {
    const params = toResponsesParams(this.ref.model, request);
    const response = await this.client.responses.create(
      params,
      request.signal ? { signal: request.signal } : {},
    );
    return fromResponse(response, this.ref.model);
  }
}

/** `openai-compatible:` (and `openai:` if ever needed) — Chat Completions at a base URL. */
export class OpenAIChatCompletionsModel implements ChatModel {
  readonly ref: ModelRef;
  private readonly client: OpenAI;
  private readonly options: { maxTokensParam: "max_tokens" | "max_completion_tokens"; openaiHost: boolean };

  constructor(ref: ModelRef, options: AdapterOptions) {
    this.ref = ref;
    this.client = createOpenAIClient(options);
    this.options = {
      maxTokensParam: chatTokenParam(options.baseURL, options.maxTokensParam),
      openaiHost: options.openaiHost ?? isOpenAIHost(options.baseURL),
    };
  }

  async chat(request: ChatRequest): Promise<ChatResponse> {
    const params = toChatCompletionParams(this.ref.model, request, this.options);
    const completion = await this.client.chat.completions.create(
      params,
      request.signal ? { signal: request.signal } : {},
    );
    return fromChatCompletion(completion, this.ref.model);
  }
}
