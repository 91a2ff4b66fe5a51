import { afterEach, describe, expect, it } from "vitest";
import { checkModels } from "../../src/models/check.js";
import { ROLE_FINISH_CHECKS, runModelsCheck } from "../../src/models-check-cli.js";
import { ScriptedModel } from "../../src/sim/models/scripted-model.js";
import {
  anthropicError,
  anthropicMessage,
  geminiResponse,
  openaiChatCompletion,
  openaiError,
  openaiResponse,
  type RecordedRequest,
  type Reply,
  startVendorServer,
  type VendorServer,
} from "../../src/sim/models/vendor-server.js";

/** What a cooperative model does: "Call the `X` tool … input:\n{json}" → calls X; a tool offered → add(2, 3); else "ok". */
function cooperative(request: RecordedRequest): Reply {
  const body = request.body;
  const usage = { input: 40, cached: 0, output: 5 };
  const text = JSON.stringify(body);
  const finish = /Call the `(\w+)` tool now with exactly this input, and nothing else:\\n(\{.*?\})"/.exec(
    text,
  );
  const call =
    finish?.[1] && finish[2]
      ? { name: finish[1], input: JSON.parse(finish[2].replace(/\\"/g, '"')) }
      : undefined;
  if (request.api === "anthropic") {
    const answered = text.includes("tool_result");
    if (call && !answered) return { body: anthropicMessage({ toolUses: [call], usage }) };
    if (body.tools && !answered)
      return { body: anthropicMessage({ toolUses: [{ name: "add", input: { a: 2, b: 3 } }], usage }) };
    return { body: anthropicMessage({ text: answered ? "5" : "ok", usage }) };
  }
  if (request.api === "openai-responses") {
    const answered = body.input.some((item: { type?: string }) => item.type === "function_call_output");
    if (call && !answered) return { body: openaiResponse({ functionCalls: [call], usage }) };
    if (body.tools && !answered)
      return { body: openaiResponse({ functionCalls: [{ name: "add", input: { a: 2, b: 3 } }], usage }) };
    return { body: openaiResponse({ text: answered ? "5" : "ok", usage }) };
  }
  if (request.api === "openai-chat") {
    // A tools-only server: no json_schema response format.
    if (body.response_format)
      return openaiError(400, "response_format is not supported", "invalid_request_error");
    const answered = body.messages.some((m: { role: string }) => m.role === "tool");
    if (call && !answered) return { body: openaiChatCompletion({ toolCalls: [call], usage }) };
    if (body.tools && !answered)
      return { body: openaiChatCompletion({ toolCalls: [{ name: "add", input: { a: 2, b: 3 } }], usage }) };
    return { body: openaiChatCompletion({ text: answered ? "5" : "ok", usage }) };
  }
  if (request.api === "google") {
    const answered = text.includes("functionResponse");
    if (call && !answered) return { body: geminiResponse({ functionCalls: [call], usage }) };
    if (body.tools && !answered)
      return { body: geminiResponse({ functionCalls: [{ name: "add", input: { a: 2, b: 3 } }], usage }) };
    return { body: geminiResponse({ text: answered ? "5" : "ok", usage }) };
  }
  return { status: 404, body: {} };
}

let servers: VendorServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

describe("checkModels", () => {
  it("thinking models pass at their catalogue budgets, each role's real finish tool included", async () => {
    // The strict servers' thinking models spend 20,000 output tokens before answering: a 256- or
    // 512-token budget would stop every call for length with no answer.
    const good = await startVendorServer(cooperative, { strict: { thinkingTokens: 20_000 } });
    const badKey = await startVendorServer(() =>
      anthropicError(401, "authentication_error", "invalid x-api-key"),
    );
    servers.push(good, badKey);
    const report = await checkModels(
      {
        ANTHROPIC_API_KEY: "sk-ant",
        ANTHROPIC_BASE_URL: good.url,
        OPENAI_API_KEY: "sk",
        OPENAI_BASE_URL: `${good.url}/v1`,
        GEMINI_API_KEY: "AIza",
        GEMINI_BASE_URL: `${good.url}/v1beta`,
      },
      { retry: { baseDelayMs: 5, maxDelayMs: 10 }, finishTools: ROLE_FINISH_CHECKS },
    );
    expect(report.warnings).toEqual([]);
    expect(report.checks.map((c) => [c.role, c.vendor, c.model, c.ok, c.error])).toEqual([
      ["architect", "anthropic", "claude-fable-5-2", true, undefined],
      ["developer", "anthropic", "claude-sonnet-5-5", true, undefined],
      ["reviewer", "openai", "gpt-6.2-sol", true, undefined],
      ["reviewer", "google", "gemini-3.8-flash", true, undefined],
    ]);
    for (const check of report.checks) {
      expect(check).toMatchObject({ answered: true, toolCalls: true, finish: true, structured: undefined });
      expect(check.maxOutputTokens).toBeGreaterThan(20_000);
      // prompt + 2 tool-loop turns + the finish call, each with its thinking
      expect(check.tokens.outputTokens).toBe(4 * (5 + 20_000));
    }
    const finishCalls = good.requests.filter((r) => JSON.stringify(r.body).includes("submit_review"));
    expect(finishCalls.length).toBeGreaterThan(0);

    const failing = await checkModels({
      ANTHROPIC_API_KEY: "wrong",
      ANTHROPIC_BASE_URL: badKey.url,
      TRIAD_REVIEWER_MODELS: "google:gemini-3.8-flash",
    });
    const architect = failing.checks[0];
    expect(architect).toMatchObject({
      role: "architect",
      ok: false,
      errorCode: "auth_failed",
      answered: false,
    });
    expect(architect?.error).toContain("ANTHROPIC_API_KEY is missing or invalid");
    // No Gemini key: reported per role, not thrown.
    expect(failing.checks[2]).toMatchObject({ role: "reviewer", ok: false, errorCode: "auth_failed" });
    expect(failing.checks[2]?.error).toContain("GEMINI_API_KEY");
  });

  it("passes a tools-only server (no json_schema), and reports a model that cannot call tools", async () => {
    const toolsOnly = await startVendorServer(cooperative);
    servers.push(toolsOnly);
    const local = await checkModels(
      {
        TRIAD_DEVELOPER_MODEL: "openai-compatible:my-local-coder",
        TRIAD_REVIEWER_MODELS: "google:gemini-3.8-flash",
        OPENAI_COMPATIBLE_BASE_URL: `${toolsOnly.url}/v1`,
        GEMINI_API_KEY: "AIza",
        GEMINI_BASE_URL: `${toolsOnly.url}/v1beta`,
        ANTHROPIC_API_KEY: "sk-ant",
        ANTHROPIC_BASE_URL: toolsOnly.url,
      },
      { finishTools: ROLE_FINISH_CHECKS },
    );
    expect(local.checks[1]).toMatchObject({
      model: "my-local-coder",
      ok: true,
      toolCalls: true,
      finish: true,
    });

    const report = await checkModels(
      {},
      { createModel: (ref) => new ScriptedModel(ref, [{ repeat: true, text: "I cannot do that." }]) },
    );
    const [architect] = report.checks;
    expect(architect).toMatchObject({ answered: true, toolCalls: false, ok: false });
    expect(architect?.errorCode).toBeUndefined();
    expect(architect?.error).toMatch(/did not call the add tool/);
  });
});

describe("triad models check (the command)", () => {
  it("prints one row per role and exits 0 when every model works", async () => {
    const good = await startVendorServer(cooperative);
    servers.push(good);
    const lines: string[] = [];
    const code = await runModelsCheck(
      {
        TRIAD_REVIEWER_MODELS: "google:gemini-3.8-flash",
        ANTHROPIC_API_KEY: "sk-ant",
        ANTHROPIC_BASE_URL: good.url,
        GEMINI_API_KEY: "AIza",
        GEMINI_BASE_URL: `${good.url}/v1beta`,
      },
      (line) => lines.push(line),
    );
    expect(code).toBe(0);
    expect(lines[0]).toMatch(
      /^role\s+model\s+ok\s+max out\s+latency\s+tokens in\/cached\/out\s+answer\s+tools\s+finish\s+error$/,
    );
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/).slice(0, 4))).toEqual([
      ["architect", "anthropic:claude-fable-5-2", "yes", "32000"],
      ["developer", "anthropic:claude-sonnet-5-5", "yes", "48000"],
      ["reviewer", "google:gemini-3.8-flash", "yes", "32000"],
    ]);
  });

  it("refuses a reviewer of the developer's vendor with the reason, and exits 1", async () => {
    const lines: string[] = [];
    const code = await runModelsCheck(
      {
        TRIAD_DEVELOPER_MODEL: "anthropic:claude-sonnet-5-5",
        TRIAD_REVIEWER_MODELS: "anthropic:claude-opus-5-5",
      },
      (line) => lines.push(line),
    );
    expect(code).toBe(1);
    expect(lines.join("\n")).toMatch(/scripted models/);
    expect(lines.join("\n")).toMatch(/own vendor/i);
  });
});
