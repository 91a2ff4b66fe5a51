import Anthropic from "@anthropic-ai/sdk";
import type {
  ContentBlockParam,
  Message,
  MessageCreateParamsNonStreaming,
  MessageParam,
  TextBlockParam,
  Tool,
} from "@anthropic-ai/sdk/resources/messages";
import type {
  ChatModel,
  ChatRequest,
  ChatResponse,
  JsonSchema,
  ModelRef,
  StopReason,
  Usage,
} from "../types.js";
import { type AdapterOptions, DEFAULT_MAX_OUTPUT_TOKENS } from "./common.js";

/** Anthropic accepts at most four `cache_control` breakpoints per request. */
export const MAX_CACHE_BREAKPOINTS = 4;
const EPHEMERAL = { type: "ephemeral" } as const;

/**
 * Structured output for Anthropic goes through a forced tool (`tool_choice: {type: "tool"}`), not the
 * newer `output_config.format`: the forced tool works on every Claude model and through proxies and
 * gateways, while the JSON output feature is limited to recent models and a subset of JSON schema.
 * Our validation + repair turn covers what constrained decoding would have guaranteed.
 */
function structuredTool(format: { name: string; schema: JsonSchema }): { tool: Tool; wrapped: boolean } {
  const wrapped = format.schema.type !== "object";
  const input_schema = (
    wrapped ? { type: "object", properties: { value: format.schema }, required: ["value"] } : format.schema
  ) as Tool["input_schema"];
  return {
    tool: {
      name: format.name,
      description: `Give your final answer by calling this tool. Its input is the answer (${format.name}).`,
      input_schema,
    },
    wrapped,
  };
}

/** Maps our request to Messages API params, with cache breakpoints on the stable prefix. */
export function toAnthropicParams(model: string, request: ChatRequest): MessageCreateParamsNonStreaming {
  const system: TextBlockParam[] = request.system.map((block) => ({ type: "text", text: block.text }));
  const messages: MessageParam[] = [];
  const cacheMarked: TextBlockParam[] = [];
  const push = (role: "user" | "assistant", blocks: ContentBlockParam[]) => {
    const last = messages.at(-1);
    if (last && last.role === role && Array.isArray(last.content)) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  for (const message of request.messages) {
    if (message.role === "user") {
      const block: TextBlockParam = { type: "text", text: message.content };
      if (message.cache) cacheMarked.push(block);
      push("user", [block]);
    } else if (message.role === "assistant") {
      const blocks: ContentBlockParam[] = [];
      if (message.content) blocks.push({ type: "text", text: message.content });
      for (const call of message.toolCalls ?? []) {
        blocks.push({ type: "tool_use", id: call.id, name: call.name, input: call.input ?? {} });
      }
      if (blocks.length === 0) blocks.push({ type: "text", text: "(no answer)" });
      push("assistant", blocks);
    } else {
      push(
        "user",
        message.results.map((result) => ({
          type: "tool_result" as const,
          tool_use_id: result.callId,
          content: result.content,
          ...(result.isError ? { is_error: true } : {}),
        })),
      );
    }
  }

  // Breakpoints: the blocks marked `cache` (system prefix, marked user facts), then a rolling one on
  // the last block of the conversation so each tool-loop turn reads the previous turn's prefix.
  const marked: Array<{ cache_control?: unknown }> = [
    ...system.filter((_, i) => request.system[i]?.cache),
    ...cacheMarked,
  ];
  const lastMessage = messages.at(-1);
  const rolling = Array.isArray(lastMessage?.content) ? lastMessage.content.at(-1) : undefined;
  const others = marked.filter((block) => block !== rolling);
  const room = MAX_CACHE_BREAKPOINTS - (rolling ? 1 : 0);
  // Keep the first marked block (the most widely shared prefix) and the latest ones.
  const chosen = others.length <= room ? others : [others[0], ...others.slice(others.length - (room - 1))];
  for (const block of chosen) if (block) block.cache_control = EPHEMERAL;
  if (rolling && rolling.type !== "thinking" && rolling.type !== "redacted_thinking") {
    (rolling as { cache_control?: unknown }).cache_control = EPHEMERAL;
  }

  const tools: Tool[] = (request.tools ?? []).map((tool) => ({
    name: tool.name,
    description: tool.description,
    input_schema: tool.inputSchema as Tool["input_schema"],
  }));
  const params: MessageCreateParamsNonStreaming = {
    model,
    max_tokens: request.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS,
    system,
    messages,
  };
  if (request.responseFormat) {
    tools.push(structuredTool(request.responseFormat).tool);
    params.tool_choice = { type: "tool", name: request.responseFormat.name };
  }
  if (tools.length > 0) params.tools = tools;
  return params;
}

export function fromAnthropicUsage(usage: Message["usage"]): Usage {
  const read = usage.cache_read_input_tokens ?? 0;
  const written = usage.cache_creation_input_tokens ?? 0;
  return {
    inputTokens: usage.input_tokens + read + written,
    cachedInputTokens: read,
    outputTokens: usage.output_tokens,
    cacheWriteInputTokens: written,
  };
}

const STOP_REASONS: Record<string, StopReason> = {
  end_turn: "end",
  stop_sequence: "end",
  tool_use: "tool_use",
  max_tokens: "max_tokens",
};

export function fromAnthropicMessage(message: Message, request: ChatRequest): ChatResponse {
  const format = request.responseFormat;
  let text = "";
  const toolCalls: ChatResponse["toolCalls"] = [];
  let structured: string | undefined;
  for (const block of message.content) {
    if (block.type === "text") text += block.text;
    else if (block.type === "tool_use") {
      if (format && block.name === format.name && structured === undefined) {
        const input = block.input as Record<string, unknown>;
        structured = JSON.stringify(structuredTool(format).wrapped ? input?.value : input);
      } else toolCalls.push({ id: block.id, name: block.name, input: block.input });
    }
  }
  let stopReason = STOP_REASONS[message.stop_reason ?? ""] ?? "other";
  if (structured !== undefined) {
    text = structured;
    if (stopReason === "tool_use" && toolCalls.length === 0) stopReason = "end";
  }
  return { text, toolCalls, stopReason, usage: fromAnthropicUsage(message.usage), model: message.model };
}

export function createAnthropicClient(options: AdapterOptions): Anthropic {
  return new Anthropic({
    apiKey: options.apiKey,
    baseURL: options.baseURL ?? null,
    maxRetries: 0,
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

export class AnthropicChatModel implements ChatModel {
  readonly ref: ModelRef;
  private readonly client: Anthropic;

  constructor(model: string, options: AdapterOptions) {
    this.ref = { vendor: "anthropic", model };
    this.client = createAnthropicClient(options);
  }

  async chat(request: ChatRequest): Promise<ChatResponse> {
    const params = toAnthropicParams(this.ref.model, request);
    const message = await this.client.messages.create(
      params,
      request.signal ? { signal: request.signal } : {},
    );
    return fromAnthropicMessage(message, request);
  }
}
