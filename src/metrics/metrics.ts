import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * What a deployment can watch (`GET /metrics`, Prometheus text through prom-client): one registry per
 * process, shared by the parts it runs (`triad start` runs web and worker in one). Every series is
 * per process; Prometheus sums them across web and worker processes (see deploy/grafana-dashboard.json).
 *
 * Labels stay of bounded cardinality: event names, outcomes, queue names, installation ids, roles,
 * vendors and models — never an issue or a delivery id, and a repository only in the two
 * reviewer-precision series (precision means something only per repository).
 */
export interface TriadMetrics {
  readonly registry: Registry;
  /** Webhooks the web side answered, by event and what became of them. */
  readonly webhooks: Counter<"event" | "outcome">;
  /** Seconds a job ran, per queue, by outcome (completed | failed). */
  readonly jobDuration: Histogram<"queue" | "outcome">;
  /** Jobs per queue and state, read from Redis when scraped. */
  readonly queueDepth: Gauge<"queue" | "state">;
  /** GitHub REST/GraphQL requests by installation ("app" for the app's own JWT calls) and status class. */
  readonly githubRequests: Counter<"installation" | "status">;
  /** GitHub's rate-limit answers (403/429 with a limit): primary or secondary. */
  readonly githubLimitErrors: Counter<"installation" | "kind">;
  /** `x-ratelimit-remaining` as GitHub last reported it, per installation and resource. */
  readonly githubRemaining: Gauge<"installation" | "resource">;
  readonly modelCalls: Counter<"role" | "vendor" | "model" | "outcome">;
  /** Tokens by role, vendor and kind (input incl. cached, cached, output). */
  readonly modelTokens: Counter<"role" | "vendor" | "kind">;
  readonly modelCost: Counter<"role" | "vendor">;
  readonly modelDuration: Histogram<"role" | "vendor">;
  /** Workflows that reached an outcome: ready, needs-human, failed, stopped, merged, closed. */
  readonly workflows: Counter<"outcome">;
  readonly fixRounds: Counter<string>;
  /** Confidence-spiral stops: fixing stopped and the architect traces the problem back. */
  readonly spiralStops: Counter<string>;
  /** Missed deliveries the worker asked GitHub to send again. */
  readonly redeliveries: Counter<string>;
  /** Adds a source of queue depths, read at every scrape (the same queue twice counts once). */
  watchQueues(name: string, read: () => Promise<Record<string, Record<string, number>>>): void;
  /**
   * Reviewer findings per repository and reviewer model, by kind (raised, fixed, overruled,
   * confirmed), and the precision (0..1), read from the precision ledgers at every scrape. The one
   * exception to "never a repository" in labels: precision is only meaningful per repository; the
   * series are bounded by the repositories × the few reviewer models they use.
   */
  readonly reviewerFindings: Gauge<"repo" | "model" | "kind">;
  readonly reviewerPrecision: Gauge<"repo" | "model">;
  watchPrecision(name: string, read: () => Promise<PrecisionReading>): void;
}

/** Per repository, per reviewer model: the ledger's counts and its precision (undefined: no verdict yet). */
export type PrecisionReading = Record<
  string,
  Record<string, { raised: number; fixed: number; overruled: number; confirmed: number; precision?: number }>
>;

export function createMetrics(o: { defaults?: boolean } = {}): TriadMetrics {
  const registry = new Registry();
  if (o.defaults !== false) collectDefaultMetrics({ register: registry, prefix: "triad_" });
  const sources = new Map<string, () => Promise<Record<string, Record<string, number>>>>();
  const registers = [registry];
  const queueDepth = new Gauge({
    name: "triad_queue_depth",
    help: "Jobs per queue and state (waiting, active, delayed, prioritized, waiting-children, failed)",
    labelNames: ["queue", "state"] as const,
    registers,
    async collect() {
      this.reset();
      for (const read of sources.values()) {
        const counts = await read().catch(() => ({}));
        for (const [queue, states] of Object.entries(counts))
          for (const [state, n] of Object.entries(states)) this.set({ queue, state }, n);
      }
    },
  });
  const precisionSources = new Map<string, () => Promise<PrecisionReading>>();
  // A scrape collects every metric at once (prom-client's registry starts all of them together), so
  // the two reviewer gauges share the reading in flight: the ledgers are read once per scrape.
  let inFlight: Promise<PrecisionReading[]> | undefined;
  const readPrecision = () => {
    inFlight ??= Promise.all(
      [...precisionSources.values()].map((read) => read().catch(() => ({}) as PrecisionReading)),
    ).finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
  const reviewerFindings = new Gauge({
    name: "triad_reviewer_findings",
    help: "Reviewer findings per repository and reviewer model, by kind (raised, fixed, overruled, confirmed)",
    labelNames: ["repo", "model", "kind"] as const,
    registers,
    async collect() {
      this.reset();
      for (const r of await readPrecision())
        for (const [repo, models] of Object.entries(r))
          for (const [model, e] of Object.entries(models))
            for (const kind of ["raised", "fixed", "overruled", "confirmed"] as const)
              this.set({ repo, model, kind }, e[kind]);
    },
  });
  const reviewerPrecision = new Gauge({
    name: "triad_reviewer_precision",
    help: "Share of a reviewer model's judged findings on a repository that were upheld (fixed or confirmed by another vendor) rather than overruled",
    labelNames: ["repo", "model"] as const,
    registers,
    async collect() {
      this.reset();
      for (const r of await readPrecision())
        for (const [repo, models] of Object.entries(r))
          for (const [model, e] of Object.entries(models))
            if (e.precision !== undefined) this.set({ repo, model }, e.precision);
    },
  });
  return {
    registry,
    queueDepth,
    reviewerFindings,
    reviewerPrecision,
    watchPrecision(name, read) {
      precisionSources.set(name, read);
    },
    webhooks: new Counter({
      name: "triad_webhooks_total",
      help: "Webhooks received, by event and outcome (queued, ignored, refused, invalid, error)",
      labelNames: ["event", "outcome"] as const,
      registers,
    }),
    jobDuration: new Histogram({
      name: "triad_job_duration_seconds",
      help: "How long a job ran, per queue and outcome",
      labelNames: ["queue", "outcome"] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers,
    }),
    githubRequests: new Counter({
      name: "triad_github_requests_total",
      help: "GitHub API requests, by installation and status class (2xx, 3xx, 4xx, 5xx, error)",
      labelNames: ["installation", "status"] as const,
      registers,
    }),
    githubLimitErrors: new Counter({
      name: "triad_github_limit_errors_total",
      help: "GitHub rate-limit answers, by installation and kind (primary, secondary)",
      labelNames: ["installation", "kind"] as const,
      registers,
    }),
    githubRemaining: new Gauge({
      name: "triad_github_ratelimit_remaining",
      help: "Requests left in GitHub's current rate-limit window (x-ratelimit-remaining), per installation",
      labelNames: ["installation", "resource"] as const,
      registers,
    }),
    modelCalls: new Counter({
      name: "triad_model_calls_total",
      help: "Model calls, by role, vendor, model and outcome (ok, error)",
      labelNames: ["role", "vendor", "model", "outcome"] as const,
      registers,
    }),
    modelTokens: new Counter({
      name: "triad_model_tokens_total",
      help: "Model tokens, by role, vendor and kind (input includes cached; cached; output)",
      labelNames: ["role", "vendor", "kind"] as const,
      registers,
    }),
    modelCost: new Counter({
      name: "triad_model_cost_usd_total",
      help: "Model spend in USD at catalogue prices, by role and vendor",
      labelNames: ["role", "vendor"] as const,
      registers,
    }),
    modelDuration: new Histogram({
      name: "triad_model_call_duration_seconds",
      help: "How long a model call took, by role and vendor",
      labelNames: ["role", "vendor"] as const,
      buckets: [0.05, 0.25, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    }),
    workflows: new Counter({
      name: "triad_workflows_total",
      help: "Workflows that reached an outcome (ready, needs-human, failed, stopped, merged, closed)",
      labelNames: ["outcome"] as const,
      registers,
    }),
    fixRounds: new Counter({
      name: "triad_fix_rounds_total",
      help: "Fix rounds started",
      registers,
    }),
    spiralStops: new Counter({
      name: "triad_spiral_stops_total",
      help: "Confidence-spiral stops (the same file changed in consecutive fix rounds)",
      registers,
    }),
    redeliveries: new Counter({
      name: "triad_redeliveries_total",
      help: "Failed webhook deliveries the worker asked GitHub to redeliver",
      registers,
    }),
    watchQueues(name, read) {
      sources.set(name, read);
    },
  };
}
