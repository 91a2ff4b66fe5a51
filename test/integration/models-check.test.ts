import { afterEach, describe, expect, it } from "vitest";
import { checkModels } from "../../src/models/check.js";
import { runModelsCheck } from "../../src/models-check-cli.js";
import { ScriptedModel } from "../../src/sim/models/scripted-model.js";
import {
  anthropicError,
  anthropicMessage,
  geminiResponse,
  openaiResponse,
  type RecordedRequest,
  type Reply,
  startVendorServer,
  type VendorServer,
} from "../../src/sim/models/vendor-server.js";

/** A fake that behaves like a cooperative model: structured → {answer: 5}; tool offered → add(2, 3); else "ok". */
function cooperative(request: RecordedRequest): Reply {
  const body = request.body;
  const usage = { input: 40, cached: 0, output: 5 };
  if (request.api === "anthropic") {
    if (body.tool_choice?.type === "tool")
      return {
        body: anthropicMessage({ toolUses: [{ name: body.tool_choice.name, input: { answer: 5 } }], usage }),
      };
    const answered = JSON.stringify(body.messages).includes("tool_result");
    if (body.tools && !answered)
      return { body: anthropicMessage({ toolUses: [{ name: "add", input: { a: 2, b: 3 } }], usage }) };
    return { body: anthropicMessage({ text: answered ? "5" : "ok", usage }) };
  }
  if (request.api === "openai-responses") {
    if (body.text?.format?.type === "json_schema")
      return { body: openaiResponse({ text: '{"answer":5}', usage }) };
    const answered = body.input.some((item: { type?: string }) => item.type === "function_call_output");
    if (body.tools && !answered)
      return { body: openaiResponse({ functionCalls: [{ name: "add", input: { a: 2, b: 3 } }], usage }) };
    return { body: openaiResponse({ text: answered ? "5" : "ok", usage }) };
  }
  if (request.api === "google") {
    if (body.generationConfig?.responseMimeType === "application/json")
      return { body: geminiResponse({ text: '{"answer": 5}', usage }) };
    const answered = JSON.stringify(body.contents).includes("functionResponse");
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
  it("checks every role model: answer, tool call, structured output, latency and tokens", async () => {
    const good = await startVendorServer(cooperative);
    const badKey = await startVendorServer(() =>
      anthropicError(401, "authentication_error", "invalid x-api-key"),
    );
    servers.push(good, badKey);
    const report = await checkModels(
      {
        TRIAD_ARCHITECT_MODEL: "anthropic:claude-opus-5",
        TRIAD_DEVELOPER_MODEL: "anthropic:claude-sonnet-4-6",
        TRIAD_REVIEWER_MODELS: "openai:gpt-5.1-codex,google:gemini-2.5-pro",
        ANTHROPIC_API_KEY: "sk-ant",
        ANTHROPIC_BASE_URL: good.url,
        OPENAI_API_KEY: "sk",
        OPENAI_BASE_URL: `${good.url}/v1`,
        GEMINI_API_KEY: "AIza",
        GEMINI_BASE_URL: `${good.url}/v1beta`,
      },
      { retry: { baseDelayMs: 5, maxDelayMs: 10 } },
    );
    expect(report.warnings).toEqual([]);
    expect(report.checks.map((c) => [c.role, c.vendor, c.model, c.ok])).toEqual([
      ["architect", "anthropic", "claude-opus-5", true],
      ["developer", "anthropic", "claude-sonnet-4-6", true],
      ["reviewer", "openai", "gpt-5.1-codex", true],
      ["reviewer", "google", "gemini-2.5-pro", true],
    ]);
    for (const check of report.checks) {
      expect(check).toMatchObject({ answered: true, toolCalls: true, structured: true });
      expect(check.latencyMs).toBeGreaterThanOrEqual(0);
      expect(check.tokens.inputTokens).toBe(4 * 40); // prompt + 2 tool-loop turns + structured
      expect(check.error).toBeUndefined();
    }

    const failing = await checkModels({
      ANTHROPIC_API_KEY: "wrong",
      ANTHROPIC_BASE_URL: badKey.url,
      TRIAD_REVIEWER_MODELS: "google:gemini-2.5-flash",
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

  it("reports a model that cannot call tools or give structured output", async () => {
    const report = await checkModels(
      {},
      { createModel: (ref) => new ScriptedModel(ref, [{ repeat: true, text: "I cannot do that." }]) },
    );
    const [architect] = report.checks;
    expect(architect).toMatchObject({ answered: true, toolCalls: false, structured: false, ok: false });
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
        TRIAD_ARCHITECT_MODEL: "anthropic:claude-opus-5",
        TRIAD_DEVELOPER_MODEL: "anthropic:claude-sonnet-4-6",
        TRIAD_REVIEWER_MODELS: "google:gemini-2.5-pro",
        ANTHROPIC_API_KEY: "sk-ant",
        ANTHROPIC_BASE_URL: good.url,
        GEMINI_API_KEY: "AIza",
        GEMINI_BASE_URL: `${good.url}/v1beta`,
      },
      (line) => lines.push(line),
    );
    expect(code).toBe(0);
    expect(lines[0]).toMatch(
      /^role\s+model\s+ok\s+latency\s+tokens in\/cached\/out\s+tools\s+structured\s+error$/,
    );
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/).slice(0, 3))).toEqual([
      ["architect", "anthropic:claude-opus-5", "yes"],
      ["developer", "anthropic:claude-sonnet-4-6", "yes"],
      ["reviewer", "google:gemini-2.5-pro", "yes"],
    ]);
  });

  it("refuses a reviewer of the developer's vendor with the reason, and exits 1", async () => {
    const lines: string[] = [];
    const code = await runModelsCheck(
      {
        TRIAD_DEVELOPER_MODEL: "anthropic:claude-sonnet-4-6",
        TRIAD_REVIEWER_MODELS: "anthropic:claude-opus-5",
      },
      (line) => lines.push(line),
    );
    expect(code).toBe(1);
    expect(lines.join("\n")).toMatch(/scripted models/);
    expect(lines.join("\n")).toMatch(/own vendor/i);
  });
});
