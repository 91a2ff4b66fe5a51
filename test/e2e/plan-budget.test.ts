import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { readPlanComment } from "../../src/core/approved-plan.js";
import { type BudgetEstimate, budgetEstimateSchema } from "../../src/core/budget-estimate.js";
import { contentHash, extractData, withoutData } from "../../src/core/markers.js";
import { scriptedModels } from "../../src/models/provider.js";
import type { ChatModel } from "../../src/models/types.js";
import { keys } from "../../src/queue/names.js";
import { SAMPLE, sampleIssue } from "../../src/sim/sample.js";
import { DEMO_ANSWERS } from "../../src/sim/scenario.js";
import { modelText } from "../../src/text/sanitize.js";
import { ARCHITECT, planComment, say, TRACKING, trackingNow } from "../helpers/conversation.js";
import { cleanReview } from "../helpers/models.js";
import { settled } from "../helpers/settle.js";
import { botComments, repo, type SampleStack, startSampleStack } from "../helpers/stack.js";
import { waitFor } from "../helpers/wait.js";

let stack: SampleStack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const golden = fileURLToPath(new URL("../fixtures/architect/plan-v2-comment.md", import.meta.url));

/** `UPDATE_GOLDEN=1` rewrites the golden; review the diff before committing it. */
function expectGolden(actual: string): void {
  if (process.env.UPDATE_GOLDEN === "1" || !existsSync(golden)) {
    writeFileSync(golden, actual);
    if (process.env.UPDATE_GOLDEN !== "1")
      throw new Error("golden plan-v2-comment.md was written; review it");
    return;
  }
  expect(actual).toBe(readFileSync(golden, "utf8"));
}

async function readState(s: SampleStack, issue: number) {
  const redis = new Redis(s.env.REDIS_URL);
  try {
    const raw = await redis.get(keys(s.env.TRIAD_REDIS_PREFIX).state(`${repo.owner}/${repo.repo}#${issue}`));
    return JSON.parse(raw ?? "null");
  } finally {
    redis.disconnect();
  }
}

/** Redis lost this workflow's state document (the next event rebuilds it from the tracking comment). */
async function forgetState(s: SampleStack, issue: number): Promise<void> {
  const redis = new Redis(s.env.REDIS_URL);
  try {
    await redis.del(keys(s.env.TRIAD_REDIS_PREFIX).state(`${repo.owner}/${repo.repo}#${issue}`));
  } finally {
    redis.disconnect();
  }
}

/** The demo conversation up to plan v2 (questions, answers, plan v1, a change request, plan v2). */
async function toPlanV2(s: SampleStack): Promise<number> {
  const { title, body } = sampleIssue();
  const issue = await s.openIssue(title, body);
  await s.label(issue, "triad");
  await waitFor("the architect's questions", () => botComments(s.thread(issue), ARCHITECT).length === 1);
  await say(s, issue, DEMO_ANSWERS.answers);
  await waitFor("plan v1", () => planComment(s, issue, 1));
  await say(s, issue, DEMO_ANSWERS.change);
  await waitFor("plan v2", () => planComment(s, issue, 2));
  await waitFor("awaiting approval of v2", () => trackingNow(s, issue).includes("to plan v2"));
  return issue;
}

function estimateOf(body: string | undefined): BudgetEstimate {
  return budgetEstimateSchema.parse((extractData(body, "plan") as { estimate?: unknown }).estimate);
}

/** A model whose next answer reports `extra.tokens` more input tokens (then none): a costly call. */
function costly(model: ChatModel, extra: { tokens: number }): ChatModel {
  return {
    ref: model.ref,
    get configuredOutputTokens() {
      return model.configuredOutputTokens;
    },
    async chat(request) {
      const response = await model.chat(request);
      const more = extra.tokens;
      extra.tokens = 0;
      return { ...response, usage: { ...response.usage, inputTokens: response.usage.inputTokens + more } };
    },
  };
}

const PAUSE = "<!-- triad:notify id=budget-v2-0 -->";

describe("plan v2 shows what changed since v1 (simulator, scripted models)", () => {
  it("a change request on plan v1 → plan v2 lists the changes, v1 says superseded, `approved` approves v2", async () => {
    const s = await startSampleStack("plan-changes", { models: scriptedModels(cleanReview()) });
    stack = s;
    const issue = await toPlanV2(s);
    const v1 = planComment(s, issue, 1);
    const v2 = planComment(s, issue, 2);
    const v2Body = v2?.body ?? "";

    // Plan v2 says what changed since v1, before its goal: steps and decisions added, removed, changed.
    expect(v2Body).toContain("### What changed since v1");
    const changes = v2Body.slice(v2Body.indexOf("### What changed"), v2Body.indexOf("**Goal.**"));
    expect(changes).toMatch(/- \*\*Steps:\*\* .*(added|removed|changed)/);
    expect(changes).toMatch(/ {2}- (Added|Removed|Changed): /);
    // And it states its budget: tokens per phase, the rounds expected, what an approval allows.
    expect(v2Body).toContain("### Budget estimate");
    expect(v2Body).toMatch(/Review \(\d rounds? × 1 reviewer\)/);
    expect(v2Body).toMatch(/Approving this plan approves spending up to \*\*\d+k tokens\*\*/);
    expectGolden(withoutData(v2Body).replace(/id=architect-[\w.-]+/g, "id=architect-…"));

    // Plan v1's comment says, at its top, that v2 replaces it, with a link; its plan still reads back.
    const v1Body = v1?.body ?? "";
    expect(v1Body.split("\n")[0]).toMatch(/^> ⚠️ \*\*Superseded by \[plan v2\]\(.*#issuecomment-\d+\)\.\*\*/);
    expect(v1Body.split("\n")[0]).toContain(`#issuecomment-${v2?.id}`);
    const read = readPlanComment(v1Body, modelText);
    expect("plan" in read && read.version).toBe(1);
    // v1's plan comment is not posted twice, and v2's is the latest plan.
    expect(botComments(s.thread(issue), "<!-- triad:plan id=v1 -->")).toHaveLength(1);
    expect(trackingNow(s, issue)).toContain("to plan v2");

    // The approval is bound to v2, which marking v1 changed nothing of.
    await say(s, issue, "approved");
    await waitFor("implementing v2", () => trackingNow(s, issue).includes("implementing plan v2"));
    const state = await readState(s, issue);
    expect(state.approved).toMatchObject({ version: 2, commentId: v2?.id, hash: contentHash(v2Body) });
    expect(state.budgetBound).toMatchObject({ version: 2, estimate: estimateOf(v2Body) });
  });
});

describe("a budget bound to the plan (simulator, scripted models)", () => {
  it("spending past the estimate pauses once; a reader's `/triad budget` is refused; a retry edits the same comment; a maintainer's resumes to ready", async () => {
    const extra = { tokens: 0 };
    const base = cleanReview();
    const models = { ...base, developer: costly(base.developer, extra) };
    const s = await startSampleStack("plan-budget-pause", { models: scriptedModels(models) });
    stack = s;
    const issue = await toPlanV2(s);
    const estimate = estimateOf(planComment(s, issue, 2)?.body);
    // The developer's first call costs more than plan v2's estimate plus its margin allows.
    extra.tokens = estimate.limitTokens + 1;
    await say(s, issue, "approved");

    const pauseOf = () => botComments(s.thread(issue), PAUSE);
    await waitFor("the pause comment", () => pauseOf().length === 1, 30_000);
    await settled(s);
    expect(pauseOf()).toHaveLength(1);
    const pause = pauseOf()[0]?.body ?? "";
    expect(pause).toMatch(/⏸️ \*\*Paused for budget\.\*\* Plan v2 was approved to spend up to \d+k tokens/);
    expect(pause).toContain("review");
    expect(pause).toMatch(/`\/triad budget \+\d+k`/);
    expect(trackingNow(s, issue)).toMatch(/^Paused for budget: plan v2's approved budget is spent/);
    const tracking = botComments(s.thread(issue), TRACKING)[0]?.body ?? "";
    expect(tracking).toContain("/triad budget +N");
    // The developer's round is on the PR; the review waits (no reviewer was asked).
    expect(models.reviewers[0] && (models.reviewers[0] as { requests: unknown[] }).requests).toHaveLength(0);

    const head = await s.user(SAMPLE.maintainer).rest.pulls.list({ ...repo, state: "open" });
    const { data: checks } = await s
      .user(SAMPLE.maintainer)
      .rest.checks.listForRef({ ...repo, ref: head.data[0]?.head.sha ?? "" });
    expect(checks.check_runs.map((c) => [c.name, c.status, c.output.title])).toEqual([
      ["triad/review", "in_progress", "Paused for budget"],
    ]);

    // Someone without write access: told it did nothing, and nothing resumes.
    const byReader = await say(s, issue, "/triad budget +5M", SAMPLE.reader);
    await waitFor(
      "the refusal",
      () => botComments(s.thread(issue), `<!-- triad:reply id=${byReader} -->`)[0],
    );
    await settled(s);
    expect(botComments(s.thread(issue), `<!-- triad:reply id=${byReader} -->`)[0]?.body).toMatch(
      /only people with write, maintain or admin access can raise the budget \(you have read access\)\. Nothing was changed\./,
    );
    expect(trackingNow(s, issue)).toMatch(/^Paused for budget/);

    // Redis loses the workflow's state: the bound and the held step come back from the thread.
    await forgetState(s, issue);

    // A retried step is checked again: still over, the same pause comment is edited — PATCH, never POST.
    const pauseId = pauseOf()[0]?.id;
    const from = s.sim.calls.length;
    await say(s, issue, "/triad retry");
    await waitFor("the pause comment edited", () => pauseOf()[0]?.body.includes("Checked again"));
    await settled(s);
    const writes = s.sim.calls
      .slice(from)
      .filter((c) => c.actor === "installation" && c.method !== "GET" && c.route?.includes("comments"));
    expect(
      writes.filter((c) => c.method === "PATCH" && c.path.endsWith(`/issues/comments/${pauseId}`)),
    ).toHaveLength(1);
    expect(
      writes.filter((c) => c.method === "POST" && c.route?.endsWith("/issues/{issue_number}/comments")),
    ).toEqual([]);
    expect(pauseOf()).toHaveLength(1);
    expect(trackingNow(s, issue)).toMatch(/^Paused for budget/);

    // A maintainer raises the bound: the review runs and the workflow finishes.
    const grant = await say(s, issue, "/triad budget +2M");
    await waitFor("ready", () => /^Ready/.test(trackingNow(s, issue)), 30_000);
    await settled(s);
    expect(botComments(s.thread(issue), `<!-- triad:reply id=${grant} -->`)[0]?.body).toMatch(
      /Budget raised by 2\.0M tokens \(by @maya\): plan v2 may now spend up to .* Resuming reviews of [0-9a-f]{7}\./,
    );
    expect(pauseOf()).toHaveLength(1);
    const state = await readState(s, issue);
    expect(state.budgetBound).toMatchObject({ version: 2, extra: { tokens: 2_000_000 }, grants: 1 });
    expect(state.budgetBound.paused).toBeUndefined();
    const { data: after } = await s
      .user(SAMPLE.maintainer)
      .rest.checks.listForRef({ ...repo, ref: head.data[0]?.head.sha ?? "" });
    expect(after.check_runs.map((c) => [c.name, c.status, c.conclusion])).toEqual([
      ["triad/review", "completed", "success"],
    ]);
  });
});
