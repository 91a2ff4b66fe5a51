import type { DiffFile } from "../../diff/index.js";
import {
  type FileOutsideDiff,
  presentDiffWithReceipt,
  type Receipt,
  receiptCoverage,
  renderReceipt,
  skipReasonOf,
  withFilesOutsideDiff,
} from "../../diff/receipt.js";
import type { ReviewDiff } from "../../github/pull-diff.js";
import { classifyFile } from "../../repo/file-kinds.js";
import { isReadDenied } from "../../repo/path-policy.js";

/**
 * The reviewer's view of the diff and its receipt (issue [12/12] item 2): the text the reviewer model
 * is given, and, from the very same presentation, what of the change it covered — so the receipt in
 * the review body can never describe a view other than the one the model read.
 */
export interface ReviewerView {
  text: string;
  receipt: Receipt;
  /** The diff was built from GitHub's file list (above its diff limits). */
  fromFileList: boolean;
}

/** What a reviewer hands the aggregate about its coverage (the check is decided on `countedShare`). */
export interface ReviewCoverageFigure {
  /** Seen / changed lines outside lock, generated and vendored files, 0..1. */
  countedShare: number;
  countedSeenLines: number;
  countedChangedLines: number;
}

export function reviewerView(
  diff: ReviewDiff,
  files: readonly DiffFile[],
  o: { tokenBudget: number; readDeny: readonly string[] },
): ReviewerView {
  // Lock and generated files are noise; secret-looking files are never shown to a model.
  const skipReason = (path: string) => skipReasonOf(classifyFile(path), isReadDenied(path, o.readDeny));
  const { text, receipt } = presentDiffWithReceipt(files, { tokenBudget: o.tokenBudget, skipReason });
  const outside: FileOutsideDiff[] = diff.leftOut.map((l) => ({
    path: l.path,
    reason:
      l.why === "no patch from GitHub"
        ? "no-patch"
        : (skipReasonOf(classifyFile(l.path), false) ?? "generated"),
    changedLines: l.lines ?? 0,
  }));
  return { text, receipt: withFilesOutsideDiff(receipt, outside), fromFileList: diff.source === "files" };
}

export function coverageFigure(receipt: Receipt): ReviewCoverageFigure {
  const c = receiptCoverage(receipt);
  return {
    countedShare: c.countedShare,
    countedSeenLines: c.countedSeenLines,
    countedChangedLines: c.countedChangedLines,
  };
}

/** The receipt as a section of the review body (threshold from `review_coverage_threshold`). */
export function receiptSection(view: ReviewerView, threshold: number, code?: (s: string) => string): string {
  const note = view.fromFileList
    ? "\n_Read from GitHub's file list: the diff is above GitHub's limit of 300 files or 20,000 lines._\n"
    : "";
  return `${renderReceipt(view.receipt, { threshold, ...(code ? { code } : {}) })}${note}`;
}
