import type { DiffFile, Hunk } from "./types.js";

/**
 * The reviewer's view of a diff, in PR-Agent's layout: per hunk a `__new hunk__` block with the new
 * file's line numbers (added lines marked `+`) and, when lines were removed, an `__old hunk__` block
 * with the removed lines marked `-`. The model quotes a line of new code as its anchor; code maps it
 * back (see anchor.ts), so the numbers are a reading aid, not the contract.
 */

export interface PresentOptions {
  /** Rough budget for the whole text, in tokens (≈ characters / 4). */
  tokenBudget: number;
  /** Files to leave out entirely (lock files, generated files); by new path. */
  skip?: (path: string) => boolean;
}

export interface Presentation {
  text: string;
  /** Paths shown in full. */
  shown: string[];
  /** Paths shown in part: the hunks that did not fit were left out. */
  partial: Array<{ path: string; hunksShown: number; hunksTotal: number }>;
  /** Paths left out by the skip predicate. */
  skipped: string[];
  /** Paths left out because the budget ran out. */
  clipped: string[];
}

/** Token estimate used for budgets: characters / 4, rounded up. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function fileTitle(file: DiffFile): string {
  switch (file.status) {
    case "added":
      return file.copied
        ? `## File: '${file.newPath}' (new, copied from '${file.oldPath}')`
        : `## File: '${file.newPath}' (new file)`;
    case "deleted":
      return `## File '${file.oldPath}' was deleted`;
    case "renamed":
      return `## File: '${file.newPath}' (renamed from '${file.oldPath}')`;
    default:
      return `## File: '${file.newPath}'`;
  }
}

/** One hunk as text: header, `__new hunk__` with numbered lines, then `__old hunk__` if lines were removed. */
export function presentHunk(hunk: Hunk): string {
  const newLines: string[] = [];
  const oldLines: string[] = [];
  const NO_EOL = "\\ No newline at end of file";
  for (const line of hunk.lines) {
    if (line.kind === "add") newLines.push(`${line.newLine} +${line.text}`);
    else if (line.kind === "context") {
      newLines.push(`${line.newLine}  ${line.text}`);
      oldLines.push(` ${line.text}`);
    } else oldLines.push(`-${line.text}`);
    // Kept (unlike PR-Agent) so that `-x` / `+x` is not read as a change that changes nothing.
    if (line.noNewline) {
      if (line.kind !== "del") newLines.push(NO_EOL);
      if (line.kind !== "add") oldLines.push(NO_EOL);
    }
  }
  let out = `${hunk.header}\n__new hunk__\n`;
  out += newLines.length > 0 ? `${newLines.join("\n")}\n` : "(no lines in the new file)\n";
  if (hunk.lines.some((l) => l.kind === "del")) out += `__old hunk__\n${oldLines.join("\n")}\n`;
  return out;
}

function fileBlocks(file: DiffFile): { title: string; hunks: string[] } {
  const title = `${fileTitle(file)}\n`;
  if (file.status === "deleted") return { title, hunks: [] };
  if (file.binary) return { title: `${title}(binary file, not shown)\n`, hunks: [] };
  if (file.hunks.length === 0) {
    const what = file.status === "renamed" ? "(renamed without changes)" : "(no content changes)";
    return { title: `${title}${what}\n`, hunks: [] };
  }
  return { title, hunks: file.hunks.map((h) => `\n${presentHunk(h)}`) };
}

const NOTE_MAX_PATHS = 50;

function names(paths: readonly string[]): string {
  const listed = paths.slice(0, NOTE_MAX_PATHS).join(", ");
  return paths.length > NOTE_MAX_PATHS ? `${listed} and ${paths.length - NOTE_MAX_PATHS} more` : listed;
}

function note(result: Omit<Presentation, "text">): string {
  const parts: string[] = [];
  if (result.skipped.length > 0) {
    parts.push(`Not shown (lock or generated files): ${names(result.skipped)}`);
  }
  if (result.clipped.length > 0) {
    parts.push(`Left out to fit the size limit: ${names(result.clipped)}`);
  }
  for (const p of result.partial.slice(0, NOTE_MAX_PATHS)) {
    const what =
      p.hunksShown === 0
        ? `the first lines of hunk 1 of ${p.hunksTotal}`
        : `first ${p.hunksShown} of ${p.hunksTotal} hunks`;
    parts.push(`Shown in part to fit the size limit: ${p.path} (${what})`);
  }
  return parts.length === 0 ? "" : `\n\n## Files not shown in full\n${parts.join("\n")}\n`;
}

/** The first whole lines of a presented hunk that fit in `room` characters, marked as cut; undefined if none. */
function leadingLines(hunk: string, room: number): string | undefined {
  const note = "… (the rest of this hunk is not shown)\n";
  const fit = room - note.length;
  if (fit <= 0) return undefined;
  const cut = hunk.lastIndexOf("\n", fit);
  // At least the header, the `__new hunk__` line and one line of code.
  if (cut <= 0 || hunk.slice(0, cut).split("\n").length < 4) return undefined;
  return `${hunk.slice(0, cut + 1)}${note}`;
}

/** Packs whole files, then leading hunks, into `budgetChars - reserve`; reports the rest. */
function pack(
  candidates: readonly DiffFile[],
  skipped: string[],
  budgetChars: number,
  reserve: number,
): Presentation {
  const result: Omit<Presentation, "text"> = { shown: [], partial: [], skipped, clipped: [] };
  let used = 0;
  const chunks: string[] = [];
  for (const file of candidates) {
    const { title, hunks } = fileBlocks(file);
    const separator = chunks.length === 0 ? "" : "\n";
    const whole = separator + title + hunks.join("");
    if (used + whole.length + reserve <= budgetChars) {
      chunks.push(whole);
      used += whole.length;
      result.shown.push(file.newPath);
      continue;
    }
    // Show the leading hunks that fit, if any does.
    let partial = separator + title;
    let shown = 0;
    for (const hunk of hunks) {
      if (used + partial.length + hunk.length + reserve > budgetChars) break;
      partial += hunk;
      shown++;
    }
    if (shown === 0 && hunks[0] !== undefined) {
      // One hunk larger than the whole budget (a regenerated table, a 25,000-line file): its first
      // lines, rather than nothing of the file.
      const room = budgetChars - reserve - used - partial.length;
      const head = leadingLines(hunks[0], room);
      if (head !== undefined) {
        chunks.push(partial + head);
        used += partial.length + head.length;
        result.partial.push({ path: file.newPath, hunksShown: 0, hunksTotal: hunks.length });
        continue;
      }
    }
    if (shown > 0) {
      chunks.push(partial);
      used += partial.length;
      result.partial.push({ path: file.newPath, hunksShown: shown, hunksTotal: hunks.length });
    } else {
      result.clipped.push(file.newPath);
    }
  }
  const text = (chunks.join("").replace(/\n+$/, "") + note(result)).replace(/^\n+/, "").replace(/\n+$/, "");
  return { ...result, text: text === "" ? "" : `${text}\n` };
}

/** The diff for the model, with what was left out and why. */
export function presentDiff(files: readonly DiffFile[], options: PresentOptions): Presentation {
  const budgetChars = Math.max(0, options.tokenBudget * 4);
  const skipped: string[] = [];
  const candidates: DiffFile[] = [];
  for (const file of files) {
    if (options.skip?.(file.newPath)) skipped.push(file.newPath);
    else candidates.push(file);
  }
  // The note about what was left out must fit too: repack with more room for it until it does.
  let reserve = 0;
  for (let attempt = 0; attempt < 8; attempt++) {
    const result = pack(candidates, [...skipped], budgetChars, reserve);
    if (result.text.length <= budgetChars) return result;
    reserve += result.text.length - budgetChars;
  }
  // Pathological: reserve room for a note that names every file.
  const worst = note({
    shown: [],
    partial: candidates.map((f) => ({
      path: f.newPath,
      hunksShown: f.hunks.length,
      hunksTotal: f.hunks.length,
    })),
    skipped,
    clipped: candidates.map((f) => f.newPath),
  }).length;
  return pack(candidates, [...skipped], budgetChars, worst);
}

/** The diff as text for the reviewer model (PR-Agent style), clipped to `tokenBudget` with a note. */
export function presentDiffForModel(files: readonly DiffFile[], options: PresentOptions): string {
  return presentDiff(files, options).text;
}
