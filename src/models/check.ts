import { z } from "zod";
import { errorMessage, TriadError } from "../errors.js";
import { outputBudget } from "./catalogue.js";
import { type RepoModelOverrides, resolveRoleModels } from "./config.js";
import { type CreateChatModelOptions, createChatModel } from "./create-chat-model.js";
import type { Logger, RetryPolicy } from "./retry.js";
import { chatWithinBudget } from "./stops.js";
import { generateStructured } from "./structured.js";
import { type FinishTool, runToolLoop } from "./tool-loop.js";
import type { ChatModel, ModelRef, Role, ToolDefinition, Usage, Vendor } from "./types.js";
import { addUsage, emptyUsage } from "./usage.js";

/** A role's real finish tool and a valid input to ask for, so the check exercises its schema. */
export interface RoleFinishCheck {
  tool: FinishTool<unknown>;
  sample: unknown;
}

export interface ModelCheck {
  role: Role;
  vendor: Vendor;
  model: string;
  /** True when every capability the role needs worked. */
  ok: boolean;
  /** Output budget of each call (from the catalogue, thinking headroom included). */
  maxOutputTokens: number;
  /** Latency of the plain prompt. */
  latencyMs: number | undefined;
  /** Tokens over all calls; thinking tokens are in `outputTokens`. */
  tokens: Usage;
  answered: boolean;
  toolCalls: boolean;
  /** The role's finish tool, with its real schema, was called with valid input. */
  finish: boolean | undefined;
  /** Structured output, checked only for roles whose phase uses it. */
  structured: boolean | undefined;
  /** The first error, with its code (`auth_failed` names the variable to set). */
  error?: string;
  errorCode?: string;
}

export interface ModelCheckReport {
  checks: ModelCheck[];
  /** Configuration warnings (two reviewers of one vendor, a model retiring within 30 days). */
  warnings: string[];
}

export interface CheckModelsOptions {
  log?: Logger;
  overrides?: RepoModelOverrides;
  /** Defaults to a short policy: two attempts, a three-minute deadline. */
  retry?: Partial<RetryPolicy>;
  fetch?: typeof fetch;
  /** Builds the model for a ref (tests pass scripted models). */
  createModel?: (ref: ModelRef) => ChatModel;
  /** Each role's finish tool (the CLI passes the phases' own). */
  finishTools?: Partial<Record<Role, RoleFinishCheck>>;
  /** Roles whose phase asks for structured output (none today). */
  structuredRoles?: readonly Role[];
  now?: Date;
}

const system = [
  { text: "You are being checked by triad's `models check`. Follow the instructions exactly." },
];

/**
 * Calls one model the way its role will: a plain prompt, a tool call, and the role's finish tool at
 * the role's catalogue output budget (256-token budgets make thinking models stop for length with no
 * answer and would report them broken). Structured output is checked only where a phase uses it, so a
 * server with tools but without `json_schema` passes.
 */
export async function checkModel(
  role: Role,
  model: ChatModel,
  options: { log?: Logger; finish?: RoleFinishCheck; structured?: boolean } = {},
): Promise<ModelCheck> {
  const budget = outputBudget(model.ref, role, model.configuredOutputTokens);
  const check: ModelCheck = {
    role,
    vendor: model.ref.vendor,
    model: model.ref.model,
    ok: false,
    maxOutputTokens: budget.initial,
    latencyMs: undefined,
    tokens: emptyUsage(),
    answered: false,
    toolCalls: false,
    finish: undefined,
    structured: undefined,
  };
  const fail = (error: unknown) => {
    if (check.error !== undefined) return;
    check.error = errorMessage(error);
    if (error instanceof TriadError) check.errorCode = error.code;
  };
  try {
    const started = performance.now();
    const response = await chatWithinBudget(
      model,
      { system, messages: [{ role: "user", content: "Reply with the single word: ok" }] },
      budget,
      { role },
    );
    check.latencyMs = Math.round(performance.now() - started);
    check.tokens = addUsage(check.tokens, response.usage);
    check.answered = response.text.trim().length > 0;
    if (!check.answered)
      check.error = `the model answered with no text (${response.vendorStopReason ?? "no reason"})`;
  } catch (error) {
    fail(error);
    // A failed plain prompt (bad key, unknown model) fails the rest the same way.
    return check;
  }
  try {
    let got: { a: number; b: number } | undefined;
    const add: ToolDefinition<{ a: number; b: number }> = {
      name: "add",
      description: "Adds two numbers.",
      input: z.object({ a: z.number(), b: z.number() }),
      async run(input) {
        got = input;
        return String(input.a + input.b);
      },
    };
    const result = await runToolLoop({
      model,
      system,
      messages: [{ role: "user", content: "Use the add tool to add 2 and 3, then reply with the sum." }],
      tools: [add],
      maxTurns: 3,
      role,
      outputBudget: budget,
    });
    check.tokens = addUsage(check.tokens, result.usage);
    check.toolCalls = got !== undefined && got.a + got.b === 5;
    if (!check.toolCalls) check.error ??= "the model did not call the add tool as asked";
  } catch (error) {
    fail(error);
  }
  if (options.finish) {
    check.finish = false;
    try {
      const { tool, sample } = options.finish;
      const result = await runToolLoop({
        model,
        system,
        messages: [
          {
            role: "user",
            content: `Call the \`${tool.name}\` tool now with exactly this input, and nothing else:\n${JSON.stringify(sample)}`,
          },
        ],
        tools: [],
        finishTool: tool,
        maxTurns: 2,
        role,
        outputBudget: budget,
      });
      check.tokens = addUsage(check.tokens, result.usage);
      check.finish = result.stopReason === "finish_tool";
      if (!check.finish) check.error ??= `the model did not call \`${tool.name}\` with valid input`;
    } catch (error) {
      fail(error);
    }
  }
  if (options.structured) {
    check.structured = false;
    try {
      const result = await generateStructured({
        model,
        system,
        messages: [{ role: "user", content: "What is 2 + 3? Answer as JSON with the field `answer`." }],
        schema: z.object({ answer: z.number() }),
        name: "sum",
        role,
        outputBudget: budget,
      });
      check.tokens = addUsage(check.tokens, result.usage);
      check.structured = true;
    } catch (error) {
      fail(error);
    }
  }
  check.ok = check.answered && check.toolCalls && check.finish !== false && check.structured !== false;
  options.log?.info({ ...check }, "model check");
  return check;
}

/**
 * `npx triad models check`: resolves the role models from the environment (and repository
 * overrides) and checks each one, all in parallel. Configuration errors (a reviewer of the
 * developer's vendor, a retired model, a bad `vendor:model`) throw a `config_invalid` TriadError.
 */
export async function checkModels(
  env: NodeJS.ProcessEnv | Record<string, string | undefined>,
  options: CheckModelsOptions = {},
): Promise<ModelCheckReport> {
  const roles = resolveRoleModels(env, options.overrides, options.now ? { now: options.now } : {});
  const modelOptions: CreateChatModelOptions = {
    retry: { maxAttempts: 2, deadlineMs: 180_000, attemptTimeoutMs: 150_000, ...options.retry },
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.log ? { log: options.log } : {}),
  };
  const build = options.createModel ?? ((ref: ModelRef) => createChatModel(ref, env, modelOptions));
  const targets: Array<[Role, ModelRef]> = [
    ["architect", roles.architect],
    ["developer", roles.developer],
    ...roles.reviewers.map((ref): [Role, ModelRef] => ["reviewer", ref]),
  ];
  const checks = await Promise.all(
    targets.map(async ([role, ref]) => {
      let model: ChatModel;
      try {
        model = build(ref);
      } catch (error) {
        const check: ModelCheck = {
          role,
          vendor: ref.vendor,
          model: ref.model,
          ok: false,
          maxOutputTokens: outputBudget(ref, role).initial,
          latencyMs: undefined,
          tokens: emptyUsage(),
          answered: false,
          toolCalls: false,
          finish: undefined,
          structured: undefined,
          error: errorMessage(error),
          ...(error instanceof TriadError ? { errorCode: error.code } : {}),
        };
        return check;
      }
      const finish = options.finishTools?.[role];
      return checkModel(role, model, {
        ...(options.log ? { log: options.log } : {}),
        ...(finish ? { finish } : {}),
        structured: options.structuredRoles?.includes(role) ?? false,
      });
    }),
  );
  return { checks, warnings: roles.warnings };
}
