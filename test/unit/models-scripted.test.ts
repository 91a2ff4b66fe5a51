import { describe, expect, it } from "vitest";
import type { ChatRequest } from "../../src/models/types.js";
import {
  createScriptedRoleModels,
  ScriptExhaustedError,
  ScriptedModel,
} from "../../src/sim/models/scripted-model.js";

const ref = { vendor: "openai" as const, model: "scripted" };
const request = (system: string, last: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  system: [{ text: system, cache: true }, { text: "changing part" }],
  messages: [{ role: "user", content: last }],
  ...extra,
});

describe("ScriptedModel", () => {
  it("is deterministic: the same requests give the same answers, ids and usage", async () => {
    const play = async () => {
      const model = new ScriptedModel(ref, [
        { toolCalls: [{ name: "read_file", input: { path: "a" } }] },
        { text: "final" },
      ]);
      return [await model.chat(request("sys", "one")), await model.chat(request("sys", "two"))];
    };
    expect(await play()).toEqual(await play());
    const [first] = await play();
    expect(first?.toolCalls[0]?.id).toBe("call_scripted_1");
  });

  it("chooses steps by matcher, uses them up, and repeats `repeat` steps", async () => {
    const model = new ScriptedModel(ref, [
      { match: { systemIncludes: "[triad:reviewer]" }, repeat: true, structured: { findings: [] } },
      { match: { lastMessageIncludes: "approved" }, text: "building" },
      { match: { responseFormat: "plan" }, structured: { goal: "g" } },
      { text: "anything else" },
    ]);
    expect((await model.chat(request("x [triad:reviewer]", "review"))).text).toBe('{"findings":[]}');
    expect((await model.chat(request("x [triad:reviewer]", "again"))).text).toBe('{"findings":[]}');
    expect(
      (await model.chat(request("arch", "q", { responseFormat: { name: "plan", schema: {} } }))).text,
    ).toBe('{"goal":"g"}');
    expect((await model.chat(request("arch", "approved"))).text).toBe("building");
    expect((await model.chat(request("arch", "hm"))).text).toBe("anything else");
    await expect(model.chat(request("arch", "more"))).rejects.toBeInstanceOf(ScriptExhaustedError);
    expect(model.remainingSteps()).toBe(0);
  });

  it("records every request and reports plausible usage with a cached prefix", async () => {
    const model = new ScriptedModel(ref, [{ repeat: true, text: "ok" }]);
    const big = "x".repeat(4000);
    const a = await model.chat(request(big, "first"));
    const b = await model.chat(request(big, "second"));
    expect(model.requests.map((r) => (r.messages[0]?.role === "user" ? r.messages[0].content : ""))).toEqual([
      "first",
      "second",
    ]);
    expect(a.usage.inputTokens).toBeGreaterThan(1000);
    expect(a.usage.cachedInputTokens).toBe(0);
    expect(b.usage.cachedInputTokens).toBe(1000);
    expect(b.usage.outputTokens).toBeGreaterThan(0);
  });

  it("builds default models per role with vendor-diverse refs", async () => {
    const models = createScriptedRoleModels();
    expect(models.architect.ref.vendor).toBe(models.developer.ref.vendor);
    expect(models.reviewers.map((m) => m.ref.vendor)).toEqual(["openai", "google"]);
    const questions = await models.architect.chat(request("architect", "issue"));
    expect(JSON.parse(questions.text)).toHaveProperty("questions");
    const plan = await models.architect.chat(request("architect", "answers"));
    expect(JSON.parse(plan.text)).toHaveProperty("plan");
    const calls: string[] = [];
    for (let i = 0; i < 4; i++)
      calls.push(...(await models.developer.chat(request("dev", "go"))).toolCalls.map((c) => c.name));
    expect(calls).toEqual(["list_files", "read_file", "write_file", "write_file", "done"]);
  });
});
