import { embedData, marker, TRAILING_DATA_BLOCK } from "../../core/markers.js";
import type { AggregatedFinding } from "../../core/review/aggregate.js";
import { confirmationNote, confirmationOf } from "../../core/review/confirmation.js";
import { findingKey } from "../../core/review/finding.js";
import type { RoundOutcome } from "../../core/review/precision.js";
import type { ReviewFinding } from "../../core/schemas/review.js";
import { modelText } from "../../text/sanitize.js";
import { SEVERITY_BADGE, safeProse } from "./render-review.js";

/**
 * The section triad adds to a reviewer's review once every reviewer of the round has posted
 * (issue [12/12] items 4 and 6): each of its findings with whether a reviewer of another vendor
 * raised it too ("confirmed by two vendors") or it alone did, and — hidden — what became of the
 * round's findings (`RoundOutcome`s), from which the precision ledger is rebuilt. The section sits
 * before the review's own trailing data, which stays last.
 */
export const PRECISION_SECTION = marker("precision");
const SECTION = /\n*<!-- triad:precision -->[\s\S]*?<!-- triad:precision-data z\.[A-Za-z0-9_-]+ -->/;

export interface SectionInput {
  /** The reviewer slot (`reviewer-1`) whose review this is. */
  reviewer: string;
  /** Its own findings, as it raised them. */
  findings: readonly ReviewFinding[];
  /** The round's aggregated findings (every reviewer's). */
  aggregated: readonly AggregatedFinding[];
  /** Reviewer slot → model family. */
  familyOf: Readonly<Record<string, string>>;
  /** Show the confirmation list (with one reviewer there is nothing to compare). */
  visible: boolean;
  outcomes: readonly RoundOutcome[];
}

const firstLine = (m: string) => {
  const line = safeProse(m).split("\n")[0] ?? "";
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
};

/** The visible lines of a review's section (the confirmation list), without its data. */
export function confirmationList(input: Omit<SectionInput, "outcomes">): string {
  const lines: string[] = [];
  if (input.visible && input.findings.length > 0) {
    lines.push("#### Across reviewers", "");
    for (const f of input.findings) {
      const key = findingKey(f);
      const agg = input.aggregated.find((a) =>
        a.members.some((m) => m.reviewer === input.reviewer && m.key === key),
      );
      const note = agg ? confirmationNote(confirmationOf(agg, input.familyOf), modelText) : "";
      const where = modelText.code(`${f.path}${agg?.line ? `:${agg.line}` : ""}`);
      lines.push(
        `- ${SEVERITY_BADGE[f.severity]} ${where} ${modelText.line(firstLine(f.message))}${note ? ` — ${note}` : ""}`,
      );
    }
    lines.push("");
  }
  return lines.join("\n");
}

/** The whole section: the marker, the visible list (may be empty), the hidden outcomes. */
export function precisionSection(visible: string, outcomes: readonly RoundOutcome[]): string {
  return [PRECISION_SECTION, ...(visible ? [visible] : []), embedData("precision", { v: 1, outcomes })].join(
    "\n",
  );
}

/** The outcomes a review's section carries (none when it has no section yet). */
export function sectionOutcomes(data: unknown): RoundOutcome[] {
  const outcomes = (data as { outcomes?: unknown } | undefined)?.outcomes;
  return Array.isArray(outcomes) ? (outcomes as RoundOutcome[]) : [];
}

/** The body with `section` in place of an earlier one, before the trailing data block. */
export function withPrecisionSection(body: string, section: string): string {
  const without = body.replace(SECTION, "");
  const trailing = TRAILING_DATA_BLOCK.exec(without);
  if (!trailing) return `${without.replace(/\s+$/, "")}\n\n${section}\n`;
  const head = without.slice(0, trailing.index).replace(/\s+$/, "");
  return `${head}\n\n${section}\n\n${without.slice(trailing.index)}`;
}

/** The visible part of a section already in a body (to keep it when only the outcomes change). */
export function visibleSection(body: string): string {
  const section = SECTION.exec(body)?.[0];
  if (!section) return "";
  return section
    .replace(/^\n*<!-- triad:precision -->\n?/, "")
    .replace(/\n?<!-- triad:precision-data z\.[A-Za-z0-9_-]+ -->$/, "");
}
