/**
 * Hidden markers: the one place that writes and reads the HTML comments triad leaves in what it
 * posts, and the one place for triad's labels. A marker lets a retried job find its earlier write
 * instead of posting again, and lets the workflow state be rebuilt from the thread when Redis lost it.
 *
 * Only comments written by the app itself are trusted to carry markers (see `isOwnComment`): anyone
 * can paste `<!-- triad:... -->` into a comment.
 */
import { createHash } from "node:crypto";
import { deflateRawSync, inflateRawSync } from "node:zlib";

const PREFIX = "triad";

export type MarkerKind =
  | "tracking"
  | "state"
  | "error"
  | "reply"
  | "architect"
  | "plan"
  | "developer"
  | "pr"
  | "review"
  | "finding"
  | "notify"
  | "rounds"
  | "precision";

/** `<!-- triad:tracking -->` or `<!-- triad:error id=config-abc -->`. */
export function marker(kind: MarkerKind, id?: string): string {
  return id === undefined ? `<!-- ${PREFIX}:${kind} -->` : `<!-- ${PREFIX}:${kind} id=${id} -->`;
}

export function hasMarker(body: string | null | undefined, kind: MarkerKind, id?: string): boolean {
  return typeof body === "string" && body.includes(marker(kind, id));
}

/** The id of the first marker of this kind in the body (`<!-- triad:finding id=abc -->` → `abc`). */
export function markerId(body: string | null | undefined, kind: MarkerKind): string | undefined {
  if (typeof body !== "string") return undefined;
  return new RegExp(`<!-- ${PREFIX}:${kind} id=([\\w.-]+) -->`).exec(body)?.[1];
}

/** Every triad marker and embedded data block removed (the visible text of triad's own comment). */
export function withoutMarkers(body: string): string {
  return body.replace(/<!-- triad:[^>]*-->\n?/g, "").trim();
}

/** The marker an inline review comment carries for its finding (the key a maintainer overrules). */
export function findingMarker(key: string): string {
  return marker("finding", key);
}

/** The marker of reviewer `slot`'s review of `headSha`: one review per reviewer and sha. */
export function reviewMarker(slot: number, headSha: string): string {
  return marker("review", `${slot}-${headSha}`);
}

/** A marker as `WorkflowState.posted` keys it: `<!-- triad:reply id=12 -->` → `reply id=12`. */
export function markerKey(markerText: string): string {
  return markerText.replace(/^<!-- triad:/, "").replace(/ -->$/, "");
}

/**
 * The keys of every marker in a body that names one comment (`kind id=…`, or a part of one:
 * `kind id=… part=n`), first one first; data blocks and the bare tracking marker are not among them.
 */
export function markerKeysIn(body: string): string[] {
  const out: string[] = [];
  for (const m of body.matchAll(/<!-- triad:([a-z]+ id=[\w.-]+(?: part=\d+)?) -->/g))
    if (!out.includes(m[1] as string)) out.push(m[1] as string);
  return out;
}

/** A reply to a comment (one per comment answered). */
export function replyMarker(to: number | string): string {
  return marker("reply", String(to));
}

/**
 * Embed a JSON document in a hidden comment: deflated and base64url-encoded, so it is compact (a plan
 * costs a fraction of its rendering, GitHub's bodies stop at 65,536 characters) and no `-->` or
 * markdown can break it. Triad writes it as the LAST thing in its comment, and `extractData` reads it
 * only there: text anywhere else in the body — model text included — can never be taken for data.
 */
export function embedData(kind: MarkerKind, data: unknown): string {
  const packed = deflateRawSync(Buffer.from(JSON.stringify(data), "utf8")).toString("base64url");
  return `<!-- ${PREFIX}:${kind}-data z.${packed} -->`;
}

/** The data block at the very end of triad's own comment (see `embedData`), if it is there. */
export function extractData(body: string | null | undefined, kind: MarkerKind): unknown {
  if (typeof body !== "string") return undefined;
  const match = new RegExp(`<!-- ${PREFIX}:${kind}-data ([A-Za-z0-9+/=._-]+) -->\\s*$`).exec(body);
  const encoded = match?.[1];
  if (!encoded) return undefined;
  try {
    const json = encoded.startsWith("z.")
      ? inflateRawSync(Buffer.from(encoded.slice(2), "base64url")).toString("utf8")
      : Buffer.from(encoded, "base64").toString("utf8");
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}

/**
 * A data block of `kind` anywhere in triad's own comment, not only at its end: for a section triad adds
 * to a comment that already ends with other data (the precision section reviews written before
 * the round outcomes moved to the tracking comment carry, still read by a rebuild). Model text in triad's comments has its HTML comments removed or defused
 * (src/shell/review/render-review.ts), so such a block can only be triad's.
 */
export function extractInnerData(body: string | null | undefined, kind: MarkerKind): unknown {
  if (typeof body !== "string") return undefined;
  const match = new RegExp(`<!-- ${PREFIX}:${kind}-data z\\.([A-Za-z0-9_-]+) -->`).exec(body);
  if (!match?.[1]) return undefined;
  try {
    return JSON.parse(inflateRawSync(Buffer.from(match[1], "base64url")).toString("utf8"));
  } catch {
    return undefined;
  }
}

/** The comment without its trailing data block: what GitHub shows of it (and its markers). */
export function withoutData(body: string): string {
  return body.replace(/\n*<!-- triad:[\w-]+-data [A-Za-z0-9+/=._-]+ -->\s*$/, "");
}

/** One trailing data block (see `embedData`; plain base64 or deflated base64url), for splitting bodies. */
export const TRAILING_DATA_BLOCK = /<!-- triad:[\w-]+-data [A-Za-z0-9+/=._-]+ -->\s*$/;

export interface CommentAuthor {
  login: string;
  type?: string;
}

/** True when the comment was written by this app's bot user (`<slug>[bot]`). */
export function isOwnComment(user: CommentAuthor | null | undefined, botLogin: string): boolean {
  return !!user && user.type === "Bot" && user.login === botLogin;
}

/** The hash that freezes a plan: of the comment body exactly as GitHub stores it. */
export function contentHash(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** triad's labels on its pull request (the trigger label on the issue is per-repository config). */
export const LABELS = {
  pr: "triad",
  inReview: "triad:in-review",
  ready: "triad:ready",
  needsHuman: "triad:needs-human",
} as const;

/** The check run triad keeps on the PR's head (ARCHITECTURE §5), which a maintainer can make required. */
export const REVIEW_CHECK = "triad/review";
