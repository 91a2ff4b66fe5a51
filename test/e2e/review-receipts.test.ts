import { afterEach, describe, expect, it } from "vitest";
import type { Plan } from "../../src/core/schemas/architect.js";
import { scriptedModels } from "../../src/models/provider.js";
import type { ScriptStep } from "../../src/sim/models/scripted-model.js";
import { SAMPLE } from "../../src/sim/sample.js";
import { architectSteps, DEMO_PLANS } from "../../src/sim/scenario.js";
import { developerSteps } from "../../src/sim/scenario-developer.js";
import { TRACKING, toApprovedPlan, trackingNow } from "../helpers/conversation.js";
import { clean, submit, withReviewers } from "../helpers/models.js";
import { botComments, repo, type SampleStack, startSampleStack } from "../helpers/stack.js";
import { waitFor } from "../helpers/wait.js";

/**
 * Issue [12/12] items 2 and 3, end to end on the simulator with scripted models: every review says
 * what of the change its reviewer saw, a review that saw too little leaves the `triad/review` check
 * neutral ("not fully reviewed"), and the test-integrity guard (code, not a model) turns a newly
 * skipped test into a blocker the architect rules on — unless the approved plan names the change.
 */
let stack: SampleStack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const edit = (path: string, old_string: string, new_string: string): ScriptStep => ({
  toolCalls: [{ name: "edit_file", input: { path, old_string, new_string } }],
});
const done = (summary: string): ScriptStep => ({
  toolCalls: [
    {
      name: "done",
      input: { summary, plan_steps: [1, 2, 3].map((step) => ({ step, status: "done", files: [] })) },
    },
  ],
});

/** The demo's developer round, with one more edit just before it reports. */
function demoRoundPlus(extra: ScriptStep): ScriptStep[] {
  const steps = developerSteps();
  return [...steps.slice(0, -1), extra, ...steps.slice(-1)];
}

const SKIP = edit(
  "test/client.test.ts",
  '  it("requires an API key", () => {',
  '  it.skip("requires an API key", () => {',
);

/** The demo's architect (questions, v1, v2) with plan v2 replaced, and then these steps. */
function architect(v2: Plan, then: ScriptStep[] = []): ScriptStep[] {
  return [
    ...architectSteps()
      .filter((s) => !JSON.stringify(s).includes("submit_ruling"))
      .map((s) =>
        s.toolCalls?.[0]?.input && (s.toolCalls[0].input as { plan?: Plan }).plan === DEMO_PLANS.v2
          ? { toolCalls: [{ name: "submit", input: { plan: v2 } }] }
          : s,
      ),
    ...then,
  ];
}

async function thePr(s: SampleStack) {
  const maya = s.user(SAMPLE.maintainer);
  const { data: pulls } = await maya.rest.pulls.list({ ...repo, state: "all" });
  const pr = pulls[0];
  if (!pr) throw new Error("no pull request");
  const { data: reviews } = await maya.rest.pulls.listReviews({ ...repo, pull_number: pr.number });
  const { data: checks } = await maya.rest.checks.listForRef({ ...repo, ref: pr.head.sha });
  const { data: commits } = await maya.rest.pulls.listCommits({ ...repo, pull_number: pr.number });
  return {
    pr,
    commits,
    reviews: reviews.filter((r) => r.body?.includes("<!-- triad:review")),
    review: checks.check_runs.find((c) => c.name === "triad/review"),
  };
}

describe("review receipts", () => {
  it("a PR with a lockfile and a clipped file: the review lists what it saw, and the check is neutral, not fully reviewed", async () => {
    // 4,000 lines of about 50 characters: over the reviewer's 40,000-token view, under GitHub's limits.
    const big = Array.from(
      { length: 4_000 },
      (_, i) => `export const generatedRow${i} = "${"x".repeat(20)}";`,
    );
    const lock = JSON.stringify(
      { name: "sample", lockfileVersion: 3, packages: { a: { version: "1.0.0" } } },
      null,
      2,
    );
    const m = withReviewers([[{ repeat: true, ...submit(clean) }]], {
      developer: [
        {
          toolCalls: [
            { name: "write_file", input: { path: "package-lock.json", content: `${lock}\n` } },
            { name: "write_file", input: { path: "src/a.ts", content: "export const a = 1;\n" } },
            { name: "write_file", input: { path: "src/big.ts", content: `${big.join("\n")}\n` } },
            { name: "write_file", input: { path: "src/small.ts", content: "export const small = 2;\n" } },
          ],
        },
        done("Wrote the files."),
      ],
    });
    const s = await startSampleStack("receipt-neutral", { models: scriptedModels(m) });
    stack = s;
    const issue = await toApprovedPlan(s);
    await waitFor("the reviews to conclude", () => trackingNow(s, issue).startsWith("Ready"), 40_000);
    const got = await thePr(s);
    expect(got.reviews).toHaveLength(1);
    const body = got.reviews[0]?.body ?? "";
    expect(body).toMatch(
      /\*\*Review coverage:\*\* the reviewer saw [\d.]+% of the changed lines \([\d,]+ of [\d,]+\); [\d.]+% outside lock and generated files \(\d+ of 4,00\d\)\. \*\*Not fully reviewed\*\*: below the 90% threshold\./,
    );
    expect(body).toContain("1 file shown whole, 1 in part, 2 left out");
    expect(body).toMatch(
      /- `package-lock\.json` — \*\*left out\*\*: lock file \(\d+ changed lines not seen\)/,
    );
    expect(body).toContain(
      "- `src/big.ts` — **in part**: only the first lines of hunk 1 (lines 1–4000) shown; 4,000 changed lines counted as not seen",
    );
    expect(body).toContain(
      "- `src/small.ts` — **left out**: over the reviewer's size budget (1 changed line not seen)",
    );
    expect(body).toContain("- `src/a.ts` — whole (1 changed line)");
    // The receipt is of the view the model read: it was shown the first rows, not the last, nor small.ts.
    const prompt = JSON.stringify(m.reviewers[0]?.requests[0]?.messages);
    expect(prompt).toContain("generatedRow0 ");
    expect(prompt).not.toContain("generatedRow3999 ");
    expect(prompt).not.toContain("export const small");

    expect(got.review?.status).toBe("completed");
    expect(got.review?.conclusion).toBe("neutral");
    expect(got.review?.output.title).toBe("Not fully reviewed");
    expect(got.review?.output.summary).toMatch(
      /^\*\*Not fully reviewed\*\*: the reviewers saw [\d.]+% of the changed lines outside lock and generated files/,
    );
    expect(botComments(s.thread(issue), TRACKING)[0]?.body).toMatch(/\*\*Not fully reviewed\*\*/);
  });

  it("a review that saw the whole change says so, and the check is green", async () => {
    const m = withReviewers([[{ repeat: true, ...submit(clean) }]]);
    const s = await startSampleStack("receipt-full", { models: scriptedModels(m) });
    stack = s;
    const issue = await toApprovedPlan(s);
    await waitFor("the reviews to conclude", () => trackingNow(s, issue).startsWith("Ready"), 40_000);
    const got = await thePr(s);
    expect(got.reviews[0]?.body).toMatch(
      /\*\*Review coverage:\*\* the reviewer saw 100% of the changed lines \(\d+ of \d+\)\.\n\n\d+ files shown whole, 0 in part, 0 left out:/,
    );
    expect(got.reviews[0]?.body).not.toContain("Test-integrity guard");
    expect(got.review?.conclusion).toBe("success");
  });
});

describe("the test-integrity guard", () => {
  it("a developer round that skips a test → a blocker in the review body with the line, ruled on by the architect, fixed", {
    timeout: 60_000,
  }, async () => {
    const ruling = {
      rulings: [
        { finding: "F1", decision: "accept", reason: "Skipping the API key test hides a regression." },
      ],
    };
    const m = withReviewers([[{ repeat: true, ...submit(clean) }]], {
      architect: architect(DEMO_PLANS.v2, [{ toolCalls: [{ name: "submit_ruling", input: ruling }] }]),
      developer: [
        ...demoRoundPlus(SKIP),
        edit(
          "test/client.test.ts",
          '  it.skip("requires an API key", () => {',
          '  it("requires an API key", () => {',
        ),
        done("Runs the API key test again."),
      ],
    });
    const s = await startSampleStack("integrity-skip", { models: scriptedModels(m) });
    stack = s;
    const issue = await toApprovedPlan(s);
    const rulingComment = await waitFor(
      "the architect's ruling",
      () => botComments(s.thread(issue), "The architect's ruling")[0],
      40_000,
    );
    await waitFor("the reviews to conclude", () => trackingNow(s, issue).startsWith("Ready"), 40_000);
    const got = await thePr(s);
    // The first review (round 0) carries the guard's flag with the offending line.
    const first = got.reviews.find((r) => r.commit_id !== got.pr.head.sha)?.body ?? "";
    expect(first).toContain("#### Test-integrity guard");
    expect(first).toMatch(
      /\*\*1\.\*\* 🛑 \*\*Blocker\*\* · `test\/client\.test\.ts` line \d+ — Tests skipped: this change skips a test \(`\.skip` \/ `\.todo`\) \(JavaScript\/TypeScript\)\.\n\n```\n {2}it\.skip\("requires an API key", \(\) => \{\n```/,
    );
    // Routed to the architect: the ruling names it, and the architect was shown it with its line.
    expect(rulingComment.body).toMatch(/F1: blocker — Tests skipped: this change skips a test/);
    const asked = m.architect.requests.find((r) => JSON.stringify(r.messages).includes("Tests skipped"));
    expect(JSON.stringify(asked?.messages)).toContain('it.skip(\\"requires an API key\\"');
    // The fix round took the skip out; the re-review of the fix flags nothing, and the PR is ready.
    expect(got.commits).toHaveLength(2);
    const last = got.reviews.find((r) => r.commit_id === got.pr.head.sha)?.body ?? "";
    expect(last).not.toContain("Test-integrity guard");
    expect(got.review?.conclusion).toBe("success");
  });

  it("no flag when the approved plan names the change: ready without a ruling", {
    timeout: 60_000,
  }, async () => {
    const v2: Plan = {
      ...DEMO_PLANS.v2,
      steps: [
        ...DEMO_PLANS.v2.steps,
        {
          title: "Skip the API key test while key validation moves to the server",
          files: [{ path: "test/client.test.ts", action: "change" }],
          signatures: [],
          details:
            "Mark `requires an API key` as skipped; the server-side check replaces it in the next release.",
        },
      ],
    };
    const met4 = [1, 2, 3, 4].map((step) => ({ step, status: "met" as const, note: "ok" }));
    const m = withReviewers([[{ repeat: true, ...submit({ findings: [], plan_compliance: met4 }) }]], {
      architect: architect(v2),
      developer: demoRoundPlus(SKIP),
    });
    const s = await startSampleStack("integrity-planned", { models: scriptedModels(m) });
    stack = s;
    const issue = await toApprovedPlan(s);
    await waitFor("the reviews to conclude", () => trackingNow(s, issue).startsWith("Ready"), 40_000).catch(
      (e) => {
        throw new Error(`${e.message}: ${botComments(s.thread(issue), TRACKING)[0]?.body}`);
      },
    );
    const got = await thePr(s);
    const body = got.reviews[0]?.body ?? "";
    expect(body).not.toContain("🛑 **Blocker**");
    expect(body).toMatch(
      /_Allowed by the approved plan \(a step names the change\): Tests skipped in `test\/client\.test\.ts` line \d+\._/,
    );
    expect(botComments(s.thread(issue), "The architect's ruling")).toEqual([]);
    expect(got.commits).toHaveLength(1);
    expect(got.review?.conclusion).toBe("success");
  });
});
