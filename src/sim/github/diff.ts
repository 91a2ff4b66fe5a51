/** Tree-to-tree diffs as GitHub reports them: per-file status, counts, `patch` hunks, unified diff text. */
import { structuredPatch } from "diff";
import type { FileMode, ObjectStore } from "./git-objects.js";

export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: string[];
}

export interface FileChange {
  filename: string;
  previousFilename?: string;
  status: "added" | "removed" | "modified" | "renamed";
  additions: number;
  deletions: number;
  changes: number;
  binary: boolean;
  oldSha: string | null;
  newSha: string | null;
  oldMode: FileMode | null;
  newMode: FileMode | null;
  hunks: Hunk[];
  /** GitHub's `patch` field: the hunks only, no file header; undefined for binary files. */
  patch: string | undefined;
}

const isBinary = (b: Buffer) => b.subarray(0, 8000).includes(0);

function hunkHeader(h: Hunk): string {
  const range = (start: number, lines: number) =>
    lines === 1 ? `${start}` : `${lines === 0 ? start - 1 : start},${lines}`;
  return `@@ -${range(h.oldStart, h.oldLines)} +${range(h.newStart, h.newLines)} @@`;
}

export function formatHunks(hunks: Hunk[]): string {
  return hunks.map((h) => [hunkHeader(h), ...h.lines].join("\n")).join("\n");
}

function fileChange(
  store: ObjectStore,
  filename: string,
  oldEntry: { mode: FileMode; sha: string } | undefined,
  newEntry: { mode: FileMode; sha: string } | undefined,
): FileChange {
  const oldBuf = oldEntry ? (store.blob(oldEntry.sha) ?? Buffer.alloc(0)) : Buffer.alloc(0);
  const newBuf = newEntry ? (store.blob(newEntry.sha) ?? Buffer.alloc(0)) : Buffer.alloc(0);
  const binary = isBinary(oldBuf) || isBinary(newBuf);
  let hunks: Hunk[] = [];
  if (!binary && oldEntry?.sha !== newEntry?.sha) {
    hunks = structuredPatch(filename, filename, oldBuf.toString("utf8"), newBuf.toString("utf8"), "", "", {
      context: 3,
    }).hunks;
  }
  let additions = 0;
  let deletions = 0;
  for (const h of hunks) {
    for (const l of h.lines) {
      if (l.startsWith("+")) additions += 1;
      else if (l.startsWith("-")) deletions += 1;
    }
  }
  return {
    filename,
    status: !oldEntry ? "added" : !newEntry ? "removed" : "modified",
    additions,
    deletions,
    changes: additions + deletions,
    binary,
    oldSha: oldEntry?.sha ?? null,
    newSha: newEntry?.sha ?? null,
    oldMode: oldEntry?.mode ?? null,
    newMode: newEntry?.mode ?? null,
    hunks,
    patch: binary ? undefined : hunks.length > 0 ? formatHunks(hunks) : undefined,
  };
}

/** Changed files between two trees, sorted by path; exact renames (same blob) are reported as renamed. */
export function diffTrees(store: ObjectStore, baseTree: string, headTree: string): FileChange[] {
  const a = store.flatten(baseTree);
  const b = store.flatten(headTree);
  const changes: FileChange[] = [];
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  for (const p of paths) {
    const o = a.get(p);
    const n = b.get(p);
    if (o && n && o.sha === n.sha && o.mode === n.mode) continue;
    changes.push(fileChange(store, p, o, n));
  }
  // Exact renames: a removed file whose blob reappears as an added file.
  const removed = changes.filter((c) => c.status === "removed");
  for (const added of changes.filter((c) => c.status === "added")) {
    const idx = removed.findIndex((r) => r.oldSha === added.newSha);
    const from = removed[idx];
    if (!from) continue;
    removed.splice(idx, 1);
    changes.splice(changes.indexOf(from), 1);
    Object.assign(added, {
      status: "renamed",
      previousFilename: from.filename,
      oldSha: from.oldSha,
      oldMode: from.oldMode,
      additions: 0,
      deletions: 0,
      changes: 0,
      hunks: [],
      patch: undefined,
    } satisfies Partial<FileChange>);
  }
  return changes.sort((x, y) => (x.filename < y.filename ? -1 : x.filename > y.filename ? 1 : 0));
}

/** `git diff` output for a list of changes (what `Accept: application/vnd.github.diff` returns). */
export function unifiedDiff(changes: FileChange[]): string {
  const out: string[] = [];
  const short = (sha: string | null) => (sha ?? "0".repeat(40)).slice(0, 7);
  for (const c of changes) {
    const from = c.previousFilename ?? c.filename;
    out.push(`diff --git a/${from} b/${c.filename}`);
    if (c.status === "added") out.push(`new file mode ${c.newMode}`);
    else if (c.status === "removed") out.push(`deleted file mode ${c.oldMode}`);
    else if (c.oldMode !== c.newMode) out.push(`old mode ${c.oldMode}`, `new mode ${c.newMode}`);
    if (c.status === "renamed") {
      out.push("similarity index 100%", `rename from ${from}`, `rename to ${c.filename}`);
      continue;
    }
    const mode = c.status === "modified" && c.oldMode === c.newMode ? ` ${c.newMode}` : "";
    out.push(`index ${short(c.oldSha)}..${short(c.newSha)}${mode}`);
    if (c.binary) {
      out.push(
        `Binary files ${c.oldSha ? `a/${from}` : "/dev/null"} and ${c.newSha ? `b/${c.filename}` : "/dev/null"} differ`,
      );
      continue;
    }
    if (c.hunks.length === 0) continue;
    out.push(
      c.oldSha ? `--- a/${from}` : "--- /dev/null",
      c.newSha ? `+++ b/${c.filename}` : "+++ /dev/null",
    );
    out.push(formatHunks(c.hunks));
  }
  return out.length > 0 ? `${out.join("\n")}\n` : "";
}

export interface LineAnchor {
  /** 1-based position in the file's patch (the legacy `position` field). */
  position: number;
  /** The patch text from the hunk's header down to the anchored line (`diff_hunk`). */
  diffHunk: string;
  hunkIndex: number;
}

/** Finds `line` on `side` among a file's hunks; undefined when the line is not part of the diff. */
export function anchorLine(change: FileChange, line: number, side: "LEFT" | "RIGHT"): LineAnchor | undefined {
  let position = 0;
  for (const [hunkIndex, h] of change.hunks.entries()) {
    if (hunkIndex > 0) position += 1; // each later hunk header counts as a line
    let oldNo = h.oldStart;
    let newNo = h.newStart;
    const header = hunkHeader(h);
    for (const [i, l] of h.lines.entries()) {
      if (l.startsWith("\\")) continue;
      position += 1;
      const kind = l[0];
      const hit =
        (side === "RIGHT" && (kind === "+" || kind === " ") && newNo === line) ||
        (side === "LEFT" && (kind === "-" || kind === " ") && oldNo === line);
      if (hit) {
        return { position, hunkIndex, diffHunk: [header, ...h.lines.slice(0, i + 1)].join("\n") };
      }
      if (kind !== "+") oldNo += 1;
      if (kind !== "-") newNo += 1;
    }
  }
  return undefined;
}
