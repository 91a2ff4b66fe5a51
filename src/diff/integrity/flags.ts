import type { Side } from "../anchor.js";
import { byHunk, type ChangedLine, type FileFacts } from "./lines.js";
import type { IntegrityFlag, IntegrityRule } from "./types.js";

/** How the guard's flags read: a title per rule, one flag per hunk for a run of lines. */

export const TITLE: Record<IntegrityRule, string> = {
  "test-file-deleted": "Test file deleted",
  "test-file-renamed-away": "Test file renamed away",
  "test-skipped": "Tests skipped",
  "assertion-removed": "Assertion removed",
  "assertion-weakened": "Assertion weakened",
  "coverage-lowered": "Coverage gate lowered",
  "lint-relaxed": "Lint relaxed",
  "type-check-relaxed": "Type check relaxed",
  "snapshot-rewritten": "Snapshot rewritten",
};

export interface Hit {
  line: ChangedLine;
}

export function flag(
  rule: IntegrityRule,
  path: string,
  side: Side,
  what: string,
  source: string,
  lines: readonly string[],
  line?: number,
): IntegrityFlag {
  const f: IntegrityFlag = {
    rule,
    path,
    side,
    lines: [...lines],
    message: `${TITLE[rule]}: this change ${what} (${source}).`,
    severity: "blocker",
    source,
  };
  if (line !== undefined) f.line = line;
  return f;
}

/** One flag per hunk for a run of offending lines. */
export function hunkFlags(
  facts: readonly FileFacts[],
  hits: readonly Hit[],
  rule: IntegrityRule,
  what: string,
  source: string,
): IntegrityFlag[] {
  return byHunk(hits).map((group) => {
    const first = group[0] as Hit;
    const seen = new Set<number>();
    const lines = group
      .filter((h) => !seen.has(h.line.line) && seen.add(h.line.line))
      .map((h) => h.line.text);
    const side: Side = first.line.kind === "add" ? "RIGHT" : "LEFT";
    const path = facts[first.line.fileIndex]?.path ?? "";
    return flag(rule, path, side, what, source, lines, first.line.line);
  });
}
