/**
 * JSON shapes as GitHub's REST API and webhooks return them (modelled on
 * @octokit/webhooks-examples), with ids and URLs filled from the simulator's state. API URLs point
 * at the simulator; html URLs use the simulator's origin with github.com's path layout.
 */
import { diffTrees } from "./diff.js";
import type { SimContext } from "./http.js";
import type {
  App,
  CheckRun,
  CheckSuite,
  Installation,
  Issue,
  IssueComment,
  Label,
  PullRequest,
  Reaction,
  Repo,
  Review,
  ReviewComment,
  User,
} from "./state.js";

export function nodeId(kind: string, id: number): string {
  return Buffer.from(`0${kind.length}:${kind}${id}`).toString("base64");
}

export function userJson(sim: SimContext, u: User): Record<string, unknown> {
  const api = `${sim.baseUrl}/users/${encodeURIComponent(u.login)}`;
  // An app's bot `slug[bot]` has its page at /apps/slug (brackets are no valid URI path).
  const bot = /^(.+)\[bot\]$/.exec(u.login);
  return {
    login: u.login,
    id: u.id,
    node_id: nodeId(u.type === "Bot" ? "Bot" : "User", u.id),
    avatar_url: `https://avatars.githubusercontent.com/u/${u.id}?v=4`,
    gravatar_id: "",
    url: api,
    html_url: bot
      ? `${sim.baseUrl}/apps/${encodeURIComponent(bot[1] as string)}`
      : `${sim.baseUrl}/${u.login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: u.type,
    user_view_type: "public",
    site_admin: false,
  };
}

export function repoUrl(sim: SimContext, repo: Repo): string {
  return `${sim.baseUrl}/repos/${repo.fullName}`;
}

export function repoJson(sim: SimContext, repo: Repo): Record<string, unknown> {
  const u = repoUrl(sim, repo);
  const html = `${sim.baseUrl}/${repo.fullName}`;
  const open = [...repo.issues.values()].filter((i) => i.state === "open").length;
  return {
    id: repo.id,
    node_id: nodeId("Repository", repo.id),
    name: repo.name,
    full_name: repo.fullName,
    private: repo.private,
    owner: userJson(sim, repo.owner),
    html_url: html,
    description: repo.description,
    fork: false,
    url: u,
    forks_url: `${u}/forks`,
    keys_url: `${u}/keys{/key_id}`,
    collaborators_url: `${u}/collaborators{/collaborator}`,
    teams_url: `${u}/teams`,
    hooks_url: `${u}/hooks`,
    issue_events_url: `${u}/issues/events{/number}`,
    events_url: `${u}/events`,
    assignees_url: `${u}/assignees{/user}`,
    branches_url: `${u}/branches{/branch}`,
    tags_url: `${u}/tags`,
    blobs_url: `${u}/git/blobs{/sha}`,
    git_tags_url: `${u}/git/tags{/sha}`,
    git_refs_url: `${u}/git/refs{/sha}`,
    trees_url: `${u}/git/trees{/sha}`,
    statuses_url: `${u}/statuses/{sha}`,
    languages_url: `${u}/languages`,
    stargazers_url: `${u}/stargazers`,
    contributors_url: `${u}/contributors`,
    subscribers_url: `${u}/subscribers`,
    subscription_url: `${u}/subscription`,
    commits_url: `${u}/commits{/sha}`,
    git_commits_url: `${u}/git/commits{/sha}`,
    comments_url: `${u}/comments{/number}`,
    issue_comment_url: `${u}/issues/comments{/number}`,
    contents_url: `${u}/contents/{+path}`,
    compare_url: `${u}/compare/{base}...{head}`,
    merges_url: `${u}/merges`,
    archive_url: `${u}/{archive_format}{/ref}`,
    downloads_url: `${u}/downloads`,
    issues_url: `${u}/issues{/number}`,
    pulls_url: `${u}/pulls{/number}`,
    milestones_url: `${u}/milestones{/number}`,
    notifications_url: `${u}/notifications{?since,all,participating}`,
    labels_url: `${u}/labels{/name}`,
    releases_url: `${u}/releases{/id}`,
    deployments_url: `${u}/deployments`,
    created_at: repo.createdAt,
    updated_at: repo.pushedAt,
    pushed_at: repo.pushedAt,
    git_url: `git://${new URL(sim.baseUrl).host}/${repo.fullName}.git`,
    ssh_url: `git@${new URL(sim.baseUrl).hostname}:${repo.fullName}.git`,
    clone_url: `${html}.git`,
    svn_url: html,
    homepage: null,
    size: 0,
    stargazers_count: 0,
    watchers_count: 0,
    language: null,
    has_issues: true,
    has_projects: true,
    has_downloads: true,
    has_wiki: true,
    has_pages: false,
    has_discussions: false,
    forks_count: 0,
    mirror_url: null,
    archived: false,
    disabled: false,
    open_issues_count: open,
    license: null,
    allow_forking: true,
    is_template: false,
    web_commit_signoff_required: false,
    topics: [],
    visibility: repo.private ? "private" : "public",
    forks: 0,
    open_issues: open,
    watchers: 0,
    default_branch: repo.defaultBranch,
  };
}

export function installationJson(sim: SimContext, inst: Installation): Record<string, unknown> {
  const app = sim.state.apps.get(inst.appId) ?? sim.app;
  return {
    id: inst.id,
    account: userJson(sim, inst.account),
    repository_selection: inst.repositories === "all" ? "all" : "selected",
    access_tokens_url: `${sim.baseUrl}/app/installations/${inst.id}/access_tokens`,
    repositories_url: `${sim.baseUrl}/installation/repositories`,
    html_url: `${sim.baseUrl}/settings/installations/${inst.id}`,
    app_id: app.id,
    app_slug: app.slug,
    target_id: inst.account.id,
    target_type: inst.account.type === "Organization" ? "Organization" : "User",
    permissions: APP_PERMISSIONS,
    events: APP_EVENTS,
    created_at: inst.createdAt,
    updated_at: inst.createdAt,
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: null,
  };
}

export const APP_PERMISSIONS = {
  checks: "write",
  contents: "write",
  issues: "write",
  metadata: "read",
  pull_requests: "write",
};

export const APP_EVENTS = [
  "check_run",
  "check_suite",
  "issue_comment",
  "issues",
  "pull_request",
  "pull_request_review",
  "pull_request_review_comment",
];

export function appJson(sim: SimContext, app: App): Record<string, unknown> {
  return {
    id: app.id,
    slug: app.slug,
    node_id: nodeId("App", app.id),
    client_id: `Iv1.${app.id.toString(16).padStart(16, "0")}`,
    owner: userJson(sim, app.owner),
    name: app.slug,
    description: "",
    external_url: sim.baseUrl,
    html_url: `${sim.baseUrl}/apps/${app.slug}`,
    created_at: "2024-01-01T00:00:00Z",
    updated_at: "2024-01-01T00:00:00Z",
    permissions: APP_PERMISSIONS,
    events: APP_EVENTS,
    installations_count: 0,
  };
}

export function labelJson(sim: SimContext, repo: Repo, l: Label): Record<string, unknown> {
  return {
    id: l.id,
    node_id: nodeId("Label", l.id),
    url: `${repoUrl(sim, repo)}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    color: l.color,
    default: l.default,
    description: l.description,
  };
}

const REACTION_CONTENTS = ["+1", "-1", "laugh", "hooray", "confused", "heart", "rocket", "eyes"] as const;
export function isReactionContent(c: unknown): c is (typeof REACTION_CONTENTS)[number] {
  return typeof c === "string" && (REACTION_CONTENTS as readonly string[]).includes(c);
}

export function reactionRollup(url: string, reactions: Reaction[]): Record<string, unknown> {
  const count = (c: string) => reactions.filter((r) => r.content === c).length;
  return {
    url: `${url}/reactions`,
    total_count: reactions.length,
    "+1": count("+1"),
    "-1": count("-1"),
    laugh: count("laugh"),
    hooray: count("hooray"),
    confused: count("confused"),
    heart: count("heart"),
    rocket: count("rocket"),
    eyes: count("eyes"),
  };
}

export function reactionJson(sim: SimContext, r: Reaction): Record<string, unknown> {
  return {
    id: r.id,
    node_id: nodeId("Reaction", r.id),
    user: userJson(sim, r.user),
    content: r.content,
    created_at: r.createdAt,
  };
}

export function authorAssociation(repo: Repo, user: User): string {
  if (user.id === repo.owner.id) return "OWNER";
  if (repo.collaborators.has(user.login.toLowerCase())) return "COLLABORATOR";
  return "NONE";
}

export function issueJson(sim: SimContext, repo: Repo, i: Issue): Record<string, unknown> {
  const u = `${repoUrl(sim, repo)}/issues/${i.number}`;
  const html = `${sim.baseUrl}/${repo.fullName}/${i.isPull ? "pull" : "issues"}/${i.number}`;
  return {
    url: u,
    repository_url: repoUrl(sim, repo),
    labels_url: `${u}/labels{/name}`,
    comments_url: `${u}/comments`,
    events_url: `${u}/events`,
    html_url: html,
    id: i.id,
    node_id: nodeId(i.isPull ? "PullRequest" : "Issue", i.id),
    number: i.number,
    title: i.title,
    user: userJson(sim, i.user),
    labels: i.labels.map((l) => labelJson(sim, repo, l)),
    state: i.state,
    locked: false,
    assignee: null,
    assignees: [],
    milestone: null,
    comments: i.comments.length,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    closed_at: i.closedAt,
    author_association: authorAssociation(repo, i.user),
    active_lock_reason: null,
    ...(i.isPull
      ? {
          draft: repo.pulls.get(i.number)?.draft ?? false,
          pull_request: {
            url: `${repoUrl(sim, repo)}/pulls/${i.number}`,
            html_url: html,
            diff_url: `${html}.diff`,
            patch_url: `${html}.patch`,
            merged_at: repo.pulls.get(i.number)?.mergedAt ?? null,
          },
        }
      : {}),
    body: i.body,
    closed_by: i.closedBy ? userJson(sim, i.closedBy) : null,
    reactions: reactionRollup(u, i.reactions),
    timeline_url: `${u}/timeline`,
    performed_via_github_app: null,
    state_reason: i.stateReason,
  };
}

export function issueCommentJson(sim: SimContext, repo: Repo, c: IssueComment): Record<string, unknown> {
  const u = `${repoUrl(sim, repo)}/issues/comments/${c.id}`;
  const isPull = repo.issues.get(c.issueNumber)?.isPull ?? false;
  return {
    url: u,
    html_url: `${sim.baseUrl}/${repo.fullName}/${isPull ? "pull" : "issues"}/${c.issueNumber}#issuecomment-${c.id}`,
    issue_url: `${repoUrl(sim, repo)}/issues/${c.issueNumber}`,
    id: c.id,
    node_id: nodeId("IssueComment", c.id),
    user: userJson(sim, c.user),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    author_association: authorAssociation(repo, c.user),
    body: c.body,
    reactions: reactionRollup(u, c.reactions),
    performed_via_github_app: null,
  };
}

function branchJson(sim: SimContext, repo: Repo, ref: string, sha: string): Record<string, unknown> {
  return {
    label: `${repo.owner.login}:${ref}`,
    ref,
    sha,
    user: userJson(sim, repo.owner),
    repo: repoJson(sim, repo),
  };
}

export function pullJson(sim: SimContext, repo: Repo, pr: PullRequest, full = true): Record<string, unknown> {
  const issue = repo.issues.get(pr.number) as Issue;
  const u = `${repoUrl(sim, repo)}/pulls/${pr.number}`;
  const html = `${sim.baseUrl}/${repo.fullName}/pull/${pr.number}`;
  const base: Record<string, unknown> = {
    url: u,
    id: pr.id,
    node_id: nodeId("PullRequest", pr.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${repoUrl(sim, repo)}/issues/${pr.number}`,
    number: pr.number,
    state: issue.state,
    locked: false,
    title: issue.title,
    user: userJson(sim, issue.user),
    body: issue.body,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    merged_at: pr.mergedAt,
    merge_commit_sha: pr.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    labels: issue.labels.map((l) => labelJson(sim, repo, l)),
    milestone: null,
    draft: pr.draft,
    commits_url: `${u}/commits`,
    review_comments_url: `${u}/comments`,
    review_comment_url: `${repoUrl(sim, repo)}/pulls/comments{/number}`,
    comments_url: `${repoUrl(sim, repo)}/issues/${pr.number}/comments`,
    statuses_url: `${repoUrl(sim, repo)}/statuses/${pr.headSha}`,
    head: branchJson(sim, repo, pr.headRef, pr.headSha),
    base: branchJson(sim, repo, pr.baseRef, pr.baseSha),
    _links: {
      self: { href: u },
      html: { href: html },
      issue: { href: `${repoUrl(sim, repo)}/issues/${pr.number}` },
      comments: { href: `${repoUrl(sim, repo)}/issues/${pr.number}/comments` },
      review_comments: { href: `${u}/comments` },
      review_comment: { href: `${repoUrl(sim, repo)}/pulls/comments{/number}` },
      commits: { href: `${u}/commits` },
      statuses: { href: `${repoUrl(sim, repo)}/statuses/${pr.headSha}` },
    },
    author_association: authorAssociation(repo, issue.user),
    auto_merge: null,
    active_lock_reason: null,
  };
  if (!full) return base;
  const stats = pullStats(repo, pr);
  return {
    ...base,
    merged: pr.merged,
    mergeable: pr.merged || issue.state === "closed" ? null : stats.mergeable,
    rebaseable: pr.merged || issue.state === "closed" ? null : stats.mergeable,
    mergeable_state: pr.merged ? "unknown" : stats.mergeable ? "clean" : "dirty",
    merged_by: pr.mergedBy ? userJson(sim, pr.mergedBy) : null,
    comments: issue.comments.length,
    review_comments: pr.reviewComments.length,
    maintainer_can_modify: false,
    commits: stats.commits,
    additions: stats.additions,
    deletions: stats.deletions,
    changed_files: stats.changedFiles,
  };
}

/** Commit count, line counts and mergeability of a pull request's current head against its base. */
export function pullStats(repo: Repo, pr: PullRequest) {
  const base = pr.merged ? pr.baseSha : (repo.refs.get(`refs/heads/${pr.baseRef}`) ?? pr.baseSha);
  const mb = repo.objects.mergeBase(base, pr.headSha) ?? base;
  const files = diffTrees(repo.objects, commitTree(repo, mb), commitTree(repo, pr.headSha));
  return {
    commits: repo.objects.commitsBetween(base, pr.headSha).length,
    additions: files.reduce((n, f) => n + f.additions, 0),
    deletions: files.reduce((n, f) => n + f.deletions, 0),
    changedFiles: files.length,
    mergeable: true,
  };
}

export function commitTree(repo: Repo, sha: string): string {
  return repo.objects.commit(sha)?.tree ?? "";
}

export function reviewJson(sim: SimContext, repo: Repo, pr: PullRequest, r: Review): Record<string, unknown> {
  const html = `${sim.baseUrl}/${repo.fullName}/pull/${pr.number}#pullrequestreview-${r.id}`;
  return {
    id: r.id,
    node_id: nodeId("PullRequestReview", r.id),
    user: userJson(sim, r.user),
    body: r.body,
    state: r.state,
    html_url: html,
    pull_request_url: `${repoUrl(sim, repo)}/pulls/${pr.number}`,
    author_association: authorAssociation(repo, r.user),
    _links: { html: { href: html }, pull_request: { href: `${repoUrl(sim, repo)}/pulls/${pr.number}` } },
    ...(r.submittedAt ? { submitted_at: r.submittedAt } : {}),
    commit_id: r.commitId,
  };
}

export function reviewCommentJson(
  sim: SimContext,
  repo: Repo,
  pr: PullRequest,
  c: ReviewComment,
): Record<string, unknown> {
  const u = `${repoUrl(sim, repo)}/pulls/comments/${c.id}`;
  const html = `${sim.baseUrl}/${repo.fullName}/pull/${pr.number}#discussion_r${c.id}`;
  return {
    url: u,
    pull_request_review_id: c.reviewId,
    id: c.id,
    node_id: nodeId("PullRequestReviewComment", c.id),
    diff_hunk: c.diffHunk,
    path: c.path,
    position: c.position,
    original_position: c.position,
    commit_id: c.commitId,
    original_commit_id: c.commitId,
    user: userJson(sim, c.user),
    body: c.body,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    html_url: html,
    pull_request_url: `${repoUrl(sim, repo)}/pulls/${pr.number}`,
    author_association: authorAssociation(repo, c.user),
    _links: {
      self: { href: u },
      html: { href: html },
      pull_request: { href: `${repoUrl(sim, repo)}/pulls/${pr.number}` },
    },
    reactions: reactionRollup(u, c.reactions),
    start_line: c.startLine,
    original_start_line: c.startLine,
    start_side: c.startSide,
    line: c.line,
    original_line: c.originalLine,
    side: c.side,
    subject_type: "line",
    ...(c.inReplyTo !== undefined ? { in_reply_to_id: c.inReplyTo } : {}),
  };
}

function checkSuiteRef(sim: SimContext, repo: Repo, suite: CheckSuite): Record<string, unknown> {
  return {
    id: suite.id,
    node_id: nodeId("CheckSuite", suite.id),
    head_branch: suite.headBranch,
    head_sha: suite.headSha,
    status: suite.status,
    conclusion: suite.conclusion,
    url: `${repoUrl(sim, repo)}/check-suites/${suite.id}`,
    before: null,
    after: suite.headSha,
    pull_requests: pullRequestRefs(sim, repo, suite.headSha),
    app: appJson(sim, sim.state.apps.get(suite.appId) ?? sim.app),
    created_at: suite.createdAt,
    updated_at: suite.updatedAt,
  };
}

function pullRequestRefs(sim: SimContext, repo: Repo, headSha: string): Record<string, unknown>[] {
  const small = { id: repo.id, url: repoUrl(sim, repo), name: repo.name };
  return [...repo.pulls.values()]
    .filter((p) => p.headSha === headSha && repo.issues.get(p.number)?.state === "open")
    .map((p) => ({
      url: `${repoUrl(sim, repo)}/pulls/${p.number}`,
      id: p.id,
      number: p.number,
      head: { ref: p.headRef, sha: p.headSha, repo: small },
      base: { ref: p.baseRef, sha: p.baseSha, repo: small },
    }));
}

export function checkRunJson(sim: SimContext, repo: Repo, run: CheckRun): Record<string, unknown> {
  const suite = repo.checkSuites.find((s) => s.id === run.checkSuiteId) as CheckSuite;
  const u = `${repoUrl(sim, repo)}/check-runs/${run.id}`;
  return {
    id: run.id,
    name: run.name,
    node_id: nodeId("CheckRun", run.id),
    head_sha: run.headSha,
    external_id: run.externalId ?? "",
    url: u,
    html_url: `${sim.baseUrl}/${repo.fullName}/runs/${run.id}`,
    details_url: run.detailsUrl ?? `${sim.baseUrl}/${repo.fullName}/runs/${run.id}`,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: { ...run.output, annotations_url: `${u}/annotations` },
    check_suite: checkSuiteRef(sim, repo, suite),
    app: appJson(sim, sim.state.apps.get(run.appId) ?? sim.app),
    pull_requests: pullRequestRefs(sim, repo, run.headSha),
  };
}

export function checkSuiteJson(sim: SimContext, repo: Repo, suite: CheckSuite): Record<string, unknown> {
  const runs = repo.checkRuns.filter((r) => r.checkSuiteId === suite.id);
  return {
    ...checkSuiteRef(sim, repo, suite),
    check_runs_url: `${repoUrl(sim, repo)}/check-suites/${suite.id}/check-runs`,
    latest_check_runs_count: runs.length,
    rerequestable: true,
    runs_rerequestable: false,
    head_commit: headCommit(repo, suite.headSha),
  };
}

function headCommit(repo: Repo, sha: string): Record<string, unknown> | null {
  const c = repo.objects.commit(sha);
  if (!c) return null;
  return {
    id: sha,
    tree_id: c.tree,
    message: c.message,
    timestamp: c.committer.date,
    author: { name: c.author.name, email: c.author.email },
    committer: { name: c.committer.name, email: c.committer.email },
  };
}
