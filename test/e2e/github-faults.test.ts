import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { createAppAuth } from "../../src/github/app-auth.js";
import { scriptedModels } from "../../src/models/provider.js";
import type { CallRecord } from "../../src/sim/github/index.js";
import { SAMPLE, sampleIssue } from "../../src/sim/sample.js";
import { demoModels } from "../../src/sim/scenario.js";
import { developerFixSteps, developerSteps } from "../../src/sim/scenario-developer.js";
import { DEMO_FINDING_ID, DEMO_PLAN_FINDING } from "../../src/sim/scenario-review.js";
import { ARCHITECT, say, TRACKING, toApprovedPlan, trackingNow } from "../helpers/conversation.js";
import { gated } from "../helpers/gate.js";
import { expectHttp } from "../helpers/http-expect.js";
import { clean, cleanReview, met, replace, submit, withReviewers } from "../helpers/models.js";
import { withQueue } from "../helpers/queue.js";
import { REDIS_URL } from "../helpers/redis.js";
import { settled } from "../helpers/settle.js";
import { installationClient } from "../helpers/sim-clients.js";
import { botComments, repo, type SampleStack, startSampleStack } from "../helpers/stack.js";
import { waitFor } from "../helpers/wait.js";

/**
 * GitHub's faults and its eventual consistency, end to end on the faithful simulator (issue 12,
 * problems 3, 6, 7, 8): lost answers, lagging refs and pull requests, calls that never answer,
 * webhooks out of order, another app's check run, another installation's token.
 */
let stack: SampleStack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const installationCalls = (s: SampleStack): CallRecord[] =>
  s.sim.calls.filter((c) => c.actor === "installation");
const count = (calls: CallRecord[], method: string, route: string) =>
  calls.filter((c) => c.method === method && c.route === route).length;
const R = "/repos/{owner}/{repo}";

async function thePull(s: SampleStack) {
  const maya = s.user(SAMPLE.maintainer);
  const { data: pulls } = await maya.rest.pulls.list({ ...repo, state: "all" });
  const pr = pulls[0];
  if (!pr) throw new Error("no pull request");
  const { data: reviews } = await maya.rest.pulls.listReviews({ ...repo, pull_number: pr.number });
  const { data: comments } = await maya.rest.pulls.listReviewComments({ ...repo, pull_number: pr.number });
  const { data: commits } = await maya.rest.pulls.listCommits({ ...repo, pull_number: pr.number });
  return { pulls, pr, reviews, comments, commits };
}

describe("lost answers: GitHub carried the write out, the answer was a 502", () => {
  it("on every kind of write triad makes, nothing is posted or made twice", {
    timeout: 120_000,
  }, async () => {
    const agreed = { ...DEMO_PLAN_FINDING, conflicts_with_plan: false };
    const m = withReviewers(
      [[submit({ findings: [agreed], plan_compliance: met }), { repeat: true, ...submit(clean) }]],
      { developer: [...developerSteps(), ...developerFixSteps(DEMO_FINDING_ID)] },
    );
    const s = await startSampleStack("lost-writes", { models: scriptedModels(m) });
    stack = s;
    const writes = [
      `POST ${R}/issues/{issue_number}/comments`,
      `PATCH ${R}/issues/comments/{comment_id}`,
      `POST ${R}/issues/{issue_number}/reactions`,
      `POST ${R}/issues/comments/{comment_id}/reactions`,
      `POST ${R}/git/trees`,
      `POST ${R}/git/commits`,
      `POST ${R}/git/refs`,
      `PATCH ${R}/git/refs/{ref}`,
      `POST ${R}/pulls`,
      `POST ${R}/issues/{issue_number}/labels`,
      `DELETE ${R}/issues/{issue_number}/labels/{name}`,
      `POST ${R}/pulls/{pull_number}/reviews`,
      `POST ${R}/check-runs`,
      `PATCH ${R}/check-runs/{check_run_id}`,
      // The fix round's PR body, which says what it did about each finding (no reply in the threads).
      `PATCH ${R}/pulls/{pull_number}`,
    ];
    // The tree, the commit and the check run lose their answer in the fix round, the others at their
    // first use: no one step meets more lost answers than its attempts allow.
    const inFixRound = new Set([`POST ${R}/git/trees`, `POST ${R}/git/commits`, `POST ${R}/check-runs`]);
    const rules = writes.map((route) =>
      s.sim.faults.add({
        route,
        actor: "installation",
        kind: "lost-response",
        skip: inFixRound.has(route) ? 1 : 0,
      }),
    );
    const issue = await toApprovedPlan(s, 40_000);
    await waitFor("ready", () => trackingNow(s, issue).startsWith("Ready"), 60_000);
    await s.sim.waitForIdle();
    // Every kind of write lost its answer once.
    expect(rules.map((r, i) => [writes[i], r.hits])).toEqual(writes.map((w) => [w, 1]));

    const thread = s.thread(issue);
    expect(botComments(thread, TRACKING)).toHaveLength(1);
    expect(botComments(thread, ARCHITECT)).toHaveLength(3); // questions, plan v1, plan v2
    expect(botComments(thread, "<!-- triad:error")).toEqual([]);
    expect(thread.reactions.filter((r) => r.user === "triad[bot]")).toHaveLength(1);
    const got = await thePull(s);
    expect(got.pulls).toHaveLength(1);
    expect(got.commits).toHaveLength(2);
    expect(got.pr.labels.map((l) => l.name).sort()).toEqual(["triad", "triad:ready"]);
    // One review per head sha (a thread reply is a review of its own on GitHub, with no body).
    expect(got.reviews.filter((r) => r.body?.includes("<!-- triad:review"))).toHaveLength(2);
    const replies = got.comments.filter((c) => c.in_reply_to_id !== undefined && c.in_reply_to_id !== null);
    expect(replies).toEqual([]);
    expect(got.pr.body).toMatch(/- \*\*Fix round 1:\*\*[^\n]*\n {2}- ✅ fixed — \[major · /);
    for (const sha of got.commits.map((c) => c.sha)) {
      const { data } = await s.user(SAMPLE.maintainer).rest.checks.listForRef({ ...repo, ref: sha });
      expect(data.check_runs.filter((c) => c.name === "triad/review")).toHaveLength(1);
    }
    // No POST was sent again blindly: one request per thing made, the lost one included.
    const calls = installationCalls(s);
    // tracking, questions, plan v1, plan v2, and the "ready for you" notice.
    expect(count(calls, "POST", `${R}/issues/{issue_number}/comments`)).toBe(5);
    expect(count(calls, "POST", `${R}/pulls`)).toBe(1);
    expect(count(calls, "POST", `${R}/pulls/{pull_number}/reviews`)).toBe(2);
    expect(count(calls, "POST", `${R}/check-runs`)).toBe(2);
    expect(count(calls, "POST", `${R}/pulls/{pull_number}/comments/{comment_id}/replies`)).toBe(0);
    expect(count(calls, "POST", `${R}/git/refs`)).toBe(1);
  });
});

describe("a write looks for itself only when an earlier attempt may have made it", () => {
  const LIST = `GET ${R}/issues/{issue_number}/comments`;
  const POST = `POST ${R}/issues/{issue_number}/comments`;
  const REPLY = "<!-- triad:reply id=";

  it("a first attempt posts without listing the thread; a retried one lists it and posts nothing twice", {
    timeout: 60_000,
  }, async () => {
    const s = await startSampleStack("write-once", { models: scriptedModels(demoModels()) });
    stack = s;
    const { title, body } = sampleIssue();
    const issue = await s.openIssue(title, body);
    await s.label(issue, "triad");
    await waitFor(
      "waiting for answers",
      () => trackingNow(s, issue).startsWith("Waiting for answers"),
      30_000,
    );
    await settled(s);

    // First attempt: nothing can have written the reply yet, so it is posted at once.
    const first = expectHttp(s.sim, { actor: "installation" }).expect(POST).allowReads();
    const status = await say(s, issue, "/triad status");
    await waitFor("the reply", () => botComments(s.thread(issue), `${REPLY}${status} -->`).length === 1);
    await settled(s);
    expect(first.verify().filter((c) => `${c.method} ${c.route}` === LIST)).toEqual([]);

    // GitHub makes the next reply but loses its answer: the retried job lists the thread, finds the
    // reply by its marker, and posts nothing again.
    s.sim.faults.add({ route: POST, actor: "installation", kind: "lost-response", times: 1 });
    const retried = expectHttp(s.sim, { actor: "installation" })
      .expect(POST, { status: 502 })
      .expect(LIST, { min: 1 })
      .allow(`PATCH ${R}/issues/comments/{comment_id}`)
      .allowReads();
    const again = await say(s, issue, "/triad status");
    await waitFor(
      "the second reply",
      () => botComments(s.thread(issue), `${REPLY}${again} -->`).length === 1,
    );
    // Once the retried job is done: one POST (the lost one), one reply each.
    await settled(s);
    const calls = retried.verify();
    expect(calls.filter((c) => `${c.method} ${c.route}` === POST)).toHaveLength(1);
    expect(botComments(s.thread(issue), REPLY)).toHaveLength(2);
  });

  // An issue with no comments has no tracking comment to rebuild a state from, nor any of triad's.
  it("a start on an issue with no comments: the issue is read and the tracking comment posted, with no thread listed before it", {
    timeout: 60_000,
  }, async () => {
    const s = await startSampleStack("start-no-listing", { models: scriptedModels(demoModels()) });
    stack = s;
    const { title, body } = sampleIssue();
    const issue = await s.openIssue(title, body);
    const from = s.sim.calls.length;
    await s.label(issue, "triad");
    await waitFor(
      "waiting for answers",
      () => trackingNow(s, issue).startsWith("Waiting for answers"),
      30_000,
    );
    await settled(s);
    const calls = s.sim.calls
      .slice(from)
      .filter((c) => c.actor === "installation")
      .map((c) => `${c.method} ${c.route}`);
    // The architect's turn lists the thread it reads; before it, the start listed nothing.
    const firstPost = calls.indexOf(`POST ${R}/issues/{issue_number}/comments`);
    expect(firstPost).toBeGreaterThan(-1);
    expect(calls.slice(0, firstPost)).not.toContain(LIST);
    expect(calls.slice(0, firstPost)).toContain(`GET ${R}/issues/{issue_number}`);
  });
});

describe("eventual consistency", () => {
  it("a new branch that is no valid PR head yet, and a new PR that cannot be labelled yet: tried again shortly", async () => {
    const s = await startSampleStack("consistency", {
      models: scriptedModels(cleanReview()),
      // GitHub time 5× (not the tests' 50×): the lag must outlast the real gap between making the
      // branch and asking for the PR, even on a loaded machine (4 s here is 0.8 s real).
      github: { timeScale: 5, consistency: { refLagMs: 4_000, pullLagMs: 4_000 } },
    });
    stack = s;
    const issue = await toApprovedPlan(s);
    await waitFor("ready", () => trackingNow(s, issue).startsWith("Ready"), 30_000);
    const calls = installationCalls(s);
    const pulls = calls.filter((c) => c.method === "POST" && c.route === `${R}/pulls`).map((c) => c.status);
    expect(pulls[0]).toBe(422);
    expect(pulls.at(-1)).toBe(201);
    expect(pulls.filter((st) => st === 201)).toHaveLength(1);
    const labels = calls
      .filter((c) => c.method === "POST" && c.route === `${R}/issues/{issue_number}/labels`)
      .map((c) => c.status);
    expect(labels[0]).toBe(422);
    expect(labels.at(-1)).toBe(200);
    expect(botComments(s.thread(issue), "<!-- triad:error")).toEqual([]);
    expect((await thePull(s)).pr.labels.map((l) => l.name).sort()).toEqual(["triad", "triad:ready"]);
  });
});

describe("calls that never answer", () => {
  // Resolving the default branch's head for the architect's snapshot: only steps make this call.
  const hangingResolve = { route: `GET ${R}/commits/{ref}`, actor: "installation", kind: "hang" as const };

  it("a hanging call times out and is tried again; the step goes on", async () => {
    const s = await startSampleStack("hang", {
      models: scriptedModels(demoModels()),
      extraEnv: { TRIAD_GITHUB_TIMEOUT_MS: "1500" },
    });
    stack = s;
    s.sim.faults.add({ ...hangingResolve, times: 1 });
    const { title, body } = sampleIssue();
    const issue = await s.openIssue(title, body);
    await s.label(issue, "triad");
    await waitFor(
      "the architect's questions",
      () => botComments(s.thread(issue), ARCHITECT).length === 1,
      30_000,
    );
    const resolves = installationCalls(s).filter((c) => c.route === `${R}/commits/{ref}`);
    expect(resolves.map((c) => c.status)).toEqual([0, 200]);
    expect(resolves[0]?.fault).toBe("hang");
    expect(botComments(s.thread(issue), "<!-- triad:error")).toEqual([]);
  });

  it("/triad stop while a step's call hangs stops the workflow", { timeout: 60_000 }, async () => {
    const m = demoModels();
    const s = await startSampleStack("hang-stop", {
      models: scriptedModels(m),
      extraEnv: { TRIAD_GITHUB_TIMEOUT_MS: "2500" },
    });
    stack = s;
    // Every look-up of the default branch's head hangs: the architect can never start.
    s.sim.faults.add({ ...hangingResolve, times: Number.POSITIVE_INFINITY });
    const { title, body } = sampleIssue();
    const issue = await s.openIssue(title, body);
    await s.label(issue, "triad");
    await waitFor("the first hang", () => s.sim.faults.hanging > 0, 20_000);
    await say(s, issue, "/triad stop");
    await waitFor("stopped", () => trackingNow(s, issue).startsWith("Stopped"), 30_000);
    // The architect step ended cleanly: its job completed (not failed), no model was asked, nothing
    // failed on the issue, and the label is off.
    await waitFor("the architect's job to end", async () => {
      const states = await jobStates(s, "architect");
      return states.length > 0 && states.every((st) => st === "completed");
    });
    expect(m.architect.requests).toHaveLength(0);
    expect(botComments(s.thread(issue), ARCHITECT)).toEqual([]);
    expect(botComments(s.thread(issue), "<!-- triad:error")).toEqual([]);
    expect(botComments(s.thread(issue), TRACKING)[0]?.body).toMatch(/Stopped: maya said `\/triad stop`/);
    expect(s.thread(issue).labels).not.toContain("triad");
  });
});

describe("webhooks out of order", () => {
  it("a merge whose issues.closed arrives before pull_request.closed still ends as merged, with the summary", async () => {
    const s = await startSampleStack("merge-order", { models: scriptedModels(cleanReview()) });
    stack = s;
    const issue = await toApprovedPlan(s);
    await waitFor("ready", () => trackingNow(s, issue).startsWith("Ready"), 30_000);
    const held = s.sim.webhooks.hold({ event: "pull_request", action: "closed" });
    const { pr } = await thePull(s);
    await s.user(SAMPLE.maintainer).rest.pulls.merge({ ...repo, pull_number: pr.number });
    // issues.closed ("Closes #n") is handled first: the workflow waits for the PR's own event.
    await waitFor("the issue's close seen", () =>
      botComments(s.thread(issue), TRACKING)[0]?.body.includes("The issue was closed by maya"),
    );
    expect(trackingNow(s, issue)).toMatch(/^Ready/);
    expect(held.held).toBe(1);
    held.release();
    await waitFor("merged", () => trackingNow(s, issue).startsWith("Merged"));
    expect(botComments(s.thread(issue), TRACKING)[0]?.body).toMatch(/### Summary/);
  });
});

describe("other apps and installations", () => {
  it("another app's triad/review check on the same head is left alone; triad updates its own", async () => {
    const base = cleanReview();
    const reviewer = gated(base.reviewers[0] as NonNullable<(typeof base.reviewers)[0]>);
    const s = await startSampleStack("other-app-check", {
      models: scriptedModels(replace(base, { reviewer: reviewer.model })),
    });
    stack = s;
    const issue = await toApprovedPlan(s);
    await reviewer.reached;
    // triad's check is in progress on the head; another app makes one of the same name.
    const other = s.sim.registerApp({ slug: "impostor" });
    const { installationId } = s.sim.installApp(SAMPLE.owner, { appId: other.appId });
    const impostor = await installationClient(s.sim, installationId, {
      appId: other.appId,
      privateKey: other.privateKey,
    });
    const { pr } = await thePull(s);
    await impostor.rest.checks.create({
      ...repo,
      name: "triad/review",
      head_sha: pr.head.sha,
      status: "completed",
      conclusion: "failure",
      output: { title: "not triad", summary: "another app" },
    });
    reviewer.open();
    await waitFor("ready", () => trackingNow(s, issue).startsWith("Ready"), 30_000);
    const { data } = await s.user(SAMPLE.maintainer).rest.checks.listForRef({ ...repo, ref: pr.head.sha });
    const runs = data.check_runs.filter((c) => c.name === "triad/review");
    expect(runs.map((r) => [r.app?.slug, r.conclusion]).sort()).toEqual([
      ["impostor", "failure"],
      ["triad", "success"],
    ]);
    expect(botComments(s.thread(issue), "<!-- triad:error")).toEqual([]);
  });

  it("each workflow runs as its own installation; a token of another installation is refused", async () => {
    const s = await startSampleStack("two-installations", { models: scriptedModels(cleanReview()) });
    stack = s;
    const globex = s.sim.createRepo({
      owner: "globex",
      name: "secret",
      private: true,
      files: { "README.md": "# secret\n" },
    });
    s.sim.addCollaborator(globex.fullName, SAMPLE.maintainer, "maintain");
    const { installationId: globexInstallation } = s.sim.installApp("globex");
    const ours = { owner: "globex", repo: "secret" };
    const maya = s.user(SAMPLE.maintainer);
    const { data: theirs } = await maya.rest.issues.create({ ...ours, title: "Globex's issue", body: "x" });
    const ourIssue = await s.openIssue();
    await maya.rest.issues.addLabels({ ...ours, issue_number: theirs.number, labels: ["triad"] });
    await s.label(ourIssue, "triad");
    await waitFor("acme's tracking comment", () => botComments(s.thread(ourIssue), TRACKING).length === 1);
    const globexThread = async () =>
      (await maya.rest.issues.listComments({ ...ours, issue_number: theirs.number })).data;
    await waitFor("globex's tracking comment", async () =>
      (await globexThread()).some((c) => c.body?.includes(TRACKING) && c.user?.login === "triad[bot]"),
    );
    // Each repository was written with its own installation's token.
    const byInstallation = (n: number) =>
      new Set(
        s.sim.calls
          .filter((c) => c.actor === "installation" && c.installationId === n)
          .map((c) => c.path.split("/").slice(2, 4).join("/")),
      );
    expect([...byInstallation(s.seeded.installationId)]).toEqual([`${SAMPLE.owner}/${SAMPLE.repo}`]);
    expect([...byInstallation(globexInstallation)]).toEqual(["globex/secret"]);

    // A client of acme's installation, as triad's worker makes it, is refused on globex's repository.
    const auth = await createAppAuth({ appId: s.sim.appId, privateKey: s.sim.privateKey }, s.sim.url, s.log, {
      pacer: undefined,
      timeoutMs: 5_000,
    });
    const acme = await auth.installation(s.seeded.installationId);
    await expect(acme.rest.repos.get(ours)).rejects.toMatchObject({ status: 404 });
    await expect(
      acme.rest.issues.createComment({ ...ours, issue_number: theirs.number, body: "from the wrong token" }),
    ).rejects.toMatchObject({ status: 404 });

    // An event that names the wrong installation (a misrouted delivery) writes nothing anywhere.
    const forged = await signedLabelEvent(s, { owner: "globex", name: "secret", issue: theirs.number });
    expect(forged.status).toBe(200);
    await waitFor("the forged event's drain to end", async () => {
      const states = await jobStates(s, "events", `drain-${forgedDelivery}`);
      return states.length === 1 && ["completed", "failed"].includes(states[0] as string);
    });
    const wrong = s.sim.calls.filter(
      (c) => c.installationId === s.seeded.installationId && c.path.startsWith("/repos/globex/"),
    );
    expect(wrong.length).toBeGreaterThan(0);
    for (const c of wrong) expect(c.status).toBe(404);
  });
});

const forgedDelivery = "forged-delivery-1";

/** The states of a queue's jobs (or of one job). */
function jobStates(s: SampleStack, queue: string, id?: string): Promise<string[]> {
  return withQueue(REDIS_URL, s.env.TRIAD_REDIS_PREFIX, queue, async (q) => {
    const jobs = await q.getJobs(["waiting", "delayed", "active", "completed", "failed", "prioritized"]);
    return Promise.all(jobs.filter((j) => id === undefined || j.id === id).map((j) => j.getState()));
  });
}

/** A correctly signed `issues.labeled` webhook for globex's issue that names acme's installation. */
async function signedLabelEvent(
  s: SampleStack,
  at: { owner: string; name: string; issue: number },
): Promise<Response> {
  const real = s.sim.deliveries.find(
    (d) =>
      d.event === "issues" &&
      d.action === "labeled" &&
      JSON.stringify(d.payload).includes(`"${at.owner}/${at.name}"`),
  );
  if (!real) throw new Error("no labeled delivery for globex");
  const payload = {
    ...(real.payload as Record<string, unknown>),
    installation: { id: s.seeded.installationId },
  };
  const body = JSON.stringify(payload);
  const signature = `sha256=${createHmac("sha256", s.vars.WEBHOOK_SECRET as string)
    .update(body)
    .digest("hex")}`;
  return fetch(new URL(s.env.WEBHOOK_PATH, s.web.url), {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "issues",
      "x-github-delivery": forgedDelivery,
      "x-hub-signature-256": signature,
    },
    body,
  });
}

describe("turns per installation", () => {
  it("past the cap, workflows wait in order and say how many are ahead; all of them finish", {
    timeout: 60_000,
  }, async () => {
    const base = demoModels();
    const architect = gated(base.architect);
    const s = await startSampleStack("turns", {
      models: scriptedModels(replace(base, { architect: architect.model })),
      extraEnv: { TRIAD_GITHUB_MAX_ACTIVE_WORKFLOWS: "1" },
    });
    stack = s;
    const { title, body } = sampleIssue();
    const issues = [
      await s.openIssue(title, body),
      await s.openIssue(title, body),
      await s.openIssue(title, body),
    ];
    const tracking = (n: number) => botComments(s.thread(n), TRACKING)[0]?.body ?? "";
    await s.label(issues[0] as number, "triad");
    await architect.reached; // the first workflow has the installation's only turn
    await s.label(issues[1] as number, "triad");
    await waitFor("the second waiting", () =>
      tracking(issues[1] as number).includes("waiting: next in line in this installation"),
    );
    await s.label(issues[2] as number, "triad");
    await waitFor("the third waiting", () =>
      tracking(issues[2] as number).includes("waiting: 1 workflow ahead in this installation"),
    );
    architect.open();
    for (const n of issues)
      await waitFor(`questions on #${n}`, () => botComments(s.thread(n), ARCHITECT).length === 1, 30_000);
    const postedAt = issues.map((n) => botComments(s.thread(n), ARCHITECT)[0]?.id ?? 0);
    expect([...postedAt].sort((a, b) => a - b)).toEqual(postedAt); // in the order they were labelled
    // Once a workflow's turn came and its step ran, its tracking comment no longer says it waits.
    await waitFor("no workflow shown waiting", () => issues.every((n) => !/waiting:/.test(tracking(n))));
  });
});
