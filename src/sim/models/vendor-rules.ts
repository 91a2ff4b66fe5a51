import { createHmac } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { type CatalogueEntry, catalogueEntry, lifecycleOf } from "../../models/catalogue.js";

/**
 * The vendors' rules, enforced by the local vendor servers so every adapter test meets them: a
 * request the vendor would refuse is refused here with the vendor's status and error shape, and a
 * thinking model behaves like one (it sends thinking blocks / reasoning items / signatures, spends
 * output tokens on them before it answers, and stops for length when the cap is too small). Each rule
 * cites where the vendor says so. Where a vendor is vague, the rule is at least as strict.
 */
export type WireApi = "anthropic" | "openai-chat" | "openai-responses" | "google";

export interface StrictOptions {
  /** The clock for retirement dates (404 for retired ids). */
  now?: Date;
  /** Output tokens a thinking model spends before its answer, unless a reply says otherwise. */
  thinkingTokens?: number;
}

export interface RuledReply {
  status?: number;
  headers?: Record<string, string>;
  body: unknown;
  delayMs?: number;
  /** Output tokens this answer spends on thinking (thinking models only). */
  thinkingTokens?: number;
}

// biome-ignore lint/suspicious/noExplicitAny: wire bodies are whatever the SDK sent or the vendor sends
type Body = any;

const DEFAULT_THINKING_TOKENS = 300;
const SIGNING_KEY = "triad-vendor-sim";

const sign = (...parts: string[]) =>
  createHmac("sha256", SIGNING_KEY).update(parts.join("\u0000")).digest("base64");

const thinks = (entry: CatalogueEntry | undefined) =>
  entry?.thinking === "always" || entry?.thinking === "default";

function anthropicError(status: number, type: string, message: string): RuledReply {
  // platform.claude.com/docs/en/api/errors: {"type":"error","error":{"type":…,"message":…}}
  return { status, body: { type: "error", error: { type, message }, request_id: "req_sim" } };
}
function openaiError(
  status: number,
  message: string,
  code: string | null,
  param: string | null = null,
): RuledReply {
  // platform.openai.com/docs/guides/error-codes: {"error":{"message","type","param","code"}}
  return { status, body: { error: { message, type: "invalid_request_error", param, code } } };
}
function googleError(status: number, statusName: string, message: string): RuledReply {
  // ai.google.dev/gemini-api/docs/troubleshooting: google.rpc.Status {code, message, status}
  return { status, body: { error: { code: status, message, status: statusName } } };
}

/** The rules of one server; it remembers what it issued (thinking blocks, reasoning items, signatures). */
export class VendorRules {
  private readonly now: () => Date;
  private readonly thinkingTokens: number;
  /** Anthropic: tool_use id → the thinking blocks of its turn, in order. */
  private readonly thinkingByToolUse = new Map<string, unknown[]>();
  /** Responses: call_id → the reasoning item of its turn. */
  private readonly reasoningByCall = new Map<string, { id: string; encrypted_content?: string }>();
  /** Responses: reasoning item id → encrypted_content issued. */
  private readonly issuedReasoning = new Map<string, string | undefined>();
  /** Chat (DeepSeek): tool call id → reasoning_content. */
  private readonly reasoningContentByCall = new Map<string, string>();
  /** Gemini: function name + args → the thought signature it came with. */
  private readonly signatureByCall = new Map<string, string>();
  private counter = 0;

  constructor(options: StrictOptions = {}) {
    this.now = () => options.now ?? new Date();
    this.thinkingTokens = options.thinkingTokens ?? DEFAULT_THINKING_TOKENS;
  }

  private id(prefix: string) {
    return `${prefix}${(++this.counter).toString(36).padStart(8, "0")}`;
  }

  /** A vendor error for a request the vendor would refuse, or undefined. */
  check(api: WireApi, path: string, body: Body): RuledReply | undefined {
    switch (api) {
      case "anthropic":
        return this.checkAnthropic(body);
      case "openai-responses":
        return this.checkResponses(body);
      case "openai-chat":
        return this.checkChat(body);
      case "google":
        return this.checkGoogle(path, body);
    }
  }

  /** The answer as the vendor's model would give it: thinking added and billed, cut at the cap. */
  shape(api: WireApi, path: string, request: Body, reply: RuledReply): RuledReply {
    if ((reply.status ?? 200) !== 200 || !reply.body || typeof reply.body !== "object") return reply;
    switch (api) {
      case "anthropic":
        return this.shapeAnthropic(request, reply);
      case "openai-responses":
        return this.shapeResponses(request, reply);
      case "openai-chat":
        return this.shapeChat(request, reply);
      case "google":
        return this.shapeGoogle(path, request, reply);
    }
  }

  private retired(entry: CatalogueEntry | undefined): boolean {
    return (
      Boolean(entry) &&
      lifecycleOf({ vendor: entry?.vendor ?? "anthropic", model: entry?.id ?? "" }, this.now()).state ===
        "retired"
    );
  }

  // ------------------------------------------------------------------------------------- Anthropic

  private checkAnthropic(body: Body): RuledReply | undefined {
    const entry = catalogueEntry({ vendor: "anthropic", model: String(body?.model ?? "") });
    // A retired model is no longer served (platform.claude.com/docs/en/about-claude/model-deprecations).
    if (this.retired(entry)) return anthropicError(404, "not_found_error", `model: ${body.model}`);
    if (entry && typeof body.max_tokens === "number" && body.max_tokens > entry.maxOutputTokens) {
      return anthropicError(
        400,
        "invalid_request_error",
        `max_tokens: ${body.max_tokens} > ${entry.maxOutputTokens}, which is the maximum allowed number of output tokens for ${body.model}`,
      );
    }
    // Opus 5.5, Sonnet 5.5, Fable 5.1 and later refuse forced tool use (Opus 5.5 migration guide:
    // `tool_choice: {"type": "any"}` or a named tool returns a 400).
    const choice = body.tool_choice?.type;
    if (entry?.forcedToolChoice === false && (choice === "tool" || choice === "any")) {
      return anthropicError(
        400,
        "invalid_request_error",
        'tool_choice: type "tool" and "any" are not supported for this model.',
      );
    }
    // "Tool use with thinking only supports tool_choice: {type: "auto"} or {type: "none"}"
    // (platform.claude.com/docs/en/build-with-claude/extended-thinking, tool use).
    if (thinks(entry) && body.thinking?.type !== "disabled" && (choice === "tool" || choice === "any")) {
      return anthropicError(
        400,
        "invalid_request_error",
        "Thinking may not be enabled when tool_choice forces tool use.",
      );
    }
    // Adaptive-only models: "Turning thinking off or setting a thinking budget is rejected" (ibid.).
    if (
      entry?.thinking === "always" &&
      (body.thinking?.type === "disabled" || body.thinking?.budget_tokens !== undefined)
    ) {
      return anthropicError(
        400,
        "invalid_request_error",
        `thinking: ${body.model} supports only adaptive thinking.`,
      );
    }
    // Thinking blocks "must be passed back unmodified and in their original order; a modified block
    // results in a 400 invalid_request_error" (@anthropic-ai/sdk ThinkingBlockParam). Checked for every
    // assistant turn whose tool_use this server issued with thinking (the vendor checks at least the
    // last one).
    const messages: Body[] = Array.isArray(body.messages) ? body.messages : [];
    for (const [i, message] of messages.entries()) {
      if (message.role !== "assistant" || !Array.isArray(message.content)) continue;
      const toolUse = message.content.find((block: Body) => block.type === "tool_use");
      const expected = toolUse ? this.thinkingByToolUse.get(toolUse.id) : undefined;
      if (!expected) continue;
      const sent = message.content.filter(
        (block: Body) => block.type === "thinking" || block.type === "redacted_thinking",
      );
      const first = message.content[0];
      if (sent.length === 0 || (first.type !== "thinking" && first.type !== "redacted_thinking")) {
        return anthropicError(
          400,
          "invalid_request_error",
          `messages.${i}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${first?.type}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable \`thinking\`.`,
        );
      }
      const strip = (block: Body) => {
        const { cache_control: _ignored, ...rest } = block;
        return rest;
      };
      if (!isDeepStrictEqual(sent.map(strip), expected)) {
        return anthropicError(
          400,
          "invalid_request_error",
          `messages.${i}.content.0: Invalid \`signature\` in \`thinking\` block`,
        );
      }
    }
    return undefined;
  }

  private shapeAnthropic(request: Body, reply: RuledReply): RuledReply {
    const entry = catalogueEntry({ vendor: "anthropic", model: String(request.model ?? "") });
    const body = structuredClone(reply.body as Body);
    const content: Body[] = body.content ?? [];
    const thinkingOn = thinks(entry) && request.thinking?.type !== "disabled";
    if (
      thinkingOn &&
      !content.some((block) => block.type === "thinking" || block.type === "redacted_thinking")
    ) {
      // display: "omitted" returns the block with empty thinking and its signature (ThinkingConfigAdaptive).
      const text = request.thinking?.display === "omitted" ? "" : `Considering: ${String(this.counter)}`;
      content.unshift({ type: "thinking", thinking: text, signature: sign(text, request.model) });
    }
    const thinkingBlocks = content.filter(
      (block) => block.type === "thinking" || block.type === "redacted_thinking",
    );
    const spent = thinkingBlocks.length ? (reply.thinkingTokens ?? this.thinkingTokens) : 0;
    const answerTokens = body.usage?.output_tokens ?? 0;
    const max = Number(request.max_tokens ?? Number.POSITIVE_INFINITY);
    if (spent + answerTokens > max) {
      // Thinking tokens count toward max_tokens (ThinkingConfigParam doc): the answer is cut off.
      const kept = content.filter((block) => block.type === "thinking" || block.type === "redacted_thinking");
      if (spent < max) {
        const call = content.find((block) => block.type === "tool_use");
        if (call) kept.push({ ...call, input: {} });
        else
          kept.push({
            type: "text",
            text: String(content.find((b) => b.type === "text")?.text ?? "").slice(0, 8),
          });
      }
      body.content = kept;
      body.stop_reason = "max_tokens";
      body.usage = { ...body.usage, output_tokens: max };
      return { ...reply, body };
    }
    body.content = content;
    body.usage = { ...body.usage, output_tokens: answerTokens + spent };
    for (const block of content) {
      if (block.type === "tool_use" && thinkingBlocks.length)
        this.thinkingByToolUse.set(block.id, structuredClone(thinkingBlocks));
    }
    return { ...reply, body };
  }

  // ------------------------------------------------------------------------------------- Responses

  private checkResponses(body: Body): RuledReply | undefined {
    const entry = catalogueEntry({ vendor: "openai", model: String(body?.model ?? "") });
    // Shut-down models "no longer accept requests" (developers.openai.com/api/docs/deprecations).
    if (this.retired(entry)) {
      return openaiError(
        404,
        `The model \`${body.model}\` does not exist or you do not have access to it.`,
        "model_not_found",
      );
    }
    if (
      entry &&
      typeof body.max_output_tokens === "number" &&
      body.max_output_tokens > entry.maxOutputTokens
    ) {
      return openaiError(
        400,
        `max_output_tokens is too large: ${body.max_output_tokens}. This model supports at most ${entry.maxOutputTokens} completion tokens.`,
        "invalid_value",
        "max_output_tokens",
      );
    }
    // GPT-6.2 Sol: "The API rejects requests that set reasoning effort to none" (its model page).
    if (entry?.thinking === "always" && body.reasoning?.effort === "none") {
      return openaiError(
        400,
        "Unsupported value: 'reasoning.effort' does not support 'none' with this model.",
        "unsupported_value",
        "reasoning.effort",
      );
    }
    const input: Body[] = Array.isArray(body.input) ? body.input : [];
    const present = new Map<string, Body>();
    for (const item of input) {
      if (item.type !== "reasoning") continue;
      // Under store: false nothing is kept server-side: a reasoning item is usable only with the
      // encrypted_content it was issued with (platform.openai.com/docs/guides/reasoning, encrypted
      // reasoning items).
      if (
        body.store === false &&
        (!item.encrypted_content || this.issuedReasoning.get(item.id) !== item.encrypted_content)
      ) {
        return openaiError(
          404,
          `Item with id '${item.id}' not found. Items are not persisted when \`store\` is set to false. Try again with \`store\` set to true, or remove this item from your input.`,
          null,
          "input",
        );
      }
      present.set(item.id, item);
    }
    for (const item of input) {
      if (item.type !== "function_call") continue;
      const needed = this.reasoningByCall.get(item.call_id);
      if (needed && !present.has(needed.id)) {
        return openaiError(
          400,
          `Item '${item.id ?? item.call_id}' of type 'function_call' was provided without its required 'reasoning' item: '${needed.id}'.`,
          null,
          "input",
        );
      }
    }
    return undefined;
  }

  private shapeResponses(request: Body, reply: RuledReply): RuledReply {
    const entry = catalogueEntry({ vendor: "openai", model: String(request.model ?? "") });
    const body = structuredClone(reply.body as Body);
    const output: Body[] = (body.output ?? []).filter(
      (item: Body) => !(item.type === "reasoning" && !item.encrypted_content && thinks(entry)),
    );
    if (!thinks(entry)) return reply;
    const encrypted =
      Array.isArray(request.include) && request.include.includes("reasoning.encrypted_content");
    const id = this.id("rs_");
    const reasoning: Body = { id, type: "reasoning", summary: [] };
    // Encrypted reasoning comes back only when asked for with include (ibid.).
    if (encrypted) reasoning.encrypted_content = sign(id, request.model);
    this.issuedReasoning.set(id, reasoning.encrypted_content);
    output.unshift(reasoning);
    const spent = reply.thinkingTokens ?? this.thinkingTokens;
    const answerTokens = body.usage?.output_tokens ?? 0;
    const max = Number(request.max_output_tokens ?? Number.POSITIVE_INFINITY);
    const usage = (tokens: number, reasoningTokens: number) => ({
      ...body.usage,
      output_tokens: tokens,
      output_tokens_details: { reasoning_tokens: reasoningTokens },
      total_tokens: (body.usage?.input_tokens ?? 0) + tokens,
    });
    if (spent + answerTokens > max) {
      // Reasoning tokens count against max_output_tokens; the response ends `incomplete`.
      const kept = [reasoning];
      const call = output.find((item) => item.type === "function_call");
      if (call && spent < max)
        kept.push({ ...call, arguments: String(call.arguments).slice(0, 5), status: "incomplete" });
      return {
        ...reply,
        body: {
          ...body,
          status: "incomplete",
          incomplete_details: { reason: "max_output_tokens" },
          output: kept,
          usage: usage(max, Math.min(spent, max)),
        },
      };
    }
    for (const item of output)
      if (item.type === "function_call") this.reasoningByCall.set(item.call_id, reasoning);
    return { ...reply, body: { ...body, output, usage: usage(answerTokens + spent, spent) } };
  }

  // ------------------------------------------------------------------------------------- Chat Completions

  private chatEntry(model: string) {
    return catalogueEntry({ vendor: "openai-compatible", model });
  }

  private checkChat(body: Body): RuledReply | undefined {
    const model = String(body?.model ?? "");
    const entry = this.chatEntry(model);
    if (this.retired(entry)) {
      return openaiError(
        404,
        `The model \`${model}\` does not exist or you do not have access to it.`,
        "model_not_found",
      );
    }
    // OpenAI's reasoning models refuse `max_tokens` on Chat Completions (the API's own error text).
    if (entry?.family === "openai" && body.max_tokens !== undefined) {
      return openaiError(
        400,
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
        "unsupported_parameter",
        "max_tokens",
      );
    }
    // DeepSeek thinking mode: "For turns that do perform tool calls, the reasoning_content must be
    // fully passed back to the API in all subsequent requests … the API will return a 400 error"
    // (api-docs.deepseek.com/guides/thinking_mode#tool-calls).
    const messages: Body[] = Array.isArray(body.messages) ? body.messages : [];
    for (const [i, message] of messages.entries()) {
      if (message.role !== "assistant" || !Array.isArray(message.tool_calls)) continue;
      const expected = message.tool_calls
        .map((call: Body) => this.reasoningContentByCall.get(call.id))
        .find((r: unknown) => r !== undefined);
      if (expected === undefined) continue;
      if (message.reasoning_content === undefined) {
        return openaiError(
          400,
          `Missing \`reasoning_content\` field in the assistant message at message index ${i}. For more information, please refer to https://api-docs.deepseek.com/guides/thinking_mode#tool-calls`,
          "invalid_request_error",
        );
      }
      if (message.reasoning_content !== expected) {
        return openaiError(
          400,
          "The reasoning_content in the thinking mode must be passed back to the API.",
          "invalid_request_error",
        );
      }
    }
    return undefined;
  }

  private shapeChat(request: Body, reply: RuledReply): RuledReply {
    const entry = this.chatEntry(String(request.model ?? ""));
    if (!thinks(entry)) return reply;
    const body = structuredClone(reply.body as Body);
    const choice = body.choices?.[0];
    if (!choice) return reply;
    const spent = reply.thinkingTokens ?? this.thinkingTokens;
    const reasoning = choice.message.reasoning_content ?? `Reasoning ${this.id("")}`;
    choice.message.reasoning_content = reasoning;
    const answerTokens = body.usage?.completion_tokens ?? 0;
    const max = Number(request.max_completion_tokens ?? request.max_tokens ?? Number.POSITIVE_INFINITY);
    const cached = body.usage?.prompt_tokens_details?.cached_tokens ?? 0;
    const deepseek = entry?.family === "deepseek";
    const usage = (completion: number) => ({
      prompt_tokens: body.usage?.prompt_tokens ?? 0,
      completion_tokens: completion,
      total_tokens: (body.usage?.prompt_tokens ?? 0) + completion,
      completion_tokens_details: { reasoning_tokens: Math.min(spent, completion) },
      // DeepSeek reports cache hits as prompt_cache_hit_tokens / _miss_tokens (api-docs.deepseek.com,
      // context caching), not OpenAI's prompt_tokens_details.
      ...(deepseek
        ? {
            prompt_cache_hit_tokens: cached,
            prompt_cache_miss_tokens: (body.usage?.prompt_tokens ?? 0) - cached,
          }
        : { prompt_tokens_details: { cached_tokens: cached } }),
    });
    if (spent + answerTokens > max) {
      const calls = choice.message.tool_calls;
      if (Array.isArray(calls) && calls.length) {
        choice.message.tool_calls = calls.map((call: Body) => ({
          ...call,
          function: { ...call.function, arguments: String(call.function.arguments).slice(0, 5) },
        }));
      } else choice.message.content = String(choice.message.content ?? "").slice(0, 8);
      choice.finish_reason = "length";
      return { ...reply, body: { ...body, usage: usage(max) } };
    }
    for (const call of choice.message.tool_calls ?? []) this.reasoningContentByCall.set(call.id, reasoning);
    return { ...reply, body: { ...body, usage: usage(answerTokens + spent) } };
  }

  // ------------------------------------------------------------------------------------- Gemini

  private checkGoogle(path: string, body: Body): RuledReply | undefined {
    const model = /models\/([^:]+):/.exec(path)?.[1] ?? "";
    const entry = catalogueEntry({ vendor: "google", model });
    // GEMINI_DEPRECATIONS: "Once a model is shutdown, it is completely turned off".
    if (this.retired(entry)) {
      return googleError(
        404,
        "NOT_FOUND",
        `models/${model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
      );
    }
    const max = body?.generationConfig?.maxOutputTokens;
    if (entry && typeof max === "number" && max > entry.maxOutputTokens) {
      return googleError(
        400,
        "INVALID_ARGUMENT",
        `The maxOutputTokens (${max}) is greater than the maximum allowed (${entry.maxOutputTokens}).`,
      );
    }
    // Only the documented JSON-schema subset (@google/genai `responseJsonSchema` doc); stricter than
    // the API, which may ignore the rest silently.
    const schemas = [
      body?.generationConfig?.responseJsonSchema,
      ...(body?.tools ?? []).flatMap((tool: Body) =>
        (tool.functionDeclarations ?? []).map((f: Body) => f.parametersJsonSchema),
      ),
    ].filter(Boolean);
    for (const schema of schemas) {
      const bad = unsupportedGeminiKeyword(schema);
      if (bad)
        return googleError(
          400,
          "INVALID_ARGUMENT",
          `Invalid JSON payload received. Unknown name "${bad}" in schema: not in the supported JSON Schema subset.`,
        );
    }
    // Gemini 3: "Function call is missing a thought_signature" when a function call comes back
    // without the signature it was issued with (ai.google.dev/gemini-api/docs/thought-signatures).
    const contents: Body[] = Array.isArray(body?.contents) ? body.contents : [];
    for (const content of contents) {
      if (content.role !== "model") continue;
      for (const [position, part] of (content.parts ?? []).entries()) {
        if (!part.functionCall) continue;
        const expected = this.signatureByCall.get(callKey(part.functionCall));
        if (expected && part.thoughtSignature !== expected) {
          return googleError(
            400,
            "INVALID_ARGUMENT",
            `Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${part.functionCall.name}\` , position ${position + 1}. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.`,
          );
        }
      }
    }
    return undefined;
  }

  private shapeGoogle(path: string, request: Body, reply: RuledReply): RuledReply {
    const model = /models\/([^:]+):/.exec(path)?.[1] ?? "";
    const entry = catalogueEntry({ vendor: "google", model });
    if (!thinks(entry)) return reply;
    const body = structuredClone(reply.body as Body);
    const candidate = body.candidates?.[0];
    if (!candidate) return reply;
    const spent = reply.thinkingTokens ?? this.thinkingTokens;
    const answerTokens = body.usageMetadata?.candidatesTokenCount ?? 0;
    const max = Number(request.generationConfig?.maxOutputTokens ?? Number.POSITIVE_INFINITY);
    const parts: Body[] = candidate.content?.parts ?? [];
    if (spent + answerTokens > max) {
      // Thinking spends the budget first: MAX_TOKENS with no answer parts (a public report of Gemini
      // 2.5 Pro at 256 output tokens).
      candidate.content = { role: "model", parts: [] };
      candidate.finishReason = "MAX_TOKENS";
      body.usageMetadata = { ...body.usageMetadata, candidatesTokenCount: 0, thoughtsTokenCount: max };
      return { ...reply, body };
    }
    // Gemini 3 signs the first function call of a turn, or the last part when there is none
    // (thought-signatures doc).
    const signature = sign(model, String(this.counter++));
    const firstCall = parts.find((part) => part.functionCall);
    const target = firstCall ?? parts.at(-1);
    if (target && !target.thoughtSignature) target.thoughtSignature = signature;
    for (const part of parts) {
      if (part.functionCall && part.thoughtSignature)
        this.signatureByCall.set(callKey(part.functionCall), part.thoughtSignature);
    }
    body.usageMetadata = { ...body.usageMetadata, thoughtsTokenCount: spent };
    return { ...reply, body };
  }
}

const callKey = (call: Body) => `${call.name}\u0000${JSON.stringify(call.args ?? {})}`;

const GEMINI_SUBSET = new Set([
  "$id",
  "$defs",
  "$ref",
  "$anchor",
  "type",
  "format",
  "title",
  "description",
  "enum",
  "items",
  "prefixItems",
  "minItems",
  "maxItems",
  "minimum",
  "maximum",
  "anyOf",
  "oneOf",
  "properties",
  "additionalProperties",
  "required",
  "propertyOrdering",
]);

function unsupportedGeminiKeyword(schema: Body): string | undefined {
  if (Array.isArray(schema)) {
    for (const item of schema) {
      const bad = unsupportedGeminiKeyword(item);
      if (bad) return bad;
    }
    return undefined;
  }
  if (!schema || typeof schema !== "object") return undefined;
  for (const [key, value] of Object.entries(schema)) {
    if (!GEMINI_SUBSET.has(key)) return key;
    if (key === "properties" || key === "$defs") {
      for (const child of Object.values(value as object)) {
        const bad = unsupportedGeminiKeyword(child);
        if (bad) return bad;
      }
    } else if (
      key === "items" ||
      key === "anyOf" ||
      key === "oneOf" ||
      key === "prefixItems" ||
      (key === "additionalProperties" && typeof value === "object")
    ) {
      const bad = unsupportedGeminiKeyword(value);
      if (bad) return bad;
    }
  }
  return undefined;
}
