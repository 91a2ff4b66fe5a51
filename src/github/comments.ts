import { isOwnComment } from "../core/markers.js";
import { codePoints, splitBody } from "../core/render/limits.js";
import type { GitHubClient, IssueRef } from "./client.js";
import { github } from "./errors.js";

export interface IssueComment {
  id: number;
  body?: string | null;
  user: { login: string; type?: string } | null;
  html_url: string;
  created_at: string;
  updated_at: string;
}

/** Every comment on an issue, oldest first. */
export async function listComments(gh: GitHubClient, ref: IssueRef): Promise<IssueComment[]> {
  return github("list comments", () =>
    gh.paginate(gh.rest.issues.listComments, { ...ref, per_page: 100 }),
  ) as Promise<IssueComment[]>;
}

/** The app's own comment that carries `markerText`, if any. */
export function findOwnMarked(
  comments: IssueComment[],
  markerText: string,
  botLogin: string,
): IssueComment | undefined {
  return comments.find((c) => isOwnComment(c.user, botLogin) && (c.body ?? "").includes(markerText));
}

export interface EnsureCommentOptions {
  /** The hidden marker that identifies this comment (from `markers.ts`). */
  marker: string;
  body: string;
  botLogin: string;
  /** The comment's id when known (skips the search; falls back to it if the comment is gone). */
  knownId?: number;
  /** Comments already listed by the caller in this step. */
  comments?: IssueComment[];
  /**
   * The caller knows no comment with this marker (or its parts) exists — nothing can have written it
   * yet — so it is posted, every part of it, without listing the thread first.
   */
  fresh?: boolean;
  /** Told of each comment written or found: the main one under `marker`, each part under its own. */
  written?: (markerText: string, comment: IssueComment) => void;
}

/** The marker of part `n` (2, 3, …) of a comment too long for one: `<!-- triad:plan id=v1 part=2 -->`. */
export function partMarker(markerText: string, n: number): string {
  return markerText.replace(/ -->$/, ` part=${n} -->`);
}

/**
 * Create or update the app's comment identified by a marker (ARCHITECTURE §7: every write is
 * "ensure"). A job killed after creating the comment and run again updates it instead of posting a
 * second one. A body over GitHub's 65,536 characters is split (core/render/limits.ts): the first
 * part, with the markers and the hidden data, is the comment the marker finds; the rest follow in
 * comments marked as its parts, each ensured the same way; parts a shorter body no longer needs
 * are deleted.
 */
export async function ensureComment(
  gh: GitHubClient,
  ref: IssueRef,
  o: EnsureCommentOptions,
): Promise<IssueComment> {
  const body = o.body.includes(o.marker) ? o.body : `${o.marker}\n${o.body}`;
  // Parts 2… carry their own marker line on top (`partMarker`).
  const { parts } = splitBody(body, { partHead: codePoints(partMarker(o.marker, 99)) + 1 });
  if (o.fresh && o.knownId === undefined) return postFresh(gh, ref, o, parts);
  let comments = o.comments;
  if (comments === undefined && o.knownId === undefined) comments = await listComments(gh, ref);
  const main = await ensureOne(gh, ref, {
    ...o,
    body: parts[0] as string,
    ...(comments ? { comments } : {}),
  });
  o.written?.(o.marker, main);
  // Known id, one part: nothing else to look at (a tracking edit stays one call).
  if (parts.length === 1 && comments === undefined) return main;
  comments ??= await listComments(gh, ref);
  for (let n = 2; n <= parts.length; n++) {
    const markerText = partMarker(o.marker, n);
    const part = await ensureOne(gh, ref, {
      marker: markerText,
      body: `${markerText}\n${parts[n - 1]}`,
      botLogin: o.botLogin,
      comments,
    });
    if (!comments.some((c) => c.id === part.id)) comments.push(part);
    o.written?.(markerText, part);
  }
  for (let n = parts.length + 1; ; n++) {
    const stale = findOwnMarked(comments, partMarker(o.marker, n), o.botLogin);
    if (!stale) break;
    await github("delete a comment part no longer needed", async () => {
      try {
        await gh.rest.issues.deleteComment({ owner: ref.owner, repo: ref.repo, comment_id: stale.id });
      } catch (error) {
        if ((error as { status?: number }).status !== 404) throw error;
      }
    });
  }
  return main;
}

/** A comment nothing can have written yet: each part posted once, no listing, nothing to delete. */
async function postFresh(
  gh: GitHubClient,
  ref: IssueRef,
  o: EnsureCommentOptions,
  parts: string[],
): Promise<IssueComment> {
  const create = async (markerText: string, body: string) => {
    const { data } = await github("create comment", () => gh.rest.issues.createComment({ ...ref, body }));
    o.written?.(markerText, data as IssueComment);
    return data as IssueComment;
  };
  const main = await create(o.marker, parts[0] as string);
  for (let n = 2; n <= parts.length; n++) {
    const markerText = partMarker(o.marker, n);
    await create(markerText, `${markerText}\n${parts[n - 1]}`);
  }
  return main;
}

async function ensureOne(gh: GitHubClient, ref: IssueRef, o: EnsureCommentOptions): Promise<IssueComment> {
  const body = o.body;
  if (o.knownId !== undefined) {
    // The id came from triad's own state, so the comment is ours: update it in one call.
    const updated = await github("update comment", async () => {
      try {
        const { data } = await gh.rest.issues.updateComment({
          owner: ref.owner,
          repo: ref.repo,
          comment_id: o.knownId as number,
          body,
        });
        return data as IssueComment;
      } catch (error) {
        if ((error as { status?: number }).status === 404) return undefined; // deleted: find or post anew
        throw error;
      }
    });
    if (updated) return updated;
  }
  const existing = findOwnMarked(o.comments ?? (await listComments(gh, ref)), o.marker, o.botLogin);
  if (existing) {
    if (existing.body === body) return existing;
    const { data } = await github("update comment", () =>
      gh.rest.issues.updateComment({ owner: ref.owner, repo: ref.repo, comment_id: existing.id, body }),
    );
    return data as IssueComment;
  }
  const { data } = await github("create comment", () => gh.rest.issues.createComment({ ...ref, body }));
  return data as IssueComment;
}

export type ReactionContent = "+1" | "-1" | "laugh" | "confused" | "heart" | "hooray" | "rocket" | "eyes";

/** React once: GitHub answers 200 with the existing reaction when the app already gave it. */
export async function react(
  gh: GitHubClient,
  ref: IssueRef,
  content: ReactionContent,
  commentId?: number,
): Promise<void> {
  await github("add reaction", () =>
    commentId === undefined
      ? gh.rest.reactions.createForIssue({ ...ref, content })
      : gh.rest.reactions.createForIssueComment({
          owner: ref.owner,
          repo: ref.repo,
          comment_id: commentId,
          content,
        }),
  );
}

export async function removeLabel(gh: GitHubClient, ref: IssueRef, name: string): Promise<void> {
  await github("remove label", async () => {
    try {
      await gh.rest.issues.removeLabel({ ...ref, name });
    } catch (error) {
      if ((error as { status?: number }).status !== 404) throw error;
    }
  });
}
