import type { DiffFile, DiffLine } from "./types.js";

/**
 * Anchor mapping (ARCHITECTURE §3, §5): a reviewer quotes a verbatim line of the new code; code, not
 * the model, finds the line number. A finding whose anchor is not in a hunk, or is ambiguous, stays
 * unresolved and goes into the review body, so GitHub never answers 422 for a bad line.
 */

export type Side = "RIGHT" | "LEFT";

export interface AnchorQuery {
  path: string;
  /** A verbatim line of the new code (several consecutive lines are accepted too). */
  anchor: string;
  /** The line number the model saw in the presented diff, used only to choose among equal matches. */
  near_line?: number;
}

export interface AnchorCandidate {
  line: number;
  side: Side;
  /** First line of a multi-line anchor. */
  startLine?: number;
}

export type AnchorResult =
  | AnchorCandidate
  | {
      unresolved: "not in diff" | "ambiguous" | "unknown path";
      /** For "ambiguous": every place the anchor matched. */
      candidates?: AnchorCandidate[];
    };

export function isResolved(result: AnchorResult): result is AnchorCandidate {
  return "line" in result;
}

/** The lines a review comment may be placed on, for one side (RIGHT: added and context lines). */
export function linesInDiff(file: DiffFile, side: Side = "RIGHT"): Set<number> {
  const lines = new Set<number>();
  for (const hunk of file.hunks) {
    for (const line of hunk.lines) {
      const n = side === "RIGHT" ? line.newLine : line.oldLine;
      if (n !== undefined) lines.add(n);
    }
  }
  return lines;
}

function normalisePath(path: string): string {
  return path.trim().replace(/^\.\//, "").replace(/^\/+/, "");
}

/** The file a finding's path names: by new path, then old path, then with a stray `a/`/`b/` dropped. */
export function findFile(files: readonly DiffFile[], path: string): DiffFile | undefined {
  const wanted = normalisePath(path);
  const byPath = (p: string) => files.find((f) => f.newPath === p) ?? files.find((f) => f.oldPath === p);
  return byPath(wanted) ?? (/^[ab]\//.test(wanted) ? byPath(wanted.slice(2)) : undefined);
}

type Eq = (fileLine: string, anchorLine: string) => boolean;

const squash = (s: string): string => s.trim().replace(/\s+/g, " ");
const exact: Eq = (a, b) => a === b;
const loose: Eq = (a, b) => squash(a) === squash(b);

/** Drops what a model may copy from the presented diff: `12 +`, `12  `, or a bare `+`/`-` marker. */
function stripPresentation(line: string, side: Side): string {
  const numbered = /^\s*\d+ [ +]/.exec(line);
  if (numbered) return line.slice(numbered[0].length);
  const marker = side === "RIGHT" ? "+" : "-";
  return line.startsWith(marker) ? line.slice(1) : line;
}

/** Consecutive lines of one side, per hunk (a multi-line anchor never spans two hunks). */
function runs(file: DiffFile, side: Side): Array<Array<{ n: number; text: string }>> {
  const keep = (l: DiffLine) => (side === "RIGHT" ? l.kind !== "del" : l.kind === "del");
  return file.hunks.map((h) =>
    h.lines.filter(keep).map((l) => ({ n: (side === "RIGHT" ? l.newLine : l.oldLine) ?? 0, text: l.text })),
  );
}

function matches(file: DiffFile, side: Side, wanted: string[], eq: Eq): AnchorCandidate[] {
  const found: AnchorCandidate[] = [];
  for (const run of runs(file, side)) {
    for (let start = 0; start + wanted.length <= run.length; start++) {
      // On the LEFT side removed lines need not be adjacent in the old file; within a run they are.
      if (wanted.every((w, k) => eq(run[start + k]?.text ?? "", w))) {
        const first = run[start]?.n ?? 0;
        const last = run[start + wanted.length - 1]?.n ?? 0;
        found.push(wanted.length > 1 ? { line: last, side, startLine: first } : { line: last, side });
      }
    }
  }
  return found;
}

function substringMatches(file: DiffFile, wanted: string): AnchorCandidate[] {
  const needle = squash(wanted);
  if (needle.replace(/\s/g, "").length < 10) return [];
  const found: AnchorCandidate[] = [];
  for (const run of runs(file, "RIGHT")) {
    for (const { n, text } of run) if (squash(text).includes(needle)) found.push({ line: n, side: "RIGHT" });
  }
  return found;
}

function choose(found: AnchorCandidate[], nearLine: number | undefined): AnchorResult {
  if (found.length === 1) return found[0] as AnchorCandidate;
  if (nearLine !== undefined) {
    const distance = (c: AnchorCandidate) => Math.abs(c.line - nearLine);
    const best = Math.min(...found.map(distance));
    const nearest = found.filter((c) => distance(c) === best);
    if (nearest.length === 1) return nearest[0] as AnchorCandidate;
  }
  return { unresolved: "ambiguous", candidates: found };
}

/**
 * Maps a finding's anchor to a line GitHub accepts for a review comment. Tries, in order, and stops
 * at the first that finds anything: the new side's added and context lines matched exactly; matched
 * ignoring whitespace differences; with a copied `12 +` prefix dropped; then removed lines (LEFT)
 * the same three ways; last, a single long line contained in exactly one new-side line. Several
 * matches are ambiguous unless `near_line` picks one strictly nearest.
 */
export function mapAnchor(files: readonly DiffFile[], query: AnchorQuery): AnchorResult {
  const file = findFile(files, query.path);
  if (!file) return { unresolved: "unknown path" };
  const lines = query.anchor.split(/\r?\n/);
  while (lines.length > 0 && (lines[0] ?? "").trim() === "") lines.shift();
  while (lines.length > 0 && (lines.at(-1) ?? "").trim() === "") lines.pop();
  if (lines.length === 0) return { unresolved: "not in diff" };

  for (const side of ["RIGHT", "LEFT"] as const) {
    const stripped = lines.map((l) => stripPresentation(l, side));
    const tiers: Array<[string[], Eq]> = [
      [lines, exact],
      [lines, loose],
      [stripped, loose],
    ];
    for (const [wanted, eq] of tiers) {
      const found = matches(file, side, wanted, eq);
      if (found.length > 0) return choose(found, query.near_line);
    }
  }
  if (lines.length === 1) {
    const found = substringMatches(file, lines[0] ?? "");
    if (found.length > 0) return choose(found, query.near_line);
  }
  return { unresolved: "not in diff" };
}
