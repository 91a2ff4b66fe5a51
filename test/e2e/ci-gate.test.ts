import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Octokit } from "@octokit/rest";
import { afterEach, describe, expect, it } from "vitest";
import { scriptedModels } from "../../src/models/provider.js";
import { SCRIPTED_REFS, ScriptedModel, type ScriptStep } from "../../src/sim/models/scripted-model.js";
import { EXAMPLES_DIR, SAMPLE } from "../../src/sim/sample.js";
import { demoModels } from "../../src/sim/scenario.js";
import { developerSteps } from "../../src/sim/scenario-developer.js";
import { toApprovedPlan, trackingNow } from "../helpers/conversation.js";
import { capAttemptsFix, clean, submit } from "../helpers/models.js";
import { settled } from "../helpers/settle.js";
import { installationClient } from "../helpers/sim-clients.js";
import { repo, type SampleStack, startSampleStack } from "../helpers/stack.js";
import { waitFor } from "../helpers/wait.js";

/**
 * "CI before reviewers" (issue [12/12] item 1): when the repository has checks of its own, triad's
 * reviewers start only after they completed on the new head; a failing check goes back to the
 * developer without a reviewer call; a CI that does not finish is reviewed around, with a note. A
 * repository without checks is reviewed at once (every other review test).
 */
let stack: SampleStack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const submitClean: ScriptStep = { repeat: true, ...submit(clean) };

/** The demo's architect and developer (with extra fix-round steps), one reviewer that finds nothing. */
function models(developerExtra: ScriptStep[] = []) {
  const base = demoModels();
  const reviewer = new ScriptedModel(SCRIPTED_REFS.reviewerA, [submitClean]);
  const developer = new ScriptedModel(base.developer.ref, [...developerSteps(), ...developerExtra]);
  return { architect: base.architect, developer, reviewers: [reviewer] };
}

/** The repository's CI: another GitHub App, installed on the sample's owner, with its own check runs. */
async function ciApp(s: SampleStack): Promise<Octokit> {
  const app = s.sim.registerApp({ slug: "acme-ci" });
  const { installationId } = s.sim.installApp(SAMPLE.owner, { appId: app.appId });
  return installationClient(s.sim, installationId, { appId: app.appId, privateKey: app.privateKey });
}

/** CI ran these checks on the default branch's head (green): they are what a new head waits for. */
async function ciRanOnMain(ci: Octokit, names: string[]): Promise<void> {
  const { data: main } = await ci.rest.repos.getBranch({ ...repo, branch: "main" });
  for (const name of names)
    await ci.rest.checks.create({
      ...repo,
      name,
      head_sha: main.commit.sha,
      status: "completed",
      conclusion: "success",
    });
}

async function theHead(s: SampleStack): Promise<string> {
  const { data } = await s.user("maya").rest.pulls.list({ ...repo, state: "all" });
  const head = data[0]?.head.sha;
  if (!head) throw new Error("no pull request");
  return head;
}

async function reviews(s: SampleStack) {
  const { data: pulls } = await s.user("maya").rest.pulls.list({ ...repo, state: "all" });
  const number = pulls[0]?.number ?? 0;
  return (await s.user("maya").rest.pulls.listReviews({ ...repo, pull_number: number })).data;
}

async function triadCheck(s: SampleStack, sha: string) {
  const { data } = await s.user("maya").rest.checks.listForRef({ ...repo, ref: sha });
  return data.check_runs.find((r) => r.name === "triad/review");
}

/** Every queue but the events queue (which holds the gate's delayed deadline job), and every inbox. */
const STEPS_ONLY = { queues: ["architect", "developer", "review", "reviewer"] };

describe("CI before reviewers (simulator, a second app as the repository's CI)", () => {
  it("checks pending → the reviewers wait (no model call), the tracking comment counts the checks; all green → review", {
    timeout: 90_000,
  }, async () => {
    const m = models();
    const s = await startSampleStack("ci-pending", { models: scriptedModels(m), files: timeout(120) });
    stack = s;
    const ci = await ciApp(s);
    await ciRanOnMain(ci, ["ci/test", "ci/lint"]);
    const issue = await toApprovedPlan(s);
    await waitFor(
      "the gate",
      () => /^Waiting for CI \(0 of 2 checks done\)/.test(trackingNow(s, issue)),
      30_000,
    );
    const head = await theHead(s);
    const started = async (name: string) =>
      (await ci.rest.checks.create({ ...repo, name, head_sha: head, status: "in_progress" })).data.id;
    const test = await started("ci/test");
    // A check the default branch never ran registers on the head: it is waited for too.
    const e2e = await started("ci/e2e");
    await ci.rest.checks.create({
      ...repo,
      name: "ci/lint",
      head_sha: head,
      status: "completed",
      conclusion: "success",
    });
    await waitFor("one check counted", () =>
      trackingNow(s, issue).startsWith("Waiting for CI (1 of 3 checks done)"),
    );
    await ci.rest.checks.update({ ...repo, check_run_id: test, conclusion: "success" });
    await waitFor("two checks counted", () =>
      trackingNow(s, issue).startsWith("Waiting for CI (2 of 3 checks done)"),
    );
    await settled(s, STEPS_ONLY);
    expect(m.reviewers[0]?.requests).toHaveLength(0);
    expect(await reviews(s)).toHaveLength(0);
    const waiting = await triadCheck(s, head);
    expect([waiting?.status, waiting?.output.title]).toEqual([
      "in_progress",
      `Waiting for CI on ${head.slice(0, 7)}`,
    ]);

    await ci.rest.checks.update({ ...repo, check_run_id: e2e, conclusion: "success" });
    await waitFor("the review", () => trackingNow(s, issue).startsWith("Ready"), 30_000);
    expect(m.reviewers[0]?.requests.length).toBeGreaterThan(0);
    const [review] = await reviews(s);
    expect(review?.body).not.toMatch(/CI did not finish/);
    expect((await triadCheck(s, head))?.conclusion).toBe("success");
  });

  it("a failing check → a fix round with the check's output as the developer's finding, and no reviewer call", {
    timeout: 90_000,
  }, async () => {
    const fix = capAttemptsFix("Capped maxAttempts, as the failing test asked.");
    const m = models(fix);
    const s = await startSampleStack("ci-failing", { models: scriptedModels(m), files: timeout(120) });
    stack = s;
    const ci = await ciApp(s);
    await ciRanOnMain(ci, ["ci/test"]);
    const issue = await toApprovedPlan(s);
    await waitFor(
      "the gate",
      () => trackingNow(s, issue).startsWith("Waiting for CI (0 of 1 check done)"),
      30_000,
    );
    const first = await theHead(s);
    await ci.rest.checks.create({
      ...repo,
      name: "ci/test",
      head_sha: first,
      status: "completed",
      conclusion: "failure",
      output: {
        title: "1 test failed",
        summary: "test/retry.test.ts: maxAttempts above 10 must be refused",
        text: "expected withRetry({ maxAttempts: 11 }) to throw",
        annotations: [
          {
            path: "test/retry.test.ts",
            start_line: 12,
            end_line: 14,
            annotation_level: "failure",
            title: "caps maxAttempts",
            message: "AssertionError: expected function to throw",
          },
        ],
      },
    });
    // The fix round's commit meets the gate again: CI passes on it, then the reviewers run.
    await waitFor(
      "the fix round's gate",
      async () => (await theHead(s)) !== first && trackingNow(s, issue).startsWith("Waiting for CI"),
      30_000,
    );
    const second = await theHead(s);
    await settled(s, STEPS_ONLY);
    // The fix round waits for ci/test too, from the default branch's runs read once for both rounds
    // (kept a few minutes: every round of the repository asks the same); each head's runs read fresh.
    expect(trackingNow(s, issue)).toMatch(/^Waiting for CI \(0 of 1 check done\)/);
    const runReads = s.sim.calls
      .filter(
        (c) =>
          c.actor === "installation" &&
          c.method === "GET" &&
          c.route === "/repos/{owner}/{repo}/commits/{ref}/check-runs" &&
          !c.query?.includes("check_name"),
      )
      .map((c) => c.path.split("/").at(-2));
    const { data: main } = await s.user("maya").rest.repos.getBranch({ ...repo, branch: "main" });
    expect(runReads.filter((ref) => ref !== first && ref !== second)).toEqual([main.commit.sha]);
    expect(runReads.filter((ref) => ref === second)).toHaveLength(1);
    expect(m.reviewers[0]?.requests).toHaveLength(0);
    expect(await reviews(s)).toHaveLength(0);
    const fixPrompt = JSON.stringify(m.developer.requests.at(-1)?.messages ?? []);
    expect(fixPrompt).toContain("maxAttempts above 10 must be refused");
    expect(fixPrompt).toContain("ci/test");
    expect(fixPrompt).toContain(
      "test/retry.test.ts:12-14 (failure): caps maxAttempts: AssertionError: expected function to throw",
    );
    expect((await triadCheck(s, first))?.output.title).toBe("Fix round 1");

    await ci.rest.checks.create({
      ...repo,
      name: "ci/test",
      head_sha: second,
      status: "completed",
      conclusion: "success",
    });
    await waitFor("the review", () => trackingNow(s, issue).startsWith("Ready"), 30_000);
    expect(m.reviewers[0]?.requests.length).toBeGreaterThan(0);
    const all = await reviews(s);
    expect(all).toHaveLength(1);
    expect(all[0]?.commit_id).toBe(second);
  });

  it("CI does not finish within ci_timeout_minutes → the reviewers start, and the review says why", {
    timeout: 90_000,
  }, async () => {
    const m = models();
    // One GitHub minute: 1.2 s at the tests' time scale.
    const s = await startSampleStack("ci-timeout", { models: scriptedModels(m), files: timeout(1) });
    stack = s;
    const ci = await ciApp(s);
    await ciRanOnMain(ci, ["ci/test", "ci/slow"]);
    const issue = await toApprovedPlan(s);
    // Nothing ever runs on the head: the deadline (1.2 s) opens the gate.
    await waitFor("the review", () => trackingNow(s, issue).startsWith("Ready"), 30_000);
    expect(m.reviewers[0]?.requests.length).toBeGreaterThan(0);
    const [review] = await reviews(s);
    expect(review?.body).toMatch(
      /CI did not finish within 1 minute on [0-9a-f]{7} \(0 of 2 checks done; still running: ci\/slow, ci\/test\): the reviewers started without it\./,
    );
  });
});

/** The sample's config with a CI timeout (long where the test completes CI itself, so load never fires it). */
const timeout = (minutes: number) => ({
  ".github/triad.yml": `${SAMPLE_CONFIG}\nci_timeout_minutes: ${minutes}\n`,
});
const SAMPLE_CONFIG = readFileSync(join(EXAMPLES_DIR, "sample-repo/.github/triad.yml"), "utf8");
