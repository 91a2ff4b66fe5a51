import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { TriadError } from "../../src/errors.js";
import { createChatModel } from "../../src/models/create-chat-model.js";
import type { RetryPolicy } from "../../src/models/retry.js";
import { generateStructured } from "../../src/models/structured.js";
import { runToolLoop } from "../../src/models/tool-loop.js";
import type { ToolDefinition } from "../../src/models/types.js";
import { type Reply, startVendorServer, type VendorServer } from "../../src/sim/models/vendor-server.js";
import { ALL_KITS, SIM_THINKING_TOKENS, type WireKit } from "../fixtures/models/wire-kits.js";

const FAST: Partial<RetryPolicy> = {
  maxAttempts: 4,
  baseDelayMs: 5,
  maxDelayMs: 20,
  deadlineMs: 5_000,
  attemptTimeoutMs: 2_000,
};
const verdict = z.object({ ok: z.boolean(), reason: z.string() });
const system = [{ text: "You are a test model.", cache: true }];

let server: VendorServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(
  kit: WireKit,
  replies: Reply[] | ((index: number) => Reply),
  retry: Partial<RetryPolicy> = FAST,
) {
  server = await startVendorServer(Array.isArray(replies) ? replies : (request) => replies(request.index));
  const waits: number[] = [];
  const model = createChatModel(kit.ref, kit.env(server.url), {
    retry,
    sleep: async (ms) => {
      waits.push(ms);
      await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20)));
    },
  });
  return { server, model, waits };
}

describe.each(ALL_KITS)("$name adapter against its wire format", (kit) => {
  it("returns a plain answer with usage, cached tokens included", async () => {
    const usage = { input: 1200, cached: 1000, output: 42 };
    const { model, server } = await setup(kit, [kit.answer("Hello from the model.", usage)]);
    const response = await model.chat({ system, messages: [{ role: "user", content: "Say hello." }] });
    expect(response.text).toBe("Hello from the model.");
    expect(response.stopReason).toBe("end");
    expect(response.toolCalls).toEqual([]);
    expect(response.usage).toMatchObject(kit.expectedUsage(usage));
    expect(server.requests).toHaveLength(1);
    expect(kit.lastUserText(server.requests[0] as never)).toContain("Say hello.");
  });

  it("runs a tool-call round trip with two parallel calls", async () => {
    const { model, server } = await setup(kit, [
      kit.toolCalls(
        [
          { id: "call_a", name: "read_file", input: { path: "a.ts" } },
          { id: "call_b", name: "read_file", input: { path: "b.ts" } },
        ],
        { input: 500, cached: 0, output: 30 },
      ),
      kit.answer("Both files read.", { input: 600, cached: 400, output: 8 }),
    ]);
    // Each call waits until both have started: sequential execution would never finish.
    let started = 0;
    let release: () => void = () => {};
    const bothStarted = new Promise<void>((resolve) => {
      release = resolve;
    });
    const readFile: ToolDefinition<{ path: string }> = {
      name: "read_file",
      description: "Read a file",
      input: z.object({ path: z.string() }),
      async run({ path }) {
        if (++started === 2) release();
        await Promise.race([
          bothStarted,
          new Promise((_, reject) => setTimeout(() => reject(new Error("not parallel")), 2000)),
        ]);
        return `contents of ${path}`;
      },
    };
    const result = await runToolLoop({
      model,
      system,
      messages: [{ role: "user", content: "Read a.ts and b.ts." }],
      tools: [readFile],
      maxTurns: 5,
    });
    expect(result.stopReason).toBe("final");
    expect(result.finalText).toBe("Both files read.");
    expect(result.turns).toBe(2);
    expect(result.usage.outputTokens).toBe(38 + (kit.thinks ? 2 * SIM_THINKING_TOKENS : 0));
    const sent = kit.sentToolResults(server.requests[1] as never);
    expect(sent).toEqual([
      ["call_a", "contents of a.ts"],
      ["call_b", "contents of b.ts"],
    ]);
    // The second request carries the first request's tools too.
    expect(JSON.stringify(server.requests[1]?.body)).toContain("read_file");
  });

  it("returns a structured answer through the vendor's native structured output", async () => {
    const { model, server } = await setup(kit, [kit.structured({ ok: true, reason: "tests pass" })]);
    const result = await generateStructured({
      model,
      system,
      messages: [{ role: "user", content: "Give a verdict." }],
      schema: verdict,
      name: "verdict",
    });
    expect(result.value).toEqual({ ok: true, reason: "tests pass" });
    expect(result.repaired).toBe(false);
    expect(kit.askedForStructured(server.requests[0] as never)).toBe(true);
  });

  it("repairs a malformed structured answer in one turn, showing the errors", async () => {
    const { model, server } = await setup(kit, [
      kit.malformed(),
      kit.structured({ ok: false, reason: "fixed" }),
    ]);
    const result = await generateStructured({
      model,
      system,
      messages: [{ role: "user", content: "Give a verdict." }],
      schema: verdict,
      name: "verdict",
    });
    expect(result.value).toEqual({ ok: false, reason: "fixed" });
    expect(result.repaired).toBe(true);
    expect(server.requests).toHaveLength(2);
    const repair = kit.lastUserText(server.requests[1] as never);
    expect(repair).toMatch(/could not be used as `verdict`/);
    expect(repair).toMatch(/not valid JSON|does not match the schema/);
  });

  it("fails with a final model_output_invalid when the repair is malformed too", async () => {
    const { model, server } = await setup(kit, [kit.malformed(), kit.malformed()]);
    const error = await generateStructured({
      model,
      system,
      messages: [{ role: "user", content: "Give a verdict." }],
      schema: verdict,
      name: "verdict",
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TriadError);
    expect((error as TriadError).code).toBe("model_output_invalid");
    expect((error as TriadError).kind).toBe("final");
    expect(server.requests).toHaveLength(2);
  });

  it("honours retry-after on a 429, then succeeds", async () => {
    const { model, server, waits } = await setup(kit, [
      kit.error(429, "Rate limit reached for requests", { "retry-after": "2" }),
      kit.answer("after the wait"),
    ]);
    const response = await model.chat({ system, messages: [{ role: "user", content: "hi" }] });
    expect(response.text).toBe("after the wait");
    expect(waits).toEqual([2000]);
    expect(server.requests).toHaveLength(2);
  });

  it("waits for real when retry-after-ms is short", async () => {
    server = await startVendorServer([
      kit.error(429, "slow down", { "retry-after-ms": "150" }),
      kit.answer("ok"),
    ]);
    const model = createChatModel(kit.ref, kit.env(server.url), { retry: FAST });
    const started = Date.now();
    const response = await model.chat({ system, messages: [{ role: "user", content: "hi" }] });
    expect(response.text).toBe("ok");
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
  });

  it("retries a 500, then succeeds", async () => {
    const { model, server, waits } = await setup(kit, [
      kit.error(500, "Internal error"),
      kit.answer("recovered"),
    ]);
    const response = await model.chat({ system, messages: [{ role: "user", content: "hi" }] });
    expect(response.text).toBe("recovered");
    expect(server.requests).toHaveLength(2);
    expect(waits).toHaveLength(1);
  });

  it("retries a dropped connection, then succeeds", async () => {
    const { model, server } = await setup(kit, [{ destroy: true }, kit.answer("reconnected")]);
    const response = await model.chat({ system, messages: [{ role: "user", content: "hi" }] });
    expect(response.text).toBe("reconnected");
    expect(server.requests).toHaveLength(2);
  });

  it("times out after the deadline when the server never answers", async () => {
    const { model } = await setup(kit, [{ hang: true }], {
      ...FAST,
      attemptTimeoutMs: 250,
      deadlineMs: 600,
    });
    const started = Date.now();
    const error = await model
      .chat({ system, messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(TriadError);
    expect((error as TriadError).code).toBe("timeout");
    expect((error as TriadError).kind).toBe("retryable");
    expect(elapsed).toBeGreaterThanOrEqual(500);
    expect(elapsed).toBeLessThan(2_000);
  });

  it("fails finally on a 401 with a message naming the variable to set", async () => {
    const { model, server } = await setup(kit, [kit.error(401, "invalid x-api-key"), kit.answer("never")]);
    const error = await model
      .chat({ system, messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TriadError);
    expect((error as TriadError).code).toBe("auth_failed");
    expect((error as TriadError).kind).toBe("final");
    expect((error as TriadError).message).toContain(`${kit.apiKeyEnv} is missing or invalid`);
    expect(server.requests).toHaveLength(1);
  });

  it("fails finally on a 400 without retrying", async () => {
    const { model, server } = await setup(kit, [
      kit.error(400, "Unsupported parameter: 'top_k'"),
      kit.answer("never"),
    ]);
    const error = await model
      .chat({ system, messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect((error as TriadError).code).toBe("model_request_rejected");
    expect(server.requests).toHaveLength(1);
  });
});
