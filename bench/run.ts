/**
 * `npm run bench [names…]`: runs the benchmarks, writes one JSON file per benchmark under
 * bench/results/ and prints a table. Absolute times on shared machines are noisy: compare the
 * ratios each benchmark measures against its own floor in the same run.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { benchDeveloper } from "./developer.js";
import { benchInstallation } from "./installation.js";
import { benchModels } from "./models.js";
import { benchSnapshot } from "./snapshot.js";
import { benchWebhook } from "./webhook.js";
import { benchWorkflow } from "./workflow.js";

const BENCHES: Record<string, () => Promise<object>> = {
  webhook: () => benchWebhook(),
  developer: () => benchDeveloper(),
  models: () => benchModels(),
  snapshot: () => benchSnapshot(),
  workflow: () => benchWorkflow({ many: Number(process.env.BENCH_WORKFLOWS ?? 100) }),
  installation: () =>
    benchInstallation({
      workflows: Number(process.env.BENCH_WORKFLOWS ?? 100),
      timeScale: Number(process.env.BENCH_TIME_SCALE ?? 20),
      idleSamples: Number(process.env.BENCH_IDLE_SAMPLES ?? 10),
    }),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const names = wanted.length > 0 ? wanted : Object.keys(BENCHES);
const unknown = names.filter((n) => !BENCHES[n]);
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")}; known: ${Object.keys(BENCHES).join(", ")}`);
  process.exit(1);
}

mkdirSync("bench/results", { recursive: true });
const rows: Array<[string, string, string]> = [];
for (const name of names) {
  const started = Date.now();
  process.stderr.write(`running ${name}…\n`);
  const result = (await (BENCHES[name] as () => Promise<object>)()) as Record<string, unknown>;
  const record = {
    bench: name,
    at: new Date().toISOString(),
    node: process.version,
    seconds: (Date.now() - started) / 1000,
    result,
  };
  writeFileSync(`bench/results/${name}.json`, `${JSON.stringify(record, null, 2)}\n`);
  for (const [key, value] of flatten(result)) rows.push([name, key, value]);
}

const width = (i: 0 | 1) => Math.max(...rows.map((r) => r[i].length), 5);
console.log(`${"bench".padEnd(width(0))}  ${"measure".padEnd(width(1))}  value`);
for (const [bench, key, value] of rows)
  console.log(`${bench.padEnd(width(0))}  ${key.padEnd(width(1))}  ${value}`);
console.log("\nresults written to bench/results/<bench>.json");

/** Scalar leaves of a result, with dotted keys; long per-turn arrays are summarised away. */
function flatten(value: unknown, prefix = ""): Array<[string, string]> {
  if (value === null || typeof value !== "object") return [[prefix, String(value)]];
  if (Array.isArray(value)) {
    if (value.length > 8) return [[prefix, `[${value.length} entries, see JSON]`]];
    return value.flatMap((v, i) => flatten(v, `${prefix}[${labelOf(v) ?? i}]`));
  }
  return Object.entries(value).flatMap(([k, v]) =>
    k === "name" ? [] : flatten(v, prefix ? `${prefix}.${k}` : k),
  );
}

function labelOf(v: unknown): string | undefined {
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    const label = o.adapter ?? o.name ?? o.role;
    return typeof label === "string" ? label : undefined;
  }
  return undefined;
}
