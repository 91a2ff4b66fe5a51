import { z } from "zod";
import { errorMessage, TriadError } from "../errors.js";
import { type RepoModelOverrides, resolveRoleModels } from "./config.js";
import { type CreateChatModelOptions, createChatModel } from "./create-chat-model.js";
import type { Logger, RetryPolicy } from "./retry.js";
import { generateStructured } from "./structured.js";
import { runToolLoop } from "./tool-loop.js";
import type { ChatModel, ModelRef, Role, ToolDefinition, Usage, Vendor } from "./types.js";
import { addUsage, emptyUsage } from "./usage.js";

export interface ModelCheck {
  role: Role;
  vendor: Vendor;
  model: string;
  /** True when the plain prompt, the tool call and the structured output all worked. */
  ok: boolean;
  /** Latency of the plain prompt. */
  latencyMs: number | undefined;
  /** Tokens over the three calls. */
  tokens: Usage;
  answered: boolean;
  toolCalls: boolean;
  structured: boolean;
  /** The first error, with its code (`auth_failed` names the variable to set). */
  error?: string;
  errorCode?: string;
}

export interface ModelCheckReport {
  checks: ModelCheck[];
  /** Configuration warnings (e.g. two reviewers of one vendor). */
  warnings: string[];
}

export interface CheckModelsOptions {
  log?: Logger;
  overrides?: RepoModelOverrides;
  /** Defaults to a short policy: two attempts, a one-minute deadline. */
  retry?: Partial<RetryPolicy>;
  fetch?: typeof fetch;
  /** Builds the model for a ref (tests pass scripted models). */
  createModel?: (ref: ModelRef) => ChatModel;
}

const system = [
  { text: "You are being checked by triad's `models check`. Follow the instructions exactly." },
];

/** Calls one model with a tiny prompt, a tiny tool call and a tiny structured output. */
export async function checkModel(role: Role, model: ChatModel, log?: Logger): Promise<ModelCheck> {
  const check: ModelCheck = {
    role,
    vendor: model.ref.vendor,
    model: model.ref.model,
    ok: false,
    latencyMs: undefined,
    tokens: emptyUsage(),
    answered: false,
    toolCalls: false,
    structured: false,
  };
  const fail = (error: unknown) => {
    if (check.error !== undefined) return;
    check.error = errorMessage(error);
    if (error instanceof TriadError) check.errorCode = error.code;
  };
  try {
    const started = performance.now();
    const response = await model.chat({
      system,
      messages: [{ role: "user", content: "Reply with the single word: ok" }],
      maxOutputTokens: 256,
    });
    check.latencyMs = Math.round(performance.now() - started);
    check.tokens = addUsage(check.tokens, response.usage);
    check.answered = response.text.trim().length > 0;
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
      maxOutputTokens: 512,
    });
    check.tokens = addUsage(check.tokens, result.usage);
    check.toolCalls = got !== undefined && got.a + got.b === 5;
    if (!check.toolCalls) check.error ??= "the model did not call the add tool as asked";
  } catch (error) {
    fail(error);
  }
  try {
    const result = await generateStructured({
      model,
      system,
      messages: [{ role: "user", content: "What is 2 + 3? Answer as JSON with the field `answer`." }],
      schema: z.object({ answer: z.number() }),
      name: "sum",
      maxOutputTokens: 512,
    });
    check.tokens = addUsage(check.tokens, result.usage);
    check.structured = true;
  } catch (error) {
    fail(error);
  }
  check.ok = check.answered && check.toolCalls && check.structured;
  log?.info({ ...check }, "model check");
  return check;
}

/**
 * `npx triad models check`: resolves the role models from the environment (and repository
 * overrides) and checks each one, all in parallel. Configuration errors (a reviewer of the
 * developer's vendor, a bad `vendor:model`) throw a `config_invalid` TriadError.
 */
export async function checkModels(
  env: NodeJS.ProcessEnv | Record<string, string | undefined>,
  options: CheckModelsOptions = {},
): Promise<ModelCheckReport> {
  const roles = resolveRoleModels(env, options.overrides);
  const modelOptions: CreateChatModelOptions = {
    retry: { maxAttempts: 2, deadlineMs: 60_000, attemptTimeoutMs: 45_000, ...options.retry },
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
          latencyMs: undefined,
          tokens: emptyUsage(),
          answered: false,
          toolCalls: false,
          structured: false,
          error: errorMessage(error),
          ...(error instanceof TriadError ? { errorCode: error.code } : {}),
        };
        return check;
      }
      return checkModel(role, model, options.log);
    }),
  );
  return { checks, warnings: roles.warnings };
}
