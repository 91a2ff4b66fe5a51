import { zodResponsesFunction } from "openai/helpers/zod";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { TriadError } from "../../src/errors.js";
import { AnthropicChatModel, toAnthropicParams } from "../../src/models/adapters/anthropic.js";
import { toChatCompletionParams } from "../../src/models/adapters/openai.js";
import { budgetedModel, type SpendLine } from "../../src/models/budget.js";
import { createChatModel } from "../../src/models/create-chat-model.js";
import { runUntilFinished } from "../../src/models/finish.js";
import { classifyModelError, type RetryPolicy } from "../../src/models/retry.js";
import { isStrictCompatible, toGeminiSchema, toJsonSchema, toStrictSchema } from "../../src/models/schema.js";
import { runToolLoop } from "../../src/models/tool-loop.js";
import type { ChatMessage, ModelRef, ToolDefinition } from "../../src/models/types.js";
import { ledgerBudget, UsageLedger } from "../../src/models/usage.js";
import { ROLE_FINISH_CHECKS } from "../../src/models-check-cli.js";
import {
  AnthropicPromptCache,
  anthropicMessage,
  geminiResponse,
  openaiChatCompletion,
  openaiResponse,
  type Reply,
  startVendorServer,
  type VendorServer,
} from "../../src/sim/models/vendor-server.js";
import { ALL_KITS } from "../fixtures/models/wire-kits.js";

const FAST: Partial<RetryPolicy> = { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2, deadlineMs: 5_000 };
const system = [{ text: "You are a test model.", cache: true }];
let server: VendorServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(replies: Reply[] | ((index: number) => Reply), strict = {}) {
  server = await startVendorServer(Array.isArray(replies) ? replies : (request) => replies(request.index), {
    strict,
  });
  return server;
}

const readFile = (ran: string[] = []): ToolDefinition<{ path: string }> => ({
  name: "read_file",
  description: "Read a file",
  input: z.object({ path: z.string() }),
  run: async ({ path }) => {
    ran.push(path);
    return `contents of ${path}`;
  },
});
const anthropicEnv = (url: string) => ({ ANTHROPIC_API_KEY: "k", ANTHROPIC_BASE_URL: url });
const sonnet: ModelRef = { vendor: "anthropic", model: "claude-sonnet-5-5" };

describe("Anthropic thinking round trip", () => {
  for (const variant of ["summarized", "omitted", "redacted"] as const) {
    it(`sends ${variant} thinking blocks back byte-identical and in order`, async () => {
      const redacted = { type: "redacted_thinking", data: "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT" };
      const first = anthropicMessage({
        toolUses: [{ id: "toolu_1", name: "read_file", input: { path: "a" } }],
      });
      if (variant === "redacted") (first.content as unknown[]).unshift(redacted);
      const s = await serve([{ body: first }, { body: anthropicMessage({ text: "done" }) }]);
      const model = createChatModel(sonnet, anthropicEnv(s.url), { retry: FAST });
      const messages: ChatMessage[] = [{ role: "user", content: "read a" }];
      const result = await runToolLoop({ model, system, messages, tools: [readFile()], maxTurns: 3 });
      expect(result.finalText).toBe("done");
      const sentBack = s.requests[1]?.body.messages[1].content;
      const issued = variant === "redacted" ? [redacted] : [];
      expect(sentBack[0].type).toBe(variant === "redacted" ? "redacted_thinking" : "thinking");
      expect(sentBack.slice(0, issued.length)).toEqual(issued);
      expect(sentBack.at(-1)).toMatchObject({ type: "tool_use", id: "toolu_1" });
    });
  }

  it("display: omitted gives an empty thinking text with its signature, which must come back", async () => {
    const s = await serve([
      { body: anthropicMessage({ toolUses: [{ id: "toolu_2", name: "read_file", input: { path: "a" } }] }) },
    ]);
    const model = new AnthropicChatModel("claude-sonnet-5-5", { apiKey: "k", baseURL: s.url });
    const params = {
      ...toAnthropicParams("claude-sonnet-5-5", { system, messages: [{ role: "user", content: "x" }] }),
      thinking: { type: "adaptive", display: "omitted" },
    };
    // biome-ignore lint/suspicious/noExplicitAny: the raw wire answer
    const raw: any = await (
      await fetch(`${s.url}/v1/messages`, { method: "POST", body: JSON.stringify(params) })
    ).json();
    expect(raw.content[0]).toMatchObject({ type: "thinking", thinking: "" });
    expect(raw.content[0].signature.length).toBeGreaterThan(10);
    expect(model.ref.model).toBe("claude-sonnet-5-5");
  });

  it("the server answers 400 when the thinking blocks are missing or changed", async () => {
    const s = await serve([
      { body: anthropicMessage({ toolUses: [{ id: "toolu_3", name: "read_file", input: { path: "a" } }] }) },
    ]);
    const model = createChatModel(sonnet, anthropicEnv(s.url), { retry: FAST });
    const first = await model.chat({ system, messages: [{ role: "user", content: "x" }] });
    const without: ChatMessage[] = [
      { role: "user", content: "x" },
      { role: "assistant", content: "", toolCalls: first.toolCalls },
      { role: "tool", results: [{ callId: "toolu_3", name: "read_file", content: "a" }] },
    ];
    const error = (await model.chat({ system, messages: without }).catch((e) => e)) as TriadError;
    expect(error.code).toBe("model_request_rejected");
    expect(error.message).toMatch(/Expected `thinking` or `redacted_thinking`, but found `tool_use`/);
    const items = structuredClone(first.opaque?.items) as Array<{ type: string; thinking?: string }>;
    if (items[0]) items[0].thinking = "edited";
    const changed: ChatMessage[] = [
      without[0] as ChatMessage,
      {
        role: "assistant",
        content: "",
        toolCalls: first.toolCalls,
        opaque: { api: "anthropic", model: sonnet.model, items },
      },
      without[2] as ChatMessage,
    ];
    const edited = (await model.chat({ system, messages: changed }).catch((e) => e)) as TriadError;
    expect(edited.message).toMatch(/Invalid `signature` in `thinking` block/);
  });
});

describe("Responses reasoning items", () => {
  it("asks for encrypted_content and sends the reasoning item back under store: false", async () => {
    const s = await serve([
      {
        body: openaiResponse({ functionCalls: [{ id: "call_1", name: "read_file", input: { path: "a" } }] }),
      },
      { body: openaiResponse({ text: "done" }) },
    ]);
    const model = createChatModel(
      { vendor: "openai", model: "gpt-6.2-sol" },
      { OPENAI_API_KEY: "k", OPENAI_BASE_URL: `${s.url}/v1` },
      { retry: FAST },
    );
    const result = await runToolLoop({
      model,
      system,
      messages: [{ role: "user", content: "x" }],
      tools: [readFile()],
      maxTurns: 3,
    });
    expect(result.finalText).toBe("done");
    const [first, second] = s.requests;
    expect(first?.body).toMatchObject({ store: false, include: ["reasoning.encrypted_content"] });
    const reasoning = second?.body.input.find((item: { type?: string }) => item.type === "reasoning");
    expect(reasoning.encrypted_content).toBeTruthy();
    // without the reasoning item the server refuses the function call, as the API does
    const bare = await fetch(`${s.url}/v1/responses`, {
      method: "POST",
      body: JSON.stringify({
        ...second?.body,
        input: second?.body.input.filter((i: { type?: string }) => i.type !== "reasoning"),
      }),
    });
    expect(bare.status).toBe(400);
  });
});

describe("DeepSeek reasoning_content", () => {
  it("echoes reasoning_content on tool-call turns; without it the server answers DeepSeek's 400", async () => {
    const s = await serve([
      {
        body: openaiChatCompletion({
          toolCalls: [{ id: "call_d", name: "read_file", input: { path: "a" } }],
        }),
      },
      { body: openaiChatCompletion({ text: "done", usage: { input: 100, cached: 60, output: 5 } }) },
    ]);
    const env = { OPENAI_COMPATIBLE_API_KEY: "k", OPENAI_COMPATIBLE_BASE_URL: `${s.url}/v1` };
    const model = createChatModel({ vendor: "openai-compatible", model: "deepseek-v4-pro" }, env, {
      retry: FAST,
    });
    const result = await runToolLoop({
      model,
      system,
      messages: [{ role: "user", content: "x" }],
      tools: [readFile()],
      maxTurns: 3,
    });
    expect(result.finalText).toBe("done");
    const assistant = s.requests[1]?.body.messages.find((m: { role: string }) => m.role === "assistant");
    expect(assistant.reasoning_content).toMatch(/^Reasoning/);
    // prompt_cache_hit_tokens is read as cached input
    expect(result.usage.cachedInputTokens).toBe(60);
    const { reasoning_content: _dropped, ...stripped } = assistant;
    const body = {
      ...s.requests[1]?.body,
      messages: s.requests[1]?.body.messages.map((m: { role: string }) =>
        m.role === "assistant" ? stripped : m,
      ),
    };
    const refused = await fetch(`${s.url}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify(body),
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(
      /Missing `reasoning_content` field/,
    );
  });
});

describe("length stops", () => {
  for (const kit of ALL_KITS.filter((k) => k.thinks)) {
    it(`${kit.name}: thinking that exhausts the budget gets one larger budget, then a named error`, async () => {
      const answer = kit.answer("fits now");
      const big = (tokens: number): Reply => ({ ...(answer as { body: unknown }), thinkingTokens: tokens });
      // first: 60k thinking > 48k developer budget → retried at the cap, where it fits
      let s = await serve(() => big(60_000));
      let model = createChatModel(kit.ref, kit.env(s.url), { retry: FAST });
      const loop = {
        model,
        system,
        messages: [{ role: "user" as const, content: "x" }],
        tools: [],
        maxTurns: 3,
        role: "developer",
        outputBudget: { initial: 48_000, cap: 64_000 },
      };
      const ok = await runToolLoop(loop);
      expect(ok.finalText).toBe("fits now");
      expect(s.requests).toHaveLength(2);
      await s.close();
      // second: thinking beyond the cap → model_output_truncated naming the setting, after two calls
      s = await serve(() => big(70_000));
      model = createChatModel(kit.ref, kit.env(s.url), { retry: FAST });
      const error = (await runToolLoop({ ...loop, model }).catch((e) => e)) as TriadError;
      expect(error.code).toBe("model_output_truncated");
      expect(error.message).toMatch(/models\.output_tokens\.developer/);
      expect(s.requests).toHaveLength(2);
    });
  }

  it("a cut-off tool call is never run, and the loop does not spin to maxTurns", async () => {
    const ran: string[] = [];
    const s = await serve(() => ({
      body: anthropicMessage({ toolUses: [{ name: "read_file", input: { path: "secret-plan.md" } }] }),
      thinkingTokens: 200_000,
    }));
    const model = createChatModel(sonnet, anthropicEnv(s.url), { retry: FAST });
    const finishTool = { name: "done", description: "finish", input: z.object({ ok: z.boolean() }) };
    const error = (await runUntilFinished({
      model,
      system,
      messages: [{ role: "user", content: "x" }],
      tools: [readFile(ran)],
      finishTool,
      maxTurns: 30,
      role: "developer",
    }).catch((e) => e)) as TriadError;
    expect(error.code).toBe("model_output_truncated");
    expect(ran).toEqual([]);
    expect(s.requests.length).toBe(2);
  });
});

describe("Anthropic streaming", () => {
  it("streams when max_tokens passes the SDK's non-streaming limit, and not below it", async () => {
    const s = await serve(() => ({ body: anthropicMessage({ text: "long answer" }) }));
    const model = new AnthropicChatModel("claude-sonnet-5-5", { apiKey: "k", baseURL: s.url });
    // 60 min × max_tokens / 128,000 > 10 min ⇔ max_tokens > 21,333 (@anthropic-ai/sdk calculateNonstreamingTimeout)
    const small = await model.chat({
      system,
      messages: [{ role: "user", content: "x" }],
      maxOutputTokens: 21_333,
    });
    const large = await model.chat({
      system,
      messages: [{ role: "user", content: "x" }],
      maxOutputTokens: 64_000,
    });
    expect([small.text, large.text]).toEqual(["long answer", "long answer"]);
    expect(s.requests.map((r) => Boolean(r.body.stream))).toEqual([false, true]);
    expect(model.streamedRequests).toBe(1);
    expect(large.opaque?.items[0]).toMatchObject({ type: "thinking" });
  });
});

describe("schemas per vendor", () => {
  const tools = Object.entries(ROLE_FINISH_CHECKS).map(([role, check]) => [role, check.tool] as const);
  for (const [role, tool] of tools) {
    it(`${role}'s ${tool.name}: openai's zodResponsesFunction accepts it, it is sent strict, Gemini gets its subset`, () => {
      expect(() => zodResponsesFunction({ name: tool.name, parameters: tool.input as never })).not.toThrow();
      const sent = toStrictSchema(toJsonSchema(tool.input, "input"));
      expect(sent).toBeDefined();
      expect(isStrictCompatible(sent)).toBe(true);
      const gemini = JSON.stringify(toGeminiSchema(toJsonSchema(tool.input, "input")));
      expect(gemini).not.toMatch(/"(minLength|maxLength|exclusiveMinimum|default|\$schema)"/);
      // the sample the check asks for is valid
      expect(tool.input.safeParse(ROLE_FINISH_CHECKS[role as "architect"].sample).success).toBe(true);
    });
  }

  it("isStrictCompatible is false for default, unsupported keywords and non-object roots", () => {
    const closed = (props: Record<string, unknown>) => ({
      type: "object",
      properties: props,
      required: Object.keys(props),
      additionalProperties: false,
    });
    expect(isStrictCompatible(closed({ a: { type: "string" } }))).toBe(true);
    expect(isStrictCompatible(closed({ a: { type: "string", default: "x" } }))).toBe(false);
    expect(isStrictCompatible(closed({ a: { type: "string", minLength: 1 } }))).toBe(false);
    expect(isStrictCompatible(closed({ a: { type: "string", not: {} } }))).toBe(false);
    expect(isStrictCompatible({ type: "array", items: { type: "string" } })).toBe(false);
    expect(isStrictCompatible({ type: "object", properties: { a: { type: "string" } } })).toBe(false);
  });

  it("sends the finish tool strict on the Responses API", async () => {
    const s = await serve([{ body: openaiResponse({ text: "ok" }) }]);
    const model = createChatModel(
      { vendor: "openai", model: "gpt-6.2-sol" },
      { OPENAI_API_KEY: "k", OPENAI_BASE_URL: `${s.url}/v1` },
      { retry: FAST },
    );
    const tool = ROLE_FINISH_CHECKS.reviewer.tool;
    await model.chat({
      system,
      messages: [{ role: "user", content: "x" }],
      tools: [
        { name: tool.name, description: tool.description, inputSchema: toJsonSchema(tool.input, "input") },
      ],
    });
    expect(s.requests[0]?.body.tools[0]).toMatchObject({ name: "submit_review", strict: true });
  });
});

describe("parameters the models reject", () => {
  it("no forced tool_choice for models that refuse it; the server answers 400 where it is sent", async () => {
    const format = { name: "verdict", schema: { type: "object", properties: { ok: { type: "boolean" } } } };
    const sent = toAnthropicParams("claude-opus-5-5", {
      system,
      messages: [{ role: "user", content: "x" }],
      responseFormat: format,
    });
    expect(sent.tool_choice).toBeUndefined();
    expect(sent.output_config?.format?.type).toBe("json_schema");
    const s = await serve([{ body: anthropicMessage({ text: "{}" }) }]);
    const forced = {
      ...sent,
      tools: [{ name: "verdict", input_schema: format.schema }],
      tool_choice: { type: "tool", name: "verdict" },
    };
    const refused = await fetch(`${s.url}/v1/messages`, { method: "POST", body: JSON.stringify(forced) });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(
      /tool_choice: type "tool" and "any" are not supported/,
    );
  });

  it("max_completion_tokens for OpenAI models at an OpenAI base URL; max_tokens is refused there", async () => {
    const request = { system, messages: [{ role: "user" as const, content: "x" }], maxOutputTokens: 1000 };
    const openai = toChatCompletionParams("gpt-6.2-sol", request, {
      maxTokensParam: "max_completion_tokens",
    });
    expect(openai).toMatchObject({ max_completion_tokens: 1000 });
    expect(openai).not.toHaveProperty("max_tokens");
    const s = await serve([{ body: openaiChatCompletion({ text: "ok", model: "gpt-6.2-sol" }) }]);
    const model = createChatModel(
      { vendor: "openai-compatible", model: "gpt-6.2-sol" },
      { OPENAI_COMPATIBLE_BASE_URL: "https://api.openai.com/v1" },
      { retry: FAST, fetch: (_url, init) => fetch(`${s.url}/v1/chat/completions`, init) },
    );
    expect((await model.chat(request)).text).toBe("ok");
    expect(s.requests[0]?.body).toMatchObject({ max_completion_tokens: 1000 });
    const legacy = await fetch(`${s.url}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ ...s.requests[0]?.body, max_completion_tokens: undefined, max_tokens: 1000 }),
    });
    expect(legacy.status).toBe(400);
  });

  it("retired ids are answered 404 and classified model_not_found", async () => {
    const s = await serve([{ body: geminiResponse({ text: "never" }) }]);
    const model = createChatModel(
      { vendor: "google", model: "gemini-2.5-pro" },
      { GEMINI_API_KEY: "k", GEMINI_BASE_URL: `${s.url}/v1beta` },
      { retry: FAST },
    );
    const error = (await model
      .chat({ system, messages: [{ role: "user", content: "x" }] })
      .catch((e) => e)) as TriadError;
    expect(error.code).toBe("model_not_found");
  });
});

describe("errors named rightly", () => {
  const ref: ModelRef = { vendor: "openai", model: "gpt-6.2-sol" };
  const sdkError = (status: number, body: unknown, message = JSON.stringify(body)) =>
    Object.assign(new Error(`${status} ${message}`), { status, error: body, headers: new Headers() });
  const cases: Array<[string, unknown, string, RegExp]> = [
    [
      "Anthropic 403 permission_error",
      sdkError(403, { type: "error", error: { type: "permission_error", message: "no access" } }),
      "model_access_denied",
      /ANTHROPIC_API_KEY is valid but may not use/,
    ],
    [
      "OpenAI 403 region",
      sdkError(403, {
        error: {
          code: "unsupported_country_region_territory",
          message: "Country, region, or territory not supported",
        },
      }),
      "region_unsupported",
      /supported region/,
    ],
    [
      "Gemini bad key",
      sdkError(
        400,
        {},
        '{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"reason":"API_KEY_INVALID"}]}}',
      ),
      "auth_failed",
      /GEMINI_API_KEY is missing or invalid/,
    ],
    [
      "OpenAI 429 insufficient_quota",
      sdkError(429, {
        error: {
          code: "insufficient_quota",
          type: "insufficient_quota",
          message: "You exceeded your current quota",
        },
      }),
      "quota_exhausted",
      /no quota left/,
    ],
    [
      "context overflow",
      sdkError(400, { error: { code: "context_length_exceeded", message: "maximum context length" } }),
      "context_overflow",
      /context window/,
    ],
    ["404", sdkError(404, { error: { code: "model_not_found" } }), "model_not_found", /models list/],
  ];
  for (const [name, error, code, message] of cases) {
    it(`${name} → ${code}, final`, () => {
      const apiKeyEnv = name.startsWith("Anthropic")
        ? "ANTHROPIC_API_KEY"
        : name.startsWith("Gemini")
          ? "GEMINI_API_KEY"
          : "OPENAI_API_KEY";
      const classified = classifyModelError(error, { ref, apiKeyEnv });
      expect(classified.code).toBe(code);
      expect(classified.kind).toBe("final");
      expect(classified.message).toMatch(message);
    });
  }

  it("insufficient_quota is not retried", async () => {
    const s = await serve(() => ({
      status: 429,
      body: {
        error: {
          message: "You exceeded your current quota",
          type: "insufficient_quota",
          param: null,
          code: "insufficient_quota",
        },
      },
    }));
    const model = createChatModel(
      ref,
      { OPENAI_API_KEY: "k", OPENAI_BASE_URL: `${s.url}/v1` },
      { retry: { ...FAST, maxAttempts: 5 } },
    );
    const error = (await model
      .chat({ system, messages: [{ role: "user", content: "x" }] })
      .catch((e) => e)) as TriadError;
    expect(error.code).toBe("quota_exhausted");
    expect(s.requests).toHaveLength(1);
  });

  for (const [stop, reply, code] of [
    ["refusal", { body: anthropicMessage({ text: "", stopReason: "refusal" }) }, "model_refused"],
    [
      "context window",
      { body: anthropicMessage({ text: "", stopReason: "model_context_window_exceeded" }) },
      "context_overflow",
    ],
  ] as const) {
    it(`an Anthropic ${stop} stop is a named final error, not "answered without calling"`, async () => {
      const s = await serve([reply]);
      const model = createChatModel(sonnet, anthropicEnv(s.url), { retry: FAST });
      const error = (await runToolLoop({
        model,
        system,
        messages: [{ role: "user", content: "x" }],
        tools: [],
        maxTurns: 5,
        role: "architect",
      }).catch((e) => e)) as TriadError;
      expect(error.code).toBe(code);
      expect(error.message).toMatch(/models\.architect/);
    });
  }

  for (const [reason, code] of [
    ["SAFETY", "model_safety_stop"],
    ["MALFORMED_FUNCTION_CALL", "model_malformed_call"],
  ] as const) {
    it(`Gemini ${reason} is ${code}`, async () => {
      const s = await serve([{ body: geminiResponse({ text: "", finishReason: reason }) }]);
      const model = createChatModel(
        { vendor: "google", model: "gemini-3.8-flash" },
        { GEMINI_API_KEY: "k", GEMINI_BASE_URL: `${s.url}/v1beta` },
        { retry: FAST },
      );
      const error = (await runToolLoop({
        model,
        system,
        messages: [{ role: "user", content: "x" }],
        tools: [],
        maxTurns: 5,
        role: "reviewer",
      }).catch((e) => e)) as TriadError;
      expect(error.code).toBe(code);
    });
  }

  it("content_filter on Chat Completions is a safety stop", async () => {
    const s = await serve([{ body: openaiChatCompletion({ text: "", finishReason: "content_filter" }) }]);
    const model = createChatModel(
      { vendor: "openai-compatible", model: "my-model" },
      { OPENAI_COMPATIBLE_BASE_URL: `${s.url}/v1` },
      { retry: FAST },
    );
    const error = (await runToolLoop({
      model,
      system,
      messages: [{ role: "user", content: "x" }],
      tools: [],
      maxTurns: 5,
    }).catch((e) => e)) as TriadError;
    expect(error.code).toBe("model_safety_stop");
  });
});

describe("budgets (the model-layer half)", () => {
  it("spend of a failed attempt is recorded as it is spent, and a retry with the persisted ledger is stopped", async () => {
    const s = await serve(() => ({
      body: anthropicMessage({ text: "", usage: { input: 1000, output: 10 } }),
      thinkingTokens: 200_000,
    }));
    const persisted: SpendLine[] = [];
    const ledger = new UsageLedger();
    const inner = createChatModel(sonnet, anthropicEnv(s.url), { retry: FAST });
    const limits = { maxTokens: 150_000 };
    const model = budgetedModel(inner, {
      ledger,
      role: "reviewer",
      budget: ledgerBudget(ledger, limits),
      onSpend: { record: async (line) => void persisted.push(line) },
    });
    const finishTool = { name: "submit_review", description: "d", input: z.object({ ok: z.boolean() }) };
    const first = (await runUntilFinished({
      model,
      system,
      messages: [{ role: "user", content: "x" }],
      tools: [],
      finishTool,
      maxTurns: 5,
      role: "reviewer",
    }).catch((e) => e)) as TriadError;
    expect(first.code).toBe("model_output_truncated");
    expect(persisted.map((l) => l.stopReason)).toEqual(["max_tokens", "max_tokens"]);
    expect(persisted.reduce((n, l) => n + l.usage.outputTokens, 0)).toBeGreaterThan(0);
    // The job retry rebuilds the ledger from what was persisted: the budget already holds, no call is made.
    const again = new UsageLedger();
    for (const line of persisted) again.record(line.role, sonnet, line.usage);
    const before = s.requests.length;
    const retried = budgetedModel(inner, {
      ledger: again,
      role: "reviewer",
      budget: ledgerBudget(again, limits),
    });
    const second = (await runUntilFinished({
      model: retried,
      system,
      messages: [{ role: "user", content: "x" }],
      tools: [],
      finishTool,
      maxTurns: 5,
      role: "reviewer",
      budget: ledgerBudget(again, limits),
    }).catch((e) => e)) as TriadError;
    expect(second.code).toBe("budget_exceeded");
    expect(s.requests.length).toBe(before);
  });

  it("a finished model step is not bought twice: the checkpoint is saved, and a retry reuses it", async () => {
    const s = await serve(() => ({
      body: anthropicMessage({ toolUses: [{ name: "submit_ruling", input: { ok: true } }] }),
    }));
    const model = createChatModel(sonnet, anthropicEnv(s.url), { retry: FAST });
    let saved: { ok: boolean } | undefined;
    const checkpoint = {
      load: async () => saved,
      save: async (value: { ok: boolean }) => {
        saved = value;
      },
    };
    const options = {
      model,
      system,
      messages: [{ role: "user" as const, content: "x" }],
      tools: [],
      finishTool: { name: "submit_ruling", description: "d", input: z.object({ ok: z.boolean() }) },
      maxTurns: 3,
      role: "architect",
      checkpoint,
    };
    expect(await runUntilFinished(options)).toEqual({ ok: true });
    const calls = s.requests.length;
    expect(await runUntilFinished(options)).toEqual({ ok: true });
    expect(s.requests.length).toBe(calls);
  });
});

describe("Anthropic prompt cache with 12 parallel tool calls per turn", () => {
  it("the second anchor keeps the cached share at 80% or more from turn 3", async () => {
    const cache = new AnthropicPromptCache();
    const shares: number[] = [];
    const s = await serve(() => ({ body: {} }));
    await s.close();
    const bigSystem = [{ text: "contract ".repeat(2000), cache: true }];
    server = await startVendorServer(
      (request) => {
        const usage = cache.usageFor(request.body);
        shares.push(usage.cached / (usage.input + usage.cached + usage.cacheWrite));
        const turn = request.body.messages.filter((m: { role: string }) => m.role === "assistant").length;
        const calls = Array.from({ length: 12 }, (_, i) => ({
          id: `t${turn}_${i}`,
          name: "read_file",
          input: { path: `f${turn}_${i}` },
        }));
        return {
          body:
            turn >= 5
              ? anthropicMessage({ text: "done", usage: { ...usage, output: 10 } })
              : anthropicMessage({ toolUses: calls, usage: { ...usage, output: 10 } }),
        };
      },
      { strict: { thinkingTokens: 0 } },
    );
    const model = createChatModel(
      { vendor: "anthropic", model: "claude-haiku-4-5" },
      anthropicEnv(server.url),
      { retry: FAST },
    );
    await runToolLoop({
      model,
      system: bigSystem,
      messages: [{ role: "user", content: "x" }],
      tools: [readFile()],
      maxTurns: 8,
    });
    expect(shares.length).toBe(6);
    for (const share of shares.slice(2)) expect(share).toBeGreaterThanOrEqual(0.8);
  });
});
