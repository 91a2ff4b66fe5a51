import type { RepoConfig } from "../../config/repo-config.js";
import { formatModelRef, resolveRoleModels } from "../../models/config.js";
import { liveModels, type ModelProvider } from "../../models/provider.js";
import type { ChatModel, ModelRef } from "../../models/types.js";
import { demoStatelessModels } from "../scenario.js";
import { type ScriptedVendors, startScriptedVendors, type WireVendor } from "./scripted-vendors.js";

/** One role's model in the wire demo: the catalogue default, served by its vendor's server. */
export interface WireRole {
  role: "architect" | "developer" | "reviewer 1" | "reviewer 2";
  ref: ModelRef;
}

export interface DemoVendors extends ScriptedVendors {
  roles: WireRole[];
  /** Real adapters (SDKs, retry layer, budgets from the catalogue) pointed at the servers. */
  models: ModelProvider;
}

/**
 * `npm run demo -- --wire`: the demo's scripted conversation (src/sim/scenario.ts, stateless so each
 * answer follows from the request) answered by strict vendor servers on localhost under the
 * catalogue's default model ids — the architect and developer on Anthropic Messages, the reviewers on
 * OpenAI Responses and Gemini generateContent — and the real adapters built from an environment that
 * holds only those servers' base URLs and dummy keys. So lifecycle, prices, output budgets and
 * thinking (which spends output tokens and whose state must round-trip through the SDKs) behave as
 * they would against the vendors.
 */
export async function startDemoVendors(): Promise<DemoVendors> {
  const defaults = resolveRoleModels({});
  const [reviewer1, reviewer2] = defaults.reviewers;
  if (!reviewer1 || !reviewer2) throw new Error("the wire demo needs two default reviewers");
  const roles: WireRole[] = [
    { role: "architect", ref: defaults.architect },
    { role: "developer", ref: defaults.developer },
    { role: "reviewer 1", ref: reviewer1 },
    { role: "reviewer 2", ref: reviewer2 },
  ];
  const script = demoStatelessModels();
  const scripted = [script.architect, script.developer, ...script.reviewers];
  const entries = roles.map(({ ref }, i) => {
    if (ref.vendor === "openai-compatible")
      throw new Error(`the wire demo serves vendors' own APIs, not ${formatModelRef(ref)}`);
    const answer = scripted[i] as ChatModel;
    const model: ChatModel = { ref, chat: (request) => answer.chat(request) };
    return { vendor: ref.vendor as WireVendor, model };
  });
  const vendors = await startScriptedVendors(entries);
  // Only the servers' variables: keys or model choices in the caller's environment play no part.
  return { ...vendors, roles, models: pinnedToDefaults(liveModels(vendors.env)) };
}

/**
 * The scenario is written for these roles' vendors, as the in-process scripted models are: a
 * repository's `models:` choice (the sample's names others) is set aside, its output budgets kept.
 */
function pinnedToDefaults(provider: ModelProvider): ModelProvider {
  const pinned = (config: RepoConfig): RepoConfig => ({
    ...config,
    models: config.models.output_tokens ? { output_tokens: config.models.output_tokens } : {},
  });
  return {
    mode: provider.mode,
    architect: (config) => provider.architect(pinned(config)),
    developer: (config) => provider.developer(pinned(config)),
    reviewers: (config, count) => provider.reviewers(pinned(config), count),
  };
}
