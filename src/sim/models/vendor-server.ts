import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type StrictOptions, VendorRules } from "./vendor-rules.js";

/**
 * A local HTTP server that speaks the three vendors' wire formats, for tests and benchmarks that run
 * the real SDKs without the internet. Response builders produce the shapes the vendors document
 * (Anthropic Messages, OpenAI Chat Completions and Responses, Gemini generateContent), usage blocks
 * with cached tokens included. By default it is at least as strict as the vendors (vendor-rules.ts):
 * retired ids 404, refused parameters 400, thinking state that must come back, thinking that spends
 * output tokens. Anthropic streaming requests are answered as server-sent events.
 */
export type { WireApi } from "./vendor-rules.js";

import type { WireApi } from "./vendor-rules.js";

export interface RecordedRequest {
  api: WireApi;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: a wire body is whatever the SDK sent
  body: any;
  /** 0-based index of this request on the server. */
  index: number;
}

export type Reply =
  | {
      status?: number;
      headers?: Record<string, string>;
      body: unknown;
      delayMs?: number;
      /** Output tokens a thinking model spends on this answer before it (vendor-rules.ts). */
      thinkingTokens?: number;
    }
  /** Accept the request and never answer (until the server closes). */
  | { hang: true }
  /** Drop the connection without an answer. */
  | { destroy: true };

export type Handler = (request: RecordedRequest) => Reply | Promise<Reply>;

export interface VendorServer {
  /** `http://127.0.0.1:<port>` — Anthropic and Google base URL; OpenAI's is `${url}/v1`. */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

function apiOf(path: string): WireApi | undefined {
  if (path.endsWith("/messages")) return "anthropic";
  if (path.endsWith("/chat/completions")) return "openai-chat";
  if (path.endsWith("/responses")) return "openai-responses";
  if (/:(stream)?generateContent/i.test(path)) return "google";
  return undefined;
}

/**
 * Starts the server. `handler` is a function, or a list of replies served in order (the last one
 * repeats).
 */
export interface VendorServerOptions {
  /** The vendors' rules (default on); `false` serves replies as they are. */
  strict?: StrictOptions | false;
}

export async function startVendorServer(
  handler: Handler | Reply[],
  options: VendorServerOptions = {},
): Promise<VendorServer> {
  const rules = options.strict === false ? undefined : new VendorRules(options.strict);
  const requests: RecordedRequest[] = [];
  const replies = Array.isArray(handler) ? handler : undefined;
  const handle: Handler = replies
    ? (request) => replies[Math.min(request.index, replies.length - 1)] ?? { status: 500, body: {} }
    : (handler as Handler);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      void (async () => {
        const path = (req.url ?? "/").split("?")[0] ?? "/";
        const api = apiOf(path);
        const raw = Buffer.concat(chunks).toString("utf8");
        const request: RecordedRequest = {
          api: api ?? "anthropic",
          method: req.method ?? "GET",
          path,
          headers: req.headers,
          body: raw ? JSON.parse(raw) : undefined,
          index: requests.length,
        };
        requests.push(request);
        if (!api) {
          res.writeHead(404, { "content-type": "application/json" }).end('{"error":"unknown path"}');
          return;
        }
        let reply: Reply;
        const refused = rules?.check(api, path, request.body);
        try {
          reply = refused ?? (await handle(request));
        } catch (error) {
          reply = { status: 500, body: { error: { message: String(error) } } };
        }
        if (rules && !refused && "body" in reply) reply = rules.shape(api, path, request.body, reply);
        if ("hang" in reply) return;
        if ("destroy" in reply) {
          req.socket.destroy();
          return;
        }
        if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
        if (api === "anthropic" && request.body?.stream === true && (reply.status ?? 200) === 200) {
          res.writeHead(200, { "content-type": "text/event-stream", ...reply.headers });
          res.end(anthropicEvents(reply.body as AnthropicWireMessage));
          return;
        }
        const body = JSON.stringify(reply.body);
        res.writeHead(reply.status ?? 200, { "content-type": "application/json", ...reply.headers });
        res.end(body);
      })();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// Anthropic streaming: the message as the event sequence the SDK's MessageStream accumulates
// (message_start, content_block_start / _delta / _stop per block, message_delta, message_stop;
// @anthropic-ai/sdk RawMessageStreamEvent).

// biome-ignore lint/suspicious/noExplicitAny: a wire message
type AnthropicWireMessage = any;

function anthropicEvents(message: AnthropicWireMessage): string {
  const events: Array<[string, unknown]> = [];
  const { content = [], stop_reason, stop_sequence, usage, ...rest } = message;
  events.push([
    "message_start",
    {
      type: "message_start",
      message: {
        ...rest,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 1 },
      },
    },
  ]);
  for (const [index, block] of (content as AnthropicWireMessage[]).entries()) {
    if (block.type === "text") {
      events.push([
        "content_block_start",
        { type: "content_block_start", index, content_block: { type: "text", text: "", citations: null } },
      ]);
      events.push([
        "content_block_delta",
        { type: "content_block_delta", index, delta: { type: "text_delta", text: block.text } },
      ]);
    } else if (block.type === "thinking") {
      events.push([
        "content_block_start",
        {
          type: "content_block_start",
          index,
          content_block: { type: "thinking", thinking: "", signature: "" },
        },
      ]);
      if (block.thinking)
        events.push([
          "content_block_delta",
          { type: "content_block_delta", index, delta: { type: "thinking_delta", thinking: block.thinking } },
        ]);
      events.push([
        "content_block_delta",
        {
          type: "content_block_delta",
          index,
          delta: { type: "signature_delta", signature: block.signature },
        },
      ]);
    } else if (block.type === "tool_use") {
      events.push([
        "content_block_start",
        { type: "content_block_start", index, content_block: { ...block, input: {} } },
      ]);
      events.push([
        "content_block_delta",
        {
          type: "content_block_delta",
          index,
          delta: { type: "input_json_delta", partial_json: JSON.stringify(block.input ?? {}) },
        },
      ]);
    } else {
      events.push(["content_block_start", { type: "content_block_start", index, content_block: block }]);
    }
    events.push(["content_block_stop", { type: "content_block_stop", index }]);
  }
  events.push([
    "message_delta",
    {
      type: "message_delta",
      delta: { stop_reason, stop_sequence: stop_sequence ?? null },
      usage: { output_tokens: usage?.output_tokens ?? 0 },
    },
  ]);
  events.push(["message_stop", { type: "message_stop" }]);
  return events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join("");
}

// ---------------------------------------------------------------------------------------------
// Response builders

export interface FakeCall {
  id?: string;
  name: string;
  input: unknown;
}

export interface FakeUsage {
  input?: number;
  output?: number;
  /** Tokens read from the prompt cache. */
  cached?: number;
  /** Anthropic only: tokens written to the prompt cache. */
  cacheWrite?: number;
}

let counter = 0;
const nextId = (prefix: string) => `${prefix}${(++counter).toString(36).padStart(6, "0")}`;

/** Anthropic Messages API response (`type: "message"`). `usage.input` excludes cached tokens, as the API does. */
export function anthropicMessage(options: {
  text?: string;
  toolUses?: FakeCall[];
  stopReason?: string;
  model?: string;
  usage?: FakeUsage;
}) {
  const content: unknown[] = [];
  if (options.text !== undefined) content.push({ type: "text", text: options.text, citations: null });
  for (const call of options.toolUses ?? []) {
    content.push({ type: "tool_use", id: call.id ?? nextId("toolu_01"), name: call.name, input: call.input });
  }
  const u = options.usage ?? {};
  return {
    id: nextId("msg_01"),
    type: "message",
    role: "assistant",
    model: options.model ?? "claude-sonnet-4-6",
    content,
    stop_reason: options.stopReason ?? (options.toolUses?.length ? "tool_use" : "end_turn"),
    stop_sequence: null,
    usage: {
      input_tokens: u.input ?? 25,
      cache_creation_input_tokens: u.cacheWrite ?? 0,
      cache_read_input_tokens: u.cached ?? 0,
      cache_creation: { ephemeral_5m_input_tokens: u.cacheWrite ?? 0, ephemeral_1h_input_tokens: 0 },
      output_tokens: u.output ?? 12,
      service_tier: "standard",
      server_tool_use: null,
    },
  };
}

export function anthropicError(status: number, type: string, message: string) {
  return { status, body: { type: "error", error: { type, message }, request_id: nextId("req_011") } };
}

/** OpenAI Chat Completions response (`object: "chat.completion"`). `usage.input` includes cached tokens. */
export function openaiChatCompletion(options: {
  text?: string | null;
  toolCalls?: FakeCall[];
  finishReason?: string;
  model?: string;
  usage?: FakeUsage;
}) {
  const u = options.usage ?? {};
  const toolCalls = (options.toolCalls ?? []).map((call) => ({
    id: call.id ?? nextId("call_"),
    type: "function",
    function: {
      name: call.name,
      arguments: typeof call.input === "string" ? call.input : JSON.stringify(call.input),
    },
  }));
  return {
    id: nextId("chatcmpl-"),
    object: "chat.completion",
    created: 1_764_000_000,
    model: options.model ?? "gpt-5-mini-2025-08-07",
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: options.text ?? null,
          refusal: null,
          annotations: [],
          ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: options.finishReason ?? (toolCalls.length ? "tool_calls" : "stop"),
      },
    ],
    usage: {
      prompt_tokens: u.input ?? 30,
      completion_tokens: u.output ?? 10,
      total_tokens: (u.input ?? 30) + (u.output ?? 10),
      prompt_tokens_details: { cached_tokens: u.cached ?? 0, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    },
    service_tier: "default",
    system_fingerprint: null,
  };
}

/** OpenAI Responses API response (`object: "response"`). `usage.input` includes cached tokens. */
export function openaiResponse(options: {
  text?: string;
  functionCalls?: FakeCall[];
  model?: string;
  status?: "completed" | "incomplete";
  usage?: FakeUsage;
}) {
  const u = options.usage ?? {};
  const output: unknown[] = [{ id: nextId("rs_"), type: "reasoning", summary: [] }];
  if (options.text !== undefined) {
    output.push({
      id: nextId("msg_"),
      type: "message",
      status: "completed",
      role: "assistant",
      content: [{ type: "output_text", text: options.text, annotations: [], logprobs: [] }],
    });
  }
  for (const call of options.functionCalls ?? []) {
    output.push({
      id: nextId("fc_"),
      type: "function_call",
      status: "completed",
      call_id: call.id ?? nextId("call_"),
      name: call.name,
      arguments: typeof call.input === "string" ? call.input : JSON.stringify(call.input),
    });
  }
  return {
    id: nextId("resp_"),
    object: "response",
    created_at: 1_764_000_000,
    status: options.status ?? "completed",
    background: false,
    error: null,
    incomplete_details: options.status === "incomplete" ? { reason: "max_output_tokens" } : null,
    instructions: null,
    max_output_tokens: null,
    model: options.model ?? "gpt-5-codex",
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: "medium", summary: null },
    store: false,
    temperature: 1,
    text: { format: { type: "text" }, verbosity: "medium" },
    tool_choice: "auto",
    tools: [],
    top_p: 1,
    truncation: "disabled",
    usage: {
      input_tokens: u.input ?? 30,
      input_tokens_details: { cached_tokens: u.cached ?? 0 },
      output_tokens: u.output ?? 10,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: (u.input ?? 30) + (u.output ?? 10),
    },
    user: null,
    metadata: {},
  };
}

export function openaiError(status: number, type: string, message: string, code: string | null = null) {
  return { status, body: { error: { message, type, param: null, code } } };
}

/** Gemini generateContent response. `promptTokenCount` includes cached tokens. */
export function geminiResponse(options: {
  text?: string;
  functionCalls?: FakeCall[];
  finishReason?: string;
  model?: string;
  thoughtSignature?: string;
  usage?: FakeUsage;
}) {
  const u = options.usage ?? {};
  const parts: unknown[] = [];
  if (options.text !== undefined) parts.push({ text: options.text });
  for (const call of options.functionCalls ?? []) {
    parts.push({
      functionCall: { name: call.name, args: call.input, ...(call.id ? { id: call.id } : {}) },
      ...(options.thoughtSignature ? { thoughtSignature: options.thoughtSignature } : {}),
    });
  }
  return {
    candidates: [
      { content: { role: "model", parts }, finishReason: options.finishReason ?? "STOP", index: 0 },
    ],
    usageMetadata: {
      promptTokenCount: u.input ?? 30,
      candidatesTokenCount: u.output ?? 10,
      totalTokenCount: (u.input ?? 30) + (u.output ?? 10),
      ...(u.cached ? { cachedContentTokenCount: u.cached } : {}),
      promptTokensDetails: [{ modality: "TEXT", tokenCount: u.input ?? 30 }],
      thoughtsTokenCount: 0,
    },
    modelVersion: options.model ?? "gemini-2.5-flash",
    responseId: nextId("resp-"),
  };
}

export function geminiError(status: number, statusName: string, message: string, details: unknown[] = []) {
  return { status, body: { error: { code: status, message, status: statusName, details } } };
}

// ---------------------------------------------------------------------------------------------
// An honest prompt cache for the Anthropic wire format (used by the benchmark)

const approxTokens = (value: unknown) => Math.ceil(JSON.stringify(value).length / 4);

/**
 * Computes Anthropic-style usage for a Messages request from the `cache_control` breakpoints it
 * carries, the way the API documents it: the prefix (tools → system → messages) up to a breakpoint
 * is written to the cache; a later request reads the longest prefix, ending at a block boundary up to
 * 20 blocks before one of its breakpoints, that was written before. Tokens are characters / 4.
 */
export class AnthropicPromptCache {
  private readonly written = new Set<string>();

  // biome-ignore lint/suspicious/noExplicitAny: the wire body
  usageFor(body: any): { input: number; cached: number; cacheWrite: number } {
    const blocks: Array<{ block: unknown; breakpoint: boolean }> = [];
    const add = (block: unknown) =>
      blocks.push({ block, breakpoint: Boolean((block as { cache_control?: unknown })?.cache_control) });
    for (const tool of body.tools ?? []) add(tool);
    const system =
      typeof body.system === "string" ? [{ type: "text", text: body.system }] : (body.system ?? []);
    for (const block of system) add(block);
    for (const message of body.messages ?? []) {
      const content =
        typeof message.content === "string" ? [{ type: "text", text: message.content }] : message.content;
      for (const block of content)
        add({ role: message.role, ...block, cache_control: undefined, _bp: block.cache_control });
    }
    const hashes: string[] = [];
    const tokensAt: number[] = [];
    let hash = "";
    let tokens = 0;
    for (const { block } of blocks) {
      const { _bp, cache_control, ...stable } = block as Record<string, unknown>;
      hash = createHash("sha256").update(hash).update(JSON.stringify(stable)).digest("hex");
      tokens += approxTokens(stable);
      hashes.push(hash);
      tokensAt.push(tokens);
    }
    const breakpoints = blocks
      .map((b, i) => (b.breakpoint || (b.block as { _bp?: unknown })._bp ? i : -1))
      .filter((i) => i >= 0);
    let cached = 0;
    for (const bp of breakpoints) {
      for (let i = bp; i >= Math.max(0, bp - 20); i--) {
        if (this.written.has(hashes[i] ?? "")) {
          cached = Math.max(cached, tokensAt[i] ?? 0);
          break;
        }
      }
    }
    const lastBp = breakpoints.at(-1);
    let cacheWrite = 0;
    if (lastBp !== undefined) {
      const end = tokensAt[lastBp] ?? 0;
      if (!this.written.has(hashes[lastBp] ?? "")) cacheWrite = Math.max(0, end - cached);
      for (const bp of breakpoints) this.written.add(hashes[bp] ?? "");
    }
    return { input: Math.max(0, tokens - cached - cacheWrite), cached, cacheWrite };
  }
}
