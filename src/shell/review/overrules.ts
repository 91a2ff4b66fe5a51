import { markerId } from "../../core/markers.js";
import { canWrite } from "../../core/permissions.js";
import type { GitHubClient, RepoRef } from "../../github/client.js";
import { github } from "../../github/errors.js";
import { permissionCache } from "../../github/permissions.js";
import { listReviewComments, type ReviewThreadComment } from "../../github/reviews.js";
import { classifyComment } from "../../text/comment-intent.js";

/** Finding key → the id of the inline review comment that carries it (`<!-- triad:finding id=… -->`). */
export function findingComments(
  comments: readonly ReviewThreadComment[],
  botLogin: string,
): Map<string, number> {
  const byKey = new Map<string, number>();
  for (const c of comments) {
    if (c.user !== botLogin || c.inReplyTo !== undefined) continue;
    const key = markerId(c.body, "finding");
    if (key && !byKey.has(key)) byKey.set(key, c.id);
  }
  return byKey;
}

/** `/triad ignore` as the reply's first visible line (a quoted one is not a command). */
function isIgnore(body: string): boolean {
  const intent = classifyComment(body, []);
  return intent.type === "command" && intent.name === "ignore";
}

export interface Overrule {
  key: string;
  by: string;
  how: "👎" | "/triad ignore";
}

/**
 * The maintainer has the last word over any reviewer: a 👎 on a finding's review comment, or a
 * reply starting with `/triad ignore` in its thread, by someone with write access or more, drops
 * that finding. Read from GitHub when deciding (reactions send no webhook); others' are ignored. The
 * thread listing says how many 👎s each comment has; the reactions are read only where it counts one.
 */
export async function readOverrules(
  gh: GitHubClient,
  repo: RepoRef,
  pull: number,
  botLogin: string,
  keys: readonly string[],
  comments?: readonly ReviewThreadComment[],
): Promise<Overrule[]> {
  const all = comments ?? (await listReviewComments(gh, repo, pull));
  const byKey = findingComments(all, botLogin);
  const permissionOf = permissionCache(gh, repo);
  const found: Overrule[] = [];
  for (const key of keys) {
    const commentId = byKey.get(key);
    if (commentId === undefined) continue;
    const candidates: Array<{ by: string; how: Overrule["how"] }> = all
      .filter((c) => c.inReplyTo === commentId && c.userType !== "Bot" && isIgnore(c.body))
      .map((c) => ({ by: c.user, how: "/triad ignore" }));
    // Who gave a 👎 takes a read per comment: only where the listing's rollup counts one.
    if (all.find((c) => c.id === commentId)?.thumbsDown !== 0) {
      const { data: reactions } = await github("read reactions on a review comment", () =>
        gh.rest.reactions.listForPullRequestReviewComment({
          ...repo,
          comment_id: commentId,
          content: "-1",
          per_page: 100,
        }),
      );
      for (const r of reactions)
        if (r.user && r.user.type !== "Bot") candidates.push({ by: r.user.login, how: "👎" });
    }
    for (const c of candidates) {
      if (canWrite(await permissionOf(c.by))) {
        found.push({ key, ...c });
        break;
      }
    }
  }
  return found;
}
