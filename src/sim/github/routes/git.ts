/** Git Data API: blobs, trees, commits, refs. Ids are git's own (see git-objects.ts). */
import { requireAuth, requirePermission } from "../auth.js";
import type { FileMode, FlatTree, Signature } from "../git-objects.js";
import {
  bodyObject,
  HttpError,
  notFound,
  type Reply,
  type Request,
  type Route,
  route,
  type SimContext,
  str,
  validationFailed,
} from "../http.js";
import { repoUrl } from "../payloads.js";
import { findRepo, gitCommitJson, resolveCommitish, setRef, signatureFor } from "../repo-ops.js";
import type { Repo } from "../state.js";
import { emitIssue } from "./issues.js";

const R = "/repos/{owner}/{repo}";
const MODES: FileMode[] = ["100644", "100755", "040000", "160000", "120000"];

function treeEntryJson(sim: SimContext, repo: Repo, path: string, e: { mode: FileMode; sha: string }) {
  const type = e.mode === "040000" ? "tree" : e.mode === "160000" ? "commit" : "blob";
  const size = type === "blob" ? repo.objects.blob(e.sha)?.length : undefined;
  return {
    path,
    mode: e.mode,
    type,
    sha: e.sha,
    ...(size !== undefined ? { size } : {}),
    ...(type !== "commit" ? { url: `${repoUrl(sim, repo)}/git/${type}s/${e.sha}` } : {}),
  };
}

function treeJson(sim: SimContext, repo: Repo, sha: string, recursive: boolean): Record<string, unknown> {
  const entries: Record<string, unknown>[] = [];
  const walk = (treeSha: string, prefix: string) => {
    for (const e of repo.objects.tree(treeSha) ?? []) {
      const path = prefix ? `${prefix}/${e.name}` : e.name;
      entries.push(treeEntryJson(sim, repo, path, e));
      if (recursive && e.mode === "040000") walk(e.sha, path);
    }
  };
  walk(sha, "");
  return { sha, url: `${repoUrl(sim, repo)}/git/trees/${sha}`, tree: entries, truncated: false };
}

function createTree(req: Request, sim: SimContext): Reply {
  const repo = findRepo(req, sim);
  requirePermission(repo, req, "write");
  const body = bodyObject(req);
  if (!Array.isArray(body.tree)) throw validationFailed("Tree", "tree");
  const flat: FlatTree = new Map();
  const baseTree = str(body, "base_tree");
  if (baseTree) {
    if (!repo.objects.tree(baseTree))
      throw new HttpError(422, "Invalid tree info", ["base_tree is not a valid tree"]);
    repo.objects.flatten(baseTree, "", flat);
  }
  for (const raw of body.tree as unknown[]) {
    const e = (raw ?? {}) as Record<string, unknown>;
    const path = typeof e.path === "string" ? e.path.replace(/^\/+|\/+$/g, "") : "";
    const mode = String(e.mode ?? "") as FileMode;
    if (!path || path.split("/").some((p) => p === "" || p === "." || p === "..")) {
      throw new HttpError(422, "Invalid tree info", [`tree.path ${String(e.path)} is invalid`]);
    }
    if (!MODES.includes(mode))
      throw new HttpError(422, "Invalid tree info", [`tree.mode ${mode} is invalid`]);
    const removeUnder = () => {
      flat.delete(path);
      for (const k of [...flat.keys()]) if (k.startsWith(`${path}/`)) flat.delete(k);
    };
    if (typeof e.content === "string") {
      if (mode === "040000" || mode === "160000") throw new HttpError(422, "Invalid tree info");
      removeUnder();
      flat.set(path, { mode, sha: repo.objects.putBlob(Buffer.from(e.content, "utf8")) });
      continue;
    }
    if (e.sha === null) {
      // "Returns an error if you try to delete a file that does not exist" (@octokit/openapi,
      // git/create-tree): 422 `GitRPC::BadObjectState` (mckaywrigley/buildware-ai#29).
      const exists = flat.has(path) || [...flat.keys()].some((k) => k.startsWith(`${path}/`));
      if (!exists && sim.behaviour.rules.treeDeleteMissing === "refuse") {
        throw new HttpError(
          422,
          "GitRPC::BadObjectState",
          undefined,
          "https://docs.github.com/rest/git/trees#create-a-tree",
        );
      }
      removeUnder();
      continue;
    }
    const sha = typeof e.sha === "string" ? e.sha.toLowerCase() : "";
    if (mode === "040000") {
      if (!repo.objects.tree(sha))
        throw new HttpError(422, "Invalid tree info", [`tree.sha ${sha} is not a valid tree`]);
      removeUnder();
      repo.objects.flatten(sha, path, flat);
    } else if (mode === "160000") {
      removeUnder();
      flat.set(path, { mode, sha });
    } else {
      if (!repo.objects.blob(sha))
        throw new HttpError(422, "Invalid tree info", [`tree.sha ${sha} is not a valid blob`]);
      removeUnder();
      flat.set(path, { mode, sha });
    }
  }
  const sha = repo.objects.buildTree(flat);
  return { status: 201, body: treeJson(sim, repo, sha, false) };
}

function signature(raw: unknown, fallback: Signature): Signature {
  if (!raw || typeof raw !== "object") return fallback;
  const s = raw as Record<string, unknown>;
  if (typeof s.name !== "string" || typeof s.email !== "string") {
    throw validationFailed("Commit", "author", "invalid");
  }
  return { name: s.name, email: s.email, date: typeof s.date === "string" ? s.date : fallback.date };
}

function createCommit(req: Request, sim: SimContext): Reply {
  const repo = findRepo(req, sim);
  const user = requirePermission(repo, req, "write");
  const body = bodyObject(req);
  const message = str(body, "message");
  const tree = str(body, "tree");
  if (message === undefined) throw validationFailed("Commit", "message");
  if (!tree || !repo.objects.tree(tree)) throw new HttpError(422, "Tree SHA does not exist");
  const parents = Array.isArray(body.parents) ? body.parents.map(String) : [];
  for (const p of parents) {
    if (!repo.objects.commit(p))
      throw new HttpError(422, "Parent SHA does not exist or is not a commit object");
  }
  const author = signature(body.author, signatureFor(user, sim.state.now()));
  const committer = signature(body.committer, author);
  const sha = repo.objects.putCommit({ tree, parents, author, committer, message });
  return { status: 201, body: gitCommitJson(sim, repo, sha) };
}

function refJson(sim: SimContext, repo: Repo, ref: string, sha: string): Record<string, unknown> {
  return {
    ref,
    node_id: Buffer.from(`03:Ref${repo.id}:${ref}`).toString("base64"),
    url: `${repoUrl(sim, repo)}/git/${ref}`,
    object: { sha, type: "commit", url: `${repoUrl(sim, repo)}/git/commits/${sha}` },
  };
}

function fullRef(ref: string): string {
  return ref.startsWith("refs/") ? ref : `refs/${ref}`;
}

function matching(repo: Repo, prefix: string): [string, string][] {
  return [...repo.refs.entries()]
    .filter(([r]) => r.startsWith(prefix))
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

function updateRef(req: Request, sim: SimContext): Reply {
  const repo = findRepo(req, sim);
  const user = requirePermission(repo, req, "write");
  const ref = fullRef(req.params.ref ?? "");
  const current = repo.refs.get(ref);
  if (!current) throw new HttpError(422, "Reference does not exist");
  const body = bodyObject(req);
  const sha = str(body, "sha")?.toLowerCase();
  if (!sha || !repo.objects.commit(sha)) throw new HttpError(422, "Object does not exist");
  if (body.force !== true && !repo.objects.isAncestor(current, sha)) {
    throw new HttpError(422, "Update is not a fast forward");
  }
  setRef(sim, repo, ref, sha, user);
  return { status: 200, body: refJson(sim, repo, ref, sha) };
}

export const gitRoutes: Route[] = [
  route("POST", `${R}/git/blobs`, (req, sim) => {
    const repo = findRepo(req, sim);
    requirePermission(repo, req, "write");
    const body = bodyObject(req);
    const content = str(body, "content");
    if (content === undefined) throw validationFailed("Blob", "content");
    const encoding = str(body, "encoding") ?? "utf-8";
    if (encoding !== "utf-8" && encoding !== "utf8" && encoding !== "base64") {
      throw new HttpError(422, `encoding must be either 'utf-8' or 'base64'`);
    }
    const sha = repo.objects.putBlob(Buffer.from(content, encoding === "base64" ? "base64" : "utf8"));
    return { status: 201, body: { url: `${repoUrl(sim, repo)}/git/blobs/${sha}`, sha } };
  }),
  route("GET", `${R}/git/blobs/{file_sha}`, (req, sim) => {
    requireAuth(req);
    const repo = findRepo(req, sim);
    const sha = (req.params.file_sha ?? "").toLowerCase();
    const blob = repo.objects.blob(sha);
    if (!blob) throw notFound();
    return {
      status: 200,
      body: {
        sha,
        node_id: Buffer.from(`04:Blob${repo.id}:${sha}`).toString("base64"),
        size: blob.length,
        url: `${repoUrl(sim, repo)}/git/blobs/${sha}`,
        content: blob.toString("base64").replace(/(.{60})/g, "$1\n"),
        encoding: "base64",
      },
    };
  }),
  route("POST", `${R}/git/trees`, createTree),
  route("GET", `${R}/git/trees/{tree_sha}`, (req, sim) => {
    requireAuth(req);
    const repo = findRepo(req, sim);
    const id = req.params.tree_sha ?? "";
    let sha = id.toLowerCase();
    if (!repo.objects.tree(sha)) {
      const commit = resolveCommitish(repo, id);
      sha = (commit && repo.objects.commit(commit)?.tree) ?? "";
    }
    if (!repo.objects.tree(sha)) throw notFound();
    const recursive = req.query.has("recursive") && req.query.get("recursive") !== "false";
    return { status: 200, body: treeJson(sim, repo, sha, recursive) };
  }),
  route("POST", `${R}/git/commits`, createCommit),
  route("GET", `${R}/git/commits/{commit_sha}`, (req, sim) => {
    requireAuth(req);
    const repo = findRepo(req, sim);
    return { status: 200, body: gitCommitJson(sim, repo, (req.params.commit_sha ?? "").toLowerCase()) };
  }),
  route("GET", `${R}/git/ref/{ref}`, (req, sim) => {
    requireAuth(req);
    const repo = findRepo(req, sim);
    const ref = fullRef(req.params.ref ?? "");
    const sha = repo.refs.get(ref);
    if (!sha) throw notFound();
    return { status: 200, body: refJson(sim, repo, ref, sha) };
  }),
  route("GET", `${R}/git/matching-refs/{ref}`, (req, sim) => {
    requireAuth(req);
    const repo = findRepo(req, sim);
    return {
      status: 200,
      body: matching(repo, fullRef(req.params.ref ?? "")).map(([r, s]) => refJson(sim, repo, r, s)),
    };
  }),
  route("GET", `${R}/git/refs`, (req, sim) => {
    requireAuth(req);
    const repo = findRepo(req, sim);
    return { status: 200, body: matching(repo, "refs/").map(([r, s]) => refJson(sim, repo, r, s)) };
  }),
  route("GET", `${R}/git/refs/{ref}`, (req, sim) => {
    requireAuth(req);
    const repo = findRepo(req, sim);
    const ref = fullRef(req.params.ref ?? "");
    const exact = repo.refs.get(ref);
    if (exact) return { status: 200, body: refJson(sim, repo, ref, exact) };
    const list = matching(repo, `${ref}/`);
    if (list.length === 0) throw notFound();
    return { status: 200, body: list.map(([r, s]) => refJson(sim, repo, r, s)) };
  }),
  route("POST", `${R}/git/refs`, (req, sim) => {
    const repo = findRepo(req, sim);
    const user = requirePermission(repo, req, "write");
    const body = bodyObject(req);
    const ref = str(body, "ref");
    const sha = str(body, "sha")?.toLowerCase();
    if (!ref || !/^refs\/[^/]+\/.+/.test(ref) || /\.\.|\s|~|\^|:|\\|\/\/|\/$|\.lock$/.test(ref)) {
      throw new HttpError(422, "Reference name is invalid");
    }
    if (!sha || !repo.objects.commit(sha)) throw new HttpError(422, "Object does not exist");
    if (repo.refs.has(ref)) throw new HttpError(422, "Reference already exists");
    setRef(sim, repo, ref, sha, user);
    repo.refCreatedAt.set(ref, sim.state.clock.now());
    return { status: 201, body: refJson(sim, repo, ref, sha) };
  }),
  route("PATCH", `${R}/git/refs/{ref}`, updateRef),
  route("DELETE", `${R}/git/refs/{ref}`, (req, sim) => {
    const repo = findRepo(req, sim);
    const user = requirePermission(repo, req, "write");
    const ref = fullRef(req.params.ref ?? "");
    if (!repo.refs.has(ref)) throw new HttpError(422, "Reference does not exist");
    if (ref === `refs/heads/${repo.defaultBranch}`)
      throw new HttpError(422, "Cannot delete the default branch");
    setRef(sim, repo, ref, undefined, user);
    // GitHub closes open pull requests whose head branch is deleted.
    const branch = ref.replace(/^refs\/heads\//, "");
    for (const pr of repo.pulls.values()) {
      const issue = repo.issues.get(pr.number);
      if (pr.headRef !== branch || issue?.state !== "open") continue;
      issue.state = "closed";
      issue.closedAt = sim.state.now();
      issue.updatedAt = issue.closedAt;
      issue.closedBy = user;
      emitIssue(sim, repo, issue, "closed", {}, user);
    }
    return { status: 204 };
  }),
];
