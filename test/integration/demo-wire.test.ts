import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type DemoResult, runDemo } from "../../src/demo/run-demo.js";
import { createChatModel } from "../../src/models/create-chat-model.js";
import type { RetryPolicy } from "../../src/models/retry.js";
import { runToolLoop } from "../../src/models/tool-loop.js";
import { ScriptedModel } from "../../src/sim/models/scripted-model.js";
import { startScriptedVendors } from "../../src/sim/models/scripted-vendors.js";
import type { RecordedRequest } from "../../src/sim/models/vendor-server.js";
import { REDIS_URL } from "../helpers/redis.js";

// biome-ignore lint/suspicious/noExplicitAny: wire bodies
type Body = any;

const FAST: Partial<RetryPolicy> = { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 2, deadlineMs: 5_000 };

/** A later request of the same conversation that carries an earlier answer's state back. */
const carrying = (requests: RecordedRequest[], test: (body: Body) => boolean) =>
  requests.filter((r) => test(r.body));

describe("npm run demo -- --wire", () => {
  it("plays the scenario to triad:ready through every adapter, against the strict vendor servers", {
    timeout: 120_000,
  }, async () => {
    const lines: string[] = [];
    let result: DemoResult | undefined;
    let strictAnswer: { status: number; text: string } | undefined;
    const code = await runDemo({
      wire: true,
      print: (l) => lines.push(l),
      // Real-looking keys in the environment must not send the wire demo anywhere else.
      env: { REDIS_URL, ANTHROPIC_API_KEY: "sk-ant-not-for-the-demo" },
      onFinished: async (r) => {
        result = r;
        // While the servers still run: a developer turn sent back without its thinking blocks.
        const anthropic = r.wire?.requests("anthropic") ?? [];
        const withThinking = anthropic.filter(
          (q) => q.body.model === "claude-sonnet-5-5" && q.body.messages.length > 1,
        );
        const replay = structuredClone(withThinking.at(-1)?.body);
        if (!replay) return;
        for (const m of replay.messages)
          if (m.role === "assistant") m.content = m.content.filter((b: Body) => b.type !== "thinking");
        const response = await fetch(`${r.wire?.servers.anthropic?.url}/v1/messages`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-api-key": "k",
            "anthropic-version": "2023-06-01",
          },
          body: JSON.stringify({ ...replay, stream: false }),
        });
        strictAnswer = { status: response.status, text: await response.text() };
      },
    });
    const output = lines.join("\n");
    expect(code, output).toBe(0);
    expect(output).toContain("✓ Ready: a maintainer can merge the pull request.");
    expect(output).toMatch(
      /architect\s+anthropic:claude-fable-5-2\s+Anthropic Messages at http:\/\/127\.0\.0\.1:/,
    );
    expect(output).toMatch(/reviewer 1\s+openai:gpt-6\.2-sol\s+OpenAI Responses at/);
    expect(output).toMatch(/reviewer 2\s+google:gemini-3\.8-flash\s+Gemini generateContent at/);
    const wire = result?.wire;
    if (!wire) throw new Error("no wire result");

    // Anthropic Messages: the architect and the developer, thinking blocks sent back as issued.
    const anthropic = wire.requests("anthropic");
    expect(new Set(anthropic.map((r) => r.body.model))).toEqual(
      new Set(["claude-fable-5-2", "claude-sonnet-5-5"]),
    );
    const thinkingBack = carrying(anthropic, (body) =>
      body.messages.some(
        (m: Body) =>
          m.role === "assistant" &&
          m.content[0]?.type === "thinking" &&
          typeof m.content[0].signature === "string" &&
          m.content.some((b: Body) => b.type === "tool_use"),
      ),
    );
    expect(new Set(thinkingBack.map((r) => r.body.model))).toEqual(
      new Set(["claude-fable-5-2", "claude-sonnet-5-5"]),
    );

    // OpenAI Responses: stateless, reasoning items back with their encrypted content.
    const responses = wire.requests("openai");
    expect(responses.every((r) => r.path === "/v1/responses" && r.body.store === false)).toBe(true);
    expect(responses.every((r) => r.body.include?.includes("reasoning.encrypted_content"))).toBe(true);
    expect(
      carrying(responses, (body) =>
        body.input.some((i: Body) => i.type === "reasoning" && typeof i.encrypted_content === "string"),
      ).length,
    ).toBeGreaterThan(0);

    // Gemini generateContent: function calls sent back with their thought signatures.
    const gemini = wire.requests("google");
    expect(gemini.every((r) => r.path === "/v1beta/models/gemini-3.8-flash:generateContent")).toBe(true);
    expect(
      carrying(gemini, (body) =>
        body.contents.some(
          (c: Body) =>
            c.role === "model" &&
            c.parts.some((p: Body) => p.functionCall && typeof p.thoughtSignature === "string"),
        ),
      ).length,
    ).toBeGreaterThan(0);

    // The servers are strict: the developer's last turn without its thinking blocks was refused.
    expect(strictAnswer?.status).toBe(400);
    expect(strictAnswer?.text).toContain("Expected `thinking` or `redacted_thinking`");

    // Thinking spends output tokens: every role's recorded output exceeds what its answers hold.
    const usage = result?.usage?.lines ?? [];
    const byModel = new Map(usage.map((l) => [`${l.role} ${l.vendor}:${l.model}`, l]));
    expect([...byModel.keys()].sort()).toEqual([
      "architect anthropic:claude-fable-5-2",
      "developer anthropic:claude-sonnet-5-5",
      "reviewer google:gemini-3.8-flash",
      "reviewer openai:gpt-6.2-sol",
    ]);
    for (const line of usage) {
      expect(line.costUsd, line.model).toBeGreaterThan(0);
      expect(line.outputTokens, line.model).toBeGreaterThanOrEqual(line.calls * 300);
      expect(line.cachedInputTokens, line.model).toBeGreaterThan(0);
    }
  });
});

describe("scripted models behind the vendor servers", () => {
  it("answer by the model id a request names; an id no script serves is the vendor's 404", async () => {
    const script = new ScriptedModel({ vendor: "openai", model: "gpt-6.2-sol" }, [
      { toolCalls: [{ name: "read_file", input: { path: "a.ts" } }] },
      { text: "read it" },
    ]);
    const vendors = await startScriptedVendors([{ vendor: "openai", model: script }]);
    try {
      const read: string[] = [];
      const result = await runToolLoop({
        model: createChatModel({ vendor: "openai", model: "gpt-6.2-sol" }, vendors.env, { retry: FAST }),
        system: [{ text: "contract", cache: true }],
        messages: [{ role: "user", content: "Review a.ts" }],
        tools: [
          {
            name: "read_file",
            description: "Read a file",
            input: z.object({ path: z.string() }),
            run: async ({ path }) => {
              read.push(path);
              return `contents of ${path}`;
            },
          },
        ],
        maxTurns: 3,
      });
      expect(result.finalText).toBe("read it");
      expect(read).toEqual(["a.ts"]);
      // The script saw the tool result the SDK sent, read back from the wire.
      const second = script.requests[1]?.messages.at(-1);
      expect(second).toMatchObject({
        role: "tool",
        results: [{ name: "read_file", content: "contents of a.ts" }],
      });
      const other = createChatModel({ vendor: "openai", model: "gpt-6.1-sol" }, vendors.env, { retry: FAST });
      await expect(other.chat({ system: [], messages: [{ role: "user", content: "hi" }] })).rejects.toThrow(
        /404/,
      );
    } finally {
      await vendors.close();
    }
  });
});
