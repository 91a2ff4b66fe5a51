import type { FindingInput, FindingSet } from "../../core/review/finding.js";
import { SEVERITIES, type Severity } from "../../core/schemas/review.js";
import { type DiffFile, findFile, type Side } from "../../diff/index.js";

/**
 * Findings that do not come from a reviewer model (issue #7, item 6): a human's review, a human's
 * `/triad fix` comment, and a failed check run of the repository's own CI on triad's head sha. They
 * are always agreed, come before every reviewer finding, and are at blocker unless the human says
 * otherwise with a leading severity word: `nit: …`, `[minor] …`, `**major**: …`.
 *
 * Which reviews and comments count (changes requested, write access, not a bot) is the caller's
 * decision; these functions only convert.
 */

const SEVERITY_PREFIX = new RegExp(
  String.raw`^\s*(?:\*\*|__)?\[?(${SEVERITIES.join("|")})\]?(?:\*\*|__)?\s*(?:[:\-—–]\s*|\s+|$)`,
  "i",
);

/** A leading severity word, if any, and the text without it; default blocker. */
export function parseSeverityPrefix(
  text: string,
  fallback: Severity = "blocker",
): { severity: Severity; rest: string } {
  const match = SEVERITY_PREFIX.exec(text);
  if (!match?.[1]) return { severity: fallback, rest: text.trim() };
  return { severity: match[1].toLowerCase() as Severity, rest: text.slice(match[0].length).trim() };
}

export interface HumanReviewComment {
  path: string;
  /** The commented line (new side for RIGHT, old side for LEFT), as GitHub reports it. */
  line?: number | null;
  side?: Side | null;
  start_line?: number | null;
  body: string;
}

export interface HumanReview {
  /** The reviewer's login. */
  author: string;
  /** The review's summary text (may be empty). */
  body?: string | null;
  comments?: readonly HumanReviewComment[];
}

/** The text of lines `from..to` of one side of the diff, when they are all in it. */
function diffLines(
  files: readonly DiffFile[],
  path: string,
  side: Side,
  from: number,
  to: number,
): string | undefined {
  const file = findFile(files, path);
  if (!file) return undefined;
  const byNumber = new Map<number, string>();
  for (const hunk of file.hunks)
    for (const l of hunk.lines) {
      const n = side === "RIGHT" ? l.newLine : l.kind === "del" ? l.oldLine : undefined;
      if (n !== undefined) byNumber.set(n, l.text);
    }
  const out: string[] = [];
  for (let n = from; n <= to; n++) {
    const text = byNumber.get(n);
    if (text === undefined) return undefined;
    out.push(text);
  }
  return out.join("\n");
}

/**
 * A human's review: each inline comment becomes a finding at its line (the anchor is taken from the
 * diff when `files` is given, so it deduplicates and keys like a reviewer's), and a non-empty review
 * body becomes a finding about the whole pull request.
 */
export function fromHumanReview(review: HumanReview, files?: readonly DiffFile[]): FindingSet {
  const findings: FindingInput[] = [];
  const body = review.body?.trim();
  if (body) {
    const { severity, rest } = parseSeverityPrefix(body);
    if (rest)
      findings.push({ path: null, anchor: null, severity, message: rest, conflicts_with_plan: false });
  }
  for (const c of review.comments ?? []) {
    const { severity, rest } = parseSeverityPrefix(c.body);
    if (!rest) continue;
    const finding: FindingInput = { path: c.path, severity, message: rest, conflicts_with_plan: false };
    if (typeof c.line === "number") {
      const side = c.side ?? "RIGHT";
      finding.line = c.line;
      finding.side = side;
      const from = typeof c.start_line === "number" && c.start_line < c.line ? c.start_line : c.line;
      const anchor = files ? diffLines(files, c.path, side, from, c.line) : undefined;
      if (anchor !== undefined) finding.anchor = anchor;
    }
    findings.push(finding);
  }
  return { reviewer: review.author, origin: "human", findings };
}

/** The command's line; the comment's first *visible* line was already found to be it (src/text/comment-intent.ts). */
const FIX_COMMAND = /^[ \t]*\/triad[ \t]+fix\b[ \t]*/im;

/**
 * A human comment whose first visible line is `/triad fix …`: the rest of that line and every line
 * after it are one finding about the whole pull request. A bare `/triad fix` yields no finding.
 */
export function fromFixCommand(author: string, text: string): FindingSet {
  const normalised = text.replace(/\r\n?/g, "\n");
  const match = FIX_COMMAND.exec(normalised);
  if (!match) return { reviewer: author, origin: "human", findings: [] };
  const { severity, rest } = parseSeverityPrefix(normalised.slice(match[0].length));
  return {
    reviewer: author,
    origin: "human",
    findings: rest ? [{ path: null, anchor: null, severity, message: rest, conflicts_with_plan: false }] : [],
  };
}

/** How much of a check's output summary a finding carries (the rest is a link away). */
export const CHECK_SUMMARY_CHARS = 4_000;

/**
 * A failed check run of the repository's own CI: one blocker about the whole pull request, with the
 * check's output summary (clipped to `maxChars`, with a note).
 */
export function fromCheckFailure(
  checkName: string,
  summary: string | null | undefined,
  maxChars: number = CHECK_SUMMARY_CHARS,
): FindingSet {
  const text = (summary ?? "").replace(/\r\n?/g, "\n").trim();
  const clipped =
    text.length > maxChars ? `${text.slice(0, maxChars)}\n… (clipped; see the check run)` : text;
  const message = clipped
    ? `The check \`${checkName}\` failed on this head. Its output:\n\n${clipped}`
    : `The check \`${checkName}\` failed on this head (it gave no output summary).`;
  return {
    reviewer: `check:${checkName}`,
    origin: "check",
    findings: [{ path: null, anchor: null, severity: "blocker", message, conflicts_with_plan: false }],
  };
}
