import { TriadError } from "../errors.js";
import { costFor } from "./prices.js";
import type { Budget } from "./tool-loop.js";
import type { ChatModel, ChatRequest, ChatResponse, ModelRef, Role, Usage } from "./types.js";
import type { UsageLedger } from "./usage.js";

/** One model call's spend, as it is spent. */
export interface SpendLine {
  role: Role | string;
  vendor: ModelRef["vendor"];
  model: string;
  usage: Usage;
  /** USD at catalogue prices; undefined for an unpriced model. */
  costUsd: number | undefined;
  /** ISO time of the answer. */
  at: string;
  /**
   * Why the answer stopped. A `max_tokens` answer is dropped by the tool loop, but its tokens were
   * bought all the same and count against the budget.
   */
  stopReason: ChatResponse["stopReason"];
  /** The tools the answer called, with their input as the model wrote it (for `/triad log`). */
  toolCalls: Array<{ name: string; input: unknown }>;
  /** How long the call took, retries inside the model layer included. */
  durationMs: number;
}

/**
 * Where spend goes the moment it is spent: the step runner persists each line (e.g. appends it to the
 * workflow state's ledger) so a retried job starts from what was really spent, failed attempts
 * included. `record` is awaited before the model's answer is used.
 */
export interface SpendSink {
  record(line: SpendLine): Promise<void>;
}

export interface BudgetedModelOptions {
  /** Spend so far (e.g. `UsageLedger.fromJSON(state.usage)`); every call is added to it. */
  ledger: UsageLedger;
  role: Role | string;
  /** Checked before every call; a reason means the call is not made. */
  budget?: Budget | undefined;
  onSpend?: SpendSink | undefined;
  now?: () => Date;
}

/**
 * A `ChatModel` that is checked against the workflow budget before every call and records every
 * call's tokens in the ledger and the sink as soon as the vendor answers (each attempt the tool loop
 * makes, a length-stopped or invalid one included). Put it outside the retry layer: a failed HTTP
 * attempt is not billed by the vendors and reports no usage.
 */
export function budgetedModel(model: ChatModel, options: BudgetedModelOptions): ChatModel {
  const now = options.now ?? (() => new Date());
  return {
    ref: model.ref,
    get configuredOutputTokens() {
      return model.configuredOutputTokens;
    },
    async chat(request: ChatRequest): Promise<ChatResponse> {
      const reason = options.budget?.exceeded();
      if (reason !== undefined) {
        throw new TriadError("budget_exceeded", `the ${options.role} stopped before a model call: ${reason}`);
      }
      const started = performance.now();
      const response = await model.chat(request);
      const durationMs = Math.round(performance.now() - started);
      const costUsd = costFor(model.ref, response.usage);
      options.ledger.record(options.role, model.ref, response.usage);
      await options.onSpend?.record({
        role: options.role,
        vendor: model.ref.vendor,
        model: model.ref.model,
        usage: response.usage,
        costUsd,
        at: now().toISOString(),
        stopReason: response.stopReason,
        toolCalls: response.toolCalls.map((c) => ({ name: c.name, input: c.input })),
        durationMs,
      });
      return response;
    },
  };
}
