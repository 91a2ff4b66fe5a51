import { TriadError } from "../errors.js";
import { type OutputBudget, outputBudget } from "./catalogue.js";
import type { Logger } from "./retry.js";
import type { Budget } from "./tool-loop.js";
import type { ChatModel, ChatRequest, ChatResponse, Role } from "./types.js";

/** Roles budget by their name; anything else (a check, a bench) budgets like a reviewer. */
export function asRole(role: string | undefined): Role {
  return role === "architect" || role === "developer" || role === "reviewer" ? role : "reviewer";
}

/** The output budget of a call: explicit, else the repository's `models.output_tokens`, else the catalogue's. */
export function budgetFor(
  model: ChatModel,
  role: string | undefined,
  explicit?: { outputBudget?: OutputBudget | undefined; maxOutputTokens?: number | undefined },
): OutputBudget {
  if (explicit?.outputBudget) return explicit.outputBudget;
  return outputBudget(model.ref, asRole(role), explicit?.maxOutputTokens ?? model.configuredOutputTokens);
}

const who = (model: ChatModel) => `${model.ref.vendor}:${model.ref.model}`;

/** The named final error for a stop that no retry or repair turn changes. */
export function stopError(model: ChatModel, role: string, response: ChatResponse): TriadError | undefined {
  const said = response.vendorStopReason ? ` (${response.vendorStopReason})` : "";
  const setting = `models.${role === "reviewer" ? "reviewers" : role}`;
  switch (response.stopReason) {
    case "refusal":
      return new TriadError(
        "model_refused",
        `the ${role} model ${who(model)} refused to answer${said}. Rephrase the issue or its comments, or choose another model in .github/triad.yml (${setting}).`,
      );
    case "context_overflow":
      return new TriadError(
        "context_overflow",
        `the ${role}'s conversation outgrew the context window of ${who(model)}${said}. Split the issue into smaller ones, or choose a model with a larger window (${setting}).`,
      );
    case "safety":
      return new TriadError(
        "model_safety_stop",
        `a safety filter of ${who(model)} stopped the ${role}'s answer${said}. Check the issue for content the vendor blocks, or choose another model (${setting}).`,
      );
    case "malformed_tool_call":
      return new TriadError(
        "model_malformed_call",
        `${who(model)} wrote a tool call its API could not parse${said}, so the ${role} cannot go on. /triad retry, or choose another model (${setting}).`,
      );
    default:
      return undefined;
  }
}

export interface BoundedCallOptions {
  role: string;
  budget?: Budget | undefined;
  log?: Logger | undefined;
}

/**
 * One model call within the role's output budget. A stop for length is retried once at the budget's
 * cap; the cut-off answer is dropped (its tool calls are never run, its tokens are still billed and
 * recorded by the metering wrappers). A second length stop, a refusal, a context overflow, a safety
 * stop or a malformed call is a named final error that says what to change.
 */
export async function chatWithinBudget(
  model: ChatModel,
  request: ChatRequest,
  budget: OutputBudget,
  options: BoundedCallOptions,
): Promise<ChatResponse> {
  let limit = budget.initial;
  for (let attempt = 1; ; attempt++) {
    // The caller checks the budget before the first attempt; the retry is checked here.
    const reason = attempt > 1 ? options.budget?.exceeded() : undefined;
    if (reason !== undefined)
      throw new TriadError("budget_exceeded", `the ${options.role} stopped: ${reason}`);
    const response = await model.chat({ ...request, maxOutputTokens: limit });
    if (response.stopReason !== "max_tokens") {
      const final = stopError(model, options.role, response);
      if (final) throw final;
      return response;
    }
    const cut = response.toolCalls.map((call) => call.name);
    if (attempt === 1 && budget.cap > limit) {
      options.log?.warn(
        {
          model: who(model),
          role: options.role,
          maxOutputTokens: limit,
          retryWith: budget.cap,
          cutToolCalls: cut,
        },
        "model stopped at its output budget; retrying once with a larger one",
      );
      limit = budget.cap;
      continue;
    }
    const atCap = limit >= budget.cap;
    throw new TriadError(
      "model_output_truncated",
      `the ${options.role} model ${who(model)} stopped at its output limit of ${limit} tokens${
        attempt > 1 ? ` (after a first attempt at ${budget.initial})` : ""
      }, thinking included${cut.length ? `, in the middle of ${cut.join(", ")}` : ""}; nothing it wrote was used. ${
        atCap && limit >= budget.cap
          ? `Raise models.output_tokens.${options.role} in .github/triad.yml (now ${budget.initial}) up to the model's cap, or choose a model with a larger output cap; smaller plan steps also help.`
          : `Raise models.output_tokens.${options.role} in .github/triad.yml.`
      }`,
    );
  }
}
