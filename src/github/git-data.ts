/**
 * Thin, classified wrappers over the Git Data API (ARCHITECTURE §6): blobs, one tree over a base
 * tree, one commit, and a branch ref that is created or fast-forwarded, never forced.
 */
import { TriadError } from "../errors.js";
import { type FileChange, gitBlobId } from "../repo/overlay.js";
import type { GitHubClient, RepoRef } from "./client.js";
import { github } from "./errors.js";

export type BlobMode = "100644" | "100755";

/** A commit as the list-commits API returns it, reduced to what publishing needs. */
export interface BranchCommit {
  sha: string;
  message: string;
  tree: string;
  parents: string[];
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Content that survives a trip through a JSON string unchanged goes as UTF-8; anything else as base64. */
function blobPayload(content: Buffer): { content: string; encoding: "utf-8" | "base64" } {
  if (!content.includes(0)) {
    try {
      return { content: utf8.decode(content), encoding: "utf-8" };
    } catch {
      // not UTF-8: fall through
    }
  }
  return { content: content.toString("base64"), encoding: "base64" };
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown }).status;
  return typeof status === "number" ? status : undefined;
}

function messageOf(error: unknown): string {
  const e = error as { message?: unknown; response?: { data?: unknown } };
  const data = e.response?.data;
  return `${typeof e.message === "string" ? e.message : ""} ${data === undefined ? "" : JSON.stringify(data)}`;
}

/** True for a 422 whose message (or error list) contains `text`. */
export function is422(error: unknown, text: RegExp): boolean {
  return statusOf(error) === 422 && text.test(messageOf(error));
}

/** What a tree entry carries: a blob made beforehand, or the text itself (GitHub makes the blob). */
export type TreeContent = { sha: string } | { content: string };

/** Text files up to this size go inside the tree request; larger or binary ones as blobs first. */
const INLINE_MAX_BYTES = 64 * 1024;
/** …and the tree request carries at most this much inline text. */
const INLINE_TOTAL_MAX_BYTES = 4 * 1024 * 1024;

/**
 * The contents of a round's files for its tree. Text goes inline (`content` in the tree entry:
 * "GitHub will write this blob out and use that SHA for this tree entry", @octokit/openapi
 * git/create-tree), which saves one write per file; binary and large files become blobs first, one
 * per distinct content (ids are git's, computed locally, so equal contents cost one call), one at a
 * time (mutative requests are serial anyway, ARCHITECTURE §6).
 */
export async function treeContents(
  gh: GitHubClient,
  repo: RepoRef,
  changes: readonly FileChange[],
): Promise<Map<string, TreeContent>> {
  const out = new Map<string, TreeContent>();
  const blobs = new Map<string, Buffer>();
  let inline = 0;
  for (const change of changes) {
    if (change.status === "deleted") continue;
    if (change.content === undefined) {
      throw new TriadError("internal", `publish: ${change.status} file ${change.path} has no content`);
    }
    const payload = blobPayload(change.content);
    const size = change.content.length;
    if (payload.encoding === "utf-8" && size <= INLINE_MAX_BYTES && inline + size <= INLINE_TOTAL_MAX_BYTES) {
      inline += size;
      out.set(change.path, { content: payload.content });
      continue;
    }
    const id = gitBlobId(change.content);
    blobs.set(id, change.content);
    out.set(change.path, { sha: id });
  }
  for (const [id, content] of blobs) {
    const { data } = await github("create a blob", () =>
      gh.rest.git.createBlob({ ...repo, ...blobPayload(content) }),
    );
    if (data.sha !== id) {
      throw new TriadError("internal", `publish: GitHub stored a blob as ${data.sha}, expected ${id}`);
    }
  }
  return out;
}

/** One tree: `baseTree` plus the changes (`sha: null` deletes a path). */
export async function createTree(
  gh: GitHubClient,
  repo: RepoRef,
  baseTree: string,
  changes: readonly FileChange[],
  contents: ReadonlyMap<string, TreeContent>,
  modeOf: (path: string) => BlobMode = () => "100644",
): Promise<string> {
  const tree = changes.map((change) => ({
    path: change.path,
    mode: modeOf(change.path),
    type: "blob" as const,
    ...(change.status === "deleted" ? { sha: null } : (contents.get(change.path) as TreeContent)),
  }));
  const { data } = await github("create a tree", () =>
    gh.rest.git.createTree({ ...repo, base_tree: baseTree, tree }),
  );
  return data.sha;
}

export async function createCommit(
  gh: GitHubClient,
  repo: RepoRef,
  o: { message: string; tree: string; parents: string[]; author?: { name: string; email: string } },
): Promise<string> {
  const { data } = await github("create a commit", () =>
    gh.rest.git.createCommit({
      ...repo,
      message: o.message,
      tree: o.tree,
      parents: o.parents,
      ...(o.author ? { author: o.author } : {}),
    }),
  );
  return data.sha;
}

/** The tree of a commit (one GET). */
export async function treeOfCommit(gh: GitHubClient, repo: RepoRef, sha: string): Promise<string> {
  const { data } = await github(`read commit ${sha}`, () =>
    gh.rest.git.getCommit({ ...repo, commit_sha: sha }),
  );
  return data.tree.sha;
}

/** The branch's head sha, or undefined when there is no such branch. */
export async function branchHead(
  gh: GitHubClient,
  repo: RepoRef,
  branch: string,
): Promise<string | undefined> {
  return github(`read branch ${branch}`, async () => {
    try {
      const { data } = await gh.rest.git.getRef({ ...repo, ref: `heads/${branch}` });
      return data.object.sha;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  });
}

/** The newest `count` commits reachable from `head`, newest first. */
export async function recentCommits(
  gh: GitHubClient,
  repo: RepoRef,
  head: string,
  count: number,
): Promise<BranchCommit[]> {
  const { data } = await github(`list the commits of ${head}`, () =>
    gh.rest.repos.listCommits({ ...repo, sha: head, per_page: count }),
  );
  return data.map((c) => ({
    sha: c.sha,
    message: c.commit.message,
    tree: c.commit.tree.sha,
    parents: c.parents.map((p) => p.sha),
  }));
}

/** Paths changed between two commits (both sides of a rename). */
export async function changedPaths(
  gh: GitHubClient,
  repo: RepoRef,
  from: string,
  to: string,
): Promise<string[]> {
  const { data } = await github(`compare ${from}...${to}`, () =>
    gh.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: `${from}...${to}`, per_page: 100 }),
  );
  const paths = new Set<string>();
  for (const file of data.files ?? []) {
    paths.add(file.filename);
    if (file.previous_filename) paths.add(file.previous_filename);
  }
  return [...paths];
}

export type RefWrite = "written" | "exists" | "not-fast-forward";

/** Creates `refs/heads/<branch>`; "exists" when GitHub says the reference is already there. */
export async function createBranch(
  gh: GitHubClient,
  repo: RepoRef,
  branch: string,
  sha: string,
): Promise<RefWrite> {
  return github(`create branch ${branch}`, async () => {
    try {
      await gh.rest.git.createRef({ ...repo, ref: `refs/heads/${branch}`, sha });
      return "written" as const;
    } catch (error) {
      if (is422(error, /already exists/i)) return "exists" as const;
      throw error;
    }
  });
}

/** Fast-forwards a branch (never forced); "not-fast-forward" when the branch moved elsewhere. */
export async function fastForwardBranch(
  gh: GitHubClient,
  repo: RepoRef,
  branch: string,
  sha: string,
): Promise<RefWrite> {
  return github(`update branch ${branch}`, async () => {
    try {
      await gh.rest.git.updateRef({ ...repo, ref: `heads/${branch}`, sha, force: false });
      return "written" as const;
    } catch (error) {
      if (is422(error, /fast.forward/i)) return "not-fast-forward" as const;
      throw error;
    }
  });
}
