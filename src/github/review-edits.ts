import type { GitHubClient, RepoRef } from "./client.js";
import { github } from "./errors.js";

export interface OwnReview {
  id: number;
  body: string;
  /** The reviewer slot and head sha of triad's review marker (`<!-- triad:review id=0-<sha> -->`). */
  slot: number;
  headSha: string;
}

const REVIEW_MARKER = /<!-- triad:review id=(\d+)-([0-9a-f]{7,64}) -->/;

/** triad's own reviewer reviews on a pull request, with the slot and sha their marker names. */
export async function listOwnReviews(
  gh: GitHubClient,
  repo: RepoRef,
  pull: number,
  botLogin: string,
): Promise<OwnReview[]> {
  const reviews = await github("list reviews", () =>
    gh.paginate(gh.rest.pulls.listReviews, { ...repo, pull_number: pull, per_page: 100 }),
  );
  const own: OwnReview[] = [];
  for (const r of reviews) {
    if (r.user?.login !== botLogin || r.user?.type !== "Bot") continue;
    const m = REVIEW_MARKER.exec(r.body ?? "");
    if (m?.[1] && m[2]) own.push({ id: r.id, body: r.body ?? "", slot: Number(m[1]), headSha: m[2] });
  }
  return own;
}

/**
 * triad's pull requests of a repository (branches `triad/<issue>-…`, src/core/render/developer.ts),
 * newest first, at most `limit`, with the issue their branch names.
 */
export async function listTriadPulls(
  gh: GitHubClient,
  repo: RepoRef,
  limit: number,
): Promise<Array<{ number: number; issue?: number }>> {
  const { data } = await github("list pull requests", () =>
    gh.rest.pulls.list({ ...repo, state: "all", sort: "created", direction: "desc", per_page: 100 }),
  );
  return data
    .filter((p) => p.head.ref.startsWith("triad/"))
    .slice(0, limit)
    .map((p) => {
      const issue = /^triad\/(\d+)-/.exec(p.head.ref)?.[1];
      return issue ? { number: p.number, issue: Number(issue) } : { number: p.number };
    });
}
