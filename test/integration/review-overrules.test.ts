import { Octokit } from "@octokit/rest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findingMarker } from "../../src/core/markers.js";
import { createAppAuth } from "../../src/github/app-auth.js";
import type { GitHubClient } from "../../src/github/client.js";
import { publishRound } from "../../src/github/publish.js";
import { postReview } from "../../src/github/reviews.js";
import { createLogger } from "../../src/log.js";
import { readOverrules } from "../../src/shell/review/overrules.js";
import { type GitHubSimulator, startSimulator } from "../../src/sim/github/index.js";

const repo = { owner: "acme", repo: "w" };
let sim: GitHubSimulator;
let bot: GitHubClient;
const as: Record<string, Octokit> = {};
let pull = 0;
let commentIds: number[] = [];

beforeAll(async () => {
  sim = await startSimulator({ webhookSecret: "x" });
  for (const login of ["maya", "rita", "sam"])
    as[login] = new Octokit({ baseUrl: sim.url, auth: sim.createUser(login).token });
  const { headSha } = sim.createRepo({
    owner: "acme",
    name: "w",
    files: { "a.ts": "export const a = 1;\n" },
  });
  sim.addCollaborator("acme/w", "maya", "maintain");
  sim.addCollaborator("acme/w", "rita", "read");
  sim.addCollaborator("acme/w", "sam", "write");
  const { installationId } = sim.installApp("acme");
  // triad's request layer (no pacer): a new branch is not a valid PR head for a moment.
  const auth = await createAppAuth(
    { appId: sim.appId, privateKey: sim.privateKey },
    sim.url,
    createLogger("silent"),
    { pacer: undefined, timeoutMs: 10_000, time: sim.clock },
  );
  bot = await auth.installation(installationId);
  const published = await publishRound(bot, {
    repo,
    baseBranch: "main",
    baseSha: headSha,
    branch: "triad/1-x",
    changes: [
      {
        path: "a.ts",
        status: "modified",
        content: Buffer.from("export const a = 2;\nexport const b = 3;\n"),
      },
    ],
    message: "change",
    roundId: "issue-1-plan-v1-round-0",
    pr: { title: "x", body: "Closes #1", labels: [], marker: "<!-- triad:pr id=1 -->" },
    fault: () => undefined,
  });
  pull = published.prNumber;
  await postReview(bot, repo, {
    pull,
    commitId: published.commitSha,
    marker: "<!-- triad:review id=0-x -->",
    botLogin: "triad[bot]",
    review: {
      body: "review",
      comments: [
        { path: "a.ts", line: 1, side: "RIGHT", body: `${findingMarker("aaaaaaaaaaaaaaaa")}\nfirst` },
        { path: "a.ts", line: 2, side: "RIGHT", body: `${findingMarker("bbbbbbbbbbbbbbbb")}\nsecond` },
      ],
    },
    fallback: () => ({ body: "review", comments: [] }),
  });
  const { data } = await (as.maya as Octokit).rest.pulls.listReviewComments({ ...repo, pull_number: pull });
  commentIds = data.map((c) => c.id);
});

afterAll(async () => {
  await sim.stop();
});

describe("a maintainer overrules a finding", () => {
  const reactionReads = () =>
    sim.calls.filter(
      (c) =>
        c.actor === "installation" &&
        c.method === "GET" &&
        c.route === "/repos/{owner}/{repo}/pulls/comments/{comment_id}/reactions",
    ).length;

  it("reads no reactions while the thread listing counts no 👎 (one listing, nothing else)", async () => {
    const before = reactionReads();
    expect(
      await readOverrules(bot, repo, pull, "triad[bot]", ["aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"]),
    ).toEqual([]);
    expect(reactionReads()).toBe(before);
  });

  it("👎 or /triad ignore by write+ drops it; the same from a read-only user does not", async () => {
    const [first, second] = commentIds as [number, number];
    await (as.rita as Octokit).rest.reactions.createForPullRequestReviewComment({
      ...repo,
      comment_id: first,
      content: "-1",
    });
    await (as.rita as Octokit).rest.pulls.createReplyForReviewComment({
      ...repo,
      pull_number: pull,
      comment_id: second,
      body: "/triad ignore",
    });
    const before = reactionReads();
    expect(
      await readOverrules(bot, repo, pull, "triad[bot]", ["aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"]),
    ).toEqual([]);
    // Only the comment with a 👎 has its reactions read.
    expect(reactionReads()).toBe(before + 1);

    await (as.maya as Octokit).rest.reactions.createForPullRequestReviewComment({
      ...repo,
      comment_id: first,
      content: "-1",
    });
    await (as.sam as Octokit).rest.pulls.createReplyForReviewComment({
      ...repo,
      pull_number: pull,
      comment_id: second,
      body: "/triad ignore: intended",
    });
    expect(
      await readOverrules(bot, repo, pull, "triad[bot]", ["aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"]),
    ).toEqual([
      { key: "aaaaaaaaaaaaaaaa", by: "maya", how: "👎" },
      { key: "bbbbbbbbbbbbbbbb", by: "sam", how: "/triad ignore" },
    ]);
  });
});

describe("posting a review", () => {
  it("a 422 for an inline comment moves the comments into the body instead of failing the review", async () => {
    const { data: pr } = await (as.maya as Octokit).rest.pulls.get({ ...repo, pull_number: pull });
    const posted = await postReview(bot, repo, {
      pull,
      commitId: pr.head.sha,
      marker: "<!-- triad:review id=0-y -->",
      botLogin: "triad[bot]",
      review: {
        body: "with a bad line",
        comments: [{ path: "a.ts", line: 99, side: "RIGHT", body: "outside the diff" }],
      },
      fallback: () => ({
        body: "with a bad line\n\nFindings outside the diff:\n- a.ts:99 outside the diff",
        comments: [],
      }),
    });
    expect(posted.movedToBody).toBe(true);
    const { data: reviews } = await (as.maya as Octokit).rest.pulls.listReviews({
      ...repo,
      pull_number: pull,
    });
    const review = reviews.find((r) => r.id === posted.id);
    expect(review?.state).toBe("COMMENTED");
    expect(review?.body).toMatch(/Findings outside the diff:\n- a.ts:99/);
  });
});
