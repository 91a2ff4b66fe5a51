import { errorMessage, TriadError } from "./errors.js";
import { checkModels, hasAnyApiKey, type ModelCheck } from "./models/index.js";

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
    report = await checkModels(env);
  } catch (error) {
    print(error instanceof TriadError ? error.message : `models check failed: ${errorMessage(error)}`);
    return 1;
  }
  for (const warning of report.warnings) print(`warning: ${warning}`);
  const rows = report.checks.map(row);
  const header = ["role", "model", "ok", "latency", "tokens in/cached/out", "tools", "structured", "error"];
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
  const mark = (b: boolean) => (b ? "yes" : "no");
  return [
    c.role,
    `${c.vendor}:${c.model}`,
    mark(c.ok),
    c.latencyMs === undefined ? "-" : `${Math.round(c.latencyMs)} ms`,
    `${c.tokens.inputTokens}/${c.tokens.cachedInputTokens}/${c.tokens.outputTokens}`,
    mark(c.toolCalls),
    mark(c.structured),
    c.error ? (c.error.split("\n")[0]?.slice(0, 120) ?? "") : "",
  ];
}
