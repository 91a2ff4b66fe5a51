import type { Octokit } from "@octokit/rest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type CallRecord, type GitHubSimulator, startSimulator } from "../../src/sim/github/index.js";
import { expectHttp } from "../helpers/http-expect.js";
import { installationClient, userClient } from "../helpers/sim-clients.js";

let sim: GitHubSimulator;
let gh: Octokit;
const repo = { owner: "acme", repo: "widgets" };
const POST_COMMENT = "POST /repos/{owner}/{repo}/issues/{issue_number}/comments";
const PATCH_COMMENT = "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}";
const MARKER = "<!-- tracking -->";

beforeEach(async () => {
  sim = await startSimulator({ webhookSecret: "x" });
  sim.createRepo({ owner: "acme", name: "widgets", files: { "a.ts": "a\n" } });
  gh = await installationClient(sim, sim.installApp("acme").installationId);
  await gh.rest.issues.create({ ...repo, title: "t" });
});
afterEach(async () => {
  await sim.stop();
});

const isServerError = (e: unknown) => ((e as { status?: number }).status ?? 0) >= 500;

/** Re-sends the POST when GitHub answers 5xx — what a generic retry layer does. */
async function postWithBlindRetry(body: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await gh.rest.issues.createComment({ ...repo, issue_number: 1, body });
      return;
    } catch (e) {
      if (!isServerError(e) || attempt > 0) throw e;
    }
  }
}

/** Finds its comment by marker before writing, so a lost answer is not written twice. */
async function ensureComment(body: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      const comments = await gh.paginate(gh.rest.issues.listComments, {
        ...repo,
        issue_number: 1,
        per_page: 100,
      });
      const mine = comments.find((c) => c.body?.includes(MARKER));
      if (mine) await gh.rest.issues.updateComment({ ...repo, comment_id: mine.id, body });
      else await gh.rest.issues.createComment({ ...repo, issue_number: 1, body });
      return;
    } catch (e) {
      if (!isServerError(e) || attempt > 0) throw e;
    }
  }
}

describe("HTTP expectations over the simulator's call log", () => {
  it("a retried step makes the expected PATCH and no second POST — and a blind retry is caught", async () => {
    sim.faults.add({ route: POST_COMMENT, kind: "lost-response" });
    const good = expectHttp(sim, { actor: "installation" })
      .expect(POST_COMMENT, { status: 502 })
      .expect(PATCH_COMMENT)
      .allowReads();
    await ensureComment(`${MARKER} v1`);
    expect(good.verify().map((c) => `${c.method} ${c.status}`)).toEqual([
      "GET 200",
      "POST 502",
      "GET 200",
      "PATCH 200",
    ]);

    sim.faults.add({ route: POST_COMMENT, kind: "lost-response" });
    const blind = expectHttp(sim).expect(POST_COMMENT, { status: 502 }).expect(PATCH_COMMENT).allowReads();
    await postWithBlindRetry("no marker");
    expect(() => blind.verify()).toThrow(
      /unexpected: POST \/repos\/acme\/widgets\/issues\/1\/comments → 201[\s\S]*missing: PATCH \/repos\/\{owner\}\/\{repo\}\/issues\/comments\/\{comment_id\} — expected 1, got 0/,
    );
  });

  it("counts exactly by default; min/max ranges; 'too many' is reported", async () => {
    const http = expectHttp(sim)
      .expect("GET /repos/{owner}/{repo}", { min: 1, max: 2 })
      .expect("GET /repos/{owner}/{repo}/issues/{issue_number}");
    await gh.rest.repos.get(repo);
    await gh.rest.issues.get({ ...repo, issue_number: 1 });
    http.verify();
    await gh.rest.repos.get(repo);
    await gh.rest.repos.get(repo);
    expect(() => http.verify()).toThrow(/too many: GET \/repos\/\{owner\}\/\{repo\} — expected 1–2, got 3/);
    const exact = expectHttp(sim).expect("GET /repos/{owner}/{repo}/issues/{issue_number}", 2);
    await gh.rest.issues.get({ ...repo, issue_number: 1 });
    expect(() => exact.verify()).toThrow(/missing: GET .* expected 2, got 1/);
  });

  it("filters by actor, matches templates with greedy parameters, and undeclared reads fail unless allowed", async () => {
    const alice = userClient(sim, sim.createUser("alice").token);
    const { data: main } = await gh.rest.git.getRef({ ...repo, ref: "heads/main" });
    await gh.rest.git.createRef({ ...repo, ref: "refs/heads/feature/deep/x", sha: main.object.sha });
    const http = expectHttp(sim, { actor: "installation" }).expect("GET /repos/{owner}/{repo}/git/ref/{ref}");
    await gh.rest.git.getRef({ ...repo, ref: "heads/feature/deep/x" });
    await alice.rest.repos.get(repo); // another actor: not this test's concern
    expect(http.verify()).toHaveLength(1);
    await gh.rest.issues.listComments({ ...repo, issue_number: 1 });
    expect(() => http.verify()).toThrow(/unexpected: GET \/repos\/acme\/widgets\/issues\/1\/comments/);
  });

  it("works on any call log (a bench run, a dump)", () => {
    const log: CallRecord[] = [
      {
        method: "POST",
        path: "/repos/a/b/issues",
        route: "/repos/{owner}/{repo}/issues",
        status: 201,
        actor: "installation",
        at: 0,
        githubAt: 0,
        githubStartedAt: 0,
        requestId: "1",
      },
    ];
    expectHttp({ calls: [] }).verify();
    const http = expectHttp({ calls: log });
    expect(() => http.verify()).not.toThrow(); // created after the call: sees nothing
    const all = expectHttp({
      get calls() {
        return log;
      },
    });
    log.push({ ...(log[0] as CallRecord), requestId: "2" });
    expect(() => all.verify()).toThrow(/unexpected: POST \/repos\/a\/b\/issues → 201/);
  });
});
