import { SUBMIT_TOOL } from "./core/schemas/architect.js";
import { DONE_TOOL } from "./core/schemas/developer.js";
import { SUBMIT_REVIEW_TOOL } from "./core/schemas/review.js";
import { errorMessage, TriadError } from "./errors.js";
import { CATALOGUE, lifecycleOf } from "./models/catalogue.js";
import { checkModels, hasAnyApiKey, type ModelCheck, type RoleFinishCheck } from "./models/index.js";

/** Each role's real finish tool, with a small valid input the model is asked to hand in. */
export const ROLE_FINISH_CHECKS: Record<"architect" | "developer" | "reviewer", RoleFinishCheck> = {
  architect: {
    tool: SUBMIT_TOOL as RoleFinishCheck["tool"],
    sample: {
      questions: [{ question: "Which database should it use?", why: "It decides the schema.", options: [] }],
      plan: null,
    },
  },
  developer: {
    tool: DONE_TOOL as RoleFinishCheck["tool"],
    sample: { summary: "Checked the tools.", not_covered: [], plan_steps: [], blocked: null, findings: [] },
  },
  reviewer: {
    tool: SUBMIT_REVIEW_TOOL as RoleFinishCheck["tool"],
    sample: { findings: [], plan_compliance: [] },
  },
};

/**
 * `triad models check`: the first thing to run after setting keys. Calls each configured role model
 * once (a prompt, a tool call, a structured output) and prints one row per role.
 */
export async function runModelsCheck(
  env: NodeJS.ProcessEnv,
  print: (line: string) => void = (line) => console.log(line),
): Promise<number> {
  if (!hasAnyApiKey(env)) {
    print(
      "No model API key is set (ANTHROPIC_API_KEY, OPENAI_API_KEY, GEMINI_API_KEY or OPENAI_COMPATIBLE_API_KEY): triad would run with scripted models.",
    );
  }
  let report: Awaited<ReturnType<typeof checkModels>>;
  try {
    report = await checkModels(env, { finishTools: ROLE_FINISH_CHECKS });
  } catch (error) {
    print(error instanceof TriadError ? error.message : `models check failed: ${errorMessage(error)}`);
    return 1;
  }
  for (const warning of report.warnings) print(`warning: ${warning}`);
  const rows = report.checks.map(row);
  const header = [
    "role",
    "model",
    "ok",
    "max out",
    "latency",
    "tokens in/cached/out",
    "answer",
    "tools",
    "finish",
    "error",
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  print(line(header));
  for (const r of rows) print(line(r));
  return report.checks.every((c) => c.ok) ? 0 : 1;
}

function row(c: ModelCheck): string[] {
  const mark = (b: boolean | undefined) => (b === undefined ? "-" : b ? "yes" : "no");
  return [
    c.role,
    `${c.vendor}:${c.model}`,
    mark(c.ok),
    String(c.maxOutputTokens),
    c.latencyMs === undefined ? "-" : `${Math.round(c.latencyMs)} ms`,
    `${c.tokens.inputTokens}/${c.tokens.cachedInputTokens}/${c.tokens.outputTokens}`,
    mark(c.answered),
    mark(c.toolCalls),
    mark(c.finish),
    c.error ? (c.error.split("\n")[0]?.slice(0, 120) ?? "") : "",
  ];
}

/** `triad models list`: the catalogue, one block per vendor, one row per model. */
export function runModelsList(
  print: (line: string) => void = (line) => console.log(line),
  now: Date = new Date(),
): number {
  const usd = (n: number | undefined) => (n === undefined ? "-" : `$${n}`);
  const k = (n: number) => (n >= 1_000_000 ? `${+(n / 1_000_000).toFixed(2)}M` : `${Math.round(n / 1000)}K`);
  for (const vendor of ["anthropic", "openai", "google", "openai-compatible"] as const) {
    const rows = CATALOGUE.filter((row) => row.vendor === vendor);
    print(`${vendor}`);
    const table = rows.map((row) => {
      const life = lifecycleOf({ vendor, model: row.id }, now);
      const status =
        life.state === "retired"
          ? `RETIRED ${row.retires}`
          : row.retires
            ? `retires ${row.retires}`
            : row.deprecated
              ? `deprecated ${row.deprecated}`
              : "current";
      return [
        `  ${row.id}`,
        row.family,
        row.fitFor.join(","),
        `${k(row.contextTokens)} ctx / ${k(row.maxOutputTokens)} out`,
        `thinks: ${row.thinking} (${row.thinkingControl})`,
        row.price
          ? `in ${usd(row.price.input)} cached ${usd(row.price.cachedInput)} write ${usd(row.price.cacheWrite)} out ${usd(row.price.output)}`
          : "unpriced",
        status + (row.replacement ? ` → ${row.replacement}` : ""),
      ];
    });
    const widths = table[0]?.map((_, i) => Math.max(...table.map((r) => (r[i] ?? "").length))) ?? [];
    for (const [i, r] of table.entries()) {
      print(
        r
          .map((c, j) => c.padEnd(widths[j] ?? 0))
          .join("  ")
          .trimEnd(),
      );
      print(`      sources: ${rows[i]?.sources.join("; ")}`);
    }
    print("");
  }
  print("Prices: USD per million tokens, standard tier, short-context rates; cached = cache read.");
  return 0;
}
