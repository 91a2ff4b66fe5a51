import type { Octokit } from "@octokit/rest";
import { afterEach, describe, expect, it } from "vitest";
import {
  type GitHubSimulator,
  SIM_LENIENT_DEFAULTS,
  type SimulatorOptions,
  startSimulator,
} from "../../src/sim/github/index.js";
import { installationClient, userClient } from "../helpers/sim-clients.js";

let sim: GitHubSimulator;
let gh: Octokit;
let baseSha: string;
const repo = { owner: "acme", repo: "widgets" };

async function start(o: Partial<SimulatorOptions> = {}): Promise<void> {
  sim = await startSimulator({ webhookSecret: "x", ...SIM_LENIENT_DEFAULTS, ...o });
  baseSha = sim.createRepo({
    owner: "acme",
    name: "widgets",
    files: { "README.md": "hi\n", "a.ts": "a\n" },
  }).headSha;
  gh = await installationClient(sim, sim.installApp("acme").installationId);
}
afterEach(async () => {
  await sim.stop();
});

type Failure = {
  status: number;
  response: { data: Record<string, unknown>; headers: Record<string, string> };
};
async function failure(p: Promise<unknown>): Promise<Failure> {
  try {
    await p;
  } catch (error) {
    return error as Failure;
  }
  throw new Error("expected the request to fail");
}

/** A branch whose commit adds `files` over the base; returns the PR opened from it. */
async function pullWith(files: Record<string, string>, branch = "big"): Promise<number> {
  const { data: tree } = await gh.rest.git.createTree({
    ...repo,
    base_tree: (await gh.rest.git.getCommit({ ...repo, commit_sha: baseSha })).data.tree.sha,
    tree: Object.entries(files).map(([path, content]) => ({ path, mode: "100644", type: "blob", content })),
  });
  const { data: commit } = await gh.rest.git.createCommit({
    ...repo,
    message: "big",
    tree: tree.sha,
    parents: [baseSha],
  });
  await gh.rest.git.createRef({ ...repo, ref: `refs/heads/${branch}`, sha: commit.sha });
  const { data: pr } = await gh.rest.pulls.create({ ...repo, title: "big", head: branch, base: "main" });
  return pr.number;
}

const many = (n: number) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`f/${String(i).padStart(4, "0")}.txt`, `${i}\n`]));
const BODY_MAX = 65_536;

describe("simulator: body size limits", () => {
  it("issues and pull requests: 65,536 code points pass, one more is 422 'body is too long'", async () => {
    await start();
    await gh.rest.issues.create({ ...repo, title: "ok", body: "x".repeat(BODY_MAX) });
    // Code points, not UTF-16 units: 65,536 emoji are 131,072 units and still pass.
    await gh.rest.issues.create({ ...repo, title: "ok", body: "😀".repeat(BODY_MAX) });
    const refused = await failure(
      gh.rest.issues.create({ ...repo, title: "long", body: "x".repeat(BODY_MAX + 1) }),
    );
    expect(refused.status).toBe(422);
    expect(refused.response.data).toMatchObject({
      message: "Validation Failed",
      errors: [
        {
          resource: "Issue",
          code: "custom",
          field: "body",
          message: "body is too long (maximum is 65536 characters)",
        },
      ],
      documentation_url: "https://docs.github.com/rest/issues/issues#create-an-issue",
    });
    expect(sim.dump().repositories[0]?.issues).toHaveLength(2);
    const edit = await failure(
      gh.rest.issues.update({ ...repo, issue_number: 1, body: "y".repeat(BODY_MAX + 1) }),
    );
    expect(edit.status).toBe(422);
    const number = await pullWith({ "b.ts": "b\n" });
    const prEdit = await failure(
      gh.rest.pulls.update({ ...repo, pull_number: number, body: "y".repeat(BODY_MAX + 1) }),
    );
    expect(prEdit.response.data).toMatchObject({ errors: [{ resource: "Issue", field: "body" }] });
  });

  it("issue comments, created or edited: 422 IssueComment data 'Body is too long'", async () => {
    await start();
    await gh.rest.issues.create({ ...repo, title: "t" });
    const { data: c } = await gh.rest.issues.createComment({
      ...repo,
      issue_number: 1,
      body: "x".repeat(BODY_MAX),
    });
    for (const p of [
      gh.rest.issues.createComment({ ...repo, issue_number: 1, body: "x".repeat(BODY_MAX + 1) }),
      gh.rest.issues.updateComment({ ...repo, comment_id: c.id, body: "x".repeat(BODY_MAX + 1) }),
    ]) {
      expect((await failure(p)).response.data).toMatchObject({
        message: "Validation Failed",
        errors: [
          {
            resource: "IssueComment",
            code: "unprocessable",
            field: "data",
            message: "Body is too long (maximum is 65536 characters)",
          },
        ],
      });
    }
    expect(sim.dump().repositories[0]?.issues[0]?.comments).toHaveLength(1);
  });

  it("reviews, their comments and replies: 422 Unprocessable Entity", async () => {
    await start();
    const number = await pullWith({ "b.ts": "b\n" });
    const long = "x".repeat(BODY_MAX + 1);
    const expected = {
      message: "Unprocessable Entity",
      errors: ["Body is too long (maximum is 65536 characters)"],
    };
    expect(
      (
        await failure(
          gh.rest.pulls.createReview({ ...repo, pull_number: number, event: "COMMENT", body: long }),
        )
      ).response.data,
    ).toMatchObject(expected);
    const inline = gh.rest.pulls.createReview({
      ...repo,
      pull_number: number,
      event: "COMMENT",
      body: "ok",
      comments: [{ path: "b.ts", line: 1, body: long }],
    });
    expect((await failure(inline)).response.data).toMatchObject(expected);
    const { data: comment } = await gh.rest.pulls.createReviewComment({
      ...repo,
      pull_number: number,
      commit_id: (await gh.rest.pulls.get({ ...repo, pull_number: number })).data.head.sha,
      path: "b.ts",
      line: 1,
      body: "fine",
    });
    const reply = gh.rest.pulls.createReplyForReviewComment({
      ...repo,
      pull_number: number,
      comment_id: comment.id,
      body: long,
    });
    expect((await failure(reply)).response.data).toMatchObject(expected);
    expect(sim.dump().repositories[0]?.pullRequests[0]?.reviews).toHaveLength(1);
  });

  it("check-run output: 65,535 characters, then 422 'Only 65535 characters are allowed'", async () => {
    await start();
    const name = "triad/review";
    await gh.rest.checks.create({
      ...repo,
      name,
      head_sha: baseSha,
      output: { title: "t", summary: "x".repeat(65_535) },
    });
    const refused = await failure(
      gh.rest.checks.create({
        ...repo,
        name,
        head_sha: baseSha,
        output: { title: "t", summary: "x".repeat(65_536) },
      }),
    );
    expect(refused.status).toBe(422);
    expect(refused.response.data.message).toBe(
      "Invalid request.\n\nOnly 65535 characters are allowed; 65536 were supplied.",
    );
  });

  it("limits.bodies: false lets anything through", async () => {
    await start({ limits: { bodies: false } });
    await gh.rest.issues.create({ ...repo, title: "long", body: "x".repeat(BODY_MAX + 10) });
  });
});

describe("simulator: diff limits", () => {
  it("a 350-file PR: the diff media type is 406 too_large; the files API lists all 350 in pages of ≤ 100", async () => {
    await start();
    const number = await pullWith(many(350));
    const diff = await failure(
      gh.rest.pulls.get({ ...repo, pull_number: number, mediaType: { format: "diff" } }),
    );
    expect(diff.status).toBe(406);
    expect(diff.response.data).toEqual({
      message:
        "Sorry, the diff exceeded the maximum number of files (300). Consider using 'List pull requests files' API or locally cloning the repository instead.",
      errors: [{ resource: "PullRequest", field: "diff", code: "too_large" }],
      documentation_url: "https://docs.github.com/rest/pulls/pulls#list-pull-requests-files",
      status: "406",
    });
    const first = await gh.rest.pulls.listFiles({ ...repo, pull_number: number, per_page: 500 });
    expect(first.data).toHaveLength(100);
    expect(first.headers.link).toContain('rel="next"');
    const files = await gh.paginate(gh.rest.pulls.listFiles, { ...repo, pull_number: number, per_page: 100 });
    expect(files).toHaveLength(350);
    // The JSON form of the pull request is unaffected.
    expect((await gh.rest.pulls.get({ ...repo, pull_number: number })).data.changed_files).toBe(350);
  });

  it("more than 20,000 lines: 406 too_large (lines); a smaller diff is served as text", async () => {
    await start();
    const big = await pullWith(
      { "big.txt": `${Array.from({ length: 25_000 }, (_, i) => `line ${i}`).join("\n")}\n` },
      "lines",
    );
    const refused = await failure(
      gh.rest.pulls.get({ ...repo, pull_number: big, mediaType: { format: "diff" } }),
    );
    expect(refused.status).toBe(406);
    expect(refused.response.data.message).toMatch(/maximum number of lines \(20000\)/);
    const small = await pullWith({ "b.ts": "b\n" }, "small");
    const { data, headers } = await gh.rest.pulls.get({
      ...repo,
      pull_number: small,
      mediaType: { format: "diff" },
    });
    expect(headers["content-type"]).toBe("application/vnd.github.v3.diff; charset=utf-8");
    expect(String(data)).toContain("+++ b/b.ts");
  });

  it("rules.diffCharset: false sends the diff type without charset — Octokit then hands back an ArrayBuffer", async () => {
    await start({ rules: { diffCharset: false } });
    const small = await pullWith({ "b.ts": "b\n" });
    const { data, headers } = await gh.rest.pulls.get({
      ...repo,
      pull_number: small,
      mediaType: { format: "diff" },
    });
    expect(headers["content-type"]).toBe("application/vnd.github.v3.diff");
    expect(data).toBeInstanceOf(ArrayBuffer);
  });

  it("the files API stops at 3,000 files", async () => {
    await start();
    const number = await pullWith(many(3_100));
    const files = await gh.paginate(gh.rest.pulls.listFiles, { ...repo, pull_number: number, per_page: 100 });
    expect(files).toHaveLength(3_000);
  });

  it("compare: files capped at 300 and only on the first page; its diff is 406 above 300 files", async () => {
    await start();
    await pullWith(many(350), "wide");
    const { data } = await gh.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: "main...wide" });
    expect(data.files).toHaveLength(300);
    const page2 = await gh.rest.repos.compareCommitsWithBasehead({
      ...repo,
      basehead: "main...wide",
      per_page: 1,
      page: 2,
    });
    expect(page2.data.files).toBeUndefined();
    const diff = await failure(
      gh.rest.repos.compareCommitsWithBasehead({
        ...repo,
        basehead: "main...wide",
        mediaType: { format: "diff" },
      }),
    );
    expect(diff.status).toBe(406);
  });

  it("limits.diffs: false serves any diff and every file", async () => {
    await start({ limits: { diffs: false } });
    const number = await pullWith(many(310));
    const { data } = await gh.rest.pulls.get({ ...repo, pull_number: number, mediaType: { format: "diff" } });
    expect(String(data).match(/^diff --git/gm)).toHaveLength(310);
  });
});

describe("simulator: git trees and review threads", () => {
  it("a tree that deletes a path that does not exist is 422 GitRPC::BadObjectState", async () => {
    await start();
    const base = (await gh.rest.git.getCommit({ ...repo, commit_sha: baseSha })).data.tree.sha;
    const refused = await failure(
      gh.rest.git.createTree({
        ...repo,
        base_tree: base,
        tree: [{ path: "nope.ts", mode: "100644", type: "blob", sha: null }],
      }),
    );
    expect(refused.status).toBe(422);
    expect(refused.response.data.message).toBe("GitRPC::BadObjectState");
    // Deleting a file that exists works.
    const { data } = await gh.rest.git.createTree({
      ...repo,
      base_tree: base,
      tree: [{ path: "a.ts", mode: "100644", type: "blob", sha: null }],
    });
    expect(data.tree.map((e) => e.path)).toEqual(["README.md"]);
  });

  it("replies to replies are refused: 404 on the replies endpoint, 422 for in_reply_to; 'thread' files them under the root", async () => {
    await start();
    const alice = userClient(sim, sim.createUser("alice").token);
    const number = await pullWith({ "b.ts": "b\n" });
    const head = (await gh.rest.pulls.get({ ...repo, pull_number: number })).data.head.sha;
    const { data: root } = await gh.rest.pulls.createReviewComment({
      ...repo,
      pull_number: number,
      commit_id: head,
      path: "b.ts",
      line: 1,
      body: "root",
    });
    const { data: reply } = await alice.rest.pulls.createReplyForReviewComment({
      ...repo,
      pull_number: number,
      comment_id: root.id,
      body: "reply",
    });
    expect(reply.in_reply_to_id).toBe(root.id);
    const nested = await failure(
      gh.rest.pulls.createReplyForReviewComment({
        ...repo,
        pull_number: number,
        comment_id: reply.id,
        body: "nested",
      }),
    );
    expect(nested.status).toBe(404);
    const viaField = await failure(
      // in_reply_to: "all parameters other than body in the request body are ignored".
      gh.request("POST /repos/{owner}/{repo}/pulls/{pull_number}/comments", {
        ...repo,
        pull_number: number,
        in_reply_to: reply.id,
        body: "nested",
        commit_id: head,
        path: "b.ts",
      }),
    );
    expect(viaField.status).toBe(422);
    sim.configure({ rules: { replyToReply: "thread" } });
    const { data: threaded } = await gh.rest.pulls.createReplyForReviewComment({
      ...repo,
      pull_number: number,
      comment_id: reply.id,
      body: "nested",
    });
    expect(threaded.in_reply_to_id).toBe(root.id);
  });
});
