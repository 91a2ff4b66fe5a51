import { TriadError } from "../errors.js";
import { classifyFile, isSkippedKind } from "../repo/file-kinds.js";
import type { GitHubClient, RepoRef } from "./client.js";
import { github } from "./errors.js";

/**
 * The diff a review works on (ARCHITECTURE §6), pinned to the sha under review:
 *
 * - the whole PR is `compare/{base}...{headSha}` (three dots: from the merge base, as the PR shows
 *   it) with the diff media type, never `GET /pulls/{n}` — that is the PR's head *now*, which may be
 *   a newer push than the one reviewed and posted for;
 * - an incremental round is `compare/{sinceSha}...{headSha}`;
 * - above GitHub's diff limits (406 `too_large`: more than 300 files or 20,000 lines) it is built from
 *   the file list's patches: `GET /pulls/{n}/files` (up to 3,000 files), or for a comparison the
 *   compare answer's `files` (up to 300; beyond, the whole PR is reviewed from its file list);
 *   lockfiles and generated files are dropped as they are read (GitHub sends the patches inside the
 *   listing, so they cannot be left out of the request);
 * - above 3,000 files GitHub lists no more: the PR is too large to review (`tooLarge`).
 *
 * The diff media type without `charset` (what GitHub sends) makes Octokit hand back an ArrayBuffer;
 * it is decoded here, and an answer that is not a diff is refused instead of read as one.
 */
export interface ReviewDiff {
  /** A unified diff (for `parseUnifiedDiff`). */
  text: string;
  source: "diff" | "files";
  /** Files in the PR or comparison, as GitHub counts them. */
  totalFiles: number;
  /** Files left out of `text`, and why. */
  leftOut: Array<{
    path: string;
    why: "lock, generated, vendored or binary file" | "no patch from GitHub";
    /** Added plus removed lines, as GitHub counts them (for the review's coverage receipt). */
    lines?: number;
  }>;
}

export interface TooLargeToReview {
  tooLarge: true;
  /** Files in the PR, as GitHub counts them. */
  files: number;
  lines: number;
}

export interface DiffRequest {
  pull: number;
  headSha: string;
  /** The PR's base branch (triad's PRs go into the default branch). */
  base: string;
  /** Incremental: only what changed since this sha. */
  sinceSha?: string;
}

/** "Responses include a maximum of 3000 files" (@octokit/openapi, pulls/list-files). */
export const PULL_FILES_MAX = 3_000;
/** "includes up to 300 changed files for the entire comparison" (@octokit/openapi, repos/compare-commits). */
export const COMPARE_FILES_MAX = 300;

const DIFF_ACCEPT = { accept: "application/vnd.github.diff" };

/** In-process cache of diffs by what pins them (the reviewers and the aggregate of one sha share one). */
const cache = new Map<string, ReviewDiff | TooLargeToReview>();
const CACHE_ENTRIES = 64;

/** Diffs kept between processes for a while (a reviewer and the aggregate may run apart). */
export interface DiffCache {
  get(key: string): Promise<ReviewDiff | TooLargeToReview | undefined>;
  set(key: string, diff: ReviewDiff | TooLargeToReview): Promise<void>;
}

/** Larger diffs are read again rather than kept in Redis. */
const SHARED_MAX_CHARS = 2_000_000;

export function redisDiffCache(
  redis: {
    get(k: string): Promise<string | null>;
    set(k: string, v: string, ex: "EX", s: number): Promise<unknown>;
  },
  prefix: string,
  ttlSeconds = 3600,
): DiffCache {
  const key = (k: string) => `${prefix}:cache:diff:${k}`;
  return {
    async get(k) {
      const raw = await redis.get(key(k)).catch(() => null);
      return raw ? (JSON.parse(raw) as ReviewDiff | TooLargeToReview) : undefined;
    },
    async set(k, diff) {
      const raw = JSON.stringify(diff);
      if (raw.length <= SHARED_MAX_CHARS)
        await redis.set(key(k), raw, "EX", ttlSeconds).catch(() => undefined);
    },
  };
}

export async function reviewDiff(
  gh: GitHubClient,
  repo: RepoRef,
  r: DiffRequest,
  shared?: DiffCache,
): Promise<ReviewDiff | TooLargeToReview> {
  // The shas pin the diff: the same key is the same diff, in any process.
  const key = `${repo.owner}/${repo.repo}#${r.pull}:${r.sinceSha ?? r.base}...${r.headSha}`;
  const hit = cache.get(key) ?? (await shared?.get(key));
  if (hit) return hit;
  const result = await readDiff(gh, repo, r);
  cache.set(key, result);
  if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
  await shared?.set(key, result);
  return result;
}

export function isTooLarge(d: ReviewDiff | TooLargeToReview): d is TooLargeToReview {
  return "tooLarge" in d;
}

async function readDiff(
  gh: GitHubClient,
  repo: RepoRef,
  r: DiffRequest,
): Promise<ReviewDiff | TooLargeToReview> {
  const basehead = `${r.sinceSha ?? r.base}...${r.headSha}`;
  const text = await compareDiff(gh, repo, basehead);
  if (text !== undefined) return { text, source: "diff", totalFiles: countFiles(text), leftOut: [] };
  if (r.sinceSha) {
    const files = await compareFiles(gh, repo, basehead);
    if (files.length < COMPARE_FILES_MAX) return fromFiles(files, files.length);
    // The comparison may have more files than GitHub lists: review the whole PR instead.
  }
  return pullFiles(gh, repo, r);
}

/** The comparison as a diff, or undefined when GitHub says it is too large (406). */
async function compareDiff(gh: GitHubClient, repo: RepoRef, basehead: string): Promise<string | undefined> {
  return github(`read the diff ${basehead}`, async () => {
    try {
      const response = await gh.request("GET /repos/{owner}/{repo}/compare/{basehead}", {
        ...repo,
        basehead,
        headers: DIFF_ACCEPT,
      });
      return diffBody(response);
    } catch (error) {
      if ((error as { status?: number }).status === 406) return undefined;
      throw error;
    }
  });
}

/**
 * The text of a diff answer. GitHub sends `application/vnd.github.diff` (or `.v3.diff`) without a
 * charset, which Octokit reads as bytes (an ArrayBuffer): those are decoded as UTF-8. An answer of
 * another type (JSON, HTML from a proxy) is refused, never read as a diff.
 */
export function diffBody(response: { data: unknown; headers: Record<string, unknown> }): string {
  const type = String(response.headers["content-type"] ?? "");
  if (type !== "" && !/diff|patch|text\/plain/i.test(type))
    throw new TriadError("github_rejected", `GitHub answered a diff request with ${type}`);
  const data = response.data;
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer) return new TextDecoder("utf-8").decode(data);
  if (ArrayBuffer.isView(data))
    return new TextDecoder("utf-8").decode(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  throw new TriadError("github_rejected", `GitHub answered a diff request with ${typeof data} data`);
}

interface ListedFile {
  filename: string;
  status: string;
  additions: number;
  deletions: number;
  patch?: string;
  previous_filename?: string;
}

async function compareFiles(gh: GitHubClient, repo: RepoRef, basehead: string): Promise<ListedFile[]> {
  const { data } = await github(`compare ${basehead}`, () =>
    gh.rest.repos.compareCommitsWithBasehead({ ...repo, basehead, per_page: 1 }),
  );
  return (data.files ?? []) as ListedFile[];
}

async function pullFiles(
  gh: GitHubClient,
  repo: RepoRef,
  r: DiffRequest,
): Promise<ReviewDiff | TooLargeToReview> {
  const { data: pr } = await github(`read pull request #${r.pull}`, () =>
    gh.rest.pulls.get({ ...repo, pull_number: r.pull }),
  );
  if (pr.changed_files > PULL_FILES_MAX)
    return { tooLarge: true, files: pr.changed_files, lines: pr.additions + pr.deletions };
  if (pr.head.sha !== r.headSha) {
    // The file list is the PR's head now; the review is of an earlier push. Nothing to review here.
    throw new TriadError(
      "github_rejected",
      `pull request #${r.pull} moved from ${r.headSha.slice(0, 7)} to ${pr.head.sha.slice(0, 7)} while its files were read`,
    );
  }
  const files = (await github(`list the files of #${r.pull}`, () =>
    gh.paginate(gh.rest.pulls.listFiles, { ...repo, pull_number: r.pull, per_page: 100 }),
  )) as ListedFile[];
  return fromFiles(files, pr.changed_files);
}

function fromFiles(files: readonly ListedFile[], total: number): ReviewDiff {
  const leftOut: ReviewDiff["leftOut"] = [];
  const parts: string[] = [];
  for (const f of files) {
    if (isSkippedKind(classifyFile(f.filename))) {
      leftOut.push({
        path: f.filename,
        why: "lock, generated, vendored or binary file",
        lines: f.additions + f.deletions,
      });
      continue;
    }
    if (f.patch === undefined) {
      leftOut.push({ path: f.filename, why: "no patch from GitHub", lines: f.additions + f.deletions });
      continue;
    }
    parts.push(fileDiff(f));
  }
  return { text: parts.join(""), source: "files", totalFiles: total, leftOut };
}

/** One file of the listing as `git diff` would print it. */
function fileDiff(f: ListedFile): string {
  const oldPath = f.previous_filename ?? f.filename;
  const lines = [`diff --git a/${oldPath} b/${f.filename}`];
  if (f.status === "added") lines.push("new file mode 100644");
  if (f.status === "removed") lines.push("deleted file mode 100644");
  if (f.status === "renamed") lines.push(`rename from ${oldPath}`, `rename to ${f.filename}`);
  lines.push(
    f.status === "added" ? "--- /dev/null" : `--- a/${oldPath}`,
    f.status === "removed" ? "+++ /dev/null" : `+++ b/${f.filename}`,
  );
  const patch = f.patch ?? "";
  return `${lines.join("\n")}\n${patch}${patch.endsWith("\n") || patch === "" ? "" : "\n"}`;
}

function countFiles(text: string): number {
  return text.match(/^diff --git /gm)?.length ?? 0;
}

/** The whole PR's diff at the sha under review, as text (for a human's review and its anchors). */
export async function pullDiffText(
  gh: GitHubClient,
  repo: RepoRef,
  r: DiffRequest,
  shared?: DiffCache,
): Promise<string> {
  const { sinceSha: _since, ...whole } = r;
  const diff = await reviewDiff(gh, repo, whole, shared);
  return isTooLarge(diff) ? "" : diff.text;
}
