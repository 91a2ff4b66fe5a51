import Anthropic from "@anthropic-ai/sdk";
import type {
  ContentBlock,
  ContentBlockParam,
  Message,
  MessageCreateParamsNonStreaming,
  MessageParam,
  TextBlockParam,
  Tool,
} from "@anthropic-ai/sdk/resources/messages";
import { catalogueEntry } from "../catalogue.js";
import type { ChatModel, ChatRequest, ChatResponse, JsonSchema, ModelRef, Usage } from "../types.js";
import { type AdapterOptions, DEFAULT_MAX_OUTPUT_TOKENS } from "./common.js";
import { mapAnthropicStopReason } from "./stop-anthropic.js";

/** Anthropic accepts at most four `cache_control` breakpoints per request. */
export const MAX_CACHE_BREAKPOINTS = 4;
const EPHEMERAL = { type: "ephemeral" } as const;

/**
 * Structured output for Anthropic goes through a forced tool (`tool_choice: {type: "tool"}`) where
 * the model accepts one: it works through proxies and gateways. Models that answer a forced
 * `tool_choice` with a 400 (Opus 5.5, Sonnet 5.5, Fable 5.1 and later: the catalogue's
 * `forcedToolChoice: false`, per Anthropic's Opus 5.5 migration guide) get `output_config.format`
 * (JSON outputs, @anthropic-ai/sdk `JSONOutputFormat`) instead. Our validation + repair turn covers
 * the rest either way.
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

/** Content blocks as received → as sent back: the same blocks, fields the params type knows only. */
function replayBlock(block: ContentBlock): ContentBlockParam {
  switch (block.type) {
    case "thinking":
      return { type: "thinking", thinking: block.thinking, signature: block.signature };
    case "redacted_thinking":
      return { type: "redacted_thinking", data: block.data };
    case "text":
      return { type: "text", text: block.text };
    case "tool_use":
      return { type: "tool_use", id: block.id, name: block.name, input: block.input ?? {} };
    default:
      return structuredClone(block) as unknown as ContentBlockParam;
  }
}

function assistantBlocks(
  model: string,
  message: Extract<ChatRequest["messages"][number], { role: "assistant" }>,
) {
  // Thinking blocks must go back unmodified and in their original order (ThinkingBlockParam), and
  // are bound to the model that wrote them: replay them only to that model.
  if (message.opaque?.api === "anthropic" && message.opaque.model === model) {
    return (message.opaque.items as ContentBlock[]).map(replayBlock);
  }
  const blocks: ContentBlockParam[] = [];
  if (message.content) blocks.push({ type: "text", text: message.content });
  for (const call of message.toolCalls ?? []) {
    blocks.push({ type: "tool_use", id: call.id, name: call.name, input: call.input ?? {} });
  }
  if (blocks.length === 0) blocks.push({ type: "text", text: "(no answer)" });
  return blocks;
}

type Cacheable = { type: string; cache_control?: unknown };
const cacheable = (block: Cacheable | undefined) =>
  block !== undefined && block.type !== "thinking" && block.type !== "redacted_thinking";

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
      push("assistant", assistantBlocks(model, message));
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

  // Breakpoints: the blocks marked `cache` (system prefix, marked user facts), then two rolling ones:
  // the end of the conversation and the end of the message before it. The cache is read at most 20
  // blocks back from a breakpoint (prompt caching docs), and a turn of 12 parallel tool calls adds
  // 24 blocks: the second anchor keeps the previous turn's prefix within reach.
  const marked: Cacheable[] = [...system.filter((_, i) => request.system[i]?.cache), ...cacheMarked];
  const lastBlockOf = (message: MessageParam | undefined) =>
    Array.isArray(message?.content) ? (message.content.at(-1) as Cacheable | undefined) : undefined;
  const rolling = [lastBlockOf(messages.at(-1)), lastBlockOf(messages.at(-2))].filter(
    (block): block is Cacheable => cacheable(block),
  );
  const others = marked.filter((block) => !rolling.includes(block));
  const room = Math.max(1, MAX_CACHE_BREAKPOINTS - rolling.length);
  // Keep the first marked block (the most widely shared prefix) and the latest ones.
  const chosen = others.length <= room ? others : [others[0], ...others.slice(others.length - (room - 1))];
  for (const block of [...chosen, ...rolling].slice(0, MAX_CACHE_BREAKPOINTS))
    if (block) block.cache_control = EPHEMERAL;

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
    // A forced tool is refused by models that reject forced tool_choice, and by any model while it
    // thinks ("tool use with thinking only supports tool_choice auto or none", extended thinking docs).
    const entry = catalogueEntry({ vendor: "anthropic", model });
    const thinksByDefault = entry?.thinking === "always" || entry?.thinking === "default";
    if (entry?.forcedToolChoice === false || thinksByDefault) {
      params.output_config = { format: { type: "json_schema", schema: request.responseFormat.schema } };
    } else {
      tools.push(structuredTool(request.responseFormat).tool);
      params.tool_choice = { type: "tool", name: request.responseFormat.name };
    }
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

export function fromAnthropicMessage(
  message: Message,
  request: ChatRequest,
  model = message.model,
): ChatResponse {
  const format = request.responseFormat;
  let text = "";
  const toolCalls: ChatResponse["toolCalls"] = [];
  let structured: string | undefined;
  let thought = false;
  for (const block of message.content) {
    if (block.type === "text") text += block.text;
    else if (block.type === "thinking" || block.type === "redacted_thinking") thought = true;
    else if (block.type === "tool_use") {
      if (format && block.name === format.name && structured === undefined) {
        const input = block.input as Record<string, unknown>;
        structured = JSON.stringify(structuredTool(format).wrapped ? input?.value : input);
      } else toolCalls.push({ id: block.id, name: block.name, input: block.input });
    }
  }
  let stopReason = mapAnthropicStopReason(message.stop_reason, toolCalls.length > 0);
  if (structured !== undefined) {
    text = structured;
    if (stopReason === "tool_use" && toolCalls.length === 0) stopReason = "end";
  }
  return {
    text,
    toolCalls,
    stopReason,
    ...(message.stop_reason ? { vendorStopReason: message.stop_reason } : {}),
    usage: fromAnthropicUsage(message.usage),
    model: message.model,
    // With thinking, the whole turn goes back as it came (thinking blocks first, in order).
    ...(thought
      ? { opaque: { api: "anthropic" as const, model, items: structuredClone(message.content) } }
      : {}),
  };
}

/**
 * No `timeout` here on purpose: with one, the SDK skips its long-request guard (messages.create
 * checks `calculateNonstreamingTimeout` only when no timeout is set) and a large `max_tokens`
 * would be sent non-streaming. The retry layer's per-attempt signal bounds every call instead.
 */
export function createAnthropicClient(options: AdapterOptions): Anthropic {
  return new Anthropic({
    apiKey: options.apiKey,
    baseURL: options.baseURL ?? null,
    maxRetries: 0,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

/** The SDK's own refusal of a long non-streaming request (client.calculateNonstreamingTimeout). */
function isStreamingRequired(error: unknown): boolean {
  return error instanceof Anthropic.AnthropicError && /Streaming is required/.test(error.message);
}

export class AnthropicChatModel implements ChatModel {
  readonly ref: ModelRef;
  private readonly client: Anthropic;

  constructor(model: string, options: AdapterOptions) {
    this.ref = { vendor: "anthropic", model };
    this.client = createAnthropicClient(options);
  }

  /** Requests sent as streams (the SDK's guard said the budget needs one). */
  streamedRequests = 0;

  async chat(request: ChatRequest): Promise<ChatResponse> {
    const params = toAnthropicParams(this.ref.model, request);
    const options = request.signal ? { signal: request.signal } : {};
    let pending: Promise<Message>;
    try {
      // The SDK decides: it throws synchronously when `max_tokens` may take longer than its
      // non-streaming limit (60 min × max_tokens / 128,000 > 10 min, or a per-model limit).
      pending = this.client.messages.create(params, options);
    } catch (error) {
      if (!isStreamingRequired(error)) throw error;
      this.streamedRequests++;
      pending = this.client.messages.stream(params, options).finalMessage();
    }
    return fromAnthropicMessage(await pending, request, this.ref.model);
  }
}
