import type { Octokit } from "@octokit/rest";
import { afterEach, describe, expect, it } from "vitest";
import {
  type GitHubSimulator,
  SIM_DEFAULTS,
  SIM_LENIENT_DEFAULTS,
  type SimulatorOptions,
  startSimulator,
} from "../../src/sim/github/index.js";
import { installationClient } from "../helpers/sim-clients.js";

let sim: GitHubSimulator;
let gh: Octokit;
let baseSha: string;
const repo = { owner: "acme", repo: "widgets" };

async function start(o: Partial<SimulatorOptions> = {}): Promise<void> {
  // Quiet but for the lag each test asks for.
  sim = await startSimulator({
    webhookSecret: "x",
    ...SIM_LENIENT_DEFAULTS,
    ...o,
    consistency: { ...SIM_LENIENT_DEFAULTS.consistency, ...o.consistency },
  });
  baseSha = sim.createRepo({ owner: "acme", name: "widgets", files: { "a.ts": "a\n" } }).headSha;
  gh = await installationClient(sim, sim.installApp("acme").installationId);
}
afterEach(async () => {
  await sim.stop();
});

async function branch(name: string): Promise<void> {
  const { data: tree } = await gh.rest.git.createTree({
    ...repo,
    tree: [{ path: "b.ts", mode: "100644", content: "b\n" }],
  });
  const { data: commit } = await gh.rest.git.createCommit({
    ...repo,
    message: "b",
    tree: tree.sha,
    parents: [baseSha],
  });
  await gh.rest.git.createRef({ ...repo, ref: `refs/heads/${name}`, sha: commit.sha });
}

const sleepGitHub = (ms: number) => new Promise((r) => setTimeout(r, sim.clock.toRealMs(ms) + 20));

describe("simulator: eventual consistency", () => {
  it("a pull request from a branch made a moment ago is 422 head invalid until the lag has passed", async () => {
    await start({ timeScale: 10, consistency: { refLagMs: 2000 } });
    await branch("fresh");
    const refused = await gh.rest.pulls
      .create({ ...repo, title: "t", head: "fresh", base: "main" })
      .catch((e) => e);
    expect(refused.status).toBe(422);
    expect(refused.response.data).toMatchObject({
      message: "Validation Failed",
      errors: [{ resource: "PullRequest", field: "head", code: "invalid" }],
    });
    await sleepGitHub(2000);
    const { status } = await gh.rest.pulls.create({ ...repo, title: "t", head: "fresh", base: "main" });
    expect(status).toBe(201);
  });

  it("labels on a pull request made a moment ago: 422 'Could not resolve to a node', then fine", async () => {
    await start({ timeScale: 10, consistency: { pullLagMs: 2000 } });
    await branch("b");
    const { data: pr } = await gh.rest.pulls.create({ ...repo, title: "t", head: "b", base: "main" });
    const refused = await gh.rest.issues
      .addLabels({ ...repo, issue_number: pr.number, labels: ["triad"] })
      .catch((e) => e);
    expect(refused.status).toBe(422);
    expect(refused.response.data).toMatchObject({
      message: "Validation Failed",
      errors: [
        {
          resource: "Label",
          code: "unprocessable",
          field: "data",
          message: `Could not resolve to a node with the global id of '${pr.node_id}'.`,
        },
      ],
    });
    // Plain issues are not affected.
    const { data: issue } = await gh.rest.issues.create({ ...repo, title: "i" });
    await gh.rest.issues.addLabels({ ...repo, issue_number: issue.number, labels: ["triad"] });
    await sleepGitHub(2000);
    const { data } = await gh.rest.issues.addLabels({ ...repo, issue_number: pr.number, labels: ["triad"] });
    expect(data.map((l) => l.name)).toEqual(["triad"]);
  });

  it("lag by default (SIM_FAITHFUL), none with SIM_LENIENT_DEFAULTS", async () => {
    expect(SIM_DEFAULTS.consistency).toEqual({ refLagMs: 1500, pullLagMs: 1500 });
    await start();
    await branch("now");
    const { data: pr } = await gh.rest.pulls.create({ ...repo, title: "t", head: "now", base: "main" });
    await gh.rest.issues.addLabels({ ...repo, issue_number: pr.number, labels: ["x"] });
  });
});
