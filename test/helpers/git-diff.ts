import { structuredPatch } from "diff";
import { parseUnifiedDiff } from "../../src/diff/parse.js";
import type { DiffFile } from "../../src/diff/types.js";

/**
 * A `git diff` as git writes it, from files before and after (jsdiff's hunks, 3 lines of context):
 * the tests of diff readers then read text in the format they meet in production, not hand-built
 * objects. A file without `before` is added, without `after` deleted; `from` renames.
 */
export interface FileChange {
  path: string;
  before?: string;
  after?: string;
  /** Renamed from this path (`before` is then its content there). */
  from?: string;
  /** Git's section heading for every hunk (what follows the second `@@`). */
  section?: string;
}

const withEol = (s: string) => (s === "" || s.endsWith("\n") ? s : `${s}\n`);

export function gitDiff(changes: readonly FileChange[]): string {
  const out: string[] = [];
  for (const c of changes) {
    const oldPath = c.from ?? c.path;
    out.push(`diff --git a/${oldPath} b/${c.path}`);
    if (c.before === undefined) out.push("new file mode 100644");
    if (c.after === undefined) out.push("deleted file mode 100644");
    if (c.from !== undefined)
      out.push("similarity index 90%", `rename from ${c.from}`, `rename to ${c.path}`);
    const before = withEol(c.before ?? "");
    const after = withEol(c.after ?? "");
    if (before === after) continue;
    out.push(`--- ${c.before === undefined ? "/dev/null" : `a/${oldPath}`}`);
    out.push(`+++ ${c.after === undefined ? "/dev/null" : `b/${c.path}`}`);
    for (const h of structuredPatch(oldPath, c.path, before, after, "", "", { context: 3 }).hunks) {
      const section = c.section ? ` ${c.section}` : "";
      out.push(`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@${section}`, ...h.lines);
    }
  }
  return `${out.join("\n")}\n`;
}

export function diffOf(changes: readonly FileChange[]): DiffFile[] {
  return parseUnifiedDiff(gitDiff(changes));
}
