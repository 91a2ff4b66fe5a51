import type { FindingInput, FindingSet } from "../../core/review/finding.js";
import { normalisePath } from "../../core/review/finding.js";
import { type DiffFile, findFile, isResolved, mapAnchor } from "../../diff/index.js";

/**
 * Where each finding sits in the diff (`FindingInput.at`), found by code before the core aggregates
 * the findings: the file's new path (renames followed), and the lines its anchor resolves to (or the
 * line a human commented on). A finding whose anchor is not in the diff keeps only its path.
 */
export function locateFindings(sets: readonly FindingSet[], files: readonly DiffFile[]): FindingSet[] {
  return sets.map((set) => ({ ...set, findings: set.findings.map((f) => locate(f, files)) }));
}

function locate(f: FindingInput, files: readonly DiffFile[]): FindingInput {
  if (!f.path) return f;
  const path = findFile(files, f.path)?.newPath ?? normalisePath(f.path);
  if (f.line !== undefined) return { ...f, at: { path, line: f.line, side: f.side ?? "RIGHT" } };
  if (!f.anchor) return { ...f, at: { path } };
  const query =
    f.near_line == null
      ? { path: f.path, anchor: f.anchor }
      : { path: f.path, anchor: f.anchor, near_line: f.near_line };
  const r = mapAnchor(files, query);
  if (!isResolved(r)) return { ...f, at: { path } };
  return {
    ...f,
    at: {
      path,
      line: r.line,
      side: r.side,
      ...(r.startLine !== undefined ? { startLine: r.startLine } : {}),
    },
  };
}
