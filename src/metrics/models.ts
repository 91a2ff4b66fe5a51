import { costFor } from "../models/prices.js";
import type { ModelProvider } from "../models/provider.js";
import type { ChatModel } from "../models/types.js";
import type { TriadMetrics } from "./metrics.js";

/**
 * Every model the provider hands out counts its calls, tokens, cost and time, by role and vendor.
 * Wraps the provider (the live vendors or the scripted stand-ins alike), so the steps need not know.
 */
export function meteredProvider(provider: ModelProvider, metrics: TriadMetrics): ModelProvider {
  return {
    mode: provider.mode,
    architect: (config) => metered(provider.architect(config), "architect", metrics),
    developer: (config) => metered(provider.developer(config), "developer", metrics),
    reviewers: (config, count) =>
      provider.reviewers(config, count).map((m) => metered(m, "reviewer", metrics)),
  };
}

export function metered(model: ChatModel, role: string, metrics: TriadMetrics): ChatModel {
  const { vendor, model: name } = model.ref;
  return {
    ref: model.ref,
    get configuredOutputTokens() {
      return model.configuredOutputTokens;
    },
    async chat(request) {
      const stop = metrics.modelDuration.startTimer({ role, vendor });
      try {
        const response = await model.chat(request);
        metrics.modelCalls.inc({ role, vendor, model: name, outcome: "ok" });
        const u = response.usage;
        metrics.modelTokens.inc({ role, vendor, kind: "input" }, u.inputTokens);
        metrics.modelTokens.inc({ role, vendor, kind: "cached" }, u.cachedInputTokens);
        metrics.modelTokens.inc({ role, vendor, kind: "output" }, u.outputTokens);
        const cost = costFor(model.ref, u);
        if (cost !== undefined) metrics.modelCost.inc({ role, vendor }, cost);
        return response;
      } catch (error) {
        metrics.modelCalls.inc({ role, vendor, model: name, outcome: "error" });
        throw error;
      } finally {
        stop();
      }
    },
  };
}
