import { createSign } from "node:crypto";
import { Octokit } from "@octokit/rest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TriadError } from "../../src/errors.js";
import { type HookableOctokit, installRequestLayer } from "../../src/github/paced-client.js";
import {
  type PublishFaultPoint,
  type PublishOptions,
  publishRound,
  readRoundTrailer,
  withRoundTrailer,
} from "../../src/github/publish.js";
import { ensureLabels, ensurePullRequest } from "../../src/github/pulls.js";
import type { FileChange } from "../../src/repo/overlay.js";
import { type GitHubSimulator, startSimulator } from "../../src/sim/github/index.js";

const repo = { owner: "acme", repo: "widgets" };
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const BRANCH = "triad/1-retry-helper";
const MARKER = "<!-- triad:pr id=issue-1 -->";
const BINARY = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255, 254, 10]);
const BASE_FILES: Record<string, string> = {
  "README.md": "# widgets\n",
  "src/retry.ts": "export const retries = 1;\n",
  "src/old.ts": "export const old = true;\n",
  "docs/guide.md": "guide\n",
};

let sim: GitHubSimulator;
let gh: Octokit; // the app's installation
let human: Octokit;
let baseSha: string;

function jwt(): string {
  const now = Math.floor(Date.now() / 1000);
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const data = `${enc({ alg: "RS256", typ: "JWT" })}.${enc({ iat: now - 30, exp: now + 540, iss: sim.appId })}`;
  return `${data}.${createSign("RSA-SHA256").update(data).sign(sim.privateKey, "base64url")}`;
}

beforeEach(async () => {
  // GitHub as it is (a new branch is no valid PR head for a moment), its clock 50x faster.
  sim = await startSimulator({ webhookSecret: "x", timeScale: 50 });
  const maintainer = sim.createUser("maria");
  sim.createUser("acme");
  baseSha = sim.createRepo({ owner: "acme", name: "widgets", files: BASE_FILES }).headSha;
  sim.addCollaborator("acme/widgets", "maria", "admin");
  const installationId = sim.installApp("acme").installationId;
  const app = new Octokit({ baseUrl: sim.url, auth: jwt(), log: silent });
  const { data: token } = await app.rest.apps.createInstallationAccessToken({
    installation_id: installationId,
  });
  gh = new Octokit({ baseUrl: sim.url, auth: token.token, log: silent });
  // triad's request layer (without the pacer), as under every installation client of the worker.
  installRequestLayer(gh as unknown as HookableOctokit, {
    installationId,
    pacer: undefined,
    timeoutMs: 10_000,
    time: sim.clock,
  });
  human = new Octokit({ baseUrl: sim.url, auth: maintainer.token, log: silent });
  await human.rest.issues.create({ ...repo, title: "Add a retry helper" });
});
afterEach(async () => {
  await sim.stop();
});

const text = (s: string) => Buffer.from(s, "utf8");

const ROUND0: FileChange[] = [
  { path: "assets/logo.png", status: "added", content: BINARY },
  { path: "src/old.ts", status: "deleted" },
  { path: "src/retry.test.ts", status: "added", content: text("test('retries', () => {});\n") },
  { path: "src/retry.ts", status: "modified", content: text("export const retries = 3;\n") },
];

function options(over: Partial<PublishOptions> = {}): PublishOptions {
  return {
    repo,
    baseBranch: "main",
    baseSha,
    branch: BRANCH,
    changes: ROUND0,
    message: "Add a retry helper (plan v2)\n\nImplements steps 1-3 of the approved plan.",
    roundId: "issue-1-plan-v2-round-0",
    pr: {
      title: "Add a retry helper",
      body: "Closes #1\n\nImplements plan v2.",
      labels: ["triad", "triad:in-review"],
      marker: MARKER,
    },
    fault: () => {},
    ...over,
  };
}

/** Every blob of a commit's tree, path → content. */
async function treeFiles(sha: string): Promise<Map<string, Buffer>> {
  const { data: commit } = await gh.rest.git.getCommit({ ...repo, commit_sha: sha });
  const { data: tree } = await gh.rest.git.getTree({ ...repo, tree_sha: commit.tree.sha, recursive: "1" });
  const out = new Map<string, Buffer>();
  for (const entry of tree.tree) {
    if (entry.type !== "blob" || !entry.path || !entry.sha) continue;
    const { data: blob } = await gh.rest.git.getBlob({ ...repo, file_sha: entry.sha });
    out.set(entry.path, Buffer.from(blob.content, "base64"));
  }
  return out;
}

function expectedFiles(
  changes: FileChange[],
  base: Record<string, string> = BASE_FILES,
): Map<string, Buffer> {
  const out = new Map<string, Buffer>(Object.entries(base).map(([p, c]) => [p, text(c)]));
  for (const c of changes) {
    if (c.status === "deleted") out.delete(c.path);
    else out.set(c.path, c.content as Buffer);
  }
  return out;
}

function sorted(map: Map<string, Buffer>): [string, string][] {
  return [...map.entries()].map(([p, b]) => [p, b.toString("base64")] as [string, string]).sort();
}

/** The branch's commits above main, newest first. */
async function branchCommits(branch = BRANCH) {
  const { data } = await gh.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: `main...${branch}` });
  return [...data.commits].reverse();
}

async function openPulls() {
  const { data } = await gh.rest.pulls.list({ ...repo, state: "all" });
  return data;
}

function triadBranches(): string[] {
  const dump = sim.dump();
  return Object.keys(dump.repositories[0]?.branches ?? {}).filter((b) => b.startsWith("triad/"));
}

describe("publishRound", () => {
  it("commits a round (added, modified, deleted, binary) on a new branch and opens the labelled PR", async () => {
    const result = await publishRound(gh, options());
    expect(result).toMatchObject({
      branch: BRANCH,
      prNumber: 2,
      created: { commit: true, ref: true, pr: true },
    });
    expect(result.prUrl).toContain("/acme/widgets/pull/2");

    const { data: ref } = await gh.rest.git.getRef({ ...repo, ref: `heads/${BRANCH}` });
    expect(ref.object.sha).toBe(result.commitSha);
    const { data: commit } = await gh.rest.git.getCommit({ ...repo, commit_sha: result.commitSha });
    expect(commit.parents.map((p) => p.sha)).toEqual([baseSha]);
    expect(commit.message).toBe(
      "Add a retry helper (plan v2)\n\nImplements steps 1-3 of the approved plan.\n\n" +
        "Triad-Round: issue-1-plan-v2-round-0\n",
    );
    expect(commit.author.name).toBe("triad[bot]");
    expect(sorted(await treeFiles(result.commitSha))).toEqual(sorted(expectedFiles(ROUND0)));

    // The binary file reads back byte for byte through the contents API too.
    const { data: logo } = await gh.rest.repos.getContent({ ...repo, path: "assets/logo.png", ref: BRANCH });
    expect(Buffer.from((logo as { content: string }).content, "base64")).toEqual(BINARY);

    const { data: pr } = await gh.rest.pulls.get({ ...repo, pull_number: result.prNumber });
    expect(pr).toMatchObject({ title: "Add a retry helper", state: "open" });
    expect(pr.head).toMatchObject({ ref: BRANCH, sha: result.commitSha });
    expect(pr.base.ref).toBe("main");
    expect(pr.body).toContain("Closes #1");
    expect(pr.body).toContain(MARKER);
    expect(pr.labels.map((l) => l.name).sort()).toEqual(["triad", "triad:in-review"]);
    expect(pr.user?.login).toBe("triad[bot]");
    const { data: files } = await gh.rest.pulls.listFiles({ ...repo, pull_number: result.prNumber });
    expect(files.map((f) => [f.filename, f.status])).toEqual([
      ["assets/logo.png", "added"],
      ["src/old.ts", "removed"],
      ["src/retry.test.ts", "added"],
      ["src/retry.ts", "modified"],
    ]);
  });

  it("keeps an executable's mode when the snapshot says so", async () => {
    const result = await publishRound(
      gh,
      options({
        changes: [{ path: "src/retry.ts", status: "modified", content: text("export const retries = 2;\n") }],
        modeOf: (p) => (p === "src/retry.ts" ? 0o755 : 0o644),
      }),
    );
    const { data: tree } = await gh.rest.git.getTree({ ...repo, tree_sha: result.commitSha, recursive: "1" });
    expect(tree.tree.find((e) => e.path === "src/retry.ts")?.mode).toBe("100755");
    expect(tree.tree.find((e) => e.path === "README.md")?.mode).toBe("100644");
  });

  it("is a no-op when run again with the same inputs", async () => {
    const first = await publishRound(gh, options());
    const before = sim.calls.length;
    const again = await publishRound(gh, options());
    expect(again).toEqual({ ...first, created: { commit: false, ref: false, pr: false } });
    // branch lookup + commit listing + PR lookup; labels are already there.
    expect(sim.calls.slice(before).map((c) => `${c.method} ${decodeURIComponent(c.path)}`)).toEqual([
      "GET /repos/acme/widgets/git/ref/heads/triad/1-retry-helper",
      "GET /repos/acme/widgets/commits",
      "GET /repos/acme/widgets/pulls",
    ]);
    expect(await branchCommits()).toHaveLength(1);
    expect(await openPulls()).toHaveLength(1);
  });

  const POINTS: PublishFaultPoint[] = ["after-blobs", "after-tree", "after-commit", "after-ref", "after-pr"];
  for (const point of POINTS) {
    it(`a run killed ${point} and run again leaves one branch, one commit of the round, one PR`, async () => {
      const crash = new Error(`killed ${point}`);
      const seen: string[] = [];
      await expect(
        publishRound(
          gh,
          options({
            fault: (p) => {
              seen.push(p);
              if (p === point) throw crash;
            },
          }),
        ),
      ).rejects.toBe(crash);
      expect(seen).toEqual(POINTS.slice(0, POINTS.indexOf(point) + 1));

      const result = await publishRound(gh, options());
      const beyondCommit = POINTS.indexOf(point) >= POINTS.indexOf("after-ref");
      expect(result.created).toEqual({
        commit: !beyondCommit,
        ref: !beyondCommit,
        pr: point !== "after-pr",
      });
      expect(triadBranches()).toEqual([BRANCH]);
      const commits = await branchCommits();
      expect(commits).toHaveLength(1);
      expect(commits[0]?.sha).toBe(result.commitSha);
      expect(readRoundTrailer(commits[0]?.commit.message ?? "")).toBe("issue-1-plan-v2-round-0");
      expect(sorted(await treeFiles(result.commitSha))).toEqual(sorted(expectedFiles(ROUND0)));
      const pulls = await openPulls();
      expect(pulls).toHaveLength(1);
      expect(pulls[0]?.number).toBe(result.prNumber);
      expect(pulls[0]?.head.sha).toBe(result.commitSha);
      expect(pulls[0]?.labels.map((l) => l.name).sort()).toEqual(["triad", "triad:in-review"]);
    });
  }

  it("a second round fast-forwards the branch: two commits, the same PR", async () => {
    const first = await publishRound(gh, options());
    const round1: FileChange[] = [
      { path: "src/retry.ts", status: "modified", content: text("export const retries = 5;\n") },
    ];
    const { data: firstCommit } = await gh.rest.git.getCommit({ ...repo, commit_sha: first.commitSha });
    const before = sim.calls.length;
    const second = await publishRound(
      gh,
      options({
        baseSha: first.commitSha,
        baseTreeSha: firstCommit.tree.sha,
        changes: round1,
        roundId: "issue-1-plan-v2-round-1",
        message: "Address review findings (round 1)",
        pr: { ...options().pr, body: "Closes #1\n\nImplements plan v2. Round 1 addressed the review." },
      }),
    );
    expect(second).toMatchObject({
      prNumber: first.prNumber,
      created: { commit: true, ref: true, pr: false },
    });
    // Minimum for this round: tree (the text inside it) + commit + ref + PR update = 4 (labels are
    // already there). Measured 6: + the branch lookup and the PR lookup. The branch is still at the
    // round's base, so no commit listing: this round's commit cannot be on it yet.
    expect(
      sim.calls
        .slice(before)
        .map((c) => `${c.method} ${decodeURIComponent(c.path).replace("/repos/acme/widgets", "")}`),
    ).toEqual([
      "GET /git/ref/heads/triad/1-retry-helper",
      "POST /git/trees",
      "POST /git/commits",
      "PATCH /git/refs/heads/triad/1-retry-helper",
      "GET /pulls",
      "PATCH /pulls/2",
    ]);
    const commits = await branchCommits();
    expect(commits.map((c) => c.sha)).toEqual([second.commitSha, first.commitSha]);
    expect(commits[0]?.parents.map((p) => p.sha)).toEqual([first.commitSha]);
    expect(sorted(await treeFiles(second.commitSha))).toEqual(sorted(expectedFiles([...ROUND0, ...round1])));
    const pulls = await openPulls();
    expect(pulls).toHaveLength(1);
    expect(pulls[0]?.body).toContain("Round 1 addressed the review.");
    expect(pulls[0]?.head.sha).toBe(second.commitSha);

    // Re-running round 1 finds its commit; re-running round 0 finds its commit below the head.
    const again1 = await publishRound(
      gh,
      options({ baseSha: first.commitSha, changes: round1, roundId: "issue-1-plan-v2-round-1" }),
    );
    expect(again1.commitSha).toBe(second.commitSha);
    const again0 = await publishRound(gh, options());
    expect(again0.commitSha).toBe(first.commitSha);
    expect(await branchCommits()).toHaveLength(2);
  });

  describe("a human pushed to the branch", () => {
    async function humanCommit(path: string, content: string): Promise<string> {
      const { data: ref } = await human.rest.git.getRef({ ...repo, ref: `heads/${BRANCH}` });
      const { data: head } = await human.rest.git.getCommit({ ...repo, commit_sha: ref.object.sha });
      const { data: tree } = await human.rest.git.createTree({
        ...repo,
        base_tree: head.tree.sha,
        tree: [{ path, mode: "100644", type: "blob", content }],
      });
      const { data: commit } = await human.rest.git.createCommit({
        ...repo,
        message: `Human edit of ${path}`,
        tree: tree.sha,
        parents: [ref.object.sha],
      });
      await human.rest.git.updateRef({ ...repo, ref: `heads/${BRANCH}`, sha: commit.sha });
      return commit.sha;
    }

    it("touching another file: the round builds on the human's commit and keeps it", async () => {
      const first = await publishRound(gh, options());
      const humanSha = await humanCommit("docs/guide.md", "guide, improved by a human\n");
      const round1: FileChange[] = [
        { path: "src/retry.ts", status: "modified", content: text("export const retries = 4;\n") },
      ];
      const second = await publishRound(
        gh,
        options({ baseSha: first.commitSha, changes: round1, roundId: "issue-1-plan-v2-round-1" }),
      );
      const commits = await branchCommits();
      expect(commits.map((c) => c.sha)).toEqual([second.commitSha, humanSha, first.commitSha]);
      const files = await treeFiles(second.commitSha);
      expect(files.get("docs/guide.md")?.toString()).toBe("guide, improved by a human\n");
      expect(files.get("src/retry.ts")?.toString()).toBe("export const retries = 4;\n");
      expect(await openPulls()).toHaveLength(1);
    });

    it("touching a file of the round: refuses with a final error naming it, branch unchanged", async () => {
      const first = await publishRound(gh, options());
      const humanSha = await humanCommit("src/retry.ts", "export const retries = 10; // human\n");
      const before = sim.calls.length;
      const error = await publishRound(
        gh,
        options({
          baseSha: first.commitSha,
          changes: [
            { path: "src/retry.ts", status: "modified", content: text("export const retries = 4;\n") },
            { path: "README.md", status: "modified", content: text("# widgets!\n") },
          ],
          roundId: "issue-1-plan-v2-round-1",
        }),
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TriadError);
      expect(error).toMatchObject({ code: "github_rejected", kind: "final" });
      expect((error as Error).message).toContain("src/retry.ts");
      expect((error as Error).message).not.toContain("README.md");
      expect((error as Error).message).toMatch(/will not overwrite a human's commit/);
      // Nothing was written: branch lookup, commit listing, compare.
      expect(sim.calls.slice(before).every((c) => c.method === "GET")).toBe(true);
      const { data: ref } = await gh.rest.git.getRef({ ...repo, ref: `heads/${BRANCH}` });
      expect(ref.object.sha).toBe(humanSha);
    });

    it("a push between reading the branch and writing the ref: read again, build on it, no force", async () => {
      let pushed: string | undefined;
      const result = await publishRound(
        gh,
        options({
          fault: async (point) => {
            if (point !== "after-commit" || pushed) return;
            // A human creates the branch from main while triad is committing.
            const { data: base } = await human.rest.git.getCommit({ ...repo, commit_sha: baseSha });
            const { data: tree } = await human.rest.git.createTree({
              ...repo,
              base_tree: base.tree.sha,
              tree: [{ path: "docs/guide.md", mode: "100644", type: "blob", content: "human guide\n" }],
            });
            const { data: commit } = await human.rest.git.createCommit({
              ...repo,
              message: "Human start",
              tree: tree.sha,
              parents: [baseSha],
            });
            await human.rest.git.createRef({ ...repo, ref: `refs/heads/${BRANCH}`, sha: commit.sha });
            pushed = commit.sha;
          },
        }),
      );
      expect(pushed).toBeDefined();
      expect(result.created).toEqual({ commit: true, ref: true, pr: true });
      const commits = await branchCommits();
      expect(commits.map((c) => c.sha)).toEqual([result.commitSha, pushed]);
      expect(sorted(await treeFiles(result.commitSha))).toEqual(
        sorted(expectedFiles(ROUND0, { ...BASE_FILES, "docs/guide.md": "human guide\n" })),
      );
      expect(await openPulls()).toHaveLength(1);
    });

    it("a snapshot taken after the human's commit may change the same file", async () => {
      await publishRound(gh, options());
      const humanSha = await humanCommit("src/retry.ts", "export const retries = 10; // human\n");
      const result = await publishRound(
        gh,
        options({
          baseSha: humanSha,
          changes: [
            {
              path: "src/retry.ts",
              status: "modified",
              content: text("export const retries = 11; // human\n"),
            },
          ],
          roundId: "issue-1-plan-v2-round-1",
        }),
      );
      expect((await branchCommits())[0]?.sha).toBe(result.commitSha);
      expect((await treeFiles(result.commitSha)).get("src/retry.ts")?.toString()).toContain("11");
    });
  });

  it("API calls for a 3-file round on a fresh branch", async () => {
    const changes: FileChange[] = [
      { path: "src/a.ts", status: "added", content: text("a\n") },
      { path: "src/b.ts", status: "added", content: text("b\n") },
      { path: "src/retry.ts", status: "modified", content: text("export const retries = 2;\n") },
    ];
    const before = sim.calls.length;
    await publishRound(gh, options({ changes }));
    const calls = sim.calls
      .slice(before)
      .map((c) => `${c.method} ${decodeURIComponent(c.path).replace("/repos/acme/widgets", "")}`);
    // Minimum (issue 6, issue 12): 1 tree carrying the three texts + 1 commit + 1 ref + 1 PR + 1
    // labels = 5. Measured: the minimum + the branch lookup (idempotency) + the base commit's tree
    // (base_tree needs a tree sha, the snapshot knows only the commit) = 7. No PR lookup: the branch
    // was just created, so no open PR can have it.
    expect(calls).toEqual([
      "GET /git/ref/heads/triad/1-retry-helper",
      `GET /git/commits/${baseSha}`,
      "POST /git/trees",
      "POST /git/commits",
      "POST /git/refs",
      "POST /pulls",
      "POST /issues/2/labels",
    ]);
    expect(calls.length / 5).toBeLessThanOrEqual(1.5);
  });

  it("refuses an empty round and a round id with whitespace", async () => {
    await expect(publishRound(gh, options({ changes: [] }))).rejects.toMatchObject({ code: "internal" });
    await expect(publishRound(gh, options({ roundId: "a b" }))).rejects.toMatchObject({ code: "internal" });
  });
});

describe("round trailer", () => {
  it("appends a trailer paragraph, or joins an existing trailer block", () => {
    expect(withRoundTrailer("Subject\n\nBody.\n\n", "r-1")).toBe("Subject\n\nBody.\n\nTriad-Round: r-1\n");
    expect(withRoundTrailer("Subject\n\nCo-authored-by: A <a@x>", "r-1")).toBe(
      "Subject\n\nCo-authored-by: A <a@x>\nTriad-Round: r-1\n",
    );
    expect(withRoundTrailer("Subject", "r-1")).toBe("Subject\n\nTriad-Round: r-1\n");
    expect(readRoundTrailer("Subject\n\nTriad-Round: r-1\n")).toBe("r-1");
    expect(readRoundTrailer("Subject mentions Triad-Round: r-1 inline")).toBeUndefined();
  });
});

describe("ensurePullRequest / ensureLabels", () => {
  async function pushBranch(): Promise<void> {
    await publishRound(gh, options());
  }

  it("finds the open PR of the head branch and updates a changed title and body", async () => {
    await pushBranch();
    const o = {
      repo,
      head: BRANCH,
      base: "main",
      title: "New title",
      body: "Closes #1\nnew",
      marker: MARKER,
    };
    const updated = await ensurePullRequest(gh, o);
    expect(updated).toMatchObject({ number: 2, created: false, updated: true });
    const same = await ensurePullRequest(gh, o);
    expect(same).toMatchObject({ number: 2, created: false, updated: false });
    const { data: pr } = await gh.rest.pulls.get({ ...repo, pull_number: 2 });
    expect(pr.body).toBe(`${MARKER}\nCloses #1\nnew`);
    expect(pr.title).toBe("New title");
  });

  it("a create that GitHub answers with 'already exists' finds the PR instead", async () => {
    await pushBranch();
    const before = sim.calls.length;
    const found = await ensurePullRequest(gh, {
      repo,
      head: BRANCH,
      base: "main",
      title: "Add a retry helper",
      body: "Closes #1\n\nImplements plan v2.",
      marker: MARKER,
      headIsNew: true, // wrong on purpose: forces the create
    });
    expect(found).toMatchObject({ number: 2, created: false, updated: false });
    expect(sim.calls.slice(before).map((c) => [c.method, c.status])).toEqual([
      ["POST", 422],
      ["GET", 200],
    ]);
    expect(await openPulls()).toHaveLength(1);
  });

  it("ensureLabels adds only the missing labels, in at most one call", async () => {
    await pushBranch();
    let before = sim.calls.length;
    expect(await ensureLabels(gh, repo, 2, ["triad"], ["triad", "triad:in-review"])).toEqual([
      "triad",
      "triad:in-review",
    ]);
    expect(sim.calls.length).toBe(before);
    before = sim.calls.length;
    const labels = await ensureLabels(gh, repo, 2, ["triad", "triad:ready"], ["triad", "triad:in-review"]);
    expect(labels.sort()).toEqual(["triad", "triad:in-review", "triad:ready"]);
    expect(sim.calls.slice(before).map((c) => `${c.method} ${c.path}`)).toEqual([
      "POST /repos/acme/widgets/issues/2/labels",
    ]);
  });
});
