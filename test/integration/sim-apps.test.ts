import type { Octokit } from "@octokit/rest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type GitHubSimulator, startSimulator } from "../../src/sim/github/index.js";
import { appClient, installationClient } from "../helpers/sim-clients.js";

let sim: GitHubSimulator;
let gh: Octokit;
let headSha: string;
let installationId: number;
const repo = { owner: "acme", repo: "widgets" };

beforeEach(async () => {
  sim = await startSimulator({ webhookSecret: "x" });
  headSha = sim.createRepo({ owner: "acme", name: "widgets", files: { "a.ts": "a\n" } }).headSha;
  installationId = sim.installApp("acme").installationId;
  gh = await installationClient(sim, installationId);
});
afterEach(async () => {
  await sim.stop();
});

async function status(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (error) {
    return (error as { status: number }).status;
  }
}

describe("simulator: several apps and their check runs", () => {
  it("check runs carry the app that made them; another app's same-named run is its own, and only it may edit it", async () => {
    const other = sim.registerApp({ slug: "imposter" });
    const otherInstallation = sim.installApp("acme", { appId: other.appId }).installationId;
    const theirs = await installationClient(sim, otherInstallation, other);
    const { data: run } = await theirs.rest.checks.create({
      ...repo,
      name: "triad/review",
      head_sha: headSha,
      status: "in_progress",
    });
    expect(run.app).toMatchObject({ id: other.appId, slug: "imposter" });
    const { data: mine } = await gh.rest.checks.create({ ...repo, name: "triad/review", head_sha: headSha });
    expect(mine.app?.id).toBe(sim.appId);
    expect(mine.check_suite?.id).not.toBe(run.check_suite?.id);

    const { data: list } = await gh.rest.checks.listForRef({
      ...repo,
      ref: headSha,
      check_name: "triad/review",
    });
    expect(list.check_runs.map((r) => r.app?.id).sort()).toEqual([sim.appId, other.appId].sort());

    const refused = await gh.rest.checks
      .update({ ...repo, check_run_id: run.id, conclusion: "success" })
      .catch((e) => e);
    expect(refused.status).toBe(403);
    expect(refused.response.data.message).toBe(
      `Invalid app_id \`${other.appId}\` - check run can only be modified by the GitHub App that created it.`,
    );
    await theirs.rest.checks.update({ ...repo, check_run_id: run.id, conclusion: "success" });
  });

  it("a CI app's check runs are listed per ref (a branch name too), and their annotations as GitHub lists them", async () => {
    const ci = sim.registerApp({ slug: "acme-ci" });
    const theirs = await installationClient(
      sim,
      sim.installApp("acme", { appId: ci.appId }).installationId,
      ci,
    );
    const annotation = {
      path: "a.ts",
      start_line: 1,
      end_line: 1,
      annotation_level: "failure" as const,
      title: "test",
      message: "expected 2",
    };
    const { data: run } = await theirs.rest.checks.create({
      ...repo,
      name: "ci/test",
      head_sha: headSha,
      status: "completed",
      conclusion: "failure",
      output: { title: "1 failed", summary: "s", annotations: [annotation] },
    });
    expect(run.output.annotations_count).toBe(1);
    const { data: list } = await gh.rest.checks.listForRef({ ...repo, ref: "main" });
    expect(list.total_count).toBe(1);
    expect(list.check_runs.map((r) => [r.name, r.app?.slug, r.conclusion])).toEqual([
      ["ci/test", "acme-ci", "failure"],
    ]);
    const { data: annotations } = await gh.rest.checks.listAnnotations({ ...repo, check_run_id: run.id });
    expect(annotations).toEqual([
      {
        ...annotation,
        start_column: null,
        end_column: null,
        raw_details: null,
        blob_href: `${sim.url}/acme/widgets/blob/${headSha}/a.ts`,
      },
    ]);
    // An annotation without its required fields is GitHub's 422.
    const { path: _path, ...noPath } = annotation;
    expect(
      await status(
        theirs.rest.checks.update({
          ...repo,
          check_run_id: run.id,
          output: { title: "t", summary: "s", annotations: [noPath as typeof annotation] },
        }),
      ),
    ).toBe(422);
  });

  it("an app sees only its own installations; its JWT cannot mint another app's token", async () => {
    const other = sim.registerApp({ slug: "other-app" });
    expect(other.botLogin).toBe("other-app[bot]");
    const theirs = appClient(sim, other);
    expect((await theirs.rest.apps.getAuthenticated()).data).toMatchObject({
      id: other.appId,
      slug: "other-app",
    });
    expect((await theirs.rest.apps.listInstallations()).data).toEqual([]);
    expect(
      await status(theirs.rest.apps.createInstallationAccessToken({ installation_id: installationId })),
    ).toBe(404);
    expect(await status(theirs.rest.apps.getRepoInstallation(repo))).toBe(404);
  });
});

describe("simulator: installation tokens are valid only for their installation's repositories", () => {
  it("another account's public repository: read yes, write 403 'Resource not accessible by integration'", async () => {
    sim.createRepo({ owner: "other", name: "pub", files: { x: "x" } });
    const other = { owner: "other", repo: "pub" };
    expect(await status(gh.rest.repos.get(other))).toBe(200);
    const refused = await gh.rest.issues.create({ ...other, title: "t" }).catch((e) => e);
    expect(refused.status).toBe(403);
    expect(refused.response.data.message).toBe("Resource not accessible by integration");
  });

  it("another account's private repository is a 404, even to read", async () => {
    sim.createRepo({ owner: "other", name: "secret", files: { x: "x" }, private: true });
    const secret = { owner: "other", repo: "secret" };
    expect(await status(gh.rest.repos.get(secret))).toBe(404);
    expect(await status(gh.rest.issues.listForRepo(secret))).toBe(404);
    const otherToken = await installationClient(sim, sim.installApp("other").installationId);
    expect((await otherToken.rest.repos.get(secret)).data).toMatchObject({
      private: true,
      visibility: "private",
    });
  });

  it("selected repositories: the token covers those and no others of the account", async () => {
    sim.createRepo({ owner: "org", name: "in", files: { x: "x" }, private: true });
    sim.createRepo({ owner: "org", name: "out", files: { x: "x" }, private: true });
    const id = sim.installApp("org", { repositories: ["in"] }).installationId;
    const token = await installationClient(sim, id);
    expect(await status(token.rest.issues.create({ owner: "org", repo: "in", title: "t" }))).toBe(200);
    expect(await status(token.rest.repos.get({ owner: "org", repo: "out" }))).toBe(404);
    const { data } = await token.rest.apps.listReposAccessibleToInstallation();
    expect(data).toMatchObject({ total_count: 1, repository_selection: "selected" });
    expect(await status(appClient(sim).rest.apps.getRepoInstallation({ owner: "org", repo: "out" }))).toBe(
      404,
    );
  });
});
