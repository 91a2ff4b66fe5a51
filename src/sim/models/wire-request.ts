import type {
  ChatMessage,
  ChatRequest,
  JsonSchema,
  SystemBlock,
  ToolResult,
  ToolSpec,
} from "../../models/types.js";
import type { WireApi } from "./vendor-rules.js";

/**
 * A vendor request as it arrived on the wire, read back into triad's `ChatRequest`: what a scripted
 * model needs to answer it as if it had been called in-process (system blocks, the conversation with
 * its assistant turns and tool results, the tools offered, a structured-output format). Vendor state
 * the SDKs carry (thinking blocks, reasoning items, signatures) is not part of it: the vendor rules
 * check that on the wire. The inverse of the adapters' `to*Params`, for the shapes they send.
 */
export interface WireChatRequest {
  /** The model id the request names (Gemini: from the path). */
  model: string;
  request: ChatRequest;
  /** The prompt in the order the vendor reads it, one unit per block or item (prompt caching). */
  units: unknown[];
}

// biome-ignore lint/suspicious/noExplicitAny: wire bodies are whatever the SDK sent
type Body = any;

export function chatRequestFromWire(api: WireApi, path: string, body: Body): WireChatRequest {
  switch (api) {
    case "anthropic":
      return fromAnthropic(body);
    case "openai-responses":
      return fromResponses(body);
    case "openai-chat":
      return fromChat(body);
    case "google":
      return fromGemini(path, body);
  }
}

/** Appends to the last message when it is of the same kind (one assistant turn, one batch of results). */
class Conversation {
  readonly messages: ChatMessage[] = [];
  private readonly names = new Map<string, string>();

  user(content: string, cache = false) {
    this.messages.push({ role: "user", content, ...(cache ? { cache: true } : {}) });
  }

  assistantText(text: string) {
    const turn = this.turn();
    turn.content += text;
  }

  assistantCall(id: string, name: string, input: unknown) {
    const turn = this.turn();
    this.names.set(id, name);
    turn.toolCalls = [...(turn.toolCalls ?? []), { id, name, input }];
  }

  /** An assistant turn with no text or call of its own (reasoning only) still counts as a turn. */
  assistantTurn() {
    this.turn();
  }

  result(callId: string, content: string, isError = false, name?: string) {
    const last = this.messages.at(-1);
    const result: ToolResult = {
      callId,
      name: name ?? this.names.get(callId) ?? "",
      content,
      ...(isError ? { isError: true } : {}),
    };
    if (last?.role === "tool") last.results.push(result);
    else this.messages.push({ role: "tool", results: [result] });
  }

  private turn(): Extract<ChatMessage, { role: "assistant" }> {
    const last = this.messages.at(-1);
    if (last?.role === "assistant") return last;
    const turn: Extract<ChatMessage, { role: "assistant" }> = { role: "assistant", content: "" };
    this.messages.push(turn);
    return turn;
  }
}

const textOf = (content: Body): string =>
  typeof content === "string"
    ? content
    : Array.isArray(content)
      ? content.map((part: Body) => (typeof part?.text === "string" ? part.text : "")).join("")
      : "";

function request(
  system: SystemBlock[],
  conversation: Conversation,
  tools: ToolSpec[],
  responseFormat: ChatRequest["responseFormat"],
  maxOutputTokens: unknown,
): ChatRequest {
  return {
    system,
    messages: conversation.messages,
    ...(tools.length ? { tools } : {}),
    ...(responseFormat ? { responseFormat } : {}),
    ...(typeof maxOutputTokens === "number" ? { maxOutputTokens } : {}),
  };
}

// Anthropic Messages (@anthropic-ai/sdk MessageCreateParams): system text blocks, user/assistant
// messages of content blocks, tool_result blocks in user turns.
function fromAnthropic(body: Body): WireChatRequest {
  const systemBlocks: Body[] =
    typeof body.system === "string" ? [{ type: "text", text: body.system }] : (body.system ?? []);
  const system: SystemBlock[] = systemBlocks.map((block: Body) => ({
    text: String(block.text ?? ""),
    ...(block.cache_control ? { cache: true } : {}),
  }));
  const conversation = new Conversation();
  const units: unknown[] = [...(body.tools ?? []), ...systemBlocks];
  for (const message of body.messages ?? []) {
    const blocks: Body[] =
      typeof message.content === "string" ? [{ type: "text", text: message.content }] : message.content;
    for (const block of blocks) {
      units.push(block);
      if (message.role === "user") {
        if (block.type === "text") conversation.user(block.text, Boolean(block.cache_control));
        else if (block.type === "tool_result")
          conversation.result(block.tool_use_id, textOf(block.content), block.is_error === true);
      } else if (block.type === "text") conversation.assistantText(block.text);
      else if (block.type === "tool_use") conversation.assistantCall(block.id, block.name, block.input);
      else conversation.assistantTurn();
    }
  }
  const forced = body.tool_choice?.type === "tool" ? body.tool_choice.name : undefined;
  const tools: ToolSpec[] = (body.tools ?? [])
    .filter((tool: Body) => tool.name !== forced)
    .map((tool: Body) => ({
      name: tool.name,
      description: tool.description ?? "",
      inputSchema: tool.input_schema,
    }));
  const forcedTool = (body.tools ?? []).find((tool: Body) => tool.name === forced);
  const responseFormat = forcedTool
    ? { name: forced as string, schema: forcedTool.input_schema as JsonSchema }
    : body.output_config?.format?.type === "json_schema"
      ? { name: "output", schema: body.output_config.format.schema as JsonSchema }
      : undefined;
  return {
    model: String(body.model ?? ""),
    request: request(system, conversation, tools, responseFormat, body.max_tokens),
    units,
  };
}

// OpenAI Responses (openai ResponseCreateParams): `instructions`, then input items — messages,
// reasoning, function_call and function_call_output — in order.
function fromResponses(body: Body): WireChatRequest {
  const system: SystemBlock[] = body.instructions ? [{ text: String(body.instructions) }] : [];
  const conversation = new Conversation();
  const input: Body[] =
    typeof body.input === "string" ? [{ role: "user", content: body.input }] : (body.input ?? []);
  for (const item of input) {
    if (item.type === "function_call")
      conversation.assistantCall(item.call_id, item.name, parseArguments(item.arguments));
    else if (item.type === "function_call_output") conversation.result(item.call_id, textOf(item.output));
    else if (item.type === "reasoning") conversation.assistantTurn();
    else if (item.role === "assistant") conversation.assistantText(textOf(item.content));
    else if (item.role === "user") conversation.user(textOf(item.content));
  }
  const tools: ToolSpec[] = (body.tools ?? [])
    .filter((tool: Body) => tool.type === "function")
    .map((tool: Body) => ({
      name: tool.name,
      description: tool.description ?? "",
      inputSchema: tool.parameters,
    }));
  const format = body.text?.format;
  const responseFormat =
    format?.type === "json_schema"
      ? { name: String(format.name), schema: format.schema as JsonSchema }
      : undefined;
  return {
    model: String(body.model ?? ""),
    request: request(system, conversation, tools, responseFormat, body.max_output_tokens),
    units: [body.tools ?? [], body.text ?? null, body.instructions ?? "", ...input],
  };
}

// OpenAI Chat Completions (ChatCompletionCreateParams): system, user, assistant (tool_calls), tool.
function fromChat(body: Body): WireChatRequest {
  const system: SystemBlock[] = [];
  const conversation = new Conversation();
  for (const message of body.messages ?? []) {
    if (message.role === "system" || message.role === "developer")
      system.push({ text: textOf(message.content) });
    else if (message.role === "user") conversation.user(textOf(message.content));
    else if (message.role === "assistant") {
      if (message.content) conversation.assistantText(textOf(message.content));
      else conversation.assistantTurn();
      for (const call of message.tool_calls ?? [])
        conversation.assistantCall(call.id, call.function?.name, parseArguments(call.function?.arguments));
    } else if (message.role === "tool") conversation.result(message.tool_call_id, textOf(message.content));
  }
  const tools: ToolSpec[] = (body.tools ?? []).map((tool: Body) => ({
    name: tool.function.name,
    description: tool.function.description ?? "",
    inputSchema: tool.function.parameters,
  }));
  const format = body.response_format;
  const responseFormat =
    format?.type === "json_schema"
      ? { name: String(format.json_schema.name), schema: format.json_schema.schema as JsonSchema }
      : undefined;
  return {
    model: String(body.model ?? ""),
    request: request(
      system,
      conversation,
      tools,
      responseFormat,
      body.max_completion_tokens ?? body.max_tokens,
    ),
    units: [body.tools ?? [], body.response_format ?? null, ...(body.messages ?? [])],
  };
}

// Gemini generateContent (the REST body @google/genai sends): systemInstruction, contents of parts
// (text, functionCall, functionResponse), tools[].functionDeclarations, generationConfig.
function fromGemini(path: string, body: Body): WireChatRequest {
  const model = /models\/([^:]+):/.exec(path)?.[1] ?? "";
  const system: SystemBlock[] = (body.systemInstruction?.parts ?? []).map((part: Body) => ({
    text: String(part.text ?? ""),
  }));
  const conversation = new Conversation();
  let unnamed = 0;
  for (const content of body.contents ?? []) {
    for (const part of content.parts ?? []) {
      if (content.role === "model") {
        if (part.functionCall)
          conversation.assistantCall(
            part.functionCall.id ?? `gemini-call-${++unnamed}`,
            part.functionCall.name,
            part.functionCall.args ?? {},
          );
        else if (typeof part.text === "string") conversation.assistantText(part.text);
        else conversation.assistantTurn();
      } else if (part.functionResponse) {
        const response = part.functionResponse.response ?? {};
        const isError = response.error !== undefined;
        const output = isError ? response.error : (response.output ?? response);
        conversation.result(
          part.functionResponse.id ?? "",
          typeof output === "string" ? output : JSON.stringify(output),
          isError,
          part.functionResponse.name,
        );
      } else if (typeof part.text === "string") conversation.user(part.text);
    }
  }
  const tools: ToolSpec[] = (body.tools ?? []).flatMap((tool: Body) =>
    (tool.functionDeclarations ?? []).map((f: Body) => ({
      name: f.name,
      description: f.description ?? "",
      inputSchema: f.parametersJsonSchema ?? f.parameters ?? {},
    })),
  );
  const config = body.generationConfig ?? {};
  const responseFormat = config.responseJsonSchema
    ? { name: "output", schema: config.responseJsonSchema as JsonSchema }
    : undefined;
  return {
    model,
    request: request(system, conversation, tools, responseFormat, config.maxOutputTokens),
    units: [
      body.systemInstruction ?? null,
      body.tools ?? [],
      ...(body.contents ?? []).flatMap((c: Body) => c.parts ?? []),
    ],
  };
}

function parseArguments(raw: unknown): unknown {
  if (typeof raw !== "string") return raw ?? {};
  try {
    return raw.trim() ? JSON.parse(raw) : {};
  } catch {
    return raw;
  }
}
