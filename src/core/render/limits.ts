import { TRAILING_DATA_BLOCK } from "../markers.js";
/**
 * GitHub's size limits on what triad writes, and the pure helpers that keep every body inside them
 * (ARCHITECTURE §6). GitHub answers 422 "body is too long (maximum is 65536 characters)" for issue,
 * pull-request, comment, review and reply bodies (renovatebot/renovate#2032,
 * jmikedupont2/ai-ticket#51) and refuses a check run whose `output.summary` is over 65,535
 * characters (@octokit/openapi, checks/create). "Characters" are code points
 * (dead-claudia/github-limits#13), counted here the same way.
 */
export const BODY_MAX = 65_536;
export const CHECK_SUMMARY_MAX = 65_535;
/** A check run's `output.title`. */
export const CHECK_TITLE_MAX = 255;

/** Length in code points (GitHub's "characters"). */
export function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

/** The first `max` code points of `text`. */
function headOf(text: string, max: number): string {
  let n = 0;
  let end = 0;
  for (const ch of text) {
    if (n === max) break;
    n += 1;
    end += ch.length;
  }
  return text.slice(0, end);
}

export function fits(text: string, max = BODY_MAX): boolean {
  // Cheap first: UTF-16 length is never less than the code-point count.
  return text.length <= max || codePoints(text) <= max;
}

/**
 * `text` cut to `max` code points at a line end where possible, with `note` (e.g. "… clipped") at
 * the end; unchanged when it fits. For echoes of user text and error messages, where the rest does
 * not matter.
 */
export function clip(text: string, max: number, note = "\n\n… (clipped to fit GitHub's size limit)"): string {
  if (fits(text, max)) return text;
  const room = Math.max(0, max - codePoints(note));
  const head = headOf(text, room);
  const lineEnd = head.lastIndexOf("\n");
  const cut = lineEnd > room * 0.8 ? head.slice(0, lineEnd) : head;
  return `${cut}${note}`;
}

/** One line, at most `max` code points (an echo of a title, a finding's first line). */
export function clipLine(text: string, max: number): string {
  const line = text.split("\n")[0] ?? "";
  return fits(line, max) ? line : `${headOf(line, Math.max(0, max - 1))}…`;
}

const MARKER_LINE = /^<!-- triad:[^>]*-->$/;
const DATA_BLOCK = TRAILING_DATA_BLOCK;

export interface SplitOptions {
  max?: number;
  /** The line that ends a part that continues (default: "_… continued in the next comment._"). */
  continued?: string;
  /** The first line of part `n` (of `total`), after the first (default: "_… continued (part n of total)._"). */
  continuation?: (n: number, total: number) => string;
  /** Code points the caller puts on top of each part after the first (its marker line). */
  partHead?: number;
}

export interface SplitBody {
  /** Part 1 keeps the leading markers and the trailing hidden data; parts 2… carry the rest. */
  parts: string[];
  /** The hidden data did not fit even alone and was left out. */
  droppedData: boolean;
}

/**
 * A body over the limit, split into parts that each fit: the leading marker lines and the trailing
 * hidden data blocks stay in part 1 (a marker finds it, the data is read from it), the visible text
 * is cut at paragraph or line ends, and a code fence open at a cut is closed there and opened again
 * in the next part. Callers post part 1 where the body would go and the rest as follow-up comments.
 */
export function splitBody(body: string, o: SplitOptions = {}): SplitBody {
  const max = o.max ?? BODY_MAX;
  if (fits(body, max)) return { parts: [body], droppedData: false };
  const continued = o.continued ?? "_… continued in the next comment._";
  const continuation = o.continuation ?? ((n, total) => `_… continued (part ${n} of ${total})._`);
  const lines = body.split("\n");
  let start = 0;
  while (start < lines.length && MARKER_LINE.test(lines[start] ?? "")) start += 1;
  const head = lines.slice(0, start).join("\n");
  let rest = lines.slice(start).join("\n");
  const tails: string[] = [];
  for (let m = DATA_BLOCK.exec(rest); m; m = DATA_BLOCK.exec(rest)) {
    tails.unshift(m[0].trim());
    rest = rest.slice(0, m.index);
  }
  let tail = tails.join("\n");
  // Room for numbering ("part 12 of 13") and the joins.
  const overhead = codePoints(head) + codePoints(continued) + 8;
  let droppedData = false;
  if (overhead + codePoints(tail) > max * 0.9) {
    tail = "";
    droppedData = true;
  }
  const firstRoom = max - overhead - codePoints(tail);
  const nextRoom = max - codePoints(continuation(99, 99)) - codePoints(continued) - (o.partHead ?? 0) - 8;
  const chunks = chunk(rest.replace(/\s+$/, ""), firstRoom, nextRoom);
  const total = chunks.length;
  const parts = chunks.map((text, i) => {
    const more = i < total - 1 ? `\n\n${continued}` : "";
    if (i === 0) return [head, `${text}${more}`, tail].filter((p) => p !== "").join("\n");
    return `${continuation(i + 1, total)}\n\n${text}${more}`;
  });
  return { parts, droppedData };
}

/** Cuts text into pieces of at most `first`, then `next` code points, at paragraph or line ends. */
function chunk(text: string, first: number, next: number): string[] {
  const out: string[] = [];
  let rest = text;
  let room = first;
  let reopen = "";
  while (!fits(reopen + rest, room)) {
    const piece = headOf(reopen + rest, room - 8);
    let cut = piece.lastIndexOf("\n\n");
    if (cut < piece.length * 0.5) cut = piece.lastIndexOf("\n");
    if (cut < piece.length * 0.5) cut = piece.length;
    const taken = piece.slice(0, cut);
    const fence = openFence(taken);
    out.push(fence ? `${taken}\n${fence.close}` : taken);
    rest = (reopen + rest).slice(cut).replace(/^\n+/, "");
    reopen = fence ? `${fence.open}\n` : "";
    room = next;
  }
  out.push(reopen + rest);
  return out;
}

/** The code block still open at the end of `text`, if any: its opening line and its closing fence. */
function openFence(text: string): { open: string; close: string } | undefined {
  let open: { open: string; close: string } | undefined;
  for (const line of text.split("\n")) {
    const m = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (!m?.[1]) continue;
    if (open === undefined) open = { open: line.trim(), close: m[1] };
    else if (m[1][0] === open.close[0] && m[1].length >= open.close.length && line.trim() === m[1])
      open = undefined;
  }
  return open;
}
