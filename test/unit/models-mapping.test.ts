import { describe, expect, it } from "vitest";
import { TriadError } from "../../src/errors.js";
import { toAnthropicParams } from "../../src/models/adapters/anthropic.js";
import { fromGeminiResponse, splitGeminiBaseUrl, toGeminiParams } from "../../src/models/adapters/google.js";
import { toChatCompletionParams, toResponsesParams } from "../../src/models/adapters/openai.js";
import {
  backoffDelay,
  classifyModelError,
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
} from "../../src/models/retry.js";
import { isStrictCompatible } from "../../src/models/schema.js";
import type { ChatMessage, ChatRequest } from "../../src/models/types.js";

const conversation: ChatMessage[] = [
  { role: "user", content: "repository map", cache: true },
  { role: "user", content: "the task" },
  { role: "assistant", content: "", toolCalls: [{ id: "c1", name: "read_file", input: { path: "a" } }] },
  { role: "tool", results: [{ callId: "c1", name: "read_file", content: "text", isError: true }] },
];

describe("Anthropic mapping", () => {
  it("puts cache breakpoints on marked blocks and two rolling ones (the last two messages), at most four", () => {
    const request: ChatRequest = {
      system: [
        { text: "contract", cache: true },
        { text: "facts", cache: true },
        { text: "plan", cache: true },
        { text: "more", cache: true },
        { text: "changing" },
      ],
      messages: conversation,
    };
    const params = toAnthropicParams("claude-sonnet-4-6", request);
    const json = JSON.stringify(params);
    expect(json.match(/cache_control/g)).toHaveLength(4);
    const system = params.system as Array<{ text: string; cache_control?: unknown }>;
    // the first marked block is kept (widest shared prefix); the two rolling anchors take the rest
    expect(system.map((b) => Boolean(b.cache_control))).toEqual([true, false, false, false, false]);
    // the latest marked block (the user's repository map) keeps its anchor
    expect(params.messages[0]?.content).toEqual([
      { type: "text", text: "repository map", cache_control: { type: "ephemeral" } },
      { type: "text", text: "the task" },
    ]);
    const last = params.messages.at(-1);
    expect(last?.role).toBe("user");
    const lastBlock = Array.isArray(last?.content) ? last.content.at(-1) : undefined;
    expect(lastBlock).toMatchObject({
      type: "tool_result",
      tool_use_id: "c1",
      is_error: true,
      cache_control: { type: "ephemeral" },
    });
    // Consecutive user messages are merged into one turn; an empty assistant text is not sent.
    expect(params.messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(params.messages[1]?.content).toEqual([
      {
        type: "tool_use",
        id: "c1",
        name: "read_file",
        input: { path: "a" },
        cache_control: { type: "ephemeral" },
      },
    ]);
  });

  it("forces the structured tool, wrapping a non-object schema", () => {
    const params = toAnthropicParams("m", {
      system: [],
      messages: [{ role: "user", content: "list" }],
      responseFormat: { name: "items", schema: { type: "array", items: { type: "string" } } },
    });
    expect(params.tool_choice).toEqual({ type: "tool", name: "items" });
    expect(params.tools?.[0]).toMatchObject({
      name: "items",
      input_schema: { type: "object", required: ["value"] },
    });
  });
});

describe("OpenAI mapping", () => {
  it("Responses: stateless input items, function_call_output, a prompt cache key from the stable prefix", () => {
    const params = toResponsesParams("gpt-5-codex", {
      system: [{ text: "contract", cache: true }, { text: "now" }],
      messages: conversation,
    });
    expect(params.store).toBe(false);
    expect(params.instructions).toBe("contract\n\nnow");
    expect(params.prompt_cache_key).toMatch(/^triad-[0-9a-f]{32}$/);
    expect(params.input).toContainEqual({
      type: "function_call",
      call_id: "c1",
      name: "read_file",
      arguments: '{"path":"a"}',
    });
    expect(params.input).toContainEqual({
      type: "function_call_output",
      call_id: "c1",
      output: "ERROR: text",
    });
  });

  it("Chat Completions: strict json_schema only when the schema allows it", () => {
    const strict = {
      type: "object",
      properties: { a: { type: "string" } },
      required: ["a"],
      additionalProperties: false,
    };
    const loose = {
      type: "object",
      properties: { a: { type: "string" }, b: { type: "number" } },
      required: ["a"],
      additionalProperties: false,
    };
    expect(isStrictCompatible(strict)).toBe(true);
    expect(isStrictCompatible(loose)).toBe(false);
    const params = toChatCompletionParams("m", {
      system: [],
      messages: [{ role: "user", content: "x" }],
      responseFormat: { name: "r", schema: loose },
    });
    expect(params.response_format).toMatchObject({
      type: "json_schema",
      json_schema: { name: "r", strict: false },
    });
    expect(params.messages).toEqual([{ role: "user", content: "x" }]);
  });
});

describe("Google mapping", () => {
  it("sends thought signatures back and matches id-less calls by name", () => {
    const response = fromGeminiResponse(
      {
        candidates: [
          {
            content: {
              role: "model",
              parts: [{ functionCall: { name: "read_file", args: { path: "a" } }, thoughtSignature: "sig" }],
            },
            finishReason: "STOP",
          },
        ],
        usageMetadata: {
          promptTokenCount: 100,
          cachedContentTokenCount: 60,
          candidatesTokenCount: 5,
          thoughtsTokenCount: 7,
        },
      } as never,
      "gemini-3-pro-preview",
    );
    expect(response.stopReason).toBe("tool_use");
    expect(response.usage).toEqual({ inputTokens: 100, cachedInputTokens: 60, outputTokens: 12 });
    const call = response.toolCalls[0];
    expect(call).toMatchObject({ name: "read_file", vendorData: { thoughtSignature: "sig" } });
    const params = toGeminiParams("gemini-3-pro-preview", {
      system: [{ text: "sys" }],
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: "", toolCalls: response.toolCalls },
        { role: "tool", results: [{ callId: call?.id ?? "", name: "read_file", content: "text" }] },
      ],
    });
    expect(params.contents).toEqual([
      { role: "user", parts: [{ text: "go" }] },
      {
        role: "model",
        parts: [{ functionCall: { name: "read_file", args: { path: "a" } }, thoughtSignature: "sig" }],
      },
      { role: "user", parts: [{ functionResponse: { name: "read_file", response: { output: "text" } } }] },
    ]);
  });

  it("splits the version off GEMINI_BASE_URL", () => {
    expect(splitGeminiBaseUrl("http://h:1/v1beta")).toEqual({ baseUrl: "http://h:1", apiVersion: "v1beta" });
    expect(splitGeminiBaseUrl("http://h:1/proxy/v1/")).toEqual({
      baseUrl: "http://h:1/proxy",
      apiVersion: "v1",
    });
    expect(splitGeminiBaseUrl("http://h:1")).toEqual({ baseUrl: "http://h:1" });
  });
});

describe("retry classification", () => {
  const ctx = { ref: { vendor: "openai" as const, model: "gpt-5" }, apiKeyEnv: "OPENAI_API_KEY" };
  const httpError = (status: number, headers: Record<string, string> = {}) =>
    Object.assign(new Error(`${status} error`), { status, headers: new Headers(headers) });

  it("parses retry-after-ms, retry-after seconds and dates", () => {
    expect(parseRetryAfter(new Headers({ "retry-after-ms": "250", "retry-after": "9" }))).toBe(250);
    expect(parseRetryAfter(new Headers({ "retry-after": "3" }))).toBe(3000);
    expect(parseRetryAfter({ "retry-after": new Date(10_000).toUTCString() }, 4_000)).toBe(6_000);
    expect(parseRetryAfter(new Headers())).toBeUndefined();
  });

  it.each([
    [401, "auth_failed", "final"],
    [403, "auth_failed", "final"],
    [400, "model_request_rejected", "final"],
    [404, "model_not_found", "final"],
    [408, "timeout", "retryable"],
    [429, "rate_limited", "retryable"],
    [500, "server_error", "retryable"],
    [529, "server_error", "retryable"],
  ])("classifies HTTP %i as %s (%s)", (status, code, kind) => {
    const error = classifyModelError(httpError(status), ctx);
    expect(error).toBeInstanceOf(TriadError);
    expect([error.code, error.kind]).toEqual([code, kind]);
  });

  it("classifies connection drops and timeouts, and keeps backoff within bounds", () => {
    expect(classifyModelError(new TypeError("fetch failed"), ctx).code).toBe("network");
    expect(classifyModelError(new Error("whatever"), { ...ctx, timedOut: true }).code).toBe("timeout");
    expect(classifyModelError(new Error("bug"), ctx).code).toBe("internal");
    for (let attempt = 1; attempt < 10; attempt++) {
      const ceiling = Math.min(
        DEFAULT_RETRY_POLICY.maxDelayMs,
        DEFAULT_RETRY_POLICY.baseDelayMs * 2 ** (attempt - 1),
      );
      expect(backoffDelay(attempt, DEFAULT_RETRY_POLICY, () => 0)).toBe(ceiling / 2);
      expect(backoffDelay(attempt, DEFAULT_RETRY_POLICY, () => 1)).toBe(ceiling);
    }
  });
});
