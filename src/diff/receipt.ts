import { type Presentation, presentDiff } from "./present.js";
import type { DiffFile, FileStatus, Hunk } from "./types.js";

/**
 * Review receipts (issue [12/12] item 2): what a reviewer was actually shown of a diff, file by file —
 * whole, in part (which hunks), or left out and why — and the share of changed lines it saw. Users of
 * other review bots ask to "surface review coverage" because big diffs are silently truncated while the
 * review still looks complete; the receipt makes the clipping `presentDiff` does visible in every review,
 * and gives the number a `neutral` "not fully reviewed" check is decided on.
 *
 * How lines are counted: a file's changed lines are its added plus removed lines. A deleted file and a
 * binary file count none: the view names them, and there is no new code in them to review. Lines the
 * reviewer saw are those of the hunks shown. The share "outside lock and generated files" leaves lock,
 * generated and vendored files out of both sides; a file left out because it looks like it holds
 * secrets still counts as unseen (it is a real change nobody reviewed).
 */

export type SkipReason = "lockfile" | "generated" | "vendored" | "binary" | "read-denied";
/** `no-patch`: GitHub's file list (a diff above its limits) sent no patch for the file. */
export type LeftOutReason = SkipReason | "over-budget" | "no-patch";

/** Reasons whose files are not part of "the changed lines outside lock and generated files". */
const NOT_COUNTED: ReadonlySet<LeftOutReason> = new Set<LeftOutReason>([
  "lockfile",
  "generated",
  "vendored",
  "binary",
]);

export interface HunkRange {
  /** 1-based, in the file's order. */
  index: number;
  /** New-file lines the hunk spans (`newLines` 0: a pure deletion just before `newStart`). */
  newStart: number;
  newLines: number;
  changedLines: number;
}

export type FileCoverage =
  | { shown: "whole" }
  | { shown: "partly"; hunksShown: HunkRange[]; hunksLeftOut: HunkRange[] }
  | { shown: "left-out"; reason: LeftOutReason };

export interface ReceiptFile {
  path: string;
  /** For a renamed file. */
  oldPath?: string;
  status: FileStatus;
  /** Added plus removed lines (none for deleted or binary files, see above). */
  changedLines: number;
  seenLines: number;
  /** Part of the changed lines outside lock, generated and vendored files. */
  counted: boolean;
  coverage: FileCoverage;
}

export interface Receipt {
  files: ReceiptFile[];
}

export interface ReceiptCoverage {
  changedLines: number;
  seenLines: number;
  /** seen / changed, 0..1; 1 when nothing changed. */
  share: number;
  /** The same, outside lock, generated and vendored files: what the coverage threshold applies to. */
  countedChangedLines: number;
  countedSeenLines: number;
  countedShare: number;
  whole: number;
  partly: number;
  leftOut: number;
}

/** Default threshold (issue [12/12]): below 90% of the changed lines outside lock/generated files, a review is not full. */
export const DEFAULT_REVIEW_COVERAGE = 0.9;

export interface ReceiptOptions {
  /** Rough budget for the whole text, in tokens (as `presentDiff`). */
  tokenBudget: number;
  /** Why a file is left out whole, or undefined to show it; by new path. */
  skipReason?: (path: string) => SkipReason | undefined;
}

/**
 * The reason for the shell's skip rule (`classifyFile` kind and `isReadDenied`, as the reviewer step
 * uses them): a secret-looking file first, then lock, generated, vendored and binary files.
 */
export function skipReasonOf(
  kind: "source" | "binary" | "vendored" | "generated" | "lock",
  readDenied: boolean,
): SkipReason | undefined {
  if (readDenied) return "read-denied";
  return kind === "lock" ? "lockfile" : kind === "source" ? undefined : kind;
}

const changed = (h: Hunk) => h.lines.filter((l) => l.kind !== "context").length;

function hunkRanges(file: DiffFile): HunkRange[] {
  return file.hunks.map((h, i) => ({
    index: i + 1,
    newStart: h.newStart,
    newLines: h.newLines,
    changedLines: changed(h),
  }));
}

/** Takes one occurrence of `path` out of `list` (paths can repeat in pathological diffs). */
function take<T>(list: T[], match: (x: T) => boolean): T | undefined {
  const i = list.findIndex(match);
  return i < 0 ? undefined : list.splice(i, 1)[0];
}

/** The receipt of a presentation made of `files` (what `presentDiff` returned for them). */
export function receiptOf(
  files: readonly DiffFile[],
  presentation: Omit<Presentation, "text">,
  skipReason?: (path: string) => SkipReason | undefined,
): Receipt {
  const skipped = [...presentation.skipped];
  const partial = [...presentation.partial];
  const clipped = [...presentation.clipped];
  const out: ReceiptFile[] = files.map((file) => {
    const ranges = hunkRanges(file);
    const lines =
      file.status === "deleted" || file.binary ? 0 : ranges.reduce((n, r) => n + r.changedLines, 0);
    const base = {
      path: file.newPath,
      ...(file.status === "renamed" ? { oldPath: file.oldPath } : {}),
      status: file.status,
      changedLines: lines,
    };
    if (take(skipped, (p) => p === file.newPath) !== undefined) {
      const reason: LeftOutReason = skipReason?.(file.newPath) ?? "generated";
      return {
        ...base,
        seenLines: 0,
        counted: !NOT_COUNTED.has(reason),
        coverage: { shown: "left-out", reason },
      };
    }
    const part = take(partial, (p) => p.path === file.newPath);
    if (part) {
      const shown = ranges.slice(0, part.hunksShown);
      const seen = shown.reduce((n, r) => n + r.changedLines, 0);
      return {
        ...base,
        seenLines: lines === 0 ? 0 : seen,
        counted: true,
        coverage: { shown: "partly", hunksShown: shown, hunksLeftOut: ranges.slice(part.hunksShown) },
      };
    }
    if (take(clipped, (p) => p === file.newPath) !== undefined)
      return { ...base, seenLines: 0, counted: true, coverage: { shown: "left-out", reason: "over-budget" } };
    return { ...base, seenLines: lines, counted: true, coverage: { shown: "whole" } };
  });
  return { files: out };
}

/**
 * The reviewer's diff view and its receipt. The text is exactly `presentDiffForModel(files,
 * { tokenBudget, skip })` with `skip` true where `skipReason` gives a reason.
 */
export function presentDiffWithReceipt(
  files: readonly DiffFile[],
  o: ReceiptOptions,
): { text: string; receipt: Receipt } {
  const reason = o.skipReason;
  const presentation = presentDiff(files, {
    tokenBudget: o.tokenBudget,
    ...(reason ? { skip: (path: string) => reason(path) !== undefined } : {}),
  });
  return { text: presentation.text, receipt: receiptOf(files, presentation, reason) };
}

/** A file the diff text never held, and why (see `withFilesOutsideDiff`). */
export interface FileOutsideDiff {
  path: string;
  reason: LeftOutReason;
  /** Added plus removed lines, as GitHub counts them; 0 when unknown. */
  changedLines: number;
}

/**
 * The receipt with files that were left out before the diff was parsed — a diff read from GitHub's
 * file list drops lock and generated files as it reads them, and GitHub sends no patch for a file too
 * large to show — so the receipt still accounts for every file of the change. Counted as the reasons
 * say (a file without a patch is a real change nobody saw).
 */
export function withFilesOutsideDiff(receipt: Receipt, outside: readonly FileOutsideDiff[]): Receipt {
  const known = new Set(receipt.files.map((f) => f.path));
  const added: ReceiptFile[] = outside
    .filter((o) => !known.has(o.path))
    .map((o) => ({
      path: o.path,
      status: "modified",
      changedLines: o.changedLines,
      seenLines: 0,
      counted: !NOT_COUNTED.has(o.reason),
      coverage: { shown: "left-out", reason: o.reason },
    }));
  return { files: [...receipt.files, ...added] };
}

const ratio = (seen: number, total: number) => (total === 0 ? 1 : seen / total);

export function receiptCoverage(receipt: Receipt): ReceiptCoverage {
  const sum = (fs: readonly ReceiptFile[], k: "changedLines" | "seenLines") =>
    fs.reduce((n, f) => n + f[k], 0);
  const counted = receipt.files.filter((f) => f.counted);
  const c = {
    changedLines: sum(receipt.files, "changedLines"),
    seenLines: sum(receipt.files, "seenLines"),
    countedChangedLines: sum(counted, "changedLines"),
    countedSeenLines: sum(counted, "seenLines"),
  };
  return {
    ...c,
    share: ratio(c.seenLines, c.changedLines),
    countedShare: ratio(c.countedSeenLines, c.countedChangedLines),
    whole: receipt.files.filter((f) => f.coverage.shown === "whole").length,
    partly: receipt.files.filter((f) => f.coverage.shown === "partly").length,
    leftOut: receipt.files.filter((f) => f.coverage.shown === "left-out").length,
  };
}

/** Whether a review saw enough of the change to count as a full review. */
export function fullyReviewed(receipt: Receipt, threshold: number = DEFAULT_REVIEW_COVERAGE): boolean {
  return receiptCoverage(receipt).countedShare >= threshold;
}

const REASON: Record<LeftOutReason, string> = {
  lockfile: "lock file",
  generated: "generated file",
  vendored: "vendored (third-party) file",
  binary: "binary file",
  "read-denied": "looks like it holds secrets (`read_deny`), so no model is shown it",
  "over-budget": "over the reviewer's size budget",
  "no-patch": "GitHub sent no patch for it (too large to show)",
};

/**
 * A path as inline code that nothing in it can break: no line breaks or control characters, no
 * `<!--` (a path cannot plant a marker in triad's comment), a fence longer than any backtick run.
 */
export function safePath(path: string): string {
  const clean = path.replace(/\p{Cc}/gu, "?").replace(/<!--/g, "<!-\u200B-");
  const longest = Math.max(0, ...(clean.match(/`+/g) ?? []).map((r) => r.length));
  const ticks = "`".repeat(longest + 1);
  const pad = clean.startsWith("`") || clean.endsWith("`") ? " " : "";
  return `${ticks}${pad}${clean}${pad}${ticks}`;
}

const pct = (x: number) => `${Math.floor(x * 1000) / 10}%`.replace(".0%", "%");
const count = (n: number) => n.toLocaleString("en-US");
const plural = (n: number, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;

function span(r: HunkRange): string {
  if (r.newLines === 0) return `a deletion at line ${r.newStart}`;
  return r.newLines === 1 ? `line ${r.newStart}` : `lines ${r.newStart}–${r.newStart + r.newLines - 1}`;
}

function hunkList(ranges: readonly HunkRange[]): string {
  const shown = ranges.slice(0, 6).map((r) => `${r.index} (${span(r)})`);
  return ranges.length > 6 ? `${shown.join(", ")} and ${ranges.length - 6} more` : shown.join(", ");
}

function fileLine(f: ReceiptFile, code: (s: string) => string): string {
  const name = f.oldPath ? `${code(f.path)} (renamed from ${code(f.oldPath)})` : code(f.path);
  const what = f.status === "deleted" ? "deleted" : f.changedLines === 0 ? "no changed lines" : "";
  const c = f.coverage;
  if (c.shown === "whole")
    return `- ${name} — whole${what ? ` (${what})` : ` (${plural(f.changedLines, "changed line")})`}`;
  if (c.shown === "left-out")
    return `- ${name} — **left out**: ${REASON[c.reason]}${f.changedLines > 0 ? ` (${plural(f.changedLines, "changed line")} not seen)` : ""}`;
  if (c.hunksShown.length === 0)
    // One hunk larger than the budget: its first lines were shown, counted as unseen.
    return `- ${name} — **in part**: only the first lines of hunk ${hunkList(c.hunksLeftOut.slice(0, 1))} shown; ${plural(f.changedLines, "changed line")} counted as not seen`;
  return `- ${name} — **in part**: hunks ${hunkList(c.hunksShown)} shown; ${hunkList(c.hunksLeftOut)} not shown (${count(f.seenLines)} of ${plural(f.changedLines, "changed line")} seen)`;
}

/** Past this many file lines the list goes into a collapsed `<details>`. */
const OPEN_LIST_MAX = 10;
/**
 * At most this many files are listed (those not shown whole first), so a 3,000-file pull request
 * keeps its review within one GitHub body; the rest are counted.
 */
export const LISTED_FILES_MAX = 250;

export interface RenderReceiptOptions {
  /** Inline code for a path (the core's `ModelText.code` fits); default: a safe code span. */
  code?: (text: string) => string;
  /** Say "not fully reviewed" below this share (outside lock and generated files). */
  threshold?: number;
}

/**
 * The receipt as a section of a review body: one line with the coverage, then the files — those not
 * shown whole first — as a list, collapsed in `<details>` when long.
 */
export function renderReceipt(receipt: Receipt, o: RenderReceiptOptions = {}): string {
  const code = o.code ?? safePath;
  const cov = receiptCoverage(receipt);
  const notFull = o.threshold !== undefined && cov.countedShare < o.threshold;
  const outside =
    cov.countedChangedLines === cov.changedLines
      ? ""
      : `; ${pct(cov.countedShare)} outside lock and generated files (${count(cov.countedSeenLines)} of ${count(cov.countedChangedLines)})`;
  const head = `**Review coverage:** the reviewer saw ${pct(cov.share)} of the changed lines (${count(cov.seenLines)} of ${count(cov.changedLines)})${outside}.${notFull ? ` **Not fully reviewed**: below the ${pct(o.threshold ?? 0)} threshold.` : ""}`;
  if (receipt.files.length === 0) return `${head}\n`;
  const order = { "left-out": 0, partly: 1, whole: 2 } as const;
  const files = [...receipt.files].sort((a, b) => order[a.coverage.shown] - order[b.coverage.shown]);
  const list = files.slice(0, LISTED_FILES_MAX).map((f) => fileLine(f, code));
  const rest = files.slice(LISTED_FILES_MAX);
  if (rest.length > 0) {
    const whole = rest.filter((f) => f.coverage.shown === "whole").length;
    const what = whole === rest.length ? "all shown whole" : `${count(whole)} of them shown whole`;
    list.push(`- … and ${plural(rest.length, "more file")} (${what})`);
  }
  const summary = `${plural(cov.whole, "file")} shown whole, ${count(cov.partly)} in part, ${count(cov.leftOut)} left out`;
  if (list.length <= OPEN_LIST_MAX) return `${head}\n\n${summary}:\n\n${list.join("\n")}\n`;
  return `${head}\n\n<details><summary>${summary}</summary>\n\n${list.join("\n")}\n\n</details>\n`;
}
