/** Issues, labels, issue comments and reactions. */
import { actingUser, repoPermission, requireAuth, requirePermission } from "../auth.js";
import {
  bodyObject,
  HttpError,
  int,
  notFound,
  paged,
  type Reply,
  type Request,
  type Route,
  route,
  type SimContext,
  str,
  validationFailed,
} from "../http.js";
import {
  isReactionContent,
  issueCommentJson,
  issueJson,
  labelJson,
  nodeId,
  pullJson,
  reactionJson,
} from "../payloads.js";
import { findRepo } from "../repo-ops.js";
import { checkCommentBody, checkIssueBody } from "../size-limits.js";
import {
  type Issue,
  type IssueComment,
  type Label,
  PERMISSION_RANK,
  type Reaction,
  type Repo,
  type User,
} from "../state.js";

export const DEFAULT_LABELS: [string, string, string][] = [
  ["bug", "d73a4a", "Something isn't working"],
  ["documentation", "0075ca", "Improvements or additions to documentation"],
  ["duplicate", "cfd3d7", "This issue or pull request already exists"],
  ["enhancement", "a2eeef", "New feature or request"],
  ["good first issue", "7057ff", "Good for newcomers"],
  ["help wanted", "008672", "Extra attention is needed"],
  ["invalid", "e4e669", "This doesn't seem right"],
  ["question", "d876e3", "Further information is requested"],
  ["wontfix", "ffffff", "This will not be worked on"],
];

const DOCS = "https://docs.github.com/rest/issues";

/**
 * Eventual consistency (`consistency.pullLagMs`): right after a pull request is created, labelling
 * it answers 422 `{"resource":"Label","code":"unprocessable","field":"data","message":"Could not resolve
 * to a node with the global id of 'PR_…'."}` (peter-evans/create-pull-request#4322, KBVE/kbve#8599).
 */
function requireResolvableNode(sim: SimContext, repo: Repo, issue: Issue): void {
  const pr = issue.isPull ? repo.pulls.get(issue.number) : undefined;
  const lag = sim.behaviour.consistency.pullLagMs;
  if (!pr || lag <= 0 || sim.state.clock.now() >= pr.createdAtMs + lag) return;
  throw new HttpError(
    422,
    "Validation Failed",
    [
      {
        resource: "Label",
        code: "unprocessable",
        field: "data",
        message: `Could not resolve to a node with the global id of '${nodeId("PullRequest", pr.id)}'.`,
      },
    ],
    `${DOCS}/labels#add-labels-to-an-issue`,
  );
}

export function findIssue(repo: Repo, n: string | undefined): Issue {
  const issue = repo.issues.get(int(n));
  if (!issue) throw notFound();
  return issue;
}

function findComment(sim: SimContext, repo: Repo, id: string | undefined): IssueComment {
  const hit = sim.state.issueComments.get(int(id));
  if (!hit || hit.repo !== repo) throw notFound();
  return hit.comment;
}

/** Sends `issues.<action>`, or `pull_request.<action>` when the issue is a pull request. */
export function emitIssue(
  sim: SimContext,
  repo: Repo,
  issue: Issue,
  action: string,
  extra: Record<string, unknown>,
  sender: User,
): void {
  const pr = issue.isPull ? repo.pulls.get(issue.number) : undefined;
  if (pr) {
    sim.emit(
      repo,
      "pull_request",
      { action, number: pr.number, pull_request: pullJson(sim, repo, pr), ...extra },
      sender,
    );
  } else {
    sim.emit(repo, "issues", { action, issue: issueJson(sim, repo, issue), ...extra }, sender);
  }
}

function ensureLabel(sim: SimContext, repo: Repo, name: string): Label {
  const existing = repo.labels.get(name.toLowerCase());
  if (existing) return existing;
  const label: Label = { id: sim.state.id(), name, color: "ededed", description: null, default: false };
  repo.labels.set(name.toLowerCase(), label);
  return label;
}

function labelNames(body: unknown): string[] {
  const raw = Array.isArray(body)
    ? body
    : body && typeof body === "object" && "labels" in body
      ? (body as { labels: unknown }).labels
      : undefined;
  if (!Array.isArray(raw)) throw validationFailed("Label", "labels", "missing_field");
  return raw.map((l: unknown) => {
    if (typeof l === "string") return l;
    if (l && typeof l === "object" && typeof (l as { name?: unknown }).name === "string") {
      return (l as { name: string }).name;
    }
    throw validationFailed("Label", "name", "invalid");
  });
}

/** Replaces an issue's labels and sends labeled/unlabeled for the difference. */
function setLabels(sim: SimContext, repo: Repo, issue: Issue, names: string[], sender: User): void {
  const next: Label[] = [];
  for (const n of names) {
    const l = ensureLabel(sim, repo, n);
    if (!next.includes(l)) next.push(l);
  }
  const removed = issue.labels.filter((l) => !next.includes(l));
  const added = next.filter((l) => !issue.labels.includes(l));
  if (removed.length === 0 && added.length === 0) return;
  for (const l of removed) {
    issue.labels = issue.labels.filter((x) => x !== l);
    issue.updatedAt = sim.state.now();
    emitIssue(sim, repo, issue, "unlabeled", { label: labelJson(sim, repo, l) }, sender);
  }
  for (const l of added) {
    issue.labels.push(l);
    issue.updatedAt = sim.state.now();
    emitIssue(sim, repo, issue, "labeled", { label: labelJson(sim, repo, l) }, sender);
  }
}

function labelsReply(sim: SimContext, repo: Repo, issue: Issue): Reply {
  return { status: 200, body: issue.labels.map((l) => labelJson(sim, repo, l)) };
}

/**
 * `since`: "Only show results that were last updated after the given time" (docs.github.com/en/rest/
 * issues/issues#list-repository-issues and /issues/comments, both list endpoints). Read strictly:
 * updated exactly at `since` (GitHub's timestamps are whole seconds) is not "after", so a client that
 * needs the comment written at that second asks from a second earlier.
 */
function updatedAfter(updatedAt: string, since: string): boolean {
  return Date.parse(updatedAt) > Date.parse(since);
}

function listIssues(req: Request, sim: SimContext): Reply {
  requireAuth(req);
  const repo = findRepo(req, sim);
  const state = req.query.get("state") ?? "open";
  const labels = (req.query.get("labels") ?? "")
    .split(",")
    .map((l) => l.trim().toLowerCase())
    .filter(Boolean);
  const since = req.query.get("since");
  const creator = req.query.get("creator")?.toLowerCase();
  const sort = req.query.get("sort") ?? "created";
  const asc = (req.query.get("direction") ?? "desc") === "asc";
  let items = [...repo.issues.values()].filter((i) => state === "all" || i.state === state);
  if (labels.length > 0) {
    items = items.filter((i) => labels.every((l) => i.labels.some((x) => x.name.toLowerCase() === l)));
  }
  if (since) items = items.filter((i) => updatedAfter(i.updatedAt, since));
  if (creator) items = items.filter((i) => i.user.login.toLowerCase() === creator);
  const key = (i: Issue) =>
    sort === "updated" ? i.updatedAt : sort === "comments" ? i.comments.length : i.createdAt;
  items.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    const c = ka < kb ? -1 : ka > kb ? 1 : a.number - b.number;
    return asc ? c : -c;
  });
  return paged(req, sim, items, (i) => issueJson(sim, repo, i));
}

function createIssue(req: Request, sim: SimContext): Reply {
  const user = actingUser(req);
  const repo = findRepo(req, sim);
  const body = bodyObject(req);
  const title = body.title;
  if (typeof title !== "string" && typeof title !== "number") throw validationFailed("Issue", "title");
  checkIssueBody(sim, str(body, "body"), `${DOCS}/issues#create-an-issue`);
  const number = repo.issues.size + 1;
  const at = sim.state.now();
  const issue: Issue = {
    id: sim.state.id(),
    number,
    title: String(title),
    body: str(body, "body") ?? null,
    state: "open",
    stateReason: null,
    user,
    labels: [],
    reactions: [],
    comments: [],
    createdAt: at,
    updatedAt: at,
    closedAt: null,
    closedBy: null,
    isPull: false,
  };
  repo.issues.set(number, issue);
  // Like GitHub, labels given by someone without triage access are silently dropped.
  const canLabel = PERMISSION_RANK[repoPermission(repo, req.actor)] >= PERMISSION_RANK.triage;
  const names = canLabel && Array.isArray(body.labels) ? labelNames(body.labels) : [];
  for (const n of names) {
    const l = ensureLabel(sim, repo, n);
    if (!issue.labels.includes(l)) issue.labels.push(l);
  }
  sim.emit(repo, "issues", { action: "opened", issue: issueJson(sim, repo, issue) }, user);
  for (const l of issue.labels) {
    sim.emit(
      repo,
      "issues",
      { action: "labeled", issue: issueJson(sim, repo, issue), label: labelJson(sim, repo, l) },
      user,
    );
  }
  return { status: 201, body: issueJson(sim, repo, issue) };
}

function updateIssue(req: Request, sim: SimContext): Reply {
  const user = actingUser(req);
  const repo = findRepo(req, sim);
  const issue = findIssue(repo, req.params.issue_number);
  if (issue.user.id !== user.id) requirePermission(repo, req, "triage");
  const body = bodyObject(req);
  const changes: Record<string, { from: unknown }> = {};
  checkIssueBody(sim, str(body, "body"), `${DOCS}/issues#update-an-issue`);
  const title = str(body, "title");
  if (title !== undefined && title !== issue.title) {
    changes.title = { from: issue.title };
    issue.title = title;
  }
  if ("body" in body && (body.body === null || typeof body.body === "string") && body.body !== issue.body) {
    changes.body = { from: issue.body ?? "" };
    issue.body = body.body;
  }
  if (Object.keys(changes).length > 0) {
    issue.updatedAt = sim.state.now();
    emitIssue(sim, repo, issue, "edited", { changes }, user);
  }
  const state = str(body, "state");
  if (state !== undefined && state !== "open" && state !== "closed")
    throw validationFailed("Issue", "state", "invalid");
  if (state && state !== issue.state) {
    const pr = repo.pulls.get(issue.number);
    if (state === "open" && pr?.merged) throw validationFailed("PullRequest", "state", "invalid");
    issue.state = state;
    issue.updatedAt = sim.state.now();
    if (state === "closed") {
      issue.closedAt = issue.updatedAt;
      issue.closedBy = user;
      issue.stateReason = issue.isPull
        ? null
        : body.state_reason === "not_planned"
          ? "not_planned"
          : "completed";
    } else {
      issue.closedAt = null;
      issue.closedBy = null;
      issue.stateReason = issue.isPull ? null : "reopened";
    }
    emitIssue(sim, repo, issue, state === "closed" ? "closed" : "reopened", {}, user);
  }
  if (Array.isArray(body.labels)) {
    requirePermission(repo, req, "triage");
    setLabels(sim, repo, issue, labelNames(body.labels), user);
  }
  return { status: 200, body: issueJson(sim, repo, issue) };
}

function addReaction(req: Request, sim: SimContext, repo: Repo, list: Reaction[], touch: () => void): Reply {
  const user = actingUser(req);
  const content = bodyObject(req).content;
  if (!isReactionContent(content)) throw validationFailed("Reaction", "content", "invalid");
  const existing = list.find((r) => r.user.id === user.id && r.content === content);
  if (existing) return { status: 200, body: reactionJson(sim, existing) };
  const reaction: Reaction = { id: sim.state.id(), content, user, createdAt: sim.state.now() };
  list.push(reaction);
  touch();
  void repo;
  return { status: 201, body: reactionJson(sim, reaction) };
}

function listReactions(req: Request, sim: SimContext, list: Reaction[]): Reply {
  requireAuth(req);
  const content = req.query.get("content");
  return paged(
    req,
    sim,
    list.filter((r) => !content || r.content === content),
    (r) => reactionJson(sim, r),
  );
}

function deleteReaction(req: Request, list: Reaction[]): Reply {
  const user = actingUser(req);
  const idx = list.findIndex((r) => r.id === int(req.params.reaction_id));
  const r = list[idx];
  if (!r) throw notFound();
  if (r.user.id !== user.id) throw new HttpError(403, "Resource not accessible by integration");
  list.splice(idx, 1);
  return { status: 204 };
}

function reviewCommentReactions(req: Request, sim: SimContext): { repo: Repo; list: Reaction[] } {
  const repo = findRepo(req, sim);
  const hit = sim.state.reviewComments.get(int(req.params.comment_id));
  if (!hit || hit.repo !== repo) throw notFound();
  return { repo, list: hit.comment.reactions };
}

const R = "/repos/{owner}/{repo}";

export const issueRoutes: Route[] = [
  route("GET", `${R}/issues`, listIssues),
  route("POST", `${R}/issues`, createIssue),
  // Repository-wide comment routes come before /issues/{issue_number}.
  route("GET", `${R}/issues/comments`, (req, sim) => {
    requireAuth(req);
    const repo = findRepo(req, sim);
    const since = req.query.get("since");
    const all = [...repo.issues.values()]
      .flatMap((i) => i.comments)
      .filter((c) => !since || updatedAfter(c.updatedAt, since))
      .sort((a, b) => a.id - b.id);
    return paged(req, sim, all, (c) => issueCommentJson(sim, repo, c));
  }),
  route("GET", `${R}/issues/comments/{comment_id}`, (req, sim) => {
    requireAuth(req);
    const repo = findRepo(req, sim);
    return { status: 200, body: issueCommentJson(sim, repo, findComment(sim, repo, req.params.comment_id)) };
  }),
  route("PATCH", `${R}/issues/comments/{comment_id}`, (req, sim) => {
    const user = actingUser(req);
    const repo = findRepo(req, sim);
    const comment = findComment(sim, repo, req.params.comment_id);
    if (comment.user.id !== user.id) requirePermission(repo, req, "write");
    const body = str(bodyObject(req), "body");
    if (body === undefined) throw validationFailed("IssueComment", "body");
    checkCommentBody(sim, body, `${DOCS}/comments#update-an-issue-comment`);
    const from = comment.body;
    comment.body = body;
    comment.updatedAt = sim.state.now();
    const issue = repo.issues.get(comment.issueNumber) as Issue;
    sim.emit(
      repo,
      "issue_comment",
      {
        action: "edited",
        changes: { body: { from } },
        issue: issueJson(sim, repo, issue),
        comment: issueCommentJson(sim, repo, comment),
      },
      user,
    );
    return { status: 200, body: issueCommentJson(sim, repo, comment) };
  }),
  route("DELETE", `${R}/issues/comments/{comment_id}`, (req, sim) => {
    const user = actingUser(req);
    const repo = findRepo(req, sim);
    const comment = findComment(sim, repo, req.params.comment_id);
    if (comment.user.id !== user.id) requirePermission(repo, req, "write");
    const issue = repo.issues.get(comment.issueNumber) as Issue;
    issue.comments = issue.comments.filter((c) => c !== comment);
    sim.state.issueComments.delete(comment.id);
    sim.emit(
      repo,
      "issue_comment",
      {
        action: "deleted",
        issue: issueJson(sim, repo, issue),
        comment: issueCommentJson(sim, repo, comment),
      },
      user,
    );
    return { status: 204 };
  }),
  route("GET", `${R}/issues/comments/{comment_id}/reactions`, (req, sim) => {
    const repo = findRepo(req, sim);
    return listReactions(req, sim, findComment(sim, repo, req.params.comment_id).reactions);
  }),
  route("POST", `${R}/issues/comments/{comment_id}/reactions`, (req, sim) => {
    const repo = findRepo(req, sim);
    const c = findComment(sim, repo, req.params.comment_id);
    return addReaction(req, sim, repo, c.reactions, () => undefined);
  }),
  route("DELETE", `${R}/issues/comments/{comment_id}/reactions/{reaction_id}`, (req, sim) => {
    const repo = findRepo(req, sim);
    return deleteReaction(req, findComment(sim, repo, req.params.comment_id).reactions);
  }),
  route("GET", `${R}/pulls/comments/{comment_id}/reactions`, (req, sim) => {
    return listReactions(req, sim, reviewCommentReactions(req, sim).list);
  }),
  route("POST", `${R}/pulls/comments/{comment_id}/reactions`, (req, sim) => {
    const { repo, list } = reviewCommentReactions(req, sim);
    return addReaction(req, sim, repo, list, () => undefined);
  }),
  route("DELETE", `${R}/pulls/comments/{comment_id}/reactions/{reaction_id}`, (req, sim) => {
    return deleteReaction(req, reviewCommentReactions(req, sim).list);
  }),
  route("GET", `${R}/issues/{issue_number}`, (req, sim) => {
    requireAuth(req);
    const repo = findRepo(req, sim);
    return { status: 200, body: issueJson(sim, repo, findIssue(repo, req.params.issue_number)) };
  }),
  route("PATCH", `${R}/issues/{issue_number}`, updateIssue),
  route("GET", `${R}/issues/{issue_number}/labels`, (req, sim) => {
    requireAuth(req);
    const repo = findRepo(req, sim);
    const issue = findIssue(repo, req.params.issue_number);
    return paged(req, sim, issue.labels, (l) => labelJson(sim, repo, l));
  }),
  route("POST", `${R}/issues/{issue_number}/labels`, (req, sim) => {
    const repo = findRepo(req, sim);
    const user = requirePermission(repo, req, "triage");
    const issue = findIssue(repo, req.params.issue_number);
    requireResolvableNode(sim, repo, issue);
    const names = labelNames(req.body);
    setLabels(sim, repo, issue, [...issue.labels.map((l) => l.name), ...names], user);
    return labelsReply(sim, repo, issue);
  }),
  route("PUT", `${R}/issues/{issue_number}/labels`, (req, sim) => {
    const repo = findRepo(req, sim);
    const user = requirePermission(repo, req, "triage");
    const issue = findIssue(repo, req.params.issue_number);
    requireResolvableNode(sim, repo, issue);
    setLabels(sim, repo, issue, labelNames(req.body), user);
    return labelsReply(sim, repo, issue);
  }),
  route("DELETE", `${R}/issues/{issue_number}/labels`, (req, sim) => {
    const repo = findRepo(req, sim);
    const user = requirePermission(repo, req, "triage");
    setLabels(sim, repo, findIssue(repo, req.params.issue_number), [], user);
    return { status: 204 };
  }),
  route("DELETE", `${R}/issues/{issue_number}/labels/{name}`, (req, sim) => {
    const repo = findRepo(req, sim);
    const user = requirePermission(repo, req, "triage");
    const issue = findIssue(repo, req.params.issue_number);
    const name = (req.params.name ?? "").toLowerCase();
    if (!issue.labels.some((l) => l.name.toLowerCase() === name)) {
      throw new HttpError(404, "Label does not exist");
    }
    setLabels(
      sim,
      repo,
      issue,
      issue.labels.filter((l) => l.name.toLowerCase() !== name).map((l) => l.name),
      user,
    );
    return labelsReply(sim, repo, issue);
  }),
  route("GET", `${R}/issues/{issue_number}/comments`, (req, sim) => {
    requireAuth(req);
    const repo = findRepo(req, sim);
    const issue = findIssue(repo, req.params.issue_number);
    const since = req.query.get("since");
    const items = issue.comments.filter((c) => !since || updatedAfter(c.updatedAt, since));
    return paged(req, sim, items, (c) => issueCommentJson(sim, repo, c));
  }),
  route("POST", `${R}/issues/{issue_number}/comments`, (req, sim) => {
    const user = actingUser(req);
    const repo = findRepo(req, sim);
    const issue = findIssue(repo, req.params.issue_number);
    const body = str(bodyObject(req), "body");
    if (body === undefined) throw validationFailed("IssueComment", "body");
    checkCommentBody(sim, body, `${DOCS}/comments#create-an-issue-comment`);
    const at = sim.state.now();
    const comment: IssueComment = {
      id: sim.state.id(),
      issueNumber: issue.number,
      user,
      body,
      createdAt: at,
      updatedAt: at,
      reactions: [],
    };
    issue.comments.push(comment);
    issue.updatedAt = at;
    sim.state.issueComments.set(comment.id, { repo, comment });
    sim.emit(
      repo,
      "issue_comment",
      {
        action: "created",
        issue: issueJson(sim, repo, issue),
        comment: issueCommentJson(sim, repo, comment),
      },
      user,
    );
    return { status: 201, body: issueCommentJson(sim, repo, comment) };
  }),
  route("GET", `${R}/issues/{issue_number}/reactions`, (req, sim) => {
    const repo = findRepo(req, sim);
    return listReactions(req, sim, findIssue(repo, req.params.issue_number).reactions);
  }),
  route("POST", `${R}/issues/{issue_number}/reactions`, (req, sim) => {
    const repo = findRepo(req, sim);
    const issue = findIssue(repo, req.params.issue_number);
    return addReaction(req, sim, repo, issue.reactions, () => undefined);
  }),
  route("DELETE", `${R}/issues/{issue_number}/reactions/{reaction_id}`, (req, sim) => {
    const repo = findRepo(req, sim);
    return deleteReaction(req, findIssue(repo, req.params.issue_number).reactions);
  }),
  route("GET", `${R}/labels`, (req, sim) => {
    requireAuth(req);
    const repo = findRepo(req, sim);
    return paged(req, sim, [...repo.labels.values()], (l) => labelJson(sim, repo, l));
  }),
  route("POST", `${R}/labels`, (req, sim) => {
    const repo = findRepo(req, sim);
    requirePermission(repo, req, "write");
    const body = bodyObject(req);
    const name = str(body, "name");
    if (!name) throw validationFailed("Label", "name");
    if (repo.labels.has(name.toLowerCase())) throw validationFailed("Label", "name", "already_exists");
    const label: Label = {
      id: sim.state.id(),
      name,
      color: (str(body, "color") ?? "ededed").replace(/^#/, ""),
      description: str(body, "description") ?? null,
      default: false,
    };
    repo.labels.set(name.toLowerCase(), label);
    return { status: 201, body: labelJson(sim, repo, label) };
  }),
  route("GET", `${R}/labels/{name}`, (req, sim) => {
    requireAuth(req);
    const repo = findRepo(req, sim);
    const label = repo.labels.get((req.params.name ?? "").toLowerCase());
    if (!label) throw notFound();
    return { status: 200, body: labelJson(sim, repo, label) };
  }),
];
