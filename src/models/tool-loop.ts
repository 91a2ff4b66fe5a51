import type { z } from "zod";
import type { OutputBudget } from "./catalogue.js";
import type { Logger } from "./retry.js";
import { toToolSpec } from "./schema.js";
import { budgetFor, chatWithinBudget } from "./stops.js";
import {
  type ChatMessage,
  type ChatModel,
  type ChatResponse,
  type SystemBlock,
  type ToolCall,
  type ToolDefinition,
  ToolInputError,
  type ToolResult,
  type Usage,
} from "./types.js";
import { addUsage, emptyUsage } from "./usage.js";

/** Consulted before every model call; returns why to stop, or undefined to go on. */
export interface Budget {
  exceeded(): string | undefined;
}

/**
 * A tool whose validated input ends the loop (the developer's `done(summary, not_covered[], ...)`).
 * It has no `run`: its input is the loop's structured result.
 */
export interface FinishTool<F> {
  name: string;
  description: string;
  input: z.ZodType<F>;
}

export interface TurnInfo {
  turn: number;
  response: ChatResponse;
  toolResults: ToolResult[];
  durationMs: number;
  /** Usage summed over the loop so far, this turn included. */
  totalUsage: Usage;
}

export interface ToolLoopOptions<F = never> {
  model: ChatModel;
  system: SystemBlock[];
  messages: ChatMessage[];
  // biome-ignore lint/suspicious/noExplicitAny: tools of any input type live in one list
  tools: ToolDefinition<any>[];
  maxTurns: number;
  budget?: Budget;
  finishTool?: FinishTool<F>;
  onTurn?: (turn: TurnInfo) => void | Promise<void>;
  log?: Logger;
  /** Names the role in errors and picks its output budget (`models.output_tokens.<role>`). */
  role?: string;
  /** The first attempt's output tokens; the cap stays the catalogue's. Prefer `outputBudget`. */
  maxOutputTokens?: number;
  /** Output tokens of the first attempt and of the one retry after a length stop. */
  outputBudget?: OutputBudget;
  signal?: AbortSignal;
}

export type ToolLoopStop = "final" | "finish_tool" | "max_turns" | "budget";

export interface ToolLoopResult<F = never> {
  stopReason: ToolLoopStop;
  /** The last assistant text (the final answer when `stopReason` is `final`). */
  finalText: string;
  /** The finish tool's validated input, when the loop ended through it. */
  finish?: F;
  /** Why the budget stopped the loop. */
  budgetReason?: string;
  /** The whole conversation: the input messages, then every assistant turn and tool result. */
  transcript: ChatMessage[];
  turns: number;
  usage: Usage;
}

/** Formats zod issues for the model: one line per issue, with its path. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `- ${issue.path.length ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("\n");
}

async function runCall<F>(
  call: ToolCall,
  // biome-ignore lint/suspicious/noExplicitAny: see ToolLoopOptions.tools
  tools: Map<string, ToolDefinition<any>>,
  finishTool: FinishTool<F> | undefined,
): Promise<{ result: ToolResult; finish?: { value: F } }> {
  const error = (content: string): { result: ToolResult } => ({
    result: { callId: call.id, name: call.name, content, isError: true },
  });
  if (finishTool && call.name === finishTool.name) {
    const parsed = finishTool.input.safeParse(call.input);
    if (!parsed.success) return error(`Invalid input for ${call.name}:\n${formatIssues(parsed.error)}`);
    return { result: { callId: call.id, name: call.name, content: "ok" }, finish: { value: parsed.data } };
  }
  const tool = tools.get(call.name);
  if (!tool) {
    const names = [...tools.keys(), ...(finishTool ? [finishTool.name] : [])].join(", ");
    return error(`Unknown tool "${call.name}". Available tools: ${names}.`);
  }
  const parsed = tool.input.safeParse(call.input);
  if (!parsed.success) return error(`Invalid input for ${call.name}:\n${formatIssues(parsed.error)}`);
  try {
    return { result: { callId: call.id, name: call.name, content: await tool.run(parsed.data) } };
  } catch (thrown) {
    if (thrown instanceof ToolInputError) return error(thrown.message);
    throw thrown;
  }
}

/**
 * Runs a model with tools until it answers without calling one, calls the finish tool with valid
 * input, reaches `maxTurns` model calls, or the budget says stop (checked before every call). The
 * tool calls of one turn run in parallel; invalid input and `ToolInputError`s go back to the model as
 * error results, any other error from a tool propagates.
 */
export async function runToolLoop<F = never>(options: ToolLoopOptions<F>): Promise<ToolLoopResult<F>> {
  const { model, system, maxTurns, budget, finishTool, onTurn, log } = options;
  const tools = new Map(options.tools.map((tool) => [tool.name, tool]));
  const specs = [...options.tools.map(toToolSpec), ...(finishTool ? [toToolSpec(finishTool)] : [])];
  const transcript: ChatMessage[] = [...options.messages];
  const role = options.role ?? "model";
  const outputBudget = budgetFor(model, options.role, options);
  let usage = emptyUsage();
  let finalText = "";
  for (let turn = 1; turn <= maxTurns; turn++) {
    const reason = budget?.exceeded();
    if (reason !== undefined) {
      log?.warn(
        { model: `${model.ref.vendor}:${model.ref.model}`, turn, reason },
        "tool loop stopped by budget",
      );
      return { stopReason: "budget", budgetReason: reason, finalText, transcript, turns: turn - 1, usage };
    }
    const started = performance.now();
    // A length stop is retried once inside; a cut-off answer never reaches the transcript, so a
    // tool call whose input was cut off is never run.
    const response = await chatWithinBudget(
      model,
      {
        system,
        messages: transcript,
        ...(specs.length ? { tools: specs } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      },
      outputBudget,
      { role, budget, log },
    );
    usage = addUsage(usage, response.usage);
    finalText = response.text;
    transcript.push({
      role: "assistant",
      content: response.text,
      ...(response.toolCalls.length ? { toolCalls: response.toolCalls } : {}),
      ...(response.opaque ? { opaque: response.opaque } : {}),
    });
    const outcomes = await Promise.all(response.toolCalls.map((call) => runCall(call, tools, finishTool)));
    const toolResults = outcomes.map((outcome) => outcome.result);
    if (toolResults.length) transcript.push({ role: "tool", results: toolResults });
    const durationMs = performance.now() - started;
    log?.info(
      {
        model: `${model.ref.vendor}:${model.ref.model}`,
        turn,
        usage: response.usage,
        toolCalls: response.toolCalls.map((call) => call.name),
        errors: toolResults.filter((result) => result.isError).length,
        ms: Math.round(durationMs),
      },
      "model turn",
    );
    await onTurn?.({ turn, response, toolResults, durationMs, totalUsage: usage });
    const finish = outcomes.find((outcome) => outcome.finish)?.finish;
    if (finish)
      return { stopReason: "finish_tool", finish: finish.value, finalText, transcript, turns: turn, usage };
    if (response.toolCalls.length === 0)
      return { stopReason: "final", finalText, transcript, turns: turn, usage };
  }
  return { stopReason: "max_turns", finalText, transcript, turns: maxTurns, usage };
}
