import type { ChatRequest, ChatResponse } from "../../models/types.js";
import type { WireApi } from "./vendor-rules.js";
import {
  anthropicMessage,
  type FakeUsage,
  geminiResponse,
  openaiChatCompletion,
  openaiResponse,
} from "./vendor-server.js";

// biome-ignore lint/suspicious/noExplicitAny: the wire body the SDK sent
type Body = any;

/**
 * A scripted model's answer in a vendor's response shape, as the vendor would send it: tool calls as
 * `tool_use` blocks / `function_call` items / `functionCall` parts with ids the vendor assigns (never
 * the script's), a structured answer where the request asked for one (Anthropic's forced tool or JSON
 * output, Responses `text.format`, Gemini `responseJsonSchema`), and the usage given. Thinking is not
 * added here: the vendor rules add it for thinking models (vendor-rules.ts `shape`).
 */
export function wireAnswer(
  api: WireApi,
  model: string,
  request: ChatRequest,
  body: Body,
  answer: ChatResponse,
  usage: FakeUsage,
): unknown {
  const calls = answer.toolCalls.map((call) => ({ name: call.name, input: call.input }));
  const text = answer.text === "" ? undefined : answer.text;
  switch (api) {
    case "anthropic": {
      // Structured output through a forced tool comes back as that tool's call (no text).
      const forced = body.tool_choice?.type === "tool" ? String(body.tool_choice.name) : undefined;
      if (forced && request.responseFormat && text !== undefined)
        return anthropicMessage({ model, toolUses: [{ name: forced, input: JSON.parse(text) }], usage });
      return anthropicMessage({ model, ...(text !== undefined ? { text } : {}), toolUses: calls, usage });
    }
    case "openai-responses":
      return openaiResponse({ model, ...(text !== undefined ? { text } : {}), functionCalls: calls, usage });
    case "openai-chat":
      return openaiChatCompletion({ model, text: text ?? null, toolCalls: calls, usage });
    case "google":
      return geminiResponse({ model, ...(text !== undefined ? { text } : {}), functionCalls: calls, usage });
  }
}

/** Output tokens of an answer before any thinking: characters / 4 of what the model wrote. */
export function answerTokens(answer: ChatResponse): number {
  const written =
    answer.text.length + (answer.toolCalls.length ? JSON.stringify(answer.toolCalls).length : 0);
  return Math.max(1, Math.ceil(written / 4));
}
