import { Octokit } from "@octokit/rest";
import pino from "pino";
import { Probot, ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type GitHubSimulator, SIM_LENIENT_DEFAULTS, startSimulator } from "../../src/sim/github/index.js";

const repo = { owner: "acme", repo: "widgets" };
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const README = `${Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join("\n")}\n`;
let sim: GitHubSimulator;
let dev: Octokit;
let maintainer: Octokit;

beforeEach(async () => {
  sim = await startSimulator({ webhookSecret: "x", ...SIM_LENIENT_DEFAULTS });
  const d = sim.createUser("dev");
  const m = sim.createUser("maint");
  sim.createRepo({ owner: "acme", name: "widgets", files: { "README.md": README, "old.txt": "bye\n" } });
  sim.addCollaborator("acme/widgets", "dev", "write");
  sim.addCollaborator("acme/widgets", "maint", "admin");
  dev = new Octokit({ baseUrl: sim.url, auth: d.token, log: silent });
  maintainer = new Octokit({ baseUrl: sim.url, auth: m.token, log: silent });
});
afterEach(async () => {
  await sim.stop();
});

/** Branch `feature` off main: README line 10 changed, old.txt deleted, new.ts added. */
async function pushFeature(): Promise<string> {
  const main = (await dev.rest.git.getRef({ ...repo, ref: "heads/main" })).data.object.sha;
  const { data: parent } = await dev.rest.git.getCommit({ ...repo, commit_sha: main });
  const { data: tree } = await dev.rest.git.createTree({
    ...repo,
    base_tree: parent.tree.sha,
    tree: [
      { path: "README.md", mode: "100644", type: "blob", content: README.replace("line 10\n", "line ten\n") },
      { path: "old.txt", mode: "100644", type: "blob", sha: null },
      { path: "src/new.ts", mode: "100644", type: "blob", content: "export const x = 1;\n" },
    ],
  });
  const { data: commit } = await dev.rest.git.createCommit({
    ...repo,
    message: "feature",
    tree: tree.sha,
    parents: [main],
  });
  await dev.rest.git.createRef({ ...repo, ref: "refs/heads/feature", sha: commit.sha });
  return commit.sha;
}

describe("simulator: pull requests", () => {
  it("creates, rejects duplicates and empty PRs, lists by head, serves files and the diff", async () => {
    const head = await pushFeature();
    const { data: pr, status } = await dev.rest.pulls.create({
      ...repo,
      title: "Feature",
      head: "feature",
      base: "main",
      body: "Closes #9",
    });
    expect(status).toBe(201);
    expect(pr).toMatchObject({
      number: 1,
      state: "open",
      merged: false,
      head: { ref: "feature", sha: head },
      base: { ref: "main" },
    });
    await expect(
      dev.rest.pulls.create({ ...repo, title: "again", head: "acme:feature", base: "main" }),
    ).rejects.toMatchObject({
      status: 422,
      response: {
        data: {
          message: "Validation Failed",
          errors: [{ message: "A pull request already exists for acme:feature." }],
        },
      },
    });
    await dev.rest.git.createRef({ ...repo, ref: "refs/heads/same", sha: pr.base.sha });
    await expect(
      dev.rest.pulls.create({ ...repo, title: "empty", head: "same", base: "main" }),
    ).rejects.toMatchObject({
      status: 422,
      response: { data: { errors: [{ message: "No commits between main and same" }] } },
    });
    const { data: byHead } = await dev.rest.pulls.list({ ...repo, head: "acme:feature" });
    expect(byHead.map((p) => p.number)).toEqual([1]);
    expect((await dev.rest.pulls.list({ ...repo, head: "acme:other" })).data).toEqual([]);
    const { data: issues } = await dev.rest.issues.listForRepo(repo);
    expect(issues[0]?.pull_request?.url).toBe(`${sim.url}/repos/acme/widgets/pulls/1`);

    const { data: files } = await dev.rest.pulls.listFiles({ ...repo, pull_number: 1 });
    expect(files.map((f) => [f.filename, f.status, f.additions, f.deletions])).toEqual([
      ["README.md", "modified", 1, 1],
      ["old.txt", "removed", 0, 1],
      ["src/new.ts", "added", 1, 0],
    ]);
    expect(files[0]?.patch).toBe(
      "@@ -7,7 +7,7 @@\n" +
        ["line 7", "line 8", "line 9"].map((l) => ` ${l}`).join("\n") +
        "\n-line 10\n+line ten\n" +
        ["line 11", "line 12", "line 13"].map((l) => ` ${l}`).join("\n"),
    );
    const diff = await dev.rest.pulls.get({ ...repo, pull_number: 1, mediaType: { format: "diff" } });
    const text = diff.data as unknown as string;
    expect(text).toContain("diff --git a/README.md b/README.md\n");
    expect(text).toContain("deleted file mode 100644\n");
    expect(text).toContain("--- /dev/null\n+++ b/src/new.ts\n@@ -0,0 +1 @@\n+export const x = 1;\n");
    const { data: commits } = await dev.rest.pulls.listCommits({ ...repo, pull_number: 1 });
    expect(commits.map((c) => c.sha)).toEqual([head]);
    const { data: full } = await dev.rest.pulls.get({ ...repo, pull_number: 1 });
    expect(full).toMatchObject({ commits: 1, additions: 2, deletions: 2, changed_files: 3, mergeable: true });
  });

  it("merges into base with a merge commit and closes linked issues", async () => {
    await dev.rest.issues.create({ ...repo, title: "the issue" });
    await pushFeature();
    const { data: pr } = await dev.rest.pulls.create({
      ...repo,
      title: "Feature",
      head: "feature",
      base: "main",
      body: "Closes #1",
    });
    const { data: merge } = await maintainer.rest.pulls.merge({ ...repo, pull_number: pr.number });
    expect(merge).toMatchObject({ merged: true, message: "Pull Request successfully merged" });
    const { data: after } = await dev.rest.pulls.get({ ...repo, pull_number: pr.number });
    expect(after).toMatchObject({
      state: "closed",
      merged: true,
      merge_commit_sha: merge.sha,
      merged_by: { login: "maint" },
    });
    const { data: mainRef } = await dev.rest.git.getRef({ ...repo, ref: "heads/main" });
    expect(mainRef.object.sha).toBe(merge.sha);
    const { data: mergeCommit } = await dev.rest.git.getCommit({ ...repo, commit_sha: merge.sha });
    expect(mergeCommit.parents.map((p) => p.sha)).toEqual([pr.base.sha, pr.head.sha]);
    const { data: content } = await dev.rest.repos.getContent({ ...repo, path: "src/new.ts" });
    expect(Array.isArray(content)).toBe(false);
    expect((await dev.rest.issues.get({ ...repo, issue_number: 1 })).data.state).toBe("closed");
    await expect(maintainer.rest.pulls.merge({ ...repo, pull_number: pr.number })).rejects.toMatchObject({
      status: 405,
    });
    await sim.waitForIdle();
    const dump = sim.dump();
    expect(dump.repositories[0]?.pullRequests[0]).toMatchObject({
      number: 2,
      state: "closed",
      merged: true,
      head: "feature",
    });
    expect(JSON.parse(JSON.stringify(dump))).toEqual(dump);
  });
});

describe("simulator: reviews", () => {
  it("rejects a comment outside the diff with 422 and stores nothing; stores one inside", async () => {
    const head = await pushFeature();
    const { data: pr } = await dev.rest.pulls.create({
      ...repo,
      title: "Feature",
      head: "feature",
      base: "main",
    });
    const attempt = (line: number, path = "README.md") =>
      maintainer.rest.pulls.createReview({
        ...repo,
        pull_number: pr.number,
        commit_id: head,
        event: "COMMENT",
        body: "review",
        comments: [
          { path: "src/new.ts", line: 1, body: "ok" },
          { path, line, side: "RIGHT", body: "here" },
        ],
      });
    await expect(attempt(2)).rejects.toMatchObject({
      status: 422,
      response: { data: { message: "Unprocessable Entity", errors: ["Line could not be resolved"] } },
    });
    await expect(attempt(1, "nope.md")).rejects.toMatchObject({
      status: 422,
      response: { data: { errors: ["Path could not be resolved"] } },
    });
    expect((await dev.rest.pulls.listReviews({ ...repo, pull_number: pr.number })).data).toEqual([]);
    expect((await dev.rest.pulls.listReviewComments({ ...repo, pull_number: pr.number })).data).toEqual([]);

    const { data: review } = await attempt(13); // last context line of the hunk (7..13)
    expect(review).toMatchObject({ state: "COMMENTED", commit_id: head, user: { login: "maint" } });
    const { data: comments } = await dev.rest.pulls.listCommentsForReview({
      ...repo,
      pull_number: pr.number,
      review_id: review.id,
    });
    expect(comments.map((c) => [c.path, c.line, c.side, c.position])).toEqual([
      ["src/new.ts", 1, "RIGHT", 1],
      ["README.md", 13, "RIGHT", 8],
    ]);
    expect(comments[1]?.diff_hunk.split("\n").at(-1)).toBe(" line 13");
    const { data: reply } = await dev.rest.pulls.createReplyForReviewComment({
      ...repo,
      pull_number: pr.number,
      comment_id: comments[1]?.id as number,
      body: "done",
    });
    expect(reply).toMatchObject({ in_reply_to_id: comments[1]?.id, path: "README.md", line: 13 });
    const { data: one } = await dev.rest.pulls.getReviewComment({ ...repo, comment_id: reply.id });
    expect(one.body).toBe("done");
    const r1 = await dev.rest.reactions.createForPullRequestReviewComment({
      ...repo,
      comment_id: reply.id,
      content: "rocket",
    });
    expect(r1.status).toBe(201);
  });

  it("the PR author cannot approve or request changes on their own PR", async () => {
    await pushFeature();
    const { data: pr } = await dev.rest.pulls.create({
      ...repo,
      title: "Feature",
      head: "feature",
      base: "main",
    });
    await expect(
      dev.rest.pulls.createReview({ ...repo, pull_number: pr.number, event: "APPROVE" }),
    ).rejects.toMatchObject({
      status: 422,
      response: { data: { errors: ["Can not approve your own pull request"] } },
    });
    await expect(
      dev.rest.pulls.createReview({ ...repo, pull_number: pr.number, event: "REQUEST_CHANGES", body: "no" }),
    ).rejects.toMatchObject({ status: 422 });
    const { data } = await maintainer.rest.pulls.createReview({
      ...repo,
      pull_number: pr.number,
      event: "APPROVE",
    });
    expect(data.state).toBe("APPROVED");
  });
});

describe("simulator: check runs", () => {
  it("only apps write check runs; completing the last run completes the suite", async () => {
    const head = await pushFeature();
    await expect(dev.rest.checks.create({ ...repo, name: "x", head_sha: head })).rejects.toMatchObject({
      status: 403,
    });
    expect(sim.calls.at(-1)).toMatchObject({
      method: "POST",
      path: "/repos/acme/widgets/check-runs",
      status: 403,
      actor: "dev",
    });
    const installationId = sim.installApp("acme").installationId;
    const probot = new Probot({
      appId: sim.appId,
      privateKey: sim.privateKey,
      secret: "x",
      baseUrl: sim.url,
      log: pino({ level: "silent" }),
      Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({
        ...o,
        throttle: { ...(o.throttle as object), enabled: false },
      })),
    });
    const app = (await probot.auth(installationId)) as unknown as Octokit;
    const { data: run } = await app.rest.checks.create({
      ...repo,
      name: "triad/review",
      head_sha: head,
      status: "in_progress",
    });
    expect(run).toMatchObject({ status: "in_progress", conclusion: null, app: { slug: "triad" } });
    await app.rest.checks.create({ ...repo, name: "other", head_sha: head, conclusion: "neutral" });
    await app.rest.checks.update({
      ...repo,
      check_run_id: run.id,
      conclusion: "failure",
      output: { title: "2 blockers", summary: "s" },
    });
    const { data: list } = await app.rest.checks.listForRef({
      ...repo,
      ref: "feature",
      check_name: "triad/review",
    });
    expect(list.total_count).toBe(1);
    expect(list.check_runs[0]).toMatchObject({
      id: run.id,
      status: "completed",
      conclusion: "failure",
      output: { title: "2 blockers" },
    });
    await sim.waitForIdle();
    expect(
      sim.deliveries.filter((d) => d.event.startsWith("check_")).map((d) => `${d.event}.${d.action}`),
    ).toEqual(["check_run.created", "check_run.created", "check_run.completed", "check_suite.completed"]);
    const suite = sim.deliveries.at(-1)?.payload as { check_suite: { conclusion: string; head_sha: string } };
    expect(suite.check_suite).toMatchObject({ conclusion: "failure", head_sha: head });
  });
});
