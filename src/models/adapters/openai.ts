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
import { isStrictCompatible } from "../schema.js";
import type {
  ChatModel,
  ChatRequest,
  ChatResponse,
  ModelRef,
  StopReason,
  ToolCall,
  ToolResult,
  Usage,
} from "../types.js";
import { type AdapterOptions, DEFAULT_MAX_OUTPUT_TOKENS } from "./common.js";

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
): ChatCompletionCreateParamsNonStreaming {
  const messages: ChatCompletionMessageParam[] = [];
  if (request.system.length) messages.push({ role: "system", content: systemText(request) });
  for (const message of request.messages) {
    if (message.role === "user") messages.push({ role: "user", content: message.content });
    else if (message.role === "assistant") {
      messages.push({
        role: "assistant",
        content: message.content || null,
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
  const params: ChatCompletionCreateParamsNonStreaming = {
    model,
    messages,
    // `max_tokens` rather than `max_completion_tokens`: older compatible servers know only this one.
    max_tokens: request.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS,
  };
  if (request.tools?.length) {
    params.tools = request.tools.map(
      (tool): ChatCompletionTool => ({
        type: "function",
        function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
      }),
    );
  }
  if (request.responseFormat) {
    params.response_format = {
      type: "json_schema",
      json_schema: {
        name: request.responseFormat.name,
        schema: request.responseFormat.schema,
        strict: isStrictCompatible(request.responseFormat.schema),
      },
    };
  }
  return params;
}

const FINISH_REASONS: Record<string, StopReason> = {
  stop: "end",
  tool_calls: "tool_use",
  length: "max_tokens",
};

export function fromChatCompletion(completion: ChatCompletion): ChatResponse {
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
  const usage: Usage = {
    inputTokens: completion.usage?.prompt_tokens ?? 0,
    cachedInputTokens: completion.usage?.prompt_tokens_details?.cached_tokens ?? 0,
    outputTokens: completion.usage?.completion_tokens ?? 0,
  };
  let stopReason = FINISH_REASONS[choice?.finish_reason ?? ""] ?? "other";
  if (toolCalls.length && stopReason === "end") stopReason = "tool_use";
  return { text: choice?.message.content ?? "", toolCalls, stopReason, usage, model: completion.model };
}

// ---------------------------------------------------------------------------------------------
// Responses (openai)

export function toResponsesParams(model: string, request: ChatRequest): ResponseCreateParamsNonStreaming {
  const input: ResponseInputItem[] = [];
  for (const message of request.messages) {
    if (message.role === "user") input.push({ role: "user", content: message.content });
    else if (message.role === "assistant") {
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
  if (request.system.length) params.instructions = systemText(request);
  const stable = request.system.filter((block) => block.cache);
  if (stable.length) {
    const hash = createHash("sha256");
    for (const block of stable) hash.update(block.text);
    params.prompt_cache_key = `triad-${hash.digest("hex").slice(0, 32)}`;
  }
  if (request.tools?.length) {
    params.tools = request.tools.map(
      (tool): FunctionTool => ({
        type: "function",
        name: tool.name,
        description: tool.description,
        parameters: tool.inputSchema,
        strict: false,
      }),
    );
  }
  if (request.responseFormat) {
    params.text = {
      format: {
        type: "json_schema",
        name: request.responseFormat.name,
        schema: request.responseFormat.schema,
        strict: isStrictCompatible(request.responseFormat.schema),
      },
    };
  }
  return params;
}

export function fromResponse(response: Response): ChatResponse {
  let text = "";
  const toolCalls: ToolCall[] = [];
  for (const item of response.output) {
    if (item.type === "message") {
      for (const part of item.content) if (part.type === "output_text") text += part.text;
    } else if (item.type === "function_call") {
      toolCalls.push({ id: item.call_id, name: item.name, input: parseArguments(item.arguments) });
    }
  }
  const usage: Usage = {
    inputTokens: response.usage?.input_tokens ?? 0,
    cachedInputTokens: response.usage?.input_tokens_details?.cached_tokens ?? 0,
    outputTokens: response.usage?.output_tokens ?? 0,
  };
  let stopReason: StopReason = toolCalls.length ? "tool_use" : "end";
  if (response.status === "incomplete") {
    stopReason = response.incomplete_details?.reason === "max_output_tokens" ? "max_tokens" : "other";
  }
  return { text, toolCalls, stopReason, usage, model: response.model };
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
    return fromResponse(response);
  }
}

/** `openai-compatible:` (and `openai:` if ever needed) — Chat Completions at a base URL. */
export class OpenAIChatCompletionsModel implements ChatModel {
  readonly ref: ModelRef;
  private readonly client: OpenAI;

  constructor(ref: ModelRef, options: AdapterOptions) {
    this.ref = ref;
    this.client = createOpenAIClient(options);
  }

  async chat(request: ChatRequest): Promise<ChatResponse> {
    const params = toChatCompletionParams(this.ref.model, request);
    const completion = await this.client.chat.completions.create(
      params,
      request.signal ? { signal: request.signal } : {},
    );
    return fromChatCompletion(completion);
  }
}
