import type {
  ChatMessage,
  ChatModel,
  ChatRequest,
  ChatResponse,
  ModelRef,
  Role,
  ToolCall,
  Usage,
} from "../../models/types.js";

/**
 * Scripted models play a scenario deterministically, for the demo (no API key configured) and for
 * tests of everything above the model layer. A scenario is a list of steps; each request is answered
 * by the first unused step whose matcher accepts it (a step with `repeat` is never used up).
 */
export interface StepMatcher {
  /** The system prompt contains this text (e.g. a tag such as `[triad:reviewer]`, or a contract line). */
  systemIncludes?: string;
  /** The last user message (or tool result) contains this text. */
  lastMessageIncludes?: string;
  /** The request asks for structured output of this name. */
  responseFormat?: string;
  /** The request offers a tool of this name. */
  hasTool?: string;
  /** Anything else. */
  test?: (request: ChatRequest) => boolean;
}

export interface ScriptStep {
  match?: StepMatcher;
  /** The step may answer any number of requests. */
  repeat?: boolean;
  /** A plain text answer. */
  text?: string;
  /** Tool calls (ids are assigned deterministically when absent). */
  toolCalls?: Array<{ id?: string; name: string; input: unknown }>;
  /** A structured answer: sent as its JSON text, as a vendor's structured output would be. */
  structured?: unknown;
  /** Overrides the computed usage. */
  usage?: Partial<Usage>;
}

export class ScriptExhaustedError extends Error {
  constructor(ref: ModelRef, request: ChatRequest) {
    const last = request.messages.at(-1);
    const summary = last
      ? last.role === "tool"
        ? `tool results ${last.results.map((r) => r.name).join(", ")}`
        : last.content.slice(0, 120)
      : "";
    super(
      `scripted model ${ref.vendor}:${ref.model} has no step for this request (last message: ${summary})`,
    );
    this.name = "ScriptExhaustedError";
  }
}

const approxTokens = (chars: number) => Math.ceil(chars / 4);

function messageChars(message: ChatMessage): number {
  if (message.role === "tool")
    return message.results.reduce((sum, result) => sum + result.content.length + 20, 0);
  if (message.role === "assistant")
    return message.content.length + JSON.stringify(message.toolCalls ?? []).length;
  return message.content.length;
}

function lastMessageText(request: ChatRequest): string {
  const last = request.messages.at(-1);
  if (!last) return "";
  return last.role === "tool" ? last.results.map((result) => result.content).join("\n") : last.content;
}

export function stepMatches(match: StepMatcher | undefined, request: ChatRequest): boolean {
  if (!match) return true;
  const systemText = request.system.map((block) => block.text).join("\n");
  if (match.systemIncludes !== undefined && !systemText.includes(match.systemIncludes)) return false;
  if (
    match.lastMessageIncludes !== undefined &&
    !lastMessageText(request).includes(match.lastMessageIncludes)
  )
    return false;
  if (match.responseFormat !== undefined && request.responseFormat?.name !== match.responseFormat)
    return false;
  if (match.hasTool !== undefined && !request.tools?.some((tool) => tool.name === match.hasTool))
    return false;
  if (match.test && !match.test(request)) return false;
  return true;
}

export class ScriptedModel implements ChatModel {
  readonly ref: ModelRef;
  /** Every request received, in order (tests assert over the prompts). */
  readonly requests: ChatRequest[] = [];
  private readonly used = new Set<number>();
  private readonly seenPrefixes = new Set<string>();
  private callCounter = 0;

  constructor(
    ref: ModelRef,
    private readonly steps: ScriptStep[],
  ) {
    this.ref = ref;
  }

  /** Steps not yet used (repeating steps excluded). */
  remainingSteps(): number {
    return this.steps.filter((step, i) => !step.repeat && !this.used.has(i)).length;
  }

  async chat(request: ChatRequest): Promise<ChatResponse> {
    const { signal, ...recorded } = request;
    this.requests.push(structuredClone(recorded));
    if (signal?.aborted) throw signal.reason ?? new Error("aborted");
    const index = this.steps.findIndex((step, i) => !this.used.has(i) && stepMatches(step.match, request));
    const step = this.steps[index];
    if (!step) throw new ScriptExhaustedError(this.ref, request);
    if (!step.repeat) this.used.add(index);

    const toolCalls: ToolCall[] = (step.toolCalls ?? []).map((call) => ({
      id: call.id ?? `call_${this.ref.model}_${++this.callCounter}`,
      name: call.name,
      input: structuredClone(call.input),
    }));
    const text = step.structured !== undefined ? JSON.stringify(step.structured) : (step.text ?? "");
    return {
      text,
      toolCalls,
      stopReason: toolCalls.length ? "tool_use" : "end",
      usage: { ...this.usageFor(request, text, toolCalls), ...step.usage },
      model: this.ref.model,
    };
  }

  /**
   * Plausible usage: characters / 4. The part of the system prompt up to the last `cache` block
   * counts as cached when an earlier request had the same prefix, as a vendor cache would.
   */
  private usageFor(request: ChatRequest, text: string, toolCalls: ToolCall[]): Usage {
    const systemChars = request.system.reduce((sum, block) => sum + block.text.length, 0);
    const toolChars =
      JSON.stringify(request.tools ?? []).length + JSON.stringify(request.responseFormat ?? "").length;
    const messageTotal = request.messages.reduce((sum, message) => sum + messageChars(message), 0);
    const lastCache = request.system.map((block) => Boolean(block.cache)).lastIndexOf(true);
    let cachedChars = 0;
    if (lastCache >= 0) {
      const prefix = request.system.slice(0, lastCache + 1).map((block) => block.text);
      const key = JSON.stringify(prefix);
      if (this.seenPrefixes.has(key)) cachedChars = prefix.reduce((sum, part) => sum + part.length, 0);
      this.seenPrefixes.add(key);
    }
    return {
      inputTokens: approxTokens(systemChars + toolChars + messageTotal),
      cachedInputTokens: approxTokens(cachedChars),
      outputTokens: approxTokens(text.length + JSON.stringify(toolCalls).length),
    };
  }
}

export function createScriptedModel(ref: ModelRef, steps: ScriptStep[]): ScriptedModel {
  return new ScriptedModel(ref, steps);
}

// ---------------------------------------------------------------------------------------------
// Default scripted models per role (the demo's "scripted mode")

export interface ScriptedRoleModels {
  architect: ScriptedModel;
  developer: ScriptedModel;
  reviewers: ScriptedModel[];
}

/** Refs of the scripted stand-ins: vendors differ as the real configuration's would. */
export const SCRIPTED_REFS: Record<"architect" | "developer" | "reviewerA" | "reviewerB", ModelRef> = {
  architect: { vendor: "anthropic", model: "scripted-architect" },
  developer: { vendor: "anthropic", model: "scripted-developer" },
  reviewerA: { vendor: "openai", model: "scripted-reviewer-a" },
  reviewerB: { vendor: "google", model: "scripted-reviewer-b" },
};

/**
 * A generic default scenario: the architect asks one question, then (on any later call) answers
 * with a plan; the developer lists, reads and writes a file and calls `done`; each reviewer returns
 * no findings. Structured steps match by order within the role, so they fit whatever output names
 * the phases use; pass `scenarios` to replace any role's steps with ones that match the phases'
 * schemas exactly.
 */
export function defaultScenario(): Record<Role, ScriptStep[]> {
  return {
    architect: [
      { structured: { questions: ["Should the new behaviour be behind a configuration flag?"] } },
      {
        repeat: true,
        structured: {
          plan: {
            goal: "Implement the requested change as described in the issue.",
            decisions: [
              {
                decision: "Keep the change inside the existing module.",
                alternatives: ["A new module"],
                why: "The change is small and the module already owns this behaviour.",
              },
            ],
            steps: [
              {
                title: "Add the function",
                files: ["src/feature.ts"],
                details: "Export `feature(): string`.",
              },
              { title: "Test it", files: ["test/feature.test.ts"], details: "One unit test." },
            ],
            tests: ["test/feature.test.ts: feature() returns the expected text"],
            outOfScope: ["Documentation site"],
            risks: ["None known"],
          },
        },
      },
    ],
    developer: [
      { toolCalls: [{ name: "list_files", input: { path: "" } }] },
      { toolCalls: [{ name: "read_file", input: { path: "README.md" } }] },
      {
        toolCalls: [
          {
            name: "write_file",
            input: {
              path: "src/feature.ts",
              content: 'export function feature(): string {\n  return "feature";\n}\n',
            },
          },
          {
            name: "write_file",
            input: {
              path: "test/feature.test.ts",
              content:
                'import { expect, it } from "vitest";\nimport { feature } from "../src/feature.js";\n\nit("works", () => {\n  expect(feature()).toBe("feature");\n});\n',
            },
          },
        ],
      },
      {
        repeat: true,
        toolCalls: [
          {
            name: "done",
            input: {
              summary: "Added `feature()` and its test, as planned.",
              not_covered: [],
              plan_item_status: [
                { step: 1, status: "done" },
                { step: 2, status: "done" },
              ],
            },
          },
        ],
      },
    ],
    reviewer: [{ repeat: true, structured: { findings: [], plan_compliance: [] } }],
  };
}

/** Scripted models for every role, from the default scenario or the given one. */
export function createScriptedRoleModels(
  scenarios: Partial<Record<Role, ScriptStep[]>> = {},
): ScriptedRoleModels {
  const scenario = { ...defaultScenario(), ...scenarios };
  return {
    architect: new ScriptedModel(SCRIPTED_REFS.architect, scenario.architect),
    developer: new ScriptedModel(SCRIPTED_REFS.developer, scenario.developer),
    reviewers: [
      new ScriptedModel(SCRIPTED_REFS.reviewerA, scenario.reviewer),
      new ScriptedModel(SCRIPTED_REFS.reviewerB, scenario.reviewer),
    ],
  };
}
