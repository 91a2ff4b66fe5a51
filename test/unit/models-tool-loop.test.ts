import { describe, expect, it } from "vitest";
import { z } from "zod";
import { TriadError } from "../../src/errors.js";
import { generateStructured } from "../../src/models/structured.js";
import { runToolLoop, type TurnInfo } from "../../src/models/tool-loop.js";
import { type ToolDefinition, ToolInputError } from "../../src/models/types.js";
import { ledgerBudget, meteredModel, UsageLedger } from "../../src/models/usage.js";
import { ScriptedModel } from "../../src/sim/models/scripted-model.js";

const ref = { vendor: "anthropic" as const, model: "scripted" };
const system = [{ text: "contract", cache: true }];
const readFile: ToolDefinition<{ path: string }> = {
  name: "read_file",
  description: "Read a file",
  input: z.object({ path: z.string() }),
  async run({ path }) {
    if (path.includes("..")) throw new ToolInputError(`path ${path} leaves the repository`);
    return `contents of ${path}`;
  },
};
const forever = (name = "read_file") => ({ repeat: true, toolCalls: [{ name, input: { path: "a.ts" } }] });

describe("runToolLoop", () => {
  it("stops at the turn limit", async () => {
    const model = new ScriptedModel(ref, [forever()]);
    const result = await runToolLoop({
      model,
      system,
      messages: [{ role: "user", content: "go" }],
      tools: [readFile],
      maxTurns: 3,
    });
    expect(result.stopReason).toBe("max_turns");
    expect(result.turns).toBe(3);
    expect(model.requests).toHaveLength(3);
    // user, then (assistant + tool results) per turn
    expect(result.transcript).toHaveLength(1 + 3 * 2);
  });

  it("checks the budget before every call, the first one included", async () => {
    const ledger = new UsageLedger();
    const model = meteredModel(new ScriptedModel(ref, [forever()]), ledger, "developer");
    const budget = ledgerBudget(ledger, { maxTokens: 60 });
    const turns: TurnInfo[] = [];
    const result = await runToolLoop({
      model,
      system,
      messages: [{ role: "user", content: "go" }],
      tools: [readFile],
      maxTurns: 50,
      budget,
      onTurn: (turn) => {
        turns.push(turn);
      },
    });
    expect(result.stopReason).toBe("budget");
    expect(result.budgetReason).toMatch(/token budget reached/);
    expect(result.turns).toBe(turns.length);
    expect(result.turns).toBeGreaterThan(0);
    expect(result.turns).toBeLessThan(50);
    const spent = ledger.totals();
    expect(spent.inputTokens + spent.outputTokens).toBeGreaterThanOrEqual(60);
    expect(result.usage.inputTokens).toBe(spent.inputTokens);

    const never = new ScriptedModel(ref, [forever()]);
    const stopped = await runToolLoop({
      model: never,
      system,
      messages: [{ role: "user", content: "go" }],
      tools: [readFile],
      maxTurns: 5,
      budget: { exceeded: () => "no money left" },
    });
    expect(stopped).toMatchObject({ stopReason: "budget", turns: 0, budgetReason: "no money left" });
    expect(never.requests).toHaveLength(0);
  });

  it("returns invalid input, unknown tools and ToolInputErrors to the model as error results", async () => {
    const model = new ScriptedModel(ref, [
      {
        toolCalls: [
          { id: "1", name: "read_file", input: { file: "a.ts" } },
          { id: "2", name: "read_file", input: { path: "../etc/passwd" } },
          { id: "3", name: "delete_everything", input: {} },
          { id: "4", name: "read_file", input: { path: "ok.ts" } },
        ],
      },
      { text: "done" },
    ]);
    const result = await runToolLoop({
      model,
      system,
      messages: [{ role: "user", content: "go" }],
      tools: [readFile],
      maxTurns: 5,
    });
    expect(result.stopReason).toBe("final");
    expect(result.finalText).toBe("done");
    const toolMessage = model.requests[1]?.messages.at(-1);
    expect(toolMessage?.role).toBe("tool");
    const results = toolMessage?.role === "tool" ? toolMessage.results : [];
    expect(results.map((r) => [r.callId, Boolean(r.isError)])).toEqual([
      ["1", true],
      ["2", true],
      ["3", true],
      ["4", false],
    ]);
    expect(results[0]?.content).toMatch(/Invalid input for read_file:\n- path: /);
    expect(results[1]?.content).toBe("path ../etc/passwd leaves the repository");
    expect(results[2]?.content).toMatch(/Unknown tool "delete_everything". Available tools: read_file/);
    expect(results[3]?.content).toBe("contents of ok.ts");
  });

  it("lets other tool errors propagate", async () => {
    const broken: ToolDefinition<Record<string, never>> = {
      name: "broken",
      description: "fails",
      input: z.object({}),
      run: async () => {
        throw new Error("disk on fire");
      },
    };
    const model = new ScriptedModel(ref, [{ toolCalls: [{ name: "broken", input: {} }] }]);
    await expect(
      runToolLoop({
        model,
        system,
        messages: [{ role: "user", content: "go" }],
        tools: [broken],
        maxTurns: 2,
      }),
    ).rejects.toThrow("disk on fire");
  });

  it("ends through a finish tool whose input is validated", async () => {
    const done = {
      name: "done",
      description: "Finish",
      input: z.object({
        summary: z.string(),
        not_covered: z.array(z.string()),
        plan_steps: z.array(z.string()),
      }),
    };
    const model = new ScriptedModel(ref, [
      { toolCalls: [{ name: "done", input: { summary: "x" } }] },
      {
        toolCalls: [
          { name: "read_file", input: { path: "a.ts" } },
          { name: "done", input: { summary: "built it", not_covered: [], plan_steps: ["1"] } },
        ],
      },
    ]);
    const result = await runToolLoop({
      model,
      system,
      messages: [{ role: "user", content: "go" }],
      tools: [readFile],
      finishTool: done,
      maxTurns: 5,
    });
    expect(result.stopReason).toBe("finish_tool");
    expect(result.finish).toEqual({ summary: "built it", not_covered: [], plan_steps: ["1"] });
    expect(result.turns).toBe(2);
    // The first, invalid `done` went back to the model with the issues.
    const first = model.requests[1]?.messages.at(-1);
    expect(first?.role === "tool" && first.results[0]?.content).toMatch(/Invalid input for done:/);
    // The finish tool is offered to the model like any other tool.
    expect(model.requests[0]?.tools?.map((t) => t.name)).toEqual(["read_file", "done"]);
    expect(model.requests[0]?.tools?.[1]?.inputSchema).toMatchObject({
      type: "object",
      required: ["summary", "not_covered", "plan_steps"],
    });
  });
});

describe("generateStructured", () => {
  const schema = z.object({ answer: z.number() });

  it("repairs once with the validation errors, then gives a final error", async () => {
    const model = new ScriptedModel(ref, [
      { text: '```json\n{"answer": "five"}\n```' },
      { structured: { answer: 5 } },
    ]);
    const ok = await generateStructured({
      model,
      system,
      messages: [{ role: "user", content: "2+3?" }],
      schema,
      name: "sum",
    });
    expect(ok).toMatchObject({ value: { answer: 5 }, repaired: true });
    const repair = model.requests[1]?.messages.at(-1);
    expect(repair?.role === "user" && repair.content).toMatch(/- answer: Invalid input: expected number/);
    expect(model.requests[0]?.responseFormat).toEqual({
      name: "sum",
      schema: expect.objectContaining({ type: "object", required: ["answer"] }),
    });

    const bad = new ScriptedModel(ref, [{ repeat: true, text: "no idea" }]);
    const error = await generateStructured({
      model: bad,
      system,
      messages: [{ role: "user", content: "?" }],
      schema,
      name: "sum",
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TriadError);
    expect((error as TriadError).code).toBe("model_output_invalid");
    expect(bad.requests).toHaveLength(2);
  });

  it("refuses to call over budget", async () => {
    const model = new ScriptedModel(ref, [{ structured: { answer: 1 } }]);
    await expect(
      generateStructured({
        model,
        system,
        messages: [],
        schema,
        name: "sum",
        budget: { exceeded: () => "over" },
      }),
    ).rejects.toMatchObject({ code: "budget_exceeded" });
  });
});
