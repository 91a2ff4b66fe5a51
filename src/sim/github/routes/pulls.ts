/** Pull requests, merges, reviews and review comments. */
import { actingUser, requireAuth, requirePermission } from "../auth.js";
import { anchorLine, type FileChange, unifiedDiff } from "../diff.js";
import type { FlatTree } from "../git-objects.js";
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
} from "../http.js";
import { issueJson, pullJson, reviewCommentJson, reviewJson } from "../payloads.js";
import { fileJson, findRepo, pullFiles, repoCommitJson, setRef, signatureFor } from "../repo-ops.js";
import { checkDiffSize, checkIssueBody, checkReviewBodies, PULL_FILES_MAX } from "../size-limits.js";
import type { Issue, PullRequest, Repo, Review, ReviewComment, User } from "../state.js";
import { emitIssue } from "./issues.js";
import { diffContentType, wantsDiff } from "./repos.js";

const R = "/repos/{owner}/{repo}";
const DOCS = "https://docs.github.com/rest/pulls";

const unprocessable = (...errors: string[]) => new HttpError(422, "Unprocessable Entity", errors);

function findPull(repo: Repo, n: string | undefined): PullRequest {
  const pr = repo.pulls.get(int(n));
  if (!pr) throw notFound();
  return pr;
}

const issueOf = (repo: Repo, pr: PullRequest) => repo.issues.get(pr.number) as Issue;

function customError(message: string): HttpError {
  return new HttpError(422, "Validation Failed", [{ resource: "PullRequest", code: "custom", message }]);
}

function createPull(req: Request, sim: SimContext): Reply {
  const user = actingUser(req);
  const repo = findRepo(req, sim);
  const body = bodyObject(req);
  const title = str(body, "title");
  const headRaw = str(body, "head");
  const base = str(body, "base");
  if (!title && body.issue === undefined) {
    throw new HttpError(422, "Validation Failed", [
      { resource: "PullRequest", field: "title", code: "missing_field" },
    ]);
  }
  if (!headRaw || !base) {
    throw new HttpError(422, "Validation Failed", [
      { resource: "PullRequest", field: headRaw ? "base" : "head", code: "missing_field" },
    ]);
  }
  const head = headRaw.includes(":") ? headRaw.slice(headRaw.indexOf(":") + 1) : headRaw;
  const baseSha = repo.refs.get(`refs/heads/${base}`);
  const headSha = repo.refs.get(`refs/heads/${head}`);
  if (!baseSha)
    throw new HttpError(422, "Validation Failed", [
      { resource: "PullRequest", field: "base", code: "invalid" },
    ]);
  // A branch made through the API a moment ago is not yet a valid head (`consistency.refLagMs`):
  // GitHub answers the same 422 as for a missing branch (gitbutlerapp/gitbutler#4904: "head
  // invalid" the first time, fine the second).
  const made = repo.refCreatedAt.get(`refs/heads/${head}`);
  const lagging = made !== undefined && sim.state.clock.now() < made + sim.behaviour.consistency.refLagMs;
  if (!headSha || lagging)
    throw new HttpError(
      422,
      "Validation Failed",
      [{ resource: "PullRequest", field: "head", code: "invalid" }],
      `${DOCS}/pulls#create-a-pull-request`,
    );
  checkIssueBody(sim, str(body, "body"), `${DOCS}/pulls#create-a-pull-request`);
  for (const pr of repo.pulls.values()) {
    if (pr.headRef === head && pr.baseRef === base && issueOf(repo, pr).state === "open") {
      throw customError(`A pull request already exists for ${repo.owner.login}:${head}.`);
    }
  }
  if (repo.objects.commitsBetween(baseSha, headSha).length === 0) {
    throw customError(`No commits between ${base} and ${head}`);
  }
  const number = repo.issues.size + 1;
  const at = sim.state.now();
  const issue: Issue = {
    id: sim.state.id(),
    number,
    title: title ?? "",
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
    isPull: true,
  };
  const pr: PullRequest = {
    number,
    id: sim.state.id(),
    headRef: head,
    headSha,
    baseRef: base,
    baseSha,
    draft: body.draft === true,
    merged: false,
    mergedAt: null,
    mergedBy: null,
    mergeCommitSha: null,
    reviews: [],
    reviewComments: [],
    createdAtMs: sim.state.clock.now(),
  };
  repo.issues.set(number, issue);
  repo.pulls.set(number, pr);
  sim.emit(repo, "pull_request", { action: "opened", number, pull_request: pullJson(sim, repo, pr) }, user);
  return { status: 201, body: pullJson(sim, repo, pr) };
}

function listPulls(req: Request, sim: SimContext): Reply {
  requireAuth(req);
  const repo = findRepo(req, sim);
  const state = req.query.get("state") ?? "open";
  const head = req.query.get("head");
  const base = req.query.get("base");
  const asc = (req.query.get("direction") ?? "desc") === "asc";
  const items = [...repo.pulls.values()].filter((pr) => {
    const issue = issueOf(repo, pr);
    if (state !== "all" && issue.state !== state) return false;
    if (base && pr.baseRef !== base) return false;
    if (head) {
      const [owner, branch] = head.includes(":") ? head.split(":", 2) : [repo.owner.login, head];
      if (owner?.toLowerCase() !== repo.owner.login.toLowerCase() || pr.headRef !== branch) return false;
    }
    return true;
  });
  items.sort((a, b) => (asc ? a.number - b.number : b.number - a.number));
  return paged(req, sim, items, (pr) => pullJson(sim, repo, pr, false));
}

function updatePull(req: Request, sim: SimContext): Reply {
  const user = actingUser(req);
  const repo = findRepo(req, sim);
  const pr = findPull(repo, req.params.pull_number);
  const issue = issueOf(repo, pr);
  if (issue.user.id !== user.id) requirePermission(repo, req, "triage");
  const body = bodyObject(req);
  checkIssueBody(sim, str(body, "body"), `${DOCS}/pulls#update-a-pull-request`);
  const changes: Record<string, { from: unknown }> = {};
  const title = str(body, "title");
  if (title !== undefined && title !== issue.title) {
    changes.title = { from: issue.title };
    issue.title = title;
  }
  if ("body" in body && (body.body === null || typeof body.body === "string") && body.body !== issue.body) {
    changes.body = { from: issue.body ?? "" };
    issue.body = body.body;
  }
  const base = str(body, "base");
  if (base !== undefined && base !== pr.baseRef) {
    const sha = repo.refs.get(`refs/heads/${base}`);
    if (!sha)
      throw new HttpError(422, "Validation Failed", [
        { resource: "PullRequest", field: "base", code: "invalid" },
      ]);
    changes.base = { from: { ref: pr.baseRef, sha: pr.baseSha } };
    pr.baseRef = base;
    pr.baseSha = sha;
  }
  if (Object.keys(changes).length > 0) {
    issue.updatedAt = sim.state.now();
    emitIssue(sim, repo, issue, "edited", { changes }, user);
  }
  const state = str(body, "state");
  if (state && state !== issue.state) {
    if (state === "open" && pr.merged)
      throw new HttpError(422, "Validation Failed", [
        { resource: "PullRequest", field: "state", code: "invalid" },
      ]);
    issue.state = state === "closed" ? "closed" : "open";
    issue.updatedAt = sim.state.now();
    issue.closedAt = state === "closed" ? issue.updatedAt : null;
    issue.closedBy = state === "closed" ? user : null;
    emitIssue(sim, repo, issue, state === "closed" ? "closed" : "reopened", {}, user);
  }
  return { status: 200, body: pullJson(sim, repo, pr) };
}

/** File-level three-way merge; undefined on a conflict. */
function mergeTrees(repo: Repo, base: string, ours: string, theirs: string): string | undefined {
  const o = repo.objects;
  const b = o.flatten(o.commit(base)?.tree ?? "");
  const x = o.flatten(o.commit(ours)?.tree ?? "");
  const y = o.flatten(o.commit(theirs)?.tree ?? "");
  const out: FlatTree = new Map();
  const same = (p?: { sha: string; mode: string }, q?: { sha: string; mode: string }) =>
    p?.sha === q?.sha && p?.mode === q?.mode;
  for (const path of new Set([...b.keys(), ...x.keys(), ...y.keys()])) {
    const [pb, px, py] = [b.get(path), x.get(path), y.get(path)];
    let pick: typeof pb;
    if (same(px, py)) pick = px;
    else if (same(pb, px)) pick = py;
    else if (same(pb, py)) pick = px;
    else return undefined;
    if (pick) out.set(path, pick);
  }
  return o.buildTree(out);
}

const CLOSING = /\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s*:?\s+#(\d+)\b/gi;

function mergePull(req: Request, sim: SimContext): Reply {
  const repo = findRepo(req, sim);
  const user = requirePermission(repo, req, "write");
  const pr = findPull(repo, req.params.pull_number);
  const issue = issueOf(repo, pr);
  if (pr.merged || issue.state !== "open") throw new HttpError(405, "Pull Request is not mergeable");
  const body = bodyObject(req);
  const expected = str(body, "sha");
  if (expected && expected !== pr.headSha) {
    throw new HttpError(409, "Head branch was modified. Review and try the merge again.");
  }
  const method = str(body, "merge_method") ?? "merge";
  if (!["merge", "squash", "rebase"].includes(method)) {
    throw new HttpError(422, "Validation Failed", [
      { resource: "PullRequest", field: "merge_method", code: "invalid" },
    ]);
  }
  const baseRef = `refs/heads/${pr.baseRef}`;
  const baseHead = repo.refs.get(baseRef) ?? pr.baseSha;
  const mb = repo.objects.mergeBase(baseHead, pr.headSha) ?? baseHead;
  const tree = mergeTrees(repo, mb, baseHead, pr.headSha);
  if (!tree) throw new HttpError(405, "Pull Request is not mergeable");
  const title = str(body, "commit_title");
  const extra = str(body, "commit_message");
  const message =
    method === "merge"
      ? `${title ?? `Merge pull request #${pr.number} from ${repo.owner.login}/${pr.headRef}`}\n\n${extra ?? issue.title}`
      : `${title ?? `${issue.title} (#${pr.number})`}${extra ? `\n\n${extra}` : ""}`;
  const author = signatureFor(user, sim.state.now());
  const committer = { name: "GitHub", email: "noreply@github.com", date: author.date };
  const parents = method === "merge" ? [baseHead, pr.headSha] : [baseHead];
  const sha = repo.objects.putCommit({ tree, parents, author, committer, message });
  pr.baseSha = baseHead;
  pr.merged = true;
  pr.mergedAt = sim.state.now();
  pr.mergedBy = user;
  pr.mergeCommitSha = sha;
  issue.state = "closed";
  issue.closedAt = pr.mergedAt;
  issue.updatedAt = pr.mergedAt;
  issue.closedBy = user;
  setRef(sim, repo, baseRef, sha, user);
  sim.emit(
    repo,
    "pull_request",
    { action: "closed", number: pr.number, pull_request: pullJson(sim, repo, pr) },
    user,
  );
  // Closing keywords close linked issues when merging into the default branch.
  if (pr.baseRef === repo.defaultBranch) {
    for (const m of `${issue.title}\n${issue.body ?? ""}`.matchAll(CLOSING)) {
      const linked = repo.issues.get(Number(m[1]));
      if (!linked || linked.isPull || linked.state !== "open") continue;
      linked.state = "closed";
      linked.stateReason = "completed";
      linked.closedAt = sim.state.now();
      linked.updatedAt = linked.closedAt;
      linked.closedBy = user;
      sim.emit(repo, "issues", { action: "closed", issue: issueJson(sim, repo, linked) }, user);
    }
  }
  return { status: 200, body: { sha, merged: true, message: "Pull Request successfully merged" } };
}

interface CommentInput {
  path: string;
  line: number;
  side: "LEFT" | "RIGHT";
  startLine: number | null;
  startSide: "LEFT" | "RIGHT" | null;
  body: string;
  position: number;
  diffHunk: string;
}

/** Resolves a review comment against the PR's diff at `commitId`; throws GitHub's 422 when it can't. */
function resolveComment(raw: unknown, files: FileChange[]): CommentInput {
  const c = (raw ?? {}) as Record<string, unknown>;
  const path = typeof c.path === "string" ? c.path : "";
  const body = typeof c.body === "string" ? c.body : "";
  const file = files.find((f) => f.filename === path);
  if (!file) throw unprocessable("Path could not be resolved");
  const side = c.side === "LEFT" ? "LEFT" : "RIGHT";
  let line = typeof c.line === "number" ? c.line : undefined;
  if (line === undefined && typeof c.position === "number") {
    line = lineAtPosition(file, c.position);
    if (line === undefined) throw unprocessable("Position could not be resolved");
  }
  if (line === undefined) throw unprocessable("Line could not be resolved");
  const anchor = anchorLine(file, line, side);
  if (!anchor) throw unprocessable("Line could not be resolved");
  let startLine: number | null = null;
  let startSide: "LEFT" | "RIGHT" | null = null;
  if (typeof c.start_line === "number") {
    startSide = c.start_side === "LEFT" ? "LEFT" : c.start_side === "RIGHT" ? "RIGHT" : side;
    const start = anchorLine(file, c.start_line, startSide);
    if (!start) throw unprocessable("Start line could not be resolved");
    if (start.hunkIndex !== anchor.hunkIndex || c.start_line > line) {
      throw unprocessable("Pull request review thread start line must be part of the same hunk as the line.");
    }
    startLine = c.start_line;
  }
  return {
    path,
    line,
    side,
    startLine,
    startSide,
    body,
    position: anchor.position,
    diffHunk: anchor.diffHunk,
  };
}

function lineAtPosition(file: FileChange, position: number): number | undefined {
  let pos = 0;
  for (const [i, h] of file.hunks.entries()) {
    if (i > 0) pos += 1;
    let newNo = h.newStart;
    for (const l of h.lines) {
      if (l.startsWith("\\")) continue;
      pos += 1;
      if (pos === position) return l.startsWith("-") ? undefined : newNo;
      if (!l.startsWith("-")) newNo += 1;
    }
  }
  return undefined;
}

function storeComment(
  sim: SimContext,
  repo: Repo,
  pr: PullRequest,
  review: Review,
  input: CommentInput,
  user: User,
  inReplyTo?: number,
): ReviewComment {
  const at = sim.state.now();
  const comment: ReviewComment = {
    id: sim.state.id(),
    reviewId: review.id,
    ...input,
    originalLine: input.line,
    commitId: review.commitId,
    user,
    createdAt: at,
    updatedAt: at,
    reactions: [],
    ...(inReplyTo !== undefined ? { inReplyTo } : {}),
  };
  pr.reviewComments.push(comment);
  sim.state.reviewComments.set(comment.id, { repo, pull: pr, comment });
  return comment;
}

const EVENTS: Record<string, Review["state"]> = {
  COMMENT: "COMMENTED",
  APPROVE: "APPROVED",
  REQUEST_CHANGES: "CHANGES_REQUESTED",
};

function submitReviewEvents(sim: SimContext, repo: Repo, pr: PullRequest, review: Review, user: User): void {
  const prJson = pullJson(sim, repo, pr, false);
  const r = reviewJson(sim, repo, pr, review);
  sim.emit(
    repo,
    "pull_request_review",
    { action: "submitted", review: { ...r, state: review.state.toLowerCase() }, pull_request: prJson },
    user,
  );
  for (const c of pr.reviewComments.filter((x) => x.reviewId === review.id)) {
    sim.emit(
      repo,
      "pull_request_review_comment",
      { action: "created", comment: reviewCommentJson(sim, repo, pr, c), pull_request: prJson },
      user,
    );
  }
}

function createReview(req: Request, sim: SimContext): Reply {
  const user = actingUser(req);
  const repo = findRepo(req, sim);
  const pr = findPull(repo, req.params.pull_number);
  const issue = issueOf(repo, pr);
  const body = bodyObject(req);
  const event = str(body, "event");
  const commitId = str(body, "commit_id") ?? pr.headSha;
  const reviewBody = str(body, "body") ?? "";
  if (event !== undefined && !(event in EVENTS)) {
    throw unprocessable(`Unexpected event: ${event}. Expected one of: APPROVE, REQUEST_CHANGES, COMMENT`);
  }
  if (!repo.objects.commit(commitId)) throw unprocessable("Commit could not be resolved");
  if (event === "APPROVE" && issue.user.id === user.id)
    throw unprocessable("Can not approve your own pull request");
  if (event === "REQUEST_CHANGES" && issue.user.id === user.id) {
    throw unprocessable("Can not request changes on your own pull request");
  }
  const rawComments = Array.isArray(body.comments) ? body.comments : [];
  checkReviewBodies(
    sim,
    [reviewBody, ...rawComments.map((c) => (c as { body?: unknown } | null)?.body as string | undefined)],
    `${DOCS}/reviews#create-a-review-for-a-pull-request`,
  );
  if ((event === "REQUEST_CHANGES" || event === "COMMENT") && !reviewBody && rawComments.length === 0) {
    throw unprocessable(`Review body is required for ${event} events`);
  }
  // Validate every comment before storing anything: a 422 leaves no review behind.
  const files = pullFiles(repo, pr, commitId);
  const inputs = rawComments.map((c) => resolveComment(c, files));
  if (pr.reviews.some((r) => r.state === "PENDING" && r.user.id === user.id) && event === undefined) {
    throw unprocessable("User can only have one pending review per pull request");
  }
  const review: Review = {
    id: sim.state.id(),
    user,
    body: reviewBody,
    state: event ? (EVENTS[event] as Review["state"]) : "PENDING",
    commitId,
    submittedAt: event ? sim.state.now() : null,
  };
  pr.reviews.push(review);
  for (const input of inputs) storeComment(sim, repo, pr, review, input, user);
  if (event) submitReviewEvents(sim, repo, pr, review, user);
  return { status: 200, body: reviewJson(sim, repo, pr, review) };
}

function findReview(pr: PullRequest, id: string | undefined): Review {
  const r = pr.reviews.find((x) => x.id === int(id));
  if (!r) throw notFound();
  return r;
}

function findReviewComment(sim: SimContext, repo: Repo, id: string | undefined) {
  const hit = sim.state.reviewComments.get(int(id));
  if (!hit || hit.repo !== repo) throw notFound();
  return hit;
}

export const pullRoutes: Route[] = [
  route("GET", `${R}/pulls`, listPulls),
  route("POST", `${R}/pulls`, createPull),
  route("GET", `${R}/pulls/comments/{comment_id}`, (req, sim) => {
    requireAuth(req);
    const repo = findRepo(req, sim);
    const { pull, comment } = findReviewComment(sim, repo, req.params.comment_id);
    return { status: 200, body: reviewCommentJson(sim, repo, pull, comment) };
  }),
  route("PATCH", `${R}/pulls/comments/{comment_id}`, (req, sim) => {
    const user = actingUser(req);
    const repo = findRepo(req, sim);
    const { pull, comment } = findReviewComment(sim, repo, req.params.comment_id);
    if (comment.user.id !== user.id) requirePermission(repo, req, "write");
    const body = str(bodyObject(req), "body");
    if (body === undefined) throw unprocessable("Body is required");
    checkReviewBodies(sim, [body], `${DOCS}/comments#update-a-review-comment-for-a-pull-request`);
    const from = comment.body;
    comment.body = body;
    comment.updatedAt = sim.state.now();
    sim.emit(
      repo,
      "pull_request_review_comment",
      {
        action: "edited",
        changes: { body: { from } },
        comment: reviewCommentJson(sim, repo, pull, comment),
        pull_request: pullJson(sim, repo, pull, false),
      },
      user,
    );
    return { status: 200, body: reviewCommentJson(sim, repo, pull, comment) };
  }),
  route("DELETE", `${R}/pulls/comments/{comment_id}`, (req, sim) => {
    const user = actingUser(req);
    const repo = findRepo(req, sim);
    const { pull, comment } = findReviewComment(sim, repo, req.params.comment_id);
    if (comment.user.id !== user.id) requirePermission(repo, req, "write");
    pull.reviewComments = pull.reviewComments.filter((c) => c !== comment);
    sim.state.reviewComments.delete(comment.id);
    return { status: 204 };
  }),
  route("GET", `${R}/pulls/{pull_number}`, (req, sim) => {
    requireAuth(req);
    const repo = findRepo(req, sim);
    const pr = findPull(repo, req.params.pull_number);
    if (wantsDiff(req)) {
      const files = pullFiles(repo, pr);
      const raw = unifiedDiff(files);
      checkDiffSize(sim, files, raw);
      return { status: 200, raw, headers: { "content-type": diffContentType(req, sim) } };
    }
    return { status: 200, body: pullJson(sim, repo, pr) };
  }),
  route("PATCH", `${R}/pulls/{pull_number}`, updatePull),
  route("GET", `${R}/pulls/{pull_number}/files`, (req, sim) => {
    requireAuth(req);
    const repo = findRepo(req, sim);
    const pr = findPull(repo, req.params.pull_number);
    // "Responses include a maximum of 3000 files" (@octokit/openapi, pulls/list-files).
    const files = pullFiles(repo, pr);
    const capped = sim.behaviour.limits.diffs ? files.slice(0, PULL_FILES_MAX) : files;
    return paged(req, sim, capped, (f) => fileJson(sim, repo, f, pr.headSha));
  }),
  route("GET", `${R}/pulls/{pull_number}/commits`, (req, sim) => {
    requireAuth(req);
    const repo = findRepo(req, sim);
    const pr = findPull(repo, req.params.pull_number);
    const base = pr.merged ? pr.baseSha : (repo.refs.get(`refs/heads/${pr.baseRef}`) ?? pr.baseSha);
    const commits = repo.objects.commitsBetween(base, pr.headSha);
    return paged(req, sim, commits, (sha) => repoCommitJson(sim, repo, sha, false));
  }),
  route("GET", `${R}/pulls/{pull_number}/merge`, (req, sim) => {
    requireAuth(req);
    const pr = findPull(findRepo(req, sim), req.params.pull_number);
    if (!pr.merged) throw notFound();
    return { status: 204 };
  }),
  route("PUT", `${R}/pulls/{pull_number}/merge`, mergePull),
  route("GET", `${R}/pulls/{pull_number}/reviews`, (req, sim) => {
    requireAuth(req);
    const repo = findRepo(req, sim);
    const pr = findPull(repo, req.params.pull_number);
    // Pending reviews are visible only to their author.
    const me = req.actor && req.actor.kind !== "app" ? req.actor.user.id : -1;
    const items = pr.reviews.filter((r) => r.state !== "PENDING" || r.user.id === me);
    return paged(req, sim, items, (r) => reviewJson(sim, repo, pr, r));
  }),
  route("POST", `${R}/pulls/{pull_number}/reviews`, createReview),
  route("GET", `${R}/pulls/{pull_number}/reviews/{review_id}`, (req, sim) => {
    requireAuth(req);
    const repo = findRepo(req, sim);
    const pr = findPull(repo, req.params.pull_number);
    return { status: 200, body: reviewJson(sim, repo, pr, findReview(pr, req.params.review_id)) };
  }),
  route("PUT", `${R}/pulls/{pull_number}/reviews/{review_id}`, (req, sim) => {
    const user = actingUser(req);
    const repo = findRepo(req, sim);
    const pr = findPull(repo, req.params.pull_number);
    const review = findReview(pr, req.params.review_id);
    if (review.user.id !== user.id) throw new HttpError(403, "Resource not accessible by integration");
    const body = str(bodyObject(req), "body");
    if (body === undefined) throw unprocessable("Body is required");
    checkReviewBodies(sim, [body], `${DOCS}/reviews#update-a-review-for-a-pull-request`);
    review.body = body;
    return { status: 200, body: reviewJson(sim, repo, pr, review) };
  }),
  route("POST", `${R}/pulls/{pull_number}/reviews/{review_id}/events`, (req, sim) => {
    const user = actingUser(req);
    const repo = findRepo(req, sim);
    const pr = findPull(repo, req.params.pull_number);
    const review = findReview(pr, req.params.review_id);
    if (review.user.id !== user.id) throw notFound();
    if (review.state !== "PENDING") throw unprocessable("Can not submit a non-pending review");
    const body = bodyObject(req);
    const event = str(body, "event") ?? "";
    const state = EVENTS[event];
    if (!state) throw unprocessable(`Unexpected event: ${event}`);
    const author = issueOf(repo, pr).user.id === user.id;
    if (author && event === "APPROVE") throw unprocessable("Can not approve your own pull request");
    if (author && event === "REQUEST_CHANGES")
      throw unprocessable("Can not request changes on your own pull request");
    checkReviewBodies(sim, [str(body, "body")], `${DOCS}/reviews#submit-a-review-for-a-pull-request`);
    review.state = state;
    review.body = str(body, "body") ?? review.body;
    review.submittedAt = sim.state.now();
    submitReviewEvents(sim, repo, pr, review, user);
    return { status: 200, body: reviewJson(sim, repo, pr, review) };
  }),
  route("GET", `${R}/pulls/{pull_number}/reviews/{review_id}/comments`, (req, sim) => {
    requireAuth(req);
    const repo = findRepo(req, sim);
    const pr = findPull(repo, req.params.pull_number);
    const review = findReview(pr, req.params.review_id);
    const items = pr.reviewComments.filter((c) => c.reviewId === review.id);
    return paged(req, sim, items, (c) => reviewCommentJson(sim, repo, pr, c));
  }),
  route("GET", `${R}/pulls/{pull_number}/comments`, (req, sim) => {
    requireAuth(req);
    const repo = findRepo(req, sim);
    const pr = findPull(repo, req.params.pull_number);
    const pendingOf = new Set(pr.reviews.filter((r) => r.state === "PENDING").map((r) => r.id));
    const items = pr.reviewComments.filter((c) => !pendingOf.has(c.reviewId));
    return paged(req, sim, items, (c) => reviewCommentJson(sim, repo, pr, c));
  }),
  route("POST", `${R}/pulls/{pull_number}/comments`, (req, sim) => {
    const user = actingUser(req);
    const repo = findRepo(req, sim);
    const pr = findPull(repo, req.params.pull_number);
    const body = bodyObject(req);
    if (typeof body.in_reply_to === "number")
      return reply(sim, repo, pr, body.in_reply_to, str(body, "body"), user, "in_reply_to");
    checkReviewBodies(
      sim,
      [str(body, "body")],
      `${DOCS}/comments#create-a-review-comment-for-a-pull-request`,
    );
    const commitId = str(body, "commit_id") ?? pr.headSha;
    if (!repo.objects.commit(commitId)) throw unprocessable("Commit could not be resolved");
    const input = resolveComment(body, pullFiles(repo, pr, commitId));
    const review: Review = {
      id: sim.state.id(),
      user,
      body: "",
      state: "COMMENTED",
      commitId,
      submittedAt: sim.state.now(),
    };
    pr.reviews.push(review);
    const comment = storeComment(sim, repo, pr, review, input, user);
    submitReviewEvents(sim, repo, pr, review, user);
    return { status: 201, body: reviewCommentJson(sim, repo, pr, comment) };
  }),
  route("POST", `${R}/pulls/{pull_number}/comments/{comment_id}/replies`, (req, sim) => {
    const user = actingUser(req);
    const repo = findRepo(req, sim);
    const pr = findPull(repo, req.params.pull_number);
    return reply(sim, repo, pr, int(req.params.comment_id), str(bodyObject(req), "body"), user, "replies");
  }),
];

/**
 * A reply joins the thread of a top-level review comment. A reply to a reply is refused under
 * `rules.replyToReply: "refuse"`: "This must be the ID of a top-level review comment, not a reply
 * to that comment. Replies to replies are not supported" (@octokit/openapi,
 * pulls/create-reply-for-review-comment). No recorded answer was found; the replies endpoint
 * answers its only documented error, 404, and `in_reply_to` the 422 its endpoint documents.
 */
function reply(
  sim: SimContext,
  repo: Repo,
  pr: PullRequest,
  toId: number,
  body: string | undefined,
  user: User,
  via: "replies" | "in_reply_to",
): Reply {
  const target = pr.reviewComments.find((c) => c.id === toId);
  if (!target) throw notFound();
  if (target.inReplyTo !== undefined && sim.behaviour.rules.replyToReply === "refuse") {
    if (via === "replies") throw notFound();
    throw unprocessable(
      "in_reply_to must be the id of a top-level review comment; replies to replies are not supported",
    );
  }
  if (!body) throw unprocessable("Body is required");
  checkReviewBodies(sim, [body], `${DOCS}/comments#create-a-reply-for-a-review-comment`);
  const root = target.inReplyTo ?? target.id;
  const review: Review = {
    id: sim.state.id(),
    user,
    body: "",
    state: "COMMENTED",
    commitId: target.commitId,
    submittedAt: sim.state.now(),
  };
  pr.reviews.push(review);
  const {
    id: _id,
    reviewId: _r,
    user: _u,
    createdAt: _c,
    updatedAt: _up,
    reactions: _re,
    inReplyTo: _i,
    ...rest
  } = target;
  const comment = storeComment(
    sim,
    repo,
    pr,
    review,
    { ...rest, startLine: rest.startLine, startSide: rest.startSide, body },
    user,
    root,
  );
  submitReviewEvents(sim, repo, pr, review, user);
  return { status: 201, body: reviewCommentJson(sim, repo, pr, comment) };
}
