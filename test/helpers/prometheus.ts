import { createRequire } from "node:module";

/** A metric family as parse-prometheus-text-format reads Prometheus' text exposition format. */
export interface MetricFamily {
  name: string;
  help: string;
  type: "COUNTER" | "GAUGE" | "HISTOGRAM" | "SUMMARY" | "UNTYPED";
  metrics: Array<{
    value?: string;
    labels?: Record<string, string>;
    buckets?: Record<string, string>;
    count?: string;
    sum?: string;
  }>;
}

const parse = createRequire(import.meta.url)("parse-prometheus-text-format") as (
  text: string,
) => MetricFamily[];

/** Parses a /metrics answer; throws on text that is not the exposition format. */
export function parsePrometheus(text: string): Map<string, MetricFamily> {
  return new Map(parse(text).map((f) => [f.name, f]));
}

/** The sum of a family's samples (counters, gauges) or counts (histograms) whose labels match. */
export function total(
  families: Map<string, MetricFamily>,
  name: string,
  labels: Record<string, string> = {},
): number {
  const family = families.get(name);
  if (!family) return 0;
  return family.metrics
    .filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
    .reduce((sum, m) => sum + Number(m.value ?? m.count ?? 0), 0);
}

/**
 * A labelled histogram's count. parse-prometheus-text-format folds a histogram's label sets into one
 * (it keeps the buckets of the last set only), so the text is cut down to the one series first.
 */
export function histogramCount(text: string, name: string, labels: Record<string, string>): number {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const lines = text
    .split("\n")
    .filter(
      (line) =>
        line === `# TYPE ${name} histogram` ||
        (line.startsWith(`${name}_`) && pairs.every((p) => line.includes(p))),
    );
  const family = parsePrometheus(`${lines.join("\n")}\n`).get(name);
  return Number(family?.metrics[0]?.buckets?.["+Inf"] ?? 0);
}
