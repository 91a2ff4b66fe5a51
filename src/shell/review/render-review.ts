import { findingKey } from "../../core/review/finding.js";
import {
  type PlanCompliance,
  type ReviewFinding,
  type ReviewOutput,
  SEVERITIES,
  type Severity,
} from "../../core/schemas/review.js";
import {
  type AnchorResult,
  type DiffFile,
  findFile,
  isResolved,
  mapAnchor,
  type Side,
} from "../../diff/index.js";
import { stripHtmlComments, stripInvisible } from "../../text/sanitize.js";

/**
 * One reviewer's output as ONE GitHub pull-request review, event `COMMENT` (ARCHITECTURE §3, §5.1).
 * Pure: the caller posts `{ event, body, comments }` and nothing else.
 *
 * - A finding whose anchor `mapAnchor` resolves becomes an inline comment: severity badge, plan step,
 *   message, and a GitHub suggestion block when it has a suggestion and the anchor is on the new side
 *   (a suggestion on removed lines is shown as plain code: it cannot be committed there).
 * - A finding whose anchor is not in the diff, is ambiguous, or names a file the pull request does
 *   not touch goes into the body under "Findings outside the diff" — never into `comments`, so GitHub
 *   has no reason to answer 422.
 * - The body: the caller's hidden marker first, counts by severity, the plan-compliance list, then
 *   the findings outside the diff.
 *
 * The model's text is untrusted: HTML comments and invisible characters are removed from prose (so a
 * model cannot plant a `<!-- triad:… -->` marker in a comment the app writes), @-mentions are defused,
 * and code blocks get a fence longer than any backtick run inside them. A suggestion that would carry
 * a triad marker or an invisible character, that is empty, or that repeats the anchored lines unchanged
 * is left out.
 */

export interface RenderReviewInput {
  output: ReviewOutput;
  files: readonly DiffFile[];
  /** The review's hidden marker, e.g. `<!-- triad:review id=reviewer-1-<headSha> -->`, written first. */
  marker: string;
  /** A heading for the body, e.g. "Review 1 of 2". */
  heading?: string;
  /** The approved plan's step titles, to name steps; compliance then lists every step. */
  plan?: { steps: ReadonlyArray<{ title: string }> };
  /** A hidden marker per inline comment (from the finding's key), so a 👎 or a reply maps back to it. */
  findingMarker?: (key: string) => string;
  /**
   * The whole PR's diff, when `files` is an incremental one: GitHub numbers a comment's LEFT side in
   * the PR's base, so removed lines are looked up here (a line removed in the round but never in the
   * base has no place in the PR's diff and goes into the body).
   */
  prFiles?: readonly DiffFile[];
  /** What the review covered (the coverage receipt, markdown; see coverage-receipt.ts), under the counts. */
  coverage?: string;
  /** Further sections, markdown, after the coverage (the test-integrity guard's flags). */
  sections?: readonly string[];
  /**
   * Why a finding is listed in the body rather than posted inline (a nit by default, a noisy
   * reviewer's minor points: `foldReason`), or undefined to post it inline.
   */
  fold?: (f: ReviewFinding) => string | undefined;
}

export interface ReviewComment {
  path: string;
  line: number;
  side: Side;
  start_line?: number;
  start_side?: Side;
  body: string;
}

/** Where each finding went: an inline comment, or the body (with the reason it is not inline). */
export type Placement =
  | { finding: number; key: string; comment: number }
  | { finding: number; key: string; reason: string };

export interface RenderedReview {
  event: "COMMENT";
  body: string;
  comments: ReviewComment[];
  /** One per finding, in the reviewer's order. */
  placements: Placement[];
  /** What it was rendered from (for `moveToBody`). */
  source: RenderReviewInput;
}

export const SEVERITY_BADGE: Record<Severity, string> = {
  blocker: "🛑 **Blocker**",
  major: "🟠 **Major**",
  minor: "🟡 **Minor**",
  nit: "💬 **Nit**",
};

const STATUS_BADGE: Record<PlanCompliance["status"], string> = {
  met: "✅",
  partly: "⚠️",
  missing: "❌",
};

export const REFUSED_REASON = "GitHub refused it as an inline comment";

const MARKER_LIKE = /<!--\s*triad:/i;

/** Model prose made safe to post: no HTML comments, no invisible characters, no live @-mentions. */
export function safeProse(text: string): string {
  return stripHtmlComments(stripInvisible(text.replace(/\r\n?/g, "\n")))
    .replace(/(^|[^\w`@/.])@(?=[A-Za-z0-9])/g, "$1@\u200B")
    .trim();
}

/** A fenced code block whose fence no backtick run inside the text can close. */
export function fence(text: string, info = ""): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const ticks = "`".repeat(Math.max(3, longest + 1));
  return `${ticks}${info}\n${text}\n${ticks}`;
}

function code(text: string): string {
  // A quoted line of code may legitimately hold an HTML comment; only a triad marker is defused.
  return stripInvisible(text.replace(/\r\n?/g, "\n")).replace(/<!--(?=\s*triad:)/gi, "<!-\u200B-");
}

function stepLabel(step: number | undefined, input: RenderReviewInput): string | undefined {
  if (step === undefined) return undefined;
  const title = input.plan?.steps[step - 1]?.title;
  return title ? `plan step ${step}: ${safeProse(title)}` : `plan step ${step}`;
}

/** The suggestion to offer, or undefined: trailing line end dropped; empty, marker-like or no-op left out. */
function usableSuggestion(f: ReviewFinding, anchored: string | undefined): string | undefined {
  if (f.suggestion == null) return undefined;
  const text = f.suggestion.replace(/\r\n?/g, "\n").replace(/\n$/, "");
  if (text.trim() === "" || MARKER_LIKE.test(text)) return undefined;
  // One click commits it verbatim: no invisible or bidi characters (Trojan Source) get in that way.
  if (stripInvisible(text) !== text) return undefined;
  if (anchored !== undefined && text === anchored) return undefined;
  return text;
}

/** The new-side text of lines `from..to` of a file, as the diff shows them. */
function rightLines(file: DiffFile | undefined, from: number, to: number): string | undefined {
  if (!file) return undefined;
  const byNumber = new Map<number, string>();
  for (const h of file.hunks)
    for (const l of h.lines) if (l.newLine !== undefined) byNumber.set(l.newLine, l.text);
  const out: string[] = [];
  for (let n = from; n <= to; n++) {
    const t = byNumber.get(n);
    if (t === undefined) return undefined;
    out.push(t);
  }
  return out.join("\n");
}

function unplacedReason(result: AnchorResult): string {
  if (isResolved(result)) return "";
  switch (result.unresolved) {
    case "ambiguous": {
      const lines = (result.candidates ?? []).map((c) => c.line);
      return `its anchor matches ${lines.length} lines (${lines.join(", ")}) and none is nearest`;
    }
    case "unknown path":
      return "the file is not part of this pull request";
    default:
      return "its anchor is not on a line this pull request shows";
  }
}

function headline(f: ReviewFinding, input: RenderReviewInput): string {
  const step = stepLabel(f.plan_step ?? undefined, input);
  return step ? `${SEVERITY_BADGE[f.severity]} · ${step}` : SEVERITY_BADGE[f.severity];
}

const PLAN_CONFLICT_NOTE =
  "_This finding says the plan itself causes the problem; the architect will rule on it._";

function inlineBody(
  f: ReviewFinding,
  key: string,
  suggestion: string | undefined,
  side: Side,
  input: RenderReviewInput,
): string {
  const parts = [headline(f, input)];
  if (input.findingMarker) parts[0] = `${parts[0]}\n${input.findingMarker(key)}`;
  parts.push(safeProse(f.message));
  if (f.conflicts_with_plan) parts.push(PLAN_CONFLICT_NOTE);
  if (suggestion !== undefined) {
    parts.push(
      side === "RIGHT" ? fence(suggestion, "suggestion") : `Suggested code:\n\n${fence(code(suggestion))}`,
    );
  }
  return parts.join("\n\n");
}

interface BodyPlace {
  path: string;
  /** The resolved lines, when the anchor resolved but the finding is in the body anyway. */
  lines?: { from: number; to: number; side: Side };
  anchored?: string;
}

function bodyFinding(
  n: number,
  f: ReviewFinding,
  reason: string,
  place: BodyPlace,
  input: RenderReviewInput,
): string {
  const path = code(place.path).replace(/`/g, "'");
  let at = "";
  if (place.lines) {
    const { from, to, side } = place.lines;
    at = ` ${from === to ? `line ${to}` : `lines ${from}–${to}`}${side === "LEFT" ? " (removed)" : ""}`;
  } else if (f.near_line != null) at = ` (near line ${f.near_line})`;
  const parts = [
    `**${n}.** ${headline(f, input)} · \`${path}\`${at} — _not inline: ${reason}._`,
    safeProse(f.message),
  ];
  if (f.conflicts_with_plan) parts.push(PLAN_CONFLICT_NOTE);
  parts.push(`Anchor:\n\n${fence(code(f.anchor.replace(/\n+$/, "")))}`);
  const suggestion = usableSuggestion(f, place.anchored);
  if (suggestion !== undefined) parts.push(`Suggested replacement:\n\n${fence(code(suggestion))}`);
  return parts.join("\n\n");
}

const FOLDED_HEADING = "#### Minor points";

/** A finding listed in the body by choice (`RenderReviewInput.fold`): one line, where and what. */
function foldedFinding(
  f: ReviewFinding,
  place: Required<Pick<BodyPlace, "path" | "lines">>,
  input: RenderReviewInput,
): string {
  const path = code(place.path).replace(/`/g, "'");
  const { from, to, side } = place.lines;
  const at = `${from === to ? `line ${to}` : `lines ${from}–${to}`}${side === "LEFT" ? " (removed)" : ""}`;
  const line = `- ${headline(f, input)} · \`${path}\` ${at}: ${safeProse(f.message).replace(/\n+/g, " ")}`;
  const suggestion = usableSuggestion(f, undefined);
  if (suggestion === undefined) return line;
  // Inside the list item: every line of the block indented under it.
  const block = `Suggested:\n\n${fence(code(suggestion))}`.replace(/^(?=.)/gm, "  ");
  return `${line}\n\n${block}\n`;
}

function countsLine(findings: readonly ReviewFinding[], inline: number): string {
  if (findings.length === 0) return "No findings.";
  const counts = SEVERITIES.map((s) => `${findings.filter((f) => f.severity === s).length} ${s}`).join(" · ");
  const below = findings.length - inline;
  return `**${counts}** — ${inline} inline, ${below} below.`;
}

function complianceLines(input: RenderReviewInput): string[] {
  const reported = new Map<number, PlanCompliance>();
  for (const c of input.output.plan_compliance) if (!reported.has(c.step)) reported.set(c.step, c);
  const steps = input.plan
    ? input.plan.steps.map((_, i) => i + 1)
    : [...reported.keys()].sort((a, b) => a - b);
  // Steps the reviewer named that the plan does not have are still shown, after the plan's own.
  for (const s of [...reported.keys()].sort((a, b) => a - b)) if (!steps.includes(s)) steps.push(s);
  if (steps.length === 0) return ["_No plan-compliance list was given._"];
  return steps.map((step) => {
    const title = input.plan?.steps[step - 1]?.title;
    const name = title ? `**Step ${step}** ${safeProse(title)}` : `**Step ${step}**`;
    const c = reported.get(step);
    if (!c) return `- ➖ ${name} — not assessed`;
    const note = safeProse(c.note).replace(/\n+/g, " ");
    return `- ${STATUS_BADGE[c.status]} ${name} — ${c.status}: ${note}`;
  });
}

/** Where a finding's anchor is, with LEFT-side lines numbered as the PR's diff numbers them. */
function resolveAnchor(input: RenderReviewInput, query: Parameters<typeof mapAnchor>[1]): AnchorResult {
  const result = mapAnchor(input.files, query);
  if (!input.prFiles || !isResolved(result) || result.side !== "LEFT") return result;
  const again = mapAnchor(input.prFiles, query);
  return isResolved(again) && again.side === "LEFT" ? again : { unresolved: "not in diff" };
}

function render(input: RenderReviewInput, forceBody: ReadonlyMap<number, string>): RenderedReview {
  const comments: ReviewComment[] = [];
  const placements: Placement[] = [];
  const outside: string[] = [];
  const folded: string[] = [];
  const foldReasons: string[] = [];
  input.output.findings.forEach((f, i) => {
    const key = findingKey(f);
    const forced = forceBody.get(i);
    const query =
      f.near_line == null
        ? { path: f.path, anchor: f.anchor }
        : { path: f.path, anchor: f.anchor, near_line: f.near_line };
    const result = resolveAnchor(input, query);
    const file = findFile(input.files, f.path);
    const path = file?.newPath ?? f.path;
    if (!isResolved(result)) {
      const reason = forced ?? unplacedReason(result);
      placements.push({ finding: i, key, reason });
      outside.push(bodyFinding(outside.length + 1, f, reason, { path }, input));
      return;
    }
    const from = result.startLine ?? result.line;
    const anchored = result.side === "RIGHT" ? rightLines(file, from, result.line) : undefined;
    const fold = input.fold?.(f);
    if (fold !== undefined && (forced === undefined || forced === fold)) {
      placements.push({ finding: i, key, reason: fold });
      folded.push(foldedFinding(f, { path, lines: { from, to: result.line, side: result.side } }, input));
      if (!foldReasons.includes(fold)) foldReasons.push(fold);
      return;
    }
    if (forced !== undefined) {
      placements.push({ finding: i, key, reason: forced });
      const place: BodyPlace = { path, lines: { from, to: result.line, side: result.side } };
      if (anchored !== undefined) place.anchored = anchored;
      outside.push(bodyFinding(outside.length + 1, f, forced, place, input));
      return;
    }
    const comment: ReviewComment = {
      path,
      line: result.line,
      side: result.side,
      body: inlineBody(f, key, usableSuggestion(f, anchored), result.side, input),
    };
    if (result.startLine !== undefined && result.startLine < result.line) {
      comment.start_line = result.startLine;
      comment.start_side = result.side;
    }
    placements.push({ finding: i, key, comment: comments.length });
    comments.push(comment);
  });

  const body = [
    input.marker,
    `### ${safeProse(input.heading ?? "triad review")}`,
    "",
    countsLine(input.output.findings, comments.length),
  ];
  if (input.coverage) body.push("", input.coverage.trimEnd());
  for (const section of input.sections ?? []) if (section.trim() !== "") body.push("", section.trimEnd());
  body.push("", "#### Plan compliance", "", ...complianceLines(input));
  if (outside.length > 0) body.push("", "#### Findings outside the diff", "", outside.join("\n\n---\n\n"));
  if (folded.length > 0)
    body.push("", FOLDED_HEADING, "", `_Not inline: ${foldReasons.join("; ")}._`, "", ...folded);
  return { event: "COMMENT", body: `${body.join("\n")}\n`, comments, placements, source: input };
}

export function renderReview(input: RenderReviewInput): RenderedReview {
  return render(input, new Map());
}

/**
 * The 422 fallback: the same review with the given inline comments (indexes into `review.comments`;
 * default all) rendered into the body instead, each saying GitHub refused it. Findings already in the
 * body stay there.
 */
export function moveToBody(review: RenderedReview, commentIndexes?: readonly number[]): RenderedReview {
  const moving = new Set(commentIndexes ?? review.comments.map((_, i) => i));
  const forced = new Map<number, string>();
  for (const p of review.placements) {
    if ("reason" in p) forced.set(p.finding, p.reason);
    else if (moving.has(p.comment)) forced.set(p.finding, REFUSED_REASON);
  }
  return render(review.source, forced);
}
