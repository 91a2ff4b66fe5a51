/** Repository, collaborators, contents, branches, commits, compare and the tarball redirect. */
import { collaboratorOf, repoPermission, requireAuth, requirePermission } from "../auth.js";
import { diffTrees, unifiedDiff } from "../diff.js";
import {
  HttpError,
  notFound,
  paged,
  paginate,
  type Reply,
  type Request,
  type Route,
  route,
  type SimContext,
} from "../http.js";
import { repoJson, repoUrl, userJson } from "../payloads.js";
import { fileJson, findRepo, repoCommitJson, resolveCommitish } from "../repo-ops.js";
import { COMPARE_MAX_FILES, checkDiffSize } from "../size-limits.js";
import { PERMISSION_RANK, type Permission, type Repo, type User } from "../state.js";
import { buildTarball } from "../tarball.js";

const R = "/repos/{owner}/{repo}";

/** Legacy `permission` for a role: maintain → write, triage → read (GitHub's documented mapping). */
const LEGACY: Record<Permission | "none", "admin" | "write" | "read" | "none"> = {
  admin: "admin",
  maintain: "write",
  write: "write",
  triage: "read",
  read: "read",
  none: "none",
};

/**
 * The role the permission API reports: a collaborator's (custom roles by name, with their base
 * role), else for a public repository "read" or "none" as `rules.publicNonCollaborator` says.
 */
function roleOf(sim: SimContext, repo: Repo, user: User): { base: Permission | "none"; roleName: string } {
  const c = collaboratorOf(repo, user);
  if (c) return c;
  if (!repo.private && sim.behaviour.rules.publicNonCollaborator === "read") {
    return { base: "read", roleName: "read" };
  }
  return { base: "none", roleName: "none" };
}

function collaboratorJson(sim: SimContext, repo: Repo, user: User): Record<string, unknown> {
  const { base, roleName } = roleOf(sim, repo, user);
  const rank = ["none", "read", "triage", "write", "maintain", "admin"].indexOf(base);
  return {
    ...userJson(sim, user),
    permissions: {
      admin: rank >= 5,
      maintain: rank >= 4,
      push: rank >= 3,
      triage: rank >= 2,
      pull: rank >= 1,
    },
    role_name: roleName,
  };
}

const DIFF_ACCEPT = /application\/vnd\.github(?:\.v3)?\.(diff|patch)/;

export function wantsDiff(req: Request): boolean {
  return DIFF_ACCEPT.test(String(req.headers.accept ?? ""));
}

/**
 * The diff media types answer with their own content type, `application/vnd.github.v3.diff`
 * (quoted without a charset by third-party code that reads GitHub's diffs). Octokit reads a body as
 * text only if the type is text/* or ends in `charset=utf-8`, so `rules.diffCharset` decides
 * whether the charset is sent.
 */
export function diffContentType(req: Request, sim: SimContext): string {
  const kind = DIFF_ACCEPT.exec(String(req.headers.accept ?? ""))?.[1] ?? "diff";
  return `application/vnd.github.v3.${kind}${sim.behaviour.rules.diffCharset ? "; charset=utf-8" : ""}`;
}

function contentEntry(
  sim: SimContext,
  repo: Repo,
  path: string,
  type: string,
  sha: string,
  size: number,
  ref: string,
) {
  const u = `${repoUrl(sim, repo)}/contents/${encodeURI(path)}?ref=${encodeURIComponent(ref)}`;
  const html = `${sim.baseUrl}/${repo.fullName}/${type === "dir" ? "tree" : "blob"}/${ref}/${encodeURI(path)}`;
  const git = `${repoUrl(sim, repo)}/git/${type === "dir" ? "trees" : "blobs"}/${sha}`;
  return {
    name: path.split("/").pop() ?? path,
    path,
    sha,
    size,
    url: u,
    html_url: html,
    git_url: git,
    download_url: type === "file" ? `${sim.baseUrl}/_raw/${repo.fullName}/${ref}/${encodeURI(path)}` : null,
    type,
    _links: { self: u, git, html },
  };
}

function getContents(req: Request, sim: SimContext): Reply {
  requireAuth(req);
  const repo = findRepo(req, sim);
  const ref = req.query.get("ref") ?? repo.defaultBranch;
  const sha = resolveCommitish(repo, ref);
  if (!sha) throw new HttpError(404, `No commit found for the ref ${ref}`);
  const tree = repo.objects.commit(sha)?.tree ?? "";
  const path = (req.params.path ?? "").replace(/^\/+|\/+$/g, "");
  const entry = repo.objects.lookup(tree, path);
  if (!entry) throw notFound();
  if (entry.mode === "040000") {
    const items = (repo.objects.tree(entry.sha) ?? []).map((e) => {
      const p = path ? `${path}/${e.name}` : e.name;
      const type =
        e.mode === "040000"
          ? "dir"
          : e.mode === "160000"
            ? "submodule"
            : e.mode === "120000"
              ? "symlink"
              : "file";
      return contentEntry(sim, repo, p, type, e.sha, repo.objects.blob(e.sha)?.length ?? 0, ref);
    });
    return { status: 200, body: items };
  }
  const content = repo.objects.blob(entry.sha) ?? Buffer.alloc(0);
  if (/application\/vnd\.github(\.v3)?\.raw/.test(String(req.headers.accept ?? ""))) {
    return { status: 200, raw: content, headers: { "content-type": "application/vnd.github.raw" } };
  }
  const b64 = content.toString("base64").replace(/(.{60})/g, "$1\n");
  return {
    status: 200,
    body: {
      ...contentEntry(
        sim,
        repo,
        path,
        entry.mode === "120000" ? "symlink" : "file",
        entry.sha,
        content.length,
        ref,
      ),
      content: b64.endsWith("\n") || b64 === "" ? b64 : `${b64}\n`,
      encoding: "base64",
    },
  };
}

function branchJson(sim: SimContext, repo: Repo, name: string, sha: string): Record<string, unknown> {
  return {
    name,
    commit: repoCommitJson(sim, repo, sha, false),
    _links: {
      self: `${repoUrl(sim, repo)}/branches/${name}`,
      html: `${sim.baseUrl}/${repo.fullName}/tree/${name}`,
    },
    protected: false,
    protection: {
      enabled: false,
      required_status_checks: { enforcement_level: "off", contexts: [], checks: [] },
    },
    protection_url: `${repoUrl(sim, repo)}/branches/${name}/protection`,
  };
}

function compare(req: Request, sim: SimContext): Reply {
  requireAuth(req);
  const repo = findRepo(req, sim);
  const m = /^(.+?)\.\.\.(.+)$/.exec(req.params.basehead ?? "");
  if (!m) throw notFound();
  const base = resolveCommitish(repo, m[1] as string);
  const head = resolveCommitish(repo, m[2] as string);
  if (!base || !head) throw notFound();
  const mb = repo.objects.mergeBase(base, head) ?? base;
  const files = diffTrees(
    repo.objects,
    repo.objects.commit(mb)?.tree ?? "",
    repo.objects.commit(head)?.tree ?? "",
  );
  if (wantsDiff(req)) {
    const raw = unifiedDiff(files);
    checkDiffSize(sim, files, raw);
    return { status: 200, raw, headers: { "content-type": diffContentType(req, sim) } };
  }
  const ahead = repo.objects.commitsBetween(base, head);
  const behind = repo.objects.commitsBetween(head, base);
  const status =
    ahead.length === 0 && behind.length === 0
      ? "identical"
      : behind.length === 0
        ? "ahead"
        : ahead.length === 0
          ? "behind"
          : "diverged";
  const html = `${sim.baseUrl}/${repo.fullName}/compare/${m[1]}...${m[2]}`;
  // "When calling this endpoint without any paging parameter (per_page or page), the returned list
  // is limited to 250 commits … When using pagination: the list of changed files is only shown on
  // the first page of results, and it includes up to 300 changed files for the entire comparison"
  // (@octokit/openapi, repos/compare-commits).
  const paging = req.query.has("per_page") || req.query.has("page");
  const pageOf = paging ? paginate(req, sim, ahead) : { page: ahead.slice(-250), headers: {} };
  const commits = sim.behaviour.limits.diffs ? pageOf.page : ahead;
  const headers = sim.behaviour.limits.diffs ? pageOf.headers : {};
  const firstPage = !paging || Number(req.query.get("page") ?? 1) <= 1;
  const shown = sim.behaviour.limits.diffs ? files.slice(0, COMPARE_MAX_FILES) : files;
  return {
    status: 200,
    body: {
      url: `${repoUrl(sim, repo)}/compare/${m[1]}...${m[2]}`,
      html_url: html,
      permalink_url: `${sim.baseUrl}/${repo.fullName}/compare/${base.slice(0, 7)}...${head.slice(0, 7)}`,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      base_commit: repoCommitJson(sim, repo, base, false),
      merge_base_commit: repoCommitJson(sim, repo, mb, false),
      status,
      ahead_by: ahead.length,
      behind_by: behind.length,
      total_commits: ahead.length,
      commits: commits.map((sha) => repoCommitJson(sim, repo, sha, false)),
      ...(firstPage ? { files: shown.map((f) => fileJson(sim, repo, f, head)) } : {}),
    },
    headers,
  };
}

function listCommits(req: Request, sim: SimContext): Reply {
  requireAuth(req);
  const repo = findRepo(req, sim);
  const start = resolveCommitish(repo, req.query.get("sha") ?? repo.defaultBranch);
  if (!start) throw notFound();
  const path = req.query.get("path");
  const out: string[] = [];
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length > 0) {
    const sha = queue.shift() as string;
    if (seen.has(sha)) continue;
    seen.add(sha);
    const c = repo.objects.commit(sha);
    if (!c) continue;
    if (!path || touches(repo, c.tree, c.parents[0], path)) out.push(sha);
    queue.push(...c.parents);
  }
  return paged(req, sim, out, (sha) => repoCommitJson(sim, repo, sha, false));
}

function touches(repo: Repo, tree: string, parent: string | undefined, path: string): boolean {
  const before = parent ? repo.objects.lookup(repo.objects.commit(parent)?.tree ?? "", path)?.sha : undefined;
  return repo.objects.lookup(tree, path)?.sha !== before;
}

export const repoRoutes: Route[] = [
  route("GET", R, (req, sim) => {
    requireAuth(req);
    const repo = findRepo(req, sim);
    const role = repoPermission(repo, req.actor);
    const rank = ["none", "read", "triage", "write", "maintain", "admin"].indexOf(role);
    return {
      status: 200,
      body: {
        ...repoJson(sim, repo),
        // The full-repository schema (@octokit/openapi) also requires these.
        network_count: 0,
        subscribers_count: 0,
        permissions: {
          admin: rank >= 5,
          maintain: rank >= 4,
          push: rank >= 3,
          triage: rank >= 2,
          pull: true,
        },
      },
    };
  }),
  route("GET", `${R}/collaborators`, (req, sim) => {
    requireAuth(req);
    const repo = findRepo(req, sim);
    const users = [repo.owner, ...[...repo.collaborators.keys()].map((l) => sim.state.userByLogin(l))].filter(
      (u): u is User => u !== undefined,
    );
    return paged(req, sim, users, (u) => collaboratorJson(sim, repo, u));
  }),
  // "The authenticated user must have push access to the repository to use this endpoint"
  // (@octokit/openapi, repos/check-collaborator); 204 for a collaborator, 404 otherwise.
  route("GET", `${R}/collaborators/{username}`, (req, sim) => {
    requireAuth(req);
    const repo = findRepo(req, sim);
    requirePermission(repo, req, "write");
    const user = sim.state.userByLogin(req.params.username ?? "");
    if (!user || !collaboratorOf(repo, user)) throw notFound();
    return { status: 204 };
  }),
  // `permission` is the legacy base role (maintain → write, triage → read), `role_name` the role
  // itself, custom roles included (@octokit/openapi, repos/get-collaborator-permission-level).
  // Callers need push access: 403 "Must have push access to view collaborator permission."
  // (yegor256/rultor#1407). A bot is "not a user": 404 (claude-code-action#1030 for non-user
  // actors; "dependabot[bot] is not a user (HTTP 404)" as quoted in gh-based tooling).
  route("GET", `${R}/collaborators/{username}/permission`, (req, sim) => {
    requireAuth(req);
    const repo = findRepo(req, sim);
    if (PERMISSION_RANK[repoPermission(repo, req.actor)] < PERMISSION_RANK.write) {
      throw new HttpError(
        403,
        req.actor?.kind === "installation"
          ? "Resource not accessible by integration"
          : "Must have push access to view collaborator permission.",
        undefined,
        "https://docs.github.com/rest/collaborators/collaborators#get-repository-permissions-for-a-user",
      );
    }
    const user = sim.state.userByLogin(req.params.username ?? "");
    if (!user || user.type === "Bot") throw new HttpError(404, `${req.params.username} is not a user`);
    const { base, roleName } = roleOf(sim, repo, user);
    return {
      status: 200,
      body: { permission: LEGACY[base], role_name: roleName, user: collaboratorJson(sim, repo, user) },
    };
  }),
  route("GET", `${R}/contents`, getContents),
  route("GET", `${R}/contents/{path}`, getContents),
  route("GET", `${R}/branches`, (req, sim) => {
    requireAuth(req);
    const repo = findRepo(req, sim);
    const branches = [...repo.refs.entries()]
      .filter(([r]) => r.startsWith("refs/heads/"))
      .map(([r, sha]) => ({ name: r.slice(11), sha }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    return paged(req, sim, branches, (b) => ({
      name: b.name,
      commit: { sha: b.sha, url: `${repoUrl(sim, repo)}/commits/${b.sha}` },
      protected: false,
    }));
  }),
  route("GET", `${R}/branches/{branch}`, (req, sim) => {
    requireAuth(req);
    const repo = findRepo(req, sim);
    const name = req.params.branch ?? "";
    const sha = repo.refs.get(`refs/heads/${name}`);
    if (!sha) throw new HttpError(404, "Branch not found");
    return { status: 200, body: branchJson(sim, repo, name, sha) };
  }),
  route("GET", `${R}/commits`, listCommits),
  route("GET", `${R}/compare/{basehead}`, compare),
  route("GET", `${R}/tarball`, tarballRedirect),
  route("GET", `${R}/tarball/{ref}`, tarballRedirect),
];

/** Registered after the check-run routes so `/commits/{ref}/check-runs` wins. */
export const commitRoute: Route = route("GET", `${R}/commits/{ref}`, (req, sim) => {
  requireAuth(req);
  const repo = findRepo(req, sim);
  const sha = resolveCommitish(repo, req.params.ref ?? "");
  if (!sha) throw new HttpError(422, `No commit found for SHA: ${req.params.ref}`);
  if (wantsDiff(req)) {
    const c = repo.objects.commit(sha);
    const parentTree = c?.parents[0] ? (repo.objects.commit(c.parents[0])?.tree ?? "") : "";
    const raw = unifiedDiff(diffTrees(repo.objects, parentTree, c?.tree ?? ""));
    return { status: 200, raw, headers: { "content-type": diffContentType(req, sim) } };
  }
  return { status: 200, body: repoCommitJson(sim, repo, sha, true) };
});

function tarballRedirect(req: Request, sim: SimContext): Reply {
  requireAuth(req);
  const repo = findRepo(req, sim);
  const ref = req.params.ref ?? repo.defaultBranch;
  const sha = resolveCommitish(repo, ref);
  if (!sha) throw notFound();
  return {
    status: 302,
    headers: { location: `${sim.baseUrl}/_codeload/${repo.fullName}/legacy.tar.gz/${sha}` },
  };
}

/** `GET /_codeload/{owner}/{repo}/legacy.tar.gz/{sha}` — unauthenticated, like codeload.github.com. */
export async function serveCodeload(sim: SimContext, path: string): Promise<Reply | undefined> {
  const m = /^\/_codeload\/([^/]+)\/([^/]+)\/legacy\.tar\.gz\/([0-9a-f]{40})$/.exec(path);
  if (!m) return undefined;
  const repo = sim.state.findRepo(m[1] as string, m[2] as string);
  const sha = m[3] as string;
  if (!repo?.objects.commit(sha))
    return { status: 404, raw: "404: Not Found", headers: { "content-type": "text/plain" } };
  const raw = await buildTarball(repo, sha);
  return {
    status: 200,
    raw,
    headers: {
      "content-type": "application/x-gzip",
      "content-disposition": `attachment; filename=${repo.owner.login}-${repo.name}-${sha.slice(0, 7)}.tar.gz`,
    },
  };
}

/** `GET /_raw/{owner}/{repo}/{ref}/{path}` — the contents API's `download_url`. */
export function serveRaw(sim: SimContext, path: string): Reply | undefined {
  const m = /^\/_raw\/([^/]+)\/([^/]+)\/(.+)$/.exec(path);
  if (!m) return undefined;
  const repo = sim.state.findRepo(m[1] as string, m[2] as string);
  if (!repo) return { status: 404, raw: "404: Not Found" };
  // The ref may contain slashes: try the longest ref prefix that resolves.
  const parts = (m[3] as string).split("/").map(decodeURIComponent);
  for (let i = parts.length - 1; i >= 1; i -= 1) {
    const sha = resolveCommitish(repo, parts.slice(0, i).join("/"));
    if (!sha) continue;
    const entry = repo.objects.lookup(repo.objects.commit(sha)?.tree ?? "", parts.slice(i).join("/"));
    const blob = entry && repo.objects.blob(entry.sha);
    if (blob) return { status: 200, raw: blob, headers: { "content-type": "text/plain; charset=utf-8" } };
  }
  return { status: 404, raw: "404: Not Found" };
}
