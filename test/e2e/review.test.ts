import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import type { ReviewOutput } from "../../src/core/schemas/review.js";
import { TriadError } from "../../src/errors.js";
import { scriptedModels } from "../../src/models/provider.js";
import { queuePrefix } from "../../src/queue/names.js";
import {
  SCRIPTED_REFS,
  ScriptedModel,
  type ScriptedRoleModels,
  type ScriptStep,
} from "../../src/sim/models/scripted-model.js";
import { SAMPLE, sampleIssue } from "../../src/sim/sample.js";
import { architectSteps, DEMO_ANSWERS, DEMO_PLANS, demoModels } from "../../src/sim/scenario.js";
import { developerFixSteps, developerSteps } from "../../src/sim/scenario-developer.js";
import { DEMO_FINDING_ID, DEMO_PLAN_FINDING, DEMO_RULING } from "../../src/sim/scenario-review.js";
import { type ChildWorker, spawnWorker } from "../helpers/child-worker.js";
import { planComment, say, TRACKING, toApprovedPlan, trackingNow } from "../helpers/conversation.js";
import { capAttemptsFix } from "../helpers/models.js";
import { allJobs } from "../helpers/queue.js";
import { settled } from "../helpers/settle.js";
import { botComments, repo, type SampleStack, startSampleStack } from "../helpers/stack.js";
import { waitFor } from "../helpers/wait.js";

let stack: SampleStack | undefined;
const workers: ChildWorker[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) await w.kill();
  await stack?.stop();
  stack = undefined;
});

const met = [1, 2, 3].map((step) => ({ step, status: "met" as const, note: "ok" }));
const clean: ReviewOutput = { findings: [], plan_compliance: met };
const submit = (output: ReviewOutput): ScriptStep => ({
  toolCalls: [{ name: "submit_review", input: output }],
});
const agreedFinding = { ...DEMO_PLAN_FINDING, conflicts_with_plan: false };

/** The demo's models with other reviewers (one list of steps per reviewer slot). */
function models(
  reviewers: ScriptStep[][],
  extra: { architect?: ScriptStep[]; developer?: ScriptStep[] } = {},
): ScriptedRoleModels {
  const base = demoModels();
  const refs = [SCRIPTED_REFS.reviewerA, SCRIPTED_REFS.reviewerB];
  return {
    architect: extra.architect ? new ScriptedModel(base.architect.ref, extra.architect) : base.architect,
    developer: extra.developer ? new ScriptedModel(base.developer.ref, extra.developer) : base.developer,
    reviewers: reviewers.map((steps, i) => new ScriptedModel(refs[i] ?? SCRIPTED_REFS.reviewerA, steps)),
  };
}

async function start(name: string, m: ScriptedRoleModels, files?: Record<string, string>) {
  stack = await startSampleStack(name, { models: scriptedModels(m), ...(files ? { files } : {}) });
  return stack;
}

async function theReviewsConclude(s: SampleStack, issue: number, pattern = /^(Ready|Needs a human)/) {
  await waitFor("the reviews to conclude", () => pattern.test(trackingNow(s, issue)), 30_000);
}

async function pr(s: SampleStack) {
  const { data } = await s.user("maya").rest.pulls.list({ ...repo, state: "all" });
  const [only] = data;
  if (!only) throw new Error("no pull request");
  const { data: reviews } = await s
    .user("maya")
    .rest.pulls.listReviews({ ...repo, pull_number: only.number });
  const { data: commits } = await s
    .user("maya")
    .rest.pulls.listCommits({ ...repo, pull_number: only.number });
  const { data: checks } = await s.user("maya").rest.checks.listForRef({ ...repo, ref: only.head.sha });
  return {
    pr: only,
    reviews,
    commits,
    checks: checks.check_runs,
    labels: only.labels.map((l) => l.name).sort(),
  };
}

describe("cross-vendor review (simulator, scripted models)", () => {
  it("clean review → ready: one COMMENT review, check success, label triad:ready", async () => {
    const s = await start("review-clean", models([[submit(clean)]]));
    const issue = await toApprovedPlan(s);
    await theReviewsConclude(s, issue);
    expect(trackingNow(s, issue)).toMatch(/^Ready/);
    const got = await pr(s);
    expect(got.reviews).toHaveLength(1);
    expect(got.reviews[0]?.state).toBe("COMMENTED");
    expect(got.reviews[0]?.body).toMatch(/Review 1 of 1 · openai:scripted-reviewer-a[\s\S]*No findings/);
    expect(got.labels).toEqual(["triad", "triad:ready"]);
    expect(got.checks.map((c) => [c.name, c.status, c.conclusion])).toEqual([
      ["triad/review", "completed", "success"],
    ]);
    // The check's "Details" link opens the workflow's tracking comment.
    const tracking = botComments(s.thread(issue), TRACKING)[0];
    expect(got.checks[0]?.details_url).toMatch(
      new RegExp(`/${repo.owner}/${repo.repo}/issues/${issue}#issuecomment-${tracking?.id}$`),
    );
  });

  it("an agreed finding → one fix round (listed in the PR body, incremental re-review) → ready", async () => {
    const m = models(
      [[submit({ findings: [agreedFinding], plan_compliance: met }), { repeat: true, ...submit(clean) }]],
      {
        developer: [...developerRound0Steps(), ...developerFixSteps(DEMO_FINDING_ID)],
      },
    );
    const s = await start("review-fix", m);
    const issue = await toApprovedPlan(s);
    await theReviewsConclude(s, issue);
    expect(trackingNow(s, issue)).toMatch(/^Ready/);
    const got = await pr(s);
    expect(got.commits).toHaveLength(2);
    expect(got.commits[1]?.commit.message).toMatch(
      /Address review findings, round 1[\s\S]*Triad-Round: .*round-1/,
    );
    const inline = got.reviews.filter((r) => (r.body ?? "").includes("Review 1 of 1"));
    expect(inline).toHaveLength(2); // one per head sha
    const { data: comments } = await s
      .user("maya")
      .rest.pulls.listReviewComments({ ...repo, pull_number: got.pr.number });
    const finding = comments.find((c) => c.body.includes(`triad:finding id=${DEMO_FINDING_ID}`));
    expect(finding?.path).toBe("src/retry.ts");
    expect(finding?.body).toMatch(/Major/);
    // What the round did is said once, in the PR body's rounds section, linked to the finding's
    // thread — not in a reply in each thread (one content-creating request per finding).
    expect(comments.filter((c) => c.in_reply_to_id === finding?.id)).toEqual([]);
    const round1 = got.pr.body?.split("- **Fix round 1:**")[1] ?? "";
    expect(round1).toContain(
      `✅ fixed — [major · src/retry.ts:${finding?.line}](${got.pr.html_url}#discussion_r${finding?.id})`,
    );
    // The second review saw only what changed since the first.
    const secondPrompt = m.reviewers[0]?.requests.at(-1)?.messages[0];
    expect(secondPrompt?.role === "user" ? secondPrompt.content : "").toMatch(/incremental review/);
    expect(got.checks.find((c) => c.name === "triad/review")?.conclusion).toBe("success");
  });

  it("disagreement → the architect's ruling comment → fix round → ready (the demo's path, two reviewers)", async () => {
    const s = await start("review-ruling", demoModels());
    await s
      .user("maya")
      .rest.issues.createLabel({ ...repo, name: "triad:important", color: "ff0000" })
      .catch(() => undefined);
    const issue = await toApprovedPlan(s, 20_000, ["triad:important"]);
    await theReviewsConclude(s, issue);
    expect(trackingNow(s, issue)).toMatch(/^Ready/);
    const ruling = botComments(s.thread(issue), "The architect's ruling")[0];
    expect(ruling?.body).toMatch(
      /\| F1: major — A Retry-After longer than maxDelayMs[\s\S]*✅ accepted \| Right: the maintainer asked/,
    );
    const got = await pr(s);
    expect(got.reviews.filter((r) => /Review \d of 2/.test(r.body ?? ""))).toHaveLength(4); // 2 reviewers × 2 head shas
    expect(got.commits).toHaveLength(2);
  });

  it("the important label added while planning: two reviewers, known from the label event (no label listing per round)", async () => {
    const s = await start("review-important-later", demoModels());
    await s
      .user("maya")
      .rest.issues.createLabel({ ...repo, name: "triad:important", color: "ff0000" })
      .catch(() => undefined);
    const { title, body } = sampleIssue();
    const issue = await s.openIssue(title, body);
    await s.label(issue, "triad");
    await waitFor(
      "the architect's questions",
      () => botComments(s.thread(issue), "<!-- triad:architect id=").length === 1,
    );
    await s.user("maya").rest.issues.addLabels({ ...repo, issue_number: issue, labels: ["triad:important"] });
    await say(s, issue, DEMO_ANSWERS.answers);
    await waitFor("plan v1", () => planComment(s, issue, 1));
    await say(s, issue, DEMO_ANSWERS.change);
    await waitFor("plan v2", () => planComment(s, issue, 2));
    await waitFor("awaiting approval of v2", () => trackingNow(s, issue).includes("to plan v2"));
    await say(s, issue, "approved");
    await theReviewsConclude(s, issue);
    const got = await pr(s);
    expect(got.reviews.filter((r) => /Review \d of 2/.test(r.body ?? "")).length).toBeGreaterThanOrEqual(2);
    expect(s.sim.calls.filter((c) => c.method === "GET" && /\/issues\/\d+\/labels$/.test(c.path))).toEqual(
      [],
    );
  });

  it("a finding that changes the plan's structure → revised plan → a new approval is needed", async () => {
    const revised = {
      ...DEMO_PLANS.v2,
      goal: `${DEMO_PLANS.v2.goal} Retry-After beyond the cap ends the retries.`,
    };
    const m = models(
      [[submit({ findings: [DEMO_PLAN_FINDING], plan_compliance: met }), { repeat: true, ...submit(clean) }]],
      {
        architect: [
          ...demoArchitectSteps(),
          { toolCalls: [{ name: "submit_ruling", input: { ...DEMO_RULING, revised_plan: revised } }] },
        ],
      },
    );
    const s = await start("review-replan", m);
    const issue = await toApprovedPlan(s);
    await waitFor("plan v3", () => planComment(s, issue, 3), 30_000);
    await waitFor("awaiting approval of v3", () => trackingNow(s, issue).includes("to plan v3"));
    expect(
      botComments(s.thread(issue), "**The architect's ruling on the disputed findings**")[0]?.body,
    ).toMatch(/plan's structure has to change/);
    expect((await pr(s)).commits).toHaveLength(1);
  });

  it("the fix-round cap → needs a human, with what is still open", async () => {
    const second = {
      ...agreedFinding,
      anchor:
        "export const DEFAULT_RETRY: Required<RetryOptions> = { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 5_000 };",
      message: "maxAttempts is not validated: 0 or a negative number sends no request at all.",
    };
    const m = models(
      [
        [
          submit({ findings: [agreedFinding], plan_compliance: met }),
          submit({ findings: [second], plan_compliance: met }),
        ],
      ],
      {
        developer: [...developerRound0Steps(), ...developerFixSteps(DEMO_FINDING_ID)],
      },
    );
    const s = await start("review-cap", m, { ".github/triad.yml": "max_fix_rounds: 1\n" });
    const issue = await toApprovedPlan(s);
    await theReviewsConclude(s, issue);
    expect(trackingNow(s, issue)).toMatch(/^Needs a human/);
    const tracking = botComments(s.thread(issue), TRACKING)[0]?.body ?? "";
    expect(tracking).toMatch(/maxAttempts is not validated/);
    const got = await pr(s);
    expect(got.labels).toContain("triad:needs-human");
    expect(got.checks.find((c) => c.name === "triad/review")?.conclusion).toBe("failure");
  });

  it("a failed CI check and a maintainer's /triad fix each start a fix round; merging posts the final summary", {
    timeout: 90_000,
  }, async () => {
    const fixes: ScriptStep[] = [
      {
        toolCalls: [
          {
            name: "edit_file",
            input: {
              path: "src/retry.ts",
              old_string: "const RETRYABLE_STATUSES",
              new_string: "const RETRYABLE_STATUS_CODES",
            },
          },
        ],
      },
      {
        toolCalls: [
          {
            name: "edit_file",
            input: {
              path: "src/retry.ts",
              old_string: "return RETRYABLE_STATUSES.has(status);",
              new_string: "return RETRYABLE_STATUS_CODES.has(status);",
            },
          },
        ],
      },
      {
        toolCalls: [
          {
            name: "done",
            input: {
              summary: "Renamed the set, as the failing check asked.",
              plan_steps: [{ step: 1, status: "done", files: ["src/retry.ts"] }],
            },
          },
        ],
      },
      {
        toolCalls: [
          {
            name: "edit_file",
            input: {
              path: "src/retry.ts",
              old_string: "Defaults to 3.",
              new_string: "Defaults to 3; 1 turns retries off.",
            },
          },
        ],
      },
      {
        toolCalls: [
          {
            name: "done",
            input: {
              summary: "Documented maxAttempts 1.",
              plan_steps: [{ step: 1, status: "done", files: ["src/retry.ts"] }],
            },
          },
        ],
      },
    ];
    const m = models([[{ repeat: true, ...submit(clean) }]], {
      developer: [...developerRound0Steps(), ...fixes],
    });
    const s = await start("review-human", m);
    const issue = await toApprovedPlan(s);
    await theReviewsConclude(s, issue);
    const first = await pr(s);

    // The repository's CI (another app in real life) reports a failure on triad's head.
    const installation = await installationClient(s);
    await installation.rest.checks.create({
      ...repo,
      name: "ci/test",
      head_sha: first.pr.head.sha,
      status: "completed",
      conclusion: "failure",
      output: {
        title: "2 tests failed",
        summary: "test/retry.test.ts: RETRYABLE_STATUSES should be named RETRYABLE_STATUS_CODES",
      },
    });
    await waitFor("fix round 1 to finish", async () => (await pr(s)).commits.length === 2, 30_000);
    await theReviewsConclude(s, issue);
    const devPrompt = m.developer.requests.find((r) =>
      JSON.stringify(r.messages).includes("RETRYABLE_STATUS_CODES"),
    );
    expect(devPrompt).toBeDefined();

    const head = (await pr(s)).pr.number;
    await s.user("maya").rest.issues.createComment({
      ...repo,
      issue_number: head,
      body: "/triad fix Document that maxAttempts: 1 turns retries off.",
    });
    await waitFor("fix round 2 to finish", async () => (await pr(s)).commits.length === 3, 30_000);
    await theReviewsConclude(s, issue);
    expect(trackingNow(s, issue)).toMatch(/^Ready/);

    await s.user("maya").rest.pulls.merge({ ...repo, pull_number: head });
    await waitFor("merged", () => trackingNow(s, issue).startsWith("Merged"));
    const summary = botComments(s.thread(issue), TRACKING)[0]?.body ?? "";
    expect(summary).toMatch(/### Summary[\s\S]*2 fix round\(s\)[\s\S]*findings: 2 blocker/);
    expect(summary).toMatch(/\| developer \| \d+ \|/);
    expect(summary).toMatch(/raised by check:ci\/test 1, maya 1/);
    expect(summary).toMatch(
      /time from the label: reviewing after \d+ s · fixing after \d+ s · ready after \d+ s · merged after \d+ s/,
    );
  });

  it("a human review with changes requested becomes findings for a fix round; closing the PR unmerged stops the workflow", {
    timeout: 90_000,
  }, async () => {
    const fix = capAttemptsFix("Documented the upper bound.");
    const m = models([[{ repeat: true, ...submit(clean) }]], {
      developer: [...developerRound0Steps(), ...fix],
    });
    const s = await start("review-human-review", m);
    const issue = await toApprovedPlan(s);
    await theReviewsConclude(s, issue);
    const first = await pr(s);
    await s.user("maya").rest.pulls.createReview({
      ...repo,
      pull_number: first.pr.number,
      commit_id: first.pr.head.sha,
      event: "REQUEST_CHANGES",
      body: "Please document the upper bound of maxAttempts.",
      comments: [
        { path: "src/retry.ts", line: 3, side: "RIGHT", body: "Say what the largest sensible value is." },
      ],
    });
    await waitFor(
      "the fix round for the human review",
      async () => (await pr(s)).commits.length === 2,
      30_000,
    );
    await theReviewsConclude(s, issue);
    const prompt = m.developer.requests.find((r) =>
      JSON.stringify(r.messages).includes("largest sensible value"),
    );
    expect(prompt).toBeDefined();
    expect(JSON.stringify(prompt?.messages)).toMatch(/raised by maya/);

    await s.user("maya").rest.pulls.update({ ...repo, pull_number: first.pr.number, state: "closed" });
    await waitFor("closed", () => trackingNow(s, issue).startsWith("Closed"));
    expect(botComments(s.thread(issue), TRACKING)[0]?.body).toMatch(/closed without merging by maya/);
  });

  it("a reviewer that fails for good: one comment naming /triad retry; the retry runs the review again → ready", {
    timeout: 60_000,
  }, async () => {
    const m = models([[{ repeat: true, ...submit(clean) }]]);
    const real = m.reviewers[0] as ScriptedModel;
    let failures = 0;
    const flaky = {
      ref: real.ref,
      async chat(request: Parameters<ScriptedModel["chat"]>[0]) {
        if (failures++ === 0)
          throw new TriadError("auth_failed", "OPENAI_API_KEY is missing or invalid (401)");
        return real.chat(request);
      },
    };
    const s = await start("review-retry", { ...m, reviewers: [flaky as unknown as ScriptedModel] });
    const issue = await toApprovedPlan(s);
    const error = await waitFor(
      "the failure comment",
      () => botComments(s.thread(issue), "<!-- triad:error")[0],
      20_000,
    );
    expect(error.body).toMatch(
      /could not finish a step\*\* \(reviewer 1 on [0-9a-f]{7}\): OPENAI_API_KEY is missing or invalid[\s\S]*\/triad retry/,
    );
    await waitFor("the failure in the tracking comment", () =>
      botComments(s.thread(issue), TRACKING)[0]?.body.includes("**Failed:**"),
    );
    await say(s, issue, "/triad retry");
    await theReviewsConclude(s, issue);
    expect(trackingNow(s, issue)).toMatch(/^Ready/);
    expect(botComments(s.thread(issue), "<!-- triad:error")).toHaveLength(1);
  });

  it("a maintainer's /triad ignore on the only blocker → ready without a fix round; from a read-only user it is ignored", async () => {
    const m = models(
      [
        [
          submit({ findings: [{ ...agreedFinding, severity: "blocker" }], plan_compliance: met }),
          { repeat: true, ...submit(clean) },
        ],
      ],
      {
        developer: [...developerRound0Steps(), ...developerFixSteps(DEMO_FINDING_ID)],
      },
    );
    const s = await start("review-ignore", m);
    const issue = await toApprovedPlan(s);
    await waitFor("the pull request", () => trackingNow(s, issue).startsWith("Reviewers"), 20_000);
    // Hold the developer's queue so the maintainer answers before the fix round could start.
    const redis = new Redis(s.env.REDIS_URL, { maxRetriesPerRequest: null });
    const developer = new Queue("developer", {
      connection: redis,
      prefix: queuePrefix(s.env.TRIAD_REDIS_PREFIX),
    });
    await developer.pause();
    try {
      await waitFor(
        "the fix round to be queued",
        () => trackingNow(s, issue).includes("fix round 1"),
        20_000,
      );
      const { data: comments } = await s
        .user("maya")
        .rest.pulls.listReviewComments({ ...repo, pull_number: (await pr(s)).pr.number });
      const blocker = comments.find((c) => c.body.includes("triad:finding id="));
      const pull = (await pr(s)).pr.number;
      await s.user(SAMPLE.reader).rest.pulls.createReplyForReviewComment({
        ...repo,
        pull_number: pull,
        comment_id: blocker?.id as number,
        body: "/triad ignore not important",
      });
      // The developer's queue is held: wait for the event to be handled, then look.
      await settled(s, { queues: ["events"] });
      expect(trackingNow(s, issue)).toMatch(/fix round 1/);
      await s.user(SAMPLE.maintainer).rest.pulls.createReplyForReviewComment({
        ...repo,
        pull_number: pull,
        comment_id: blocker?.id as number,
        body: "/triad ignore this is intended",
      });
      await waitFor("ready", () => trackingNow(s, issue).startsWith("Ready"), 20_000);
    } finally {
      await developer.resume();
      await developer.close();
      redis.disconnect();
    }
    await settled(s);
    const got = await pr(s);
    expect(got.commits).toHaveLength(1);
    expect(got.labels).toContain("triad:ready");
    expect(botComments(s.thread(issue), TRACKING)[0]?.body).toMatch(
      /Overruled by maintainers:\*\* finding `[0-9a-f]{16}` by \*\*maya\*\*/,
    );
  });

  it("refuses to start when the repository configures a reviewer of the developer's vendor", async () => {
    const s = await start("review-vendor", demoModels(), {
      ".github/triad.yml":
        "models:\n  developer: anthropic:claude-sonnet-4-6\n  reviewers: [anthropic:claude-opus-5]\n",
    });
    const issueNumber = await s.openIssue();
    await s.label(issueNumber, "triad");
    const error = await waitFor(
      "the refusal",
      () => botComments(s.thread(issueNumber), "<!-- triad:error")[0],
    );
    expect(error.body).toMatch(/from the developer's vendor[\s\S]*no model reviews its own vendor's work/);
    expect(botComments(s.thread(issueNumber), TRACKING)).toEqual([]);
  });
});

const developerRound0Steps = developerSteps;
const demoArchitectSteps = () =>
  architectSteps().filter((step) => !JSON.stringify(step).includes("submit_ruling"));

async function installationClient(s: SampleStack) {
  const { createAppAuth } = await import("../../src/github/app-auth.js");
  const auth = await createAppAuth({ appId: s.sim.appId, privateKey: s.sim.privateKey }, s.sim.url, s.log);
  return auth.installation(s.seeded.installationId);
}

describe("review when things repeat or fail", () => {
  it("the same file changed in three consecutive fix rounds → fixing stops, the architect traces it, a revised plan needs approval", {
    timeout: 90_000,
  }, async () => {
    const finding = (n: number) => ({
      path: "src/retry.ts",
      anchor: "export function isRetryableStatus(status: number): boolean {",
      severity: "major" as const,
      message: `The retryable statuses should come from the options: ${["alpha", "bravo", "charlie", "delta"][n]} shows why.`,
      conflicts_with_plan: false,
    });
    const fixRound = (n: number): ScriptStep[] => [
      {
        toolCalls: [
          {
            name: "edit_file",
            input: {
              path: "src/retry.ts",
              old_string: n === 1 ? "Defaults to 3." : `Defaults to 3 (revision ${n - 1}).`,
              new_string: `Defaults to 3 (revision ${n}).`,
            },
          },
        ],
      },
      {
        toolCalls: [
          {
            name: "done",
            input: {
              summary: `Round ${n}.`,
              plan_steps: [{ step: 1, status: "done", files: ["src/retry.ts"] }],
            },
          },
        ],
      },
    ];
    const revised = { ...DEMO_PLANS.v2, goal: `${DEMO_PLANS.v2.goal} Retryable statuses become an option.` };
    const m = models([[0, 1, 2, 3].map((n) => submit({ findings: [finding(n)], plan_compliance: met }))], {
      developer: [...developerSteps(), ...fixRound(1), ...fixRound(2), ...fixRound(3)],
      architect: [
        ...demoArchitectSteps(),
        {
          toolCalls: [
            {
              name: "submit_trace",
              input: {
                trace:
                  "Step 1 fixed the retryable statuses as a constant; every round reopens that decision.",
                revised_plan: revised,
              },
            },
          ],
        },
      ],
    });
    const s = await start("review-spiral", m, { ".github/triad.yml": "max_fix_rounds: 5\n" });
    const issue = await toApprovedPlan(s);
    await waitFor("plan v3", () => planComment(s, issue, 3), 60_000);
    await waitFor("awaiting approval of v3", () => trackingNow(s, issue).includes("to plan v3"));
    expect(botComments(s.thread(issue), "traced the repeated fixes")[0]?.body).toMatch(
      /Step 1 fixed the retryable statuses as a constant/,
    );
    const got = await pr(s);
    expect(got.commits).toHaveLength(4); // the implementation and three fix rounds, then it stopped
    expect(got.checks.find((c) => c.name === "triad/review")?.conclusion).toBe("failure");
  });

  it("redelivered check_run webhooks start one fix round; a reviewer killed after posting leaves one review per sha", {
    timeout: 90_000,
  }, async () => {
    const s = await startSampleStack("review-redeliver", { worker: false, lockMs: 1500 });
    stack = s;
    const first = spawnWorker(s.vars, {
      TRIAD_FAULT: "after-review-posted",
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "warn",
    });
    workers.push(first);
    const issue = await toApprovedPlan(s, 30_000);
    const exit = await Promise.race([
      first.exited,
      new Promise((r) => setTimeout(() => r("still running"), 20_000)),
    ]);
    expect(exit, first.output().slice(-3000)).toBe(-1);
    const second = spawnWorker(s.vars, { LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "warn" });
    workers.push(second);
    await theReviewsConclude(s, issue).catch((error) => {
      throw new Error(`${(error as Error).message}\n${second.output().slice(-3000)}`);
    });
    const got = await pr(s);
    const reviewsOnHead = got.reviews.filter(
      (r) => r.commit_id === got.pr.head.sha && (r.body ?? "").includes("triad:review"),
    );
    expect(reviewsOnHead).toHaveLength(1);
    expect(got.checks.filter((c) => c.name === "triad/review")).toHaveLength(1);

    const installation = await installationClient(s);
    await installation.rest.checks.create({
      ...repo,
      name: "ci/lint",
      head_sha: got.pr.head.sha,
      status: "completed",
      conclusion: "failure",
      output: { title: "lint", summary: "src/client.ts: line too long" },
    });
    await s.sim.waitForIdle();
    const delivery = s.sim.deliveries.filter((d) => d.event === "check_run").at(-1);
    for (let i = 0; i < 5; i++) await s.sim.redeliver(delivery?.id as string);
    // One fix round (round 2: the demo's ruling made round 1) is queued, however often the check arrives.
    const roundTwo = async () =>
      (await allJobs(s.env.REDIS_URL, s.env.TRIAD_REDIS_PREFIX, "developer")).filter(
        (j) => j.data.round === 2,
      );
    await waitFor("the fix round for the failed check", async () => (await roundTwo()).length > 0, 30_000);
    await settled(s);
    expect(await roundTwo()).toHaveLength(1);
    expect(got.commits).toHaveLength(2);
  });
});
