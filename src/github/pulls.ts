/**
 * Pull requests as "ensure" writes (ARCHITECTURE §7): find the open PR of the head branch, update it
 * when its title or body differ, create it otherwise. GitHub allows one open PR per head and base, so
 * a retried job finds the PR it opened instead of opening a second one.
 */
import { BODY_MAX, clip } from "../core/render/limits.js";
import { TriadError } from "../errors.js";
import type { GitHubClient, RepoRef } from "./client.js";
import { github } from "./errors.js";
import { is422 } from "./git-data.js";

export interface EnsurePullRequestOptions {
  repo: RepoRef;
  /** The head branch, in the same repository. */
  head: string;
  /** The base branch. */
  base: string;
  title: string;
  body: string;
  /** Hidden marker that identifies triad's PR; put at the top of the body when the body lacks it. */
  marker: string;
  /**
   * The head branch was created by the caller a moment ago, so no open PR can have it (GitHub closes
   * a PR whose head branch is deleted): skip the search and create directly. A 422 "already exists"
   * still falls back to the search.
   */
  headIsNew?: boolean;
  /** The PR as the caller just read it (a fix round's own PR): no search for it. */
  known?: PullLike;
}

export interface EnsuredPullRequest {
  number: number;
  url: string;
  /** The PR's label names as GitHub returned them. */
  labels: string[];
  created: boolean;
  updated: boolean;
}

export interface PullLike {
  number: number;
  html_url: string;
  title: string;
  body?: string | null;
  labels?: Array<{ name?: string } | string>;
}

function labelNames(pr: PullLike): string[] {
  return (pr.labels ?? []).map((l) => (typeof l === "string" ? l : (l.name ?? ""))).filter((n) => n !== "");
}

function result(pr: PullLike, created: boolean, updated: boolean): EnsuredPullRequest {
  return { number: pr.number, url: pr.html_url, labels: labelNames(pr), created, updated };
}

/** The open PR whose head is `owner:head`; one carrying the marker is preferred. */
export async function findOpenPullRequest(
  gh: GitHubClient,
  repo: RepoRef,
  head: string,
  marker?: string,
): Promise<PullLike | undefined> {
  const { data } = await github(`find the pull request of ${head}`, () =>
    gh.rest.pulls.list({ ...repo, state: "open", head: `${repo.owner}:${head}`, per_page: 100 }),
  );
  const pulls = data as PullLike[];
  return (marker ? pulls.find((p) => (p.body ?? "").includes(marker)) : undefined) ?? pulls[0];
}

export async function ensurePullRequest(
  gh: GitHubClient,
  o: EnsurePullRequestOptions,
): Promise<EnsuredPullRequest> {
  // A PR body over GitHub's limit is clipped (it summarises; the plan comment has the whole plan).
  const body = clip(
    o.body.includes(o.marker) ? o.body : `${o.marker}\n${o.body}`,
    BODY_MAX,
    "\n\n… (clipped to fit GitHub's size limit; the plan comment on the issue has the whole plan)",
  );
  const existing =
    o.known ?? (o.headIsNew ? undefined : await findOpenPullRequest(gh, o.repo, o.head, o.marker));
  if (existing) return update(gh, o, existing, body);
  const made = await github(`open a pull request from ${o.head}`, async () => {
    try {
      // Opened as a draft: it leaves draft when triad's reviews pass (markReadyForReview).
      const { data } = await gh.rest.pulls.create({
        ...o.repo,
        head: o.head,
        base: o.base,
        title: o.title,
        body,
        draft: true,
      });
      return data as PullLike;
    } catch (error) {
      if (is422(error, /already exists/i)) return undefined;
      throw error;
    }
  });
  if (made) return result(made, true, false);
  const found = await findOpenPullRequest(gh, o.repo, o.head, o.marker);
  if (!found) {
    throw new TriadError(
      "github_rejected",
      `GitHub says a pull request from ${o.head} already exists, but no open one was found`,
    );
  }
  return update(gh, o, found, body);
}

async function update(
  gh: GitHubClient,
  o: EnsurePullRequestOptions,
  pr: PullLike,
  body: string,
): Promise<EnsuredPullRequest> {
  if (pr.title === o.title && (pr.body ?? "") === body) return result(pr, false, false);
  const { data } = await github(`update pull request #${pr.number}`, () =>
    gh.rest.pulls.update({ ...o.repo, pull_number: pr.number, title: o.title, body }),
  );
  return result(data as PullLike, false, true);
}

/**
 * Adds the labels the issue or PR lacks, in one call (none when nothing is missing). With `current`
 * (the labels the caller already read), only the missing ones are sent; without it, all of them
 * (adding a label twice is a no-op on GitHub). Returns the label names after the call.
 */
export async function ensureLabels(
  gh: GitHubClient,
  repo: RepoRef,
  number: number,
  labels: readonly string[],
  current?: readonly string[],
): Promise<string[]> {
  const have = new Set((current ?? []).map((l) => l.toLowerCase()));
  const missing = [...new Set(labels)].filter((l) => !have.has(l.toLowerCase()));
  if (missing.length === 0) return [...(current ?? [])];
  const { data } = await github(`label #${number}`, () =>
    gh.rest.issues.addLabels({ ...repo, issue_number: number, labels: missing }),
  );
  return data.map((l) => l.name);
}

/**
 * A draft PR becomes ready for review: only GitHub's GraphQL API has this (the mutation
 * `markPullRequestReadyForReview`, docs.github.com/graphql/reference/mutations). A PR that is not a
 * draft is left alone, so the call is repeat-safe.
 */
export async function markReadyForReview(gh: GitHubClient, repo: RepoRef, pull: number): Promise<void> {
  const { data: pr } = await github(`read pull request #${pull}`, () =>
    gh.rest.pulls.get({ ...repo, pull_number: pull }),
  );
  if (!pr.draft) return;
  await github(`mark pull request #${pull} ready for review`, () =>
    gh.request("POST /graphql", {
      query:
        "mutation($id: ID!) { markPullRequestReadyForReview(input: { pullRequestId: $id }) { pullRequest { isDraft } } }",
      variables: { id: pr.node_id },
    }),
  );
}
