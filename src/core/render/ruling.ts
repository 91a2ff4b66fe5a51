import { embedData, marker } from "../markers.js";
import type { ModelText } from "../model-text.js";
import type { AggregatedFinding } from "../review/aggregate.js";
import { type Ruling, rulingLabel, type Trace } from "../schemas/ruling.js";

/** The architect's ruling or trace comment, with the result as hidden data (a retry reads it back). */
export function renderRuling(
  mode: "ruling" | "spiral",
  result: Ruling | Trace,
  findings: readonly AggregatedFinding[],
  jobId: string,
  text: ModelText,
): string {
  const lines = [marker("architect", jobId)];
  if (mode === "spiral") {
    lines.push(
      "**The architect traced the repeated fixes back to the plan.**",
      "",
      text.block((result as Trace).trace),
      "",
      "A revised plan follows; it needs a new `approved`.",
    );
  } else {
    lines.push(
      "**The architect's ruling on the disputed findings**",
      "",
      "| finding | ruling | reason |",
      "|---|---|---|",
    );
    findings.forEach((f, i) => {
      const label = rulingLabel(i);
      const r = (result as Ruling).rulings.find((x) => x.finding === label);
      const what = `${label}: ${f.severity} — ${text.line((f.message.split("\n")[0] ?? "").slice(0, 140))}`;
      const ruling = r ? (r.decision === "accept" ? "✅ accepted" : "❌ rejected") : "— not ruled";
      lines.push(`| ${what} | ${ruling} | ${text.line(r?.reason ?? "")} |`);
    });
    if (result.revised_plan)
      lines.push(
        "",
        "The plan's structure has to change: a revised plan follows and needs a new `approved`.",
      );
  }
  lines.push("", embedData("architect", result));
  return lines.join("\n");
}
