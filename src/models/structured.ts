import type { z } from "zod";
import { TriadError } from "../errors.js";
import type { OutputBudget } from "./catalogue.js";
import type { Logger } from "./retry.js";
import { extractJson, toJsonSchema } from "./schema.js";
import { budgetFor, chatWithinBudget } from "./stops.js";
import { type Budget, formatIssues } from "./tool-loop.js";
import type { ChatMessage, ChatModel, ChatResponse, SystemBlock, Usage } from "./types.js";
import { addUsage, emptyUsage } from "./usage.js";

export interface StructuredOptions<T> {
  model: ChatModel;
  system: SystemBlock[];
  messages: ChatMessage[];
  schema: z.ZodType<T>;
  /** Names the output for the vendor (tool / schema name): letters, digits, `_` and `-`. */
  name: string;
  budget?: Budget;
  /** Names the role in errors and picks its output budget. */
  role?: string;
  maxOutputTokens?: number;
  outputBudget?: OutputBudget;
  signal?: AbortSignal;
  log?: Logger;
}

export interface StructuredResult<T> {
  value: T;
  /** True when the first answer was invalid and the repair turn fixed it. */
  repaired: boolean;
  usage: Usage;
  /** The last raw response. */
  response: ChatResponse;
}

type Check<T> = { ok: true; value: T } | { ok: false; problem: string };

function check<T>(schema: z.ZodType<T>, text: string): Check<T> {
  let json: unknown;
  try {
    json = extractJson(text);
  } catch (error) {
    return { ok: false, problem: `The answer is not valid JSON (${(error as Error).message}).` };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, problem: `The JSON does not match the schema:\n${formatIssues(parsed.error)}` };
}

/**
 * Asks for a JSON answer matching a zod schema, through the vendor's native structured output
 * (the adapters map `responseFormat`), validates it, gives the model ONE repair turn that shows
 * the validation errors, and then fails with a final `model_output_invalid`.
 */
export async function generateStructured<T>(options: StructuredOptions<T>): Promise<StructuredResult<T>> {
  const { model, system, schema, name, budget, log } = options;
  const responseFormat = { name, schema: toJsonSchema(schema, "output") };
  const messages = [...options.messages];
  let usage = emptyUsage();
  let problem = "";
  for (let attempt = 1; attempt <= 2; attempt++) {
    const reason = budget?.exceeded();
    if (reason !== undefined) throw new TriadError("budget_exceeded", reason);
    const response = await chatWithinBudget(
      model,
      { system, messages, responseFormat, ...(options.signal ? { signal: options.signal } : {}) },
      budgetFor(model, options.role, options),
      { role: options.role ?? "model", budget, log },
    );
    usage = addUsage(usage, response.usage);
    const result = check(schema, response.text);
    if (result.ok) return { value: result.value, repaired: attempt > 1, usage, response };
    problem = result.problem;
    log?.warn(
      { model: `${model.ref.vendor}:${model.ref.model}`, name, attempt, problem },
      "structured output invalid",
    );
    messages.push(
      { role: "assistant", content: response.text, ...(response.opaque ? { opaque: response.opaque } : {}) },
      {
        role: "user",
        content:
          `Your answer could not be used as \`${name}\`. ${problem}\n\n` +
          "Answer again with only the corrected JSON value that matches the schema.",
      },
    );
  }
  throw new TriadError(
    "model_output_invalid",
    `${model.ref.vendor}:${model.ref.model} gave no valid \`${name}\` after one repair turn. ${problem}`,
  );
}
