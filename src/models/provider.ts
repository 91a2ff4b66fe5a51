import type { RepoConfig } from "../config/repo-config.js";
import { redactSecrets } from "../text/sanitize.js";
import { formatModelRef, resolveRoleModels } from "./config.js";
import { type CreateChatModelOptions, createChatModel } from "./create-chat-model.js";
import type { ChatMessage, ChatModel, ChatRequest, ChatResponse, ModelRef } from "./types.js";

/**
 * Where the phases get their models: the vendors' (live) or the scripted stand-ins (demo, tests).
 * The repository's `.github/triad.yml` may choose models per role; the deployment's keys apply.
 */
export interface ModelProvider {
  readonly mode: "live" | "scripted";
  architect(config: RepoConfig): ChatModel;
  developer(config: RepoConfig): ChatModel;
  reviewers(config: RepoConfig, count: number): ChatModel[];
}

export function liveModels(env: NodeJS.ProcessEnv, options: CreateChatModelOptions = {}): ModelProvider {
  const built = new Map<string, ChatModel>();
  const model = (ref: ModelRef) => {
    const key = formatModelRef(ref);
    let found = built.get(key);
    if (!found) {
      found = createChatModel(ref, env, options);
      built.set(key, found);
    }
    return found;
  };
  const roles = (config: RepoConfig) => resolveRoleModels(env, config.models);
  // `models.output_tokens.<role>` travels with the model, so every loop of that role budgets from it.
  const withTokens = (m: ChatModel, tokens: number | undefined): ChatModel =>
    tokens === undefined ? m : { ref: m.ref, configuredOutputTokens: tokens, chat: (r) => m.chat(r) };
  return {
    mode: "live",
    architect: (config) => {
      const r = roles(config);
      return withTokens(model(r.architect), r.outputTokens.architect);
    },
    developer: (config) => {
      const r = roles(config);
      return withTokens(model(r.developer), r.outputTokens.developer);
    },
    reviewers: (config, count) => {
      const r = roles(config);
      return r.reviewers.slice(0, count).map((ref) => withTokens(model(ref), r.outputTokens.reviewer));
    },
  };
}

/** One model per role (the scripted stand-ins, or any ChatModels a test builds). */
export interface RoleModelSet {
  architect: ChatModel;
  developer: ChatModel;
  reviewers: ChatModel[];
}

export function scriptedModels(models: RoleModelSet): ModelProvider {
  return {
    mode: "scripted",
    architect: () => models.architect,
    developer: () => models.developer,
    reviewers: (_config, count) => models.reviewers.slice(0, count),
  };
}

/** Every model the provider hands out is guarded against leaking a configured secret. */
export function guardedProvider(provider: ModelProvider, secrets: readonly string[]): ModelProvider {
  return {
    mode: provider.mode,
    architect: (config) => guarded(provider.architect(config), secrets),
    developer: (config) => guarded(provider.developer(config), secrets),
    reviewers: (config, count) => provider.reviewers(config, count).map((m) => guarded(m, secrets)),
  };
}

/**
 * The last guard before a prompt leaves the process (ARCHITECTURE §8): any configured secret value
 * is redacted from every part of the request, whatever put it there (a committed file, a comment).
 */
export function guarded(model: ChatModel, secrets: readonly string[]): ChatModel {
  if (secrets.length === 0) return model;
  const clean = (text: string) => redactSecrets(text, secrets);
  const cleanMessage = (m: ChatMessage): ChatMessage => {
    if (m.role === "tool")
      return { ...m, results: m.results.map((r) => ({ ...r, content: clean(r.content) })) };
    return { ...m, content: clean(m.content) };
  };
  return {
    ref: model.ref,
    configuredOutputTokens: model.configuredOutputTokens,
    chat(request: ChatRequest): Promise<ChatResponse> {
      return model.chat({
        ...request,
        system: request.system.map((b) => ({ ...b, text: clean(b.text) })),
        messages: request.messages.map(cleanMessage),
      });
    },
  };
}
