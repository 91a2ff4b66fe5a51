import { precision, precisionByModel } from "../core/review/precision.js";
import type { PrecisionStore } from "../ports/precision.js";
import type { PrecisionReading, TriadMetrics } from "./metrics.js";

/** The precision ledgers in Redis as /metrics shows them, read at every scrape (`triad_reviewer_*`). */
export function watchPrecision(metrics: TriadMetrics, store: PrecisionStore, prefix: string): void {
  metrics.watchPrecision(prefix, async () => {
    const out: PrecisionReading = {};
    for (const repo of await store.repos()) {
      const ledger = await store.load(repo);
      if (!ledger) continue;
      const byModel: PrecisionReading[string] = {};
      for (const [model, e] of Object.entries(precisionByModel(ledger))) {
        const p = precision(e);
        byModel[model] = {
          raised: e.raised,
          fixed: e.fixed,
          overruled: e.overruled,
          confirmed: e.confirmed,
          ...(p === undefined ? {} : { precision: p }),
        };
      }
      out[repo] = byModel;
    }
    return out;
  });
}
