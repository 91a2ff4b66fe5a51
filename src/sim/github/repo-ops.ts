/** Operations on a repository shared by several route modules: refs, commits, pull-request diffs. */

import { repoPermission } from "./auth.js";
import { diffTrees, type FileChange } from "./diff.js";
import type { Signature } from "./git-objects.js";
import { HttpError, notFound, type Request, type SimContext } from "./http.js";
import { pullJson, repoUrl, userJson } from "./payloads.js";
import { installationCovers, type PullRequest, type Repo, type User } from "./state.js";

/**
 * The repository a request names. A private one is a 404 to anyone without access: "GitHub uses a
 * 404 Not Found response instead of a 403 Forbidden response to avoid confirming the existence of
 * private repositories" (docs.github.com, Troubleshooting the REST API).
 */
export function findRepo(req: Request, sim: SimContext): Repo {
  const repo = sim.state.findRepo(req.params.owner ?? "", req.params.repo ?? "");
  if (!repo) throw notFound();
  if (repo.private && repoPermission(repo, req.actor) === "none") throw notFound();
  // An installation writes nothing, not even an issue, where it is not installed ("The endpoint
  // is only affecting resources owned by the account where the GitHub App is installed").
  const a = req.actor;
  if (
    a?.kind === "installation" &&
    !["GET", "HEAD"].includes(req.method) &&
    !installationCovers(a.installation, repo)
  ) {
    throw new HttpError(403, "Resource not accessible by integration");
  }
  return repo;
}

/** Branch name, `heads/x`, `refs/heads/x`, tag, full or abbreviated commit sha → commit sha. */
export function resolveCommitish(repo: Repo, ref: string): string | undefined {
  for (const candidate of [`refs/heads/${ref}`, `refs/tags/${ref}`, `refs/${ref}`, ref]) {
    const sha = repo.refs.get(candidate);
    if (sha) return sha;
  }
  if (/^[0-9a-f]{7,40}$/i.test(ref)) {
    const lower = ref.toLowerCase();
    if (repo.objects.commit(lower)) return lower;
    for (const sha of repo.refs.values()) if (sha.startsWith(lower)) return sha;
    for (const sha of allCommits(repo)) if (sha.startsWith(lower)) return sha;
  }
  return undefined;
}

function allCommits(repo: Repo): Set<string> {
  const out = new Set<string>();
  for (const sha of repo.refs.values()) for (const a of repo.objects.ancestors(sha)) out.add(a);
  return out;
}

export function requireCommit(repo: Repo, ref: string): string {
  const sha = resolveCommitish(repo, ref);
  if (!sha) throw new HttpError(422, `No commit found for SHA: ${ref}`);
  return sha;
}

export function signatureFor(user: User, date: string): Signature {
  return {
    name: user.login,
    email: `${user.id}+${user.login}@users.noreply.github.com`,
    date,
  };
}

/**
 * Moves (or creates, or deletes with `sha` undefined) a ref and sends what GitHub sends when a
 * branch moves: `pull_request.synchronize` for open PRs whose head is that branch.
 */
export function setRef(
  sim: SimContext,
  repo: Repo,
  fullRef: string,
  sha: string | undefined,
  actor: User,
): void {
  const before = repo.refs.get(fullRef);
  if (sha === undefined) repo.refs.delete(fullRef);
  else repo.refs.set(fullRef, sha);
  repo.pushedAt = sim.state.now();
  if (!fullRef.startsWith("refs/heads/") || sha === undefined || before === sha) return;
  const branch = fullRef.slice("refs/heads/".length);
  for (const pr of repo.pulls.values()) {
    const issue = repo.issues.get(pr.number);
    if (issue?.state !== "open") continue;
    if (pr.baseRef === branch) pr.baseSha = sha;
    if (pr.headRef !== branch) continue;
    pr.headSha = sha;
    issue.updatedAt = sim.state.now();
    sim.emit(
      repo,
      "pull_request",
      { action: "synchronize", number: pr.number, before, after: sha, pull_request: pullJson(sim, repo, pr) },
      actor,
    );
  }
}

/** Files changed by a pull request at `headSha` (default: its head), against the merge base. */
export function pullFiles(repo: Repo, pr: PullRequest, headSha = pr.headSha): FileChange[] {
  const base = pr.merged ? pr.baseSha : (repo.refs.get(`refs/heads/${pr.baseRef}`) ?? pr.baseSha);
  const mb = repo.objects.mergeBase(base, headSha) ?? base;
  return diffTrees(
    repo.objects,
    repo.objects.commit(mb)?.tree ?? "",
    repo.objects.commit(headSha)?.tree ?? "",
  );
}

export function fileJson(sim: SimContext, repo: Repo, f: FileChange, ref: string): Record<string, unknown> {
  const sha = f.newSha ?? f.oldSha ?? "";
  const path = encodeURI(f.filename);
  return {
    sha,
    filename: f.filename,
    status: f.status,
    additions: f.additions,
    deletions: f.deletions,
    changes: f.changes,
    blob_url: `${sim.baseUrl}/${repo.fullName}/blob/${ref}/${path}`,
    raw_url: `${sim.baseUrl}/${repo.fullName}/raw/${ref}/${path}`,
    contents_url: `${repoUrl(sim, repo)}/contents/${path}?ref=${ref}`,
    ...(f.patch !== undefined ? { patch: f.patch } : {}),
    ...(f.previousFilename ? { previous_filename: f.previousFilename } : {}),
  };
}

export function gitCommitJson(sim: SimContext, repo: Repo, sha: string): Record<string, unknown> {
  const c = repo.objects.commit(sha);
  if (!c) throw notFound();
  const u = `${repoUrl(sim, repo)}/git/commits/${sha}`;
  return {
    sha,
    node_id: Buffer.from(`06:Commit${repo.id}:${sha}`).toString("base64"),
    url: u,
    html_url: `${sim.baseUrl}/${repo.fullName}/commit/${sha}`,
    author: c.author,
    committer: c.committer,
    tree: { sha: c.tree, url: `${repoUrl(sim, repo)}/git/trees/${c.tree}` },
    message: c.message,
    parents: c.parents.map((p) => ({
      sha: p,
      url: `${repoUrl(sim, repo)}/git/commits/${p}`,
      html_url: `${sim.baseUrl}/${repo.fullName}/commit/${p}`,
    })),
    verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
  };
}

function userForEmail(sim: SimContext, email: string): User | undefined {
  const m = /^(\d+)\+(.+)@users\.noreply\.github\.com$/.exec(email);
  return m ? sim.state.userByLogin(m[2] as string) : undefined;
}

/** The `GET /repos/{o}/{r}/commits/{ref}` shape (a commit with GitHub users and, if asked, files). */
export function repoCommitJson(
  sim: SimContext,
  repo: Repo,
  sha: string,
  withFiles: boolean,
): Record<string, unknown> {
  const c = repo.objects.commit(sha);
  if (!c) throw notFound();
  const git = gitCommitJson(sim, repo, sha);
  const author = userForEmail(sim, c.author.email);
  const committer = userForEmail(sim, c.committer.email);
  const out: Record<string, unknown> = {
    sha,
    node_id: git.node_id,
    commit: {
      author: c.author,
      committer: c.committer,
      message: c.message,
      tree: git.tree,
      url: git.url,
      comment_count: 0,
      verification: git.verification,
    },
    url: `${repoUrl(sim, repo)}/commits/${sha}`,
    html_url: git.html_url,
    comments_url: `${repoUrl(sim, repo)}/commits/${sha}/comments`,
    author: author ? userJson(sim, author) : null,
    committer: committer ? userJson(sim, committer) : null,
    parents: c.parents.map((p) => ({
      sha: p,
      url: `${repoUrl(sim, repo)}/commits/${p}`,
      html_url: `${sim.baseUrl}/${repo.fullName}/commit/${p}`,
    })),
  };
  if (withFiles) {
    const parentTree = c.parents[0] ? (repo.objects.commit(c.parents[0])?.tree ?? "") : "";
    const files = diffTrees(repo.objects, parentTree, c.tree);
    const additions = files.reduce((n, f) => n + f.additions, 0);
    const deletions = files.reduce((n, f) => n + f.deletions, 0);
    out.stats = { total: additions + deletions, additions, deletions };
    out.files = files.map((f) => fileJson(sim, repo, f, sha));
  }
  return out;
}
