/**
 * Hidden markers: the one place that writes and reads the HTML comments triad leaves in what it
 * posts. A marker lets a retried job find its earlier write instead of posting again, and lets the
 * workflow state be rebuilt from the thread when Redis lost it.
 *
 * Only comments written by the app itself are trusted to carry markers (see `isOwnComment`): anyone
 * can paste `<!-- triad:... -->` into a comment.
 */
import { createHash } from "node:crypto";

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
  | "review";

/** `<!-- triad:tracking -->` or `<!-- triad:error id=config-abc -->`. */
export function marker(kind: MarkerKind, id?: string): string {
  return id === undefined ? `<!-- ${PREFIX}:${kind} -->` : `<!-- ${PREFIX}:${kind} id=${id} -->`;
}

export function hasMarker(body: string | null | undefined, kind: MarkerKind, id?: string): boolean {
  return typeof body === "string" && body.includes(marker(kind, id));
}

/** Embed a JSON document (base64, so no `-->` or markdown can break it) in a hidden comment. */
export function embedData(kind: MarkerKind, data: unknown): string {
  const encoded = Buffer.from(JSON.stringify(data), "utf8").toString("base64");
  return `<!-- ${PREFIX}:${kind}-data ${encoded} -->`;
}

export function extractData(body: string | null | undefined, kind: MarkerKind): unknown {
  if (typeof body !== "string") return undefined;
  const match = new RegExp(`<!-- ${PREFIX}:${kind}-data ([A-Za-z0-9+/=]+) -->`).exec(body);
  if (!match?.[1]) return undefined;
  try {
    return JSON.parse(Buffer.from(match[1], "base64").toString("utf8"));
  } catch {
    return undefined;
  }
}

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
