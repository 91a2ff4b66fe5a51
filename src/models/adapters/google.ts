/**
 * Google adapter over `@google/genai` (the successor of the deprecated `@google/generative-ai`).
 * Gemini API (not Vertex), `generateContent`, implicit prompt caching (reported as
 * `usageMetadata.cachedContentTokenCount`).
 */
import {
  type Content,
  type GenerateContentParameters,
  type GenerateContentResponse,
  GoogleGenAI,
  type Part,
} from "@google/genai";
import { toGeminiSchema } from "../schema.js";
import type { ChatModel, ChatRequest, ChatResponse, ModelRef, ToolCall, Usage } from "../types.js";
import { type AdapterOptions, DEFAULT_MAX_OUTPUT_TOKENS } from "./common.js";
import { mapGeminiFinishReason } from "./stop-gemini.js";

export function toGeminiParams(model: string, request: ChatRequest): GenerateContentParameters {
  const contents: Content[] = [];
  const push = (role: "user" | "model", parts: Part[]) => {
    const last = contents.at(-1);
    if (last && last.role === role) last.parts?.push(...parts);
    else contents.push({ role, parts });
  };
  for (const message of request.messages) {
    if (message.role === "user") push("user", [{ text: message.content }]);
    else if (message.role === "assistant") {
      // The model's own parts go back as they came, thought signatures on text and function-call
      // parts included (ai.google.dev/gemini-api/docs/thought-signatures: Gemini 3 refuses a
      // function call sent back without its signature).
      if (message.opaque?.api === "google" && message.opaque.model === model) {
        push("model", structuredClone(message.opaque.items) as Part[]);
        continue;
      }
      const parts: Part[] = [];
      if (message.content) parts.push({ text: message.content });
      for (const call of message.toolCalls ?? []) {
        const signature = call.vendorData?.thoughtSignature;
        parts.push({
          functionCall: {
            ...(call.vendorData?.hasId ? { id: call.id } : {}),
            name: call.name,
            args: (call.input ?? {}) as Record<string, unknown>,
          },
          // Gemini 3 refuses a function call sent back without the signature it came with.
          ...(typeof signature === "string" ? { thoughtSignature: signature } : {}),
        });
      }
      if (parts.length === 0) parts.push({ text: "(no answer)" });
      push("model", parts);
    } else {
      push(
        "user",
        message.results.map((result) => ({
          functionResponse: {
            ...(result.callId.startsWith("gemini-call-") ? {} : { id: result.callId }),
            name: result.name,
            response: result.isError ? { error: result.content } : { output: result.content },
          },
        })),
      );
    }
  }
  const config: NonNullable<GenerateContentParameters["config"]> = {
    maxOutputTokens: request.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS,
  };
  if (request.system.length) {
    config.systemInstruction = { parts: request.system.map((block) => ({ text: block.text })) };
  }
  if (request.tools?.length) {
    config.tools = [
      {
        functionDeclarations: request.tools.map((tool) => ({
          name: tool.name,
          description: tool.description,
          parametersJsonSchema: toGeminiSchema(tool.inputSchema),
        })),
      },
    ];
  }
  if (request.responseFormat) {
    config.responseMimeType = "application/json";
    config.responseJsonSchema = toGeminiSchema(request.responseFormat.schema);
  }
  if (request.signal) config.abortSignal = request.signal;
  return { model, contents, config };
}

export function fromGeminiResponse(response: GenerateContentResponse, model: string): ChatResponse {
  const candidate = response.candidates?.[0];
  let text = "";
  const toolCalls: ToolCall[] = [];
  const kept: Part[] = [];
  let signed = false;
  for (const part of candidate?.content?.parts ?? []) {
    if (part.thought) continue;
    kept.push(structuredClone(part));
    if (part.thoughtSignature) signed = true;
    if (part.text) text += part.text;
    if (part.functionCall) {
      const vendorData: Record<string, unknown> = {};
      if (part.thoughtSignature) vendorData.thoughtSignature = part.thoughtSignature;
      if (part.functionCall.id) vendorData.hasId = true;
      toolCalls.push({
        // The Gemini API often sends no call id; results are then matched by name and order.
        id: part.functionCall.id ?? `gemini-call-${toolCalls.length + 1}`,
        name: part.functionCall.name ?? "",
        input: part.functionCall.args ?? {},
        ...(Object.keys(vendorData).length ? { vendorData } : {}),
      });
    }
  }
  const meta = response.usageMetadata;
  const usage: Usage = {
    inputTokens: (meta?.promptTokenCount ?? 0) + (meta?.toolUsePromptTokenCount ?? 0),
    cachedInputTokens: meta?.cachedContentTokenCount ?? 0,
    // Thinking tokens are billed as output.
    outputTokens: (meta?.candidatesTokenCount ?? 0) + (meta?.thoughtsTokenCount ?? 0),
  };
  const blocked = Boolean(response.promptFeedback?.blockReason);
  const stopReason = mapGeminiFinishReason(candidate?.finishReason, toolCalls.length > 0, blocked);
  const vendorStopReason = blocked
    ? `blocked: ${response.promptFeedback?.blockReason}`
    : candidate?.finishReason;
  return {
    text,
    toolCalls,
    stopReason,
    ...(vendorStopReason ? { vendorStopReason } : {}),
    usage,
    model: response.modelVersion ?? model,
    ...(signed ? { opaque: { api: "google" as const, model, items: kept } } : {}),
  };
}

/** `GEMINI_BASE_URL` may carry the version path (`http://host/v1beta`); the SDK wants them apart. */
export function splitGeminiBaseUrl(baseURL: string | undefined): { baseUrl?: string; apiVersion?: string } {
  if (!baseURL) return {};
  const match = /^(.*?)\/(v1(?:alpha|beta)?\d*)\/?$/.exec(baseURL);
  return match?.[1] && match[2]
    ? { baseUrl: match[1], apiVersion: match[2] }
    : { baseUrl: baseURL.replace(/\/$/, "") };
}

export class GeminiChatModel implements ChatModel {
  readonly ref: ModelRef;
  private readonly client: GoogleGenAI;

  constructor(model: string, options: AdapterOptions) {
    this.ref = { vendor: "google", model };
    const { baseUrl, apiVersion } = splitGeminiBaseUrl(options.baseURL);
    this.client = new GoogleGenAI({
      apiKey: options.apiKey,
      ...(apiVersion ? { apiVersion } : {}),
      httpOptions: {
        ...(baseUrl ? { baseUrl } : {}),
        ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
        ...(options.fetch ? { fetch: options.fetch } : {}),
        retryOptions: { attempts: 1 },
      },
    });
  }

  async chat(request: ChatRequest): Promise<ChatResponse> {
    const response = await this.client.models.generateContent(toGeminiParams(this.ref.model, request));
    return fromGeminiResponse(response, this.ref.model);
  }
}
