import { describe, expect, it } from "vitest";
import { toAnthropicParams } from "../../src/models/adapters/anthropic.js";
import { toChatCompletionParams, toResponsesParams } from "../../src/models/adapters/openai.js";
import type { ChatMessage, ChatRequest } from "../../src/models/types.js";
import { geminiPrefixCache, OPENAI_PREFIX_CACHE, PrefixCache } from "../../src/sim/models/prefix-cache.js";
import { chatRequestFromWire } from "../../src/sim/models/wire-request.js";

const conversation: ChatMessage[] = [
  { role: "user", content: "Plan the change." },
  {
    role: "assistant",
    content: "",
    toolCalls: [
      { id: "call_a", name: "list_files", input: { path: "src" } },
      { id: "call_b", name: "read_file", input: { path: "src/client.ts" } },
    ],
  },
  {
    role: "tool",
    results: [
      { callId: "call_a", name: "list_files", content: "src/client.ts" },
      { callId: "call_b", name: "read_file", content: "no such file", isError: true },
    ],
  },
  { role: "assistant", content: "", toolCalls: [{ id: "call_c", name: "search", input: { pattern: "x" } }] },
  { role: "tool", results: [{ callId: "call_c", name: "search", content: "none" }] },
];
const request: ChatRequest = {
  system: [{ text: "contract", cache: true }, { text: "task" }],
  messages: conversation,
  tools: [
    { name: "read_file", description: "Read", inputSchema: { type: "object", properties: {} } },
    { name: "search", description: "Search", inputSchema: { type: "object", properties: {} } },
  ],
  maxOutputTokens: 4000,
};

/** What a scripted model reads: the first user message, the turns so far, the tools offered. */
const shape = (r: ChatRequest) => ({
  first: r.messages[0],
  assistantTurns: r.messages.filter((m) => m.role === "assistant").length,
  calls: r.messages.flatMap((m) => (m.role === "assistant" ? (m.toolCalls ?? []).map((c) => c.name) : [])),
  results: r.messages.flatMap((m) => (m.role === "tool" ? m.results.map((x) => [x.name, x.content]) : [])),
  tools: r.tools?.map((t) => t.name),
  maxOutputTokens: r.maxOutputTokens,
});

describe("a wire request read back into a ChatRequest", () => {
  it("Anthropic Messages: turns, calls, results and cached system blocks as the adapter sent them", () => {
    const body = toAnthropicParams("claude-sonnet-5-5", request);
    const back = chatRequestFromWire("anthropic", "/v1/messages", body);
    expect(back.model).toBe("claude-sonnet-5-5");
    expect(shape(back.request)).toEqual(shape(request));
    expect(back.request.system).toEqual([{ text: "contract", cache: true }, { text: "task" }]);
  });

  it("OpenAI Responses: reasoning items and calls of one turn are one assistant turn", () => {
    const body = toResponsesParams("gpt-6.2-sol", request) as unknown as { input: unknown[] };
    // A reasoning item before each turn's calls, as the adapter replays them.
    body.input.splice(1, 0, { type: "reasoning", id: "rs_1", summary: [], encrypted_content: "e1" });
    const back = chatRequestFromWire("openai-responses", "/v1/responses", body);
    expect(shape(back.request)).toEqual({
      ...shape(request),
      // Responses tool output has no error flag: the adapter writes it into the text.
      results: [
        ["list_files", "src/client.ts"],
        ["read_file", "ERROR: no such file"],
        ["search", "none"],
      ],
    });
    expect(back.request.system.map((b) => b.text).join("\n\n")).toBe("contract\n\ntask");
  });

  it("Chat Completions: the same conversation", () => {
    const body = toChatCompletionParams("deepseek-chat", request);
    const back = chatRequestFromWire("openai-chat", "/v1/chat/completions", body);
    expect(shape(back.request).assistantTurns).toBe(2);
    expect(shape(back.request).calls).toEqual(["list_files", "read_file", "search"]);
    expect(back.request.messages[0]).toEqual({ role: "user", content: "Plan the change." });
  });

  it("Gemini generateContent: the model from the path, function responses by name", () => {
    const body = {
      systemInstruction: { parts: [{ text: "contract" }] },
      contents: [
        { role: "user", parts: [{ text: "Review." }] },
        {
          role: "model",
          parts: [{ functionCall: { name: "read_file", args: { path: "a" } }, thoughtSignature: "s" }],
        },
        { role: "user", parts: [{ functionResponse: { name: "read_file", response: { output: "A" } } }] },
      ],
      generationConfig: { maxOutputTokens: 2000 },
    };
    const back = chatRequestFromWire("google", "/v1beta/models/gemini-3.8-flash:generateContent", body);
    expect(back.model).toBe("gemini-3.8-flash");
    expect(shape(back.request)).toMatchObject({
      first: { role: "user", content: "Review." },
      assistantTurns: 1,
      results: [["read_file", "A"]],
      maxOutputTokens: 2000,
    });
  });
});

describe("the automatic prefix caches of OpenAI and Gemini", () => {
  const big = (n: number) => "x".repeat(n * 4 - 2); // n tokens once JSON-quoted

  it("OpenAI: nothing below 1024 matched tokens, then hits in steps of 128", () => {
    const cache = new PrefixCache();
    expect(cache.usageFor([big(1000), "a"], OPENAI_PREFIX_CACHE)).toEqual({ input: 1001, cached: 0 });
    expect(cache.usageFor([big(1000), "b"], OPENAI_PREFIX_CACHE).cached).toBe(0);
    const longer = new PrefixCache();
    longer.usageFor([big(1300), "a"], OPENAI_PREFIX_CACHE);
    // 1300 matched → 1024 + 2 × 128 = 1280
    expect(longer.usageFor([big(1300), "b"], OPENAI_PREFIX_CACHE)).toEqual({ input: 1301, cached: 1280 });
  });

  it("a prefix matches only from the start, unit by unit", () => {
    const cache = new PrefixCache();
    cache.usageFor(["head", big(5000), "tail"], geminiPrefixCache("gemini-3.8-flash"));
    expect(cache.usageFor(["other", big(5000), "tail"], geminiPrefixCache("gemini-3.8-flash")).cached).toBe(
      0,
    );
    expect(cache.usageFor(["head", big(5000), "new"], geminiPrefixCache("gemini-3.8-flash")).cached).toBe(
      5002,
    );
  });

  it("Gemini 3.x Flash needs 4,096 tokens, Gemini 2.5 2,048", () => {
    const rules3 = geminiPrefixCache("gemini-3.8-flash");
    const rules25 = geminiPrefixCache("gemini-2.5-flash");
    const a = new PrefixCache();
    a.usageFor([big(3000), "a"], rules3);
    expect(a.usageFor([big(3000), "b"], rules3).cached).toBe(0);
    const b = new PrefixCache();
    b.usageFor([big(3000), "a"], rules25);
    expect(b.usageFor([big(3000), "b"], rules25).cached).toBe(3000);
  });
});
