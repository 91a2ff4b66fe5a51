import { afterEach, describe, expect, it } from "vitest";
import { marker } from "../../src/core/markers.js";
import { BODY_MAX, codePoints } from "../../src/core/render/limits.js";
import { stateFromTrackingComment } from "../../src/core/render/tracking.js";
import type { Plan } from "../../src/core/schemas/architect.js";
import type { ReviewFinding } from "../../src/core/schemas/review.js";
import { scriptedModels } from "../../src/models/provider.js";
import { ScriptedModel, type ScriptStep } from "../../src/sim/models/scripted-model.js";
import { SAMPLE, sampleIssue } from "../../src/sim/sample.js";
import { DEMO_ANSWERS, DEMO_PLANS, DEMO_QUESTIONS, demoModels } from "../../src/sim/scenario.js";
import { developerSteps } from "../../src/sim/scenario-developer.js";
import { ARCHITECT, say, TRACKING, toApprovedPlan, trackingNow } from "../helpers/conversation.js";
import { clean, met, submit, withReviewers } from "../helpers/models.js";
import { botComments, repo, type SampleStack, sampleConfigWith, startSampleStack } from "../helpers/stack.js";
import { waitFor } from "../helpers/wait.js";

/**
 * GitHub's size limits, end to end on the faithful simulator (issue 12, problems 4 and 5): pull
 * requests above the diff's 300 files / 20,000 lines are reviewed from the file list; bodies over
 * 65,536 characters are split or folded instead of refused.
 */
let stack: SampleStack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const done = (summary: string): ScriptStep => ({
  toolCalls: [
    {
      name: "done",
      input: { summary, plan_steps: [1, 2, 3].map((step) => ({ step, status: "done", files: [] })) },
    },
  ],
});

/** A developer round that writes these files in one turn, then reports. */
function writes(files: Record<string, string>, summary = "Wrote the files."): ScriptStep[] {
  return [
    {
      toolCalls: Object.entries(files).map(([path, content]) => ({
        name: "write_file",
        input: { path, content },
      })),
    },
    done(summary),
  ];
}

async function theReview(s: SampleStack) {
  const maya = s.user(SAMPLE.maintainer);
  const { data: pulls } = await maya.rest.pulls.list({ ...repo, state: "all" });
  const pull = pulls[0]?.number as number;
  const { data: reviews } = await maya.rest.pulls.listReviews({ ...repo, pull_number: pull });
  const mine = reviews.filter((r) => r.body?.includes("<!-- triad:review"));
  const { data: comments } = await maya.rest.pulls.listReviewComments({
    ...repo,
    pull_number: pull,
    per_page: 100,
  });
  return { pull, mine, comments };
}

const calledWith = (s: SampleStack, method: string, route: string) =>
  s.sim.calls.filter((c) => c.actor === "installation" && c.method === method && c.route === route);

describe("pull requests above GitHub's diff limits", () => {
  it("a 350-file pull request is reviewed from the file list, and the review says what it covered", async () => {
    const files = Object.fromEntries(
      Array.from({ length: 350 }, (_, i) => [`src/parts/part-${i}.ts`, `export const part${i} = ${i};\n`]),
    );
    const m = withReviewers([[{ repeat: true, ...submit(clean) }]], { developer: writes(files) });
    const s = await startSampleStack("large-pr-files", { models: scriptedModels(m) });
    stack = s;
    const issue = await toApprovedPlan(s);
    await waitFor("ready", () => trackingNow(s, issue).startsWith("Ready"), 40_000);
    // The diff was refused as too large; the file list was read instead (350 files: four pages).
    expect(calledWith(s, "GET", "/repos/{owner}/{repo}/compare/{basehead}").map((c) => c.status)).toContain(
      406,
    );
    expect(
      calledWith(s, "GET", "/repos/{owner}/{repo}/pulls/{pull_number}/files").length,
    ).toBeGreaterThanOrEqual(4);
    const prompt = JSON.stringify(m.reviewers[0]?.requests[0]?.messages);
    expect(prompt).toContain("src/parts/part-0.ts");
    expect(prompt).toContain("src/parts/part-349.ts");
    const { mine } = await theReview(s);
    expect(mine).toHaveLength(1);
    expect(mine[0]?.body).toMatch(
      /\*\*Review coverage:\*\* the reviewer saw 100% of the changed lines \(350 of 350\)\.\n\n<details><summary>350 files shown whole, 0 in part, 0 left out<\/summary>/,
    );
    expect(mine[0]?.body).toContain("_Read from GitHub's file list: the diff is above GitHub's limit");
  });

  it("a 25,000-line pull request is reviewed (shown in part to fit the reviewer), and the review says so", async () => {
    const table = Array.from({ length: 25_000 }, (_, i) => `export const row${i} = ${i};`).join("\n");
    const m = withReviewers([[{ repeat: true, ...submit(clean) }]], {
      developer: writes({ "src/table.ts": `${table}\n` }),
    });
    // 25,000 lines cost more than the plan's estimate allows: the bound is lifted, this is about size.
    const s = await startSampleStack("large-pr-lines", {
      models: scriptedModels(m),
      files: sampleConfigWith("budget_margin: 10"),
    });
    stack = s;
    const issue = await toApprovedPlan(s);
    await waitFor("ready", () => trackingNow(s, issue).startsWith("Ready"), 40_000);
    expect(calledWith(s, "GET", "/repos/{owner}/{repo}/compare/{basehead}").map((c) => c.status)).toContain(
      406,
    );
    const prompt = JSON.stringify(m.reviewers[0]?.requests[0]?.messages);
    expect(prompt).toContain("export const row0 = 0;");
    const { mine } = await theReview(s);
    expect(mine).toHaveLength(1);
    expect(mine[0]?.body).toContain(
      "- `src/table.ts` — **in part**: only the first lines of hunk 1 (lines 1–25000) shown; 25,000 changed lines counted as not seen",
    );
    expect(mine[0]?.body).toMatch(/\*\*Not fully reviewed\*\*: below the 90% threshold/);
    // Seeing the first lines of a 25,000-line file is no full review: the check is not green.
    const { data: checks } = await s
      .user(SAMPLE.maintainer)
      .rest.checks.listForRef({ ...repo, ref: mine[0]?.commit_id as string });
    const review = checks.check_runs.find((c) => c.name === "triad/review");
    expect([review?.conclusion, review?.output.title]).toEqual(["neutral", "Not fully reviewed"]);
  });
});

/** A plan of about 70 KB (16 steps): the architect's contract asks for less, a model may not listen. */
function bigPlan(): Plan {
  const sentence =
    "The helper keeps its state in the client instance, reads the limits from the options given to the constructor, and reports each decision through the existing logger so operators can follow it. ";
  return {
    ...DEMO_PLANS.v1,
    steps: Array.from({ length: 16 }, (_, i) => ({
      title: `Step ${i + 1}: part ${i + 1} of the retry work`,
      files: [{ path: `src/retry-part-${i + 1}.ts`, action: "create" as const }],
      signatures: [`export function part${i + 1}(attempt: number, options: Required<RetryOptions>): number`],
      details: sentence.repeat(21),
    })),
  };
}

describe("bodies over GitHub's 65,536 characters", () => {
  it("a 70 KB plan is posted (split, its data in the first part) and can be approved", async () => {
    const plan = bigPlan();
    // Over GitHub's 65,536 characters as text alone (the hidden data is deflated: a 30 KB plan fits).
    expect(JSON.stringify(plan).length).toBeGreaterThan(66_000);
    const base = demoModels();
    const architect = new ScriptedModel(base.architect.ref, [
      { toolCalls: [{ name: "submit", input: DEMO_QUESTIONS }] },
      { toolCalls: [{ name: "submit", input: { plan } }] },
    ]);
    const developer = new ScriptedModel(base.developer.ref, developerSteps());
    const s = await startSampleStack("big-plan", {
      models: scriptedModels({ ...base, architect, developer }),
    });
    stack = s;
    const { title, body } = sampleIssue();
    const issue = await s.openIssue(title, body);
    await s.label(issue, "triad");
    await waitFor("questions", () => botComments(s.thread(issue), ARCHITECT).length === 1);
    await say(s, issue, DEMO_ANSWERS.answers);
    await waitFor("awaiting approval", () => trackingNow(s, issue).includes("to plan v1"), 30_000);
    const first = botComments(s.thread(issue), marker("plan", "v1"))[0];
    expect(first).toBeDefined();
    expect(codePoints(first?.body ?? "")).toBeLessThanOrEqual(BODY_MAX);
    expect(first?.body).toContain("<!-- triad:plan-data ");
    const rest = s.thread(issue).comments.filter((c) => c.body.includes(" part=2 -->"));
    expect(rest).toHaveLength(1);
    expect(rest[0]?.body).toContain("Step 16: part 16 of the retry work");
    await say(s, issue, "approved");
    // The developer is given the approved plan, read from the first part's hidden data.
    await waitFor("the developer's first call", () => developer.requests.length > 0, 30_000);
    expect(JSON.stringify(developer.requests[0]?.system)).toContain("Step 16: part 16 of the retry work");
    expect(botComments(s.thread(issue), "<!-- triad:error")).toEqual([]);
  });

  it("a review with 50 findings is posted within the limits: inline where they anchor, the rest in the body", async () => {
    const lines = [
      "export interface RetryOptions {",
      "  maxAttempts?: number;",
      "  baseDelayMs?: number;",
      "  maxDelayMs?: number;",
      "export const DEFAULT_RETRY: Required<RetryOptions> = { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 5_000 };",
      "const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);",
      "export function isRetryableStatus(status: number): boolean {",
      "  return RETRYABLE_STATUSES.has(status);",
      "export function retryDelayMs(",
      "  attempt: number,",
      "  options: Required<RetryOptions>,",
      "  retryAfter: string | null,",
      "  random: () => number = Math.random,",
      "): number {",
      "  const asked = parseRetryAfter(retryAfter);",
      "  if (asked !== undefined) return Math.min(options.maxDelayMs, asked);",
      "  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));",
      "  return Math.floor(random() * ceiling);",
      "function parseRetryAfter(value: string | null): number | undefined {",
      '  if (value === null || value.trim() === "") return undefined;',
      "  const seconds = Number(value);",
      "  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;",
      "  const date = Date.parse(value);",
      "  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());",
      "/** Retry-After in seconds or as an HTTP date, in milliseconds from now. */",
    ];
    const long =
      "This deserves a closer look: the behaviour differs from what the plan describes for this case, and a reader of the code would not see why. ";
    const findings: ReviewFinding[] = Array.from({ length: 50 }, (_, i) => ({
      path: "src/retry.ts",
      anchor: i < lines.length ? (lines[i] as string) : `a line that is not in the diff (${i})`,
      severity: i % 2 === 0 ? "minor" : "nit",
      message: `Finding ${i + 1}. ${long.repeat(5)}`,
      suggestion: null,
      plan_step: 1,
      conflicts_with_plan: false,
    }));
    const m = withReviewers([
      [submit({ findings, plan_compliance: met }), { repeat: true, ...submit(clean) }],
    ]);
    // Nits inline too (by default they are listed in the body): every anchored finding is a comment.
    const s = await startSampleStack("fifty-findings", {
      models: scriptedModels(m),
      files: { ".github/triad.yml": "nits_inline: true\n" },
    });
    stack = s;
    const issue = await toApprovedPlan(s);
    await waitFor("ready", () => trackingNow(s, issue).startsWith("Ready"), 40_000);
    const { mine, comments } = await theReview(s);
    expect(mine).toHaveLength(1);
    const review = mine[0] as NonNullable<(typeof mine)[0]>;
    expect(codePoints(review.body ?? "")).toBeLessThanOrEqual(BODY_MAX);
    const inline = comments.filter((c) => c.pull_request_review_id === review.id);
    expect(inline.length).toBe(lines.length);
    expect(review.body).toMatch(new RegExp(`${lines.length} inline, ${50 - lines.length} below`));
    // Every finding outside the diff is in the body or its continuation on the pull request.
    const { data: prComments } = await s.user(SAMPLE.maintainer).rest.issues.listComments({
      ...repo,
      issue_number: (await theReview(s)).pull,
    });
    const text = [review.body ?? "", ...prComments.map((c) => c.body ?? "")].join("\n");
    for (let i = lines.length; i < 50; i++) expect(text).toContain(`Finding ${i + 1}.`);
    expect(botComments(s.thread(issue), "<!-- triad:error")).toEqual([]);
  });

  it("three fix rounds of 300 files each: the tracking comment stays within the limits and keeps its state", {
    timeout: 120_000,
  }, async () => {
    const round = (n: number) =>
      Object.fromEntries(
        Array.from({ length: 300 }, (_, i) => [
          `src/round-${n}/module-${i}.ts`,
          `export const m${n}_${i} = ${i};\n`,
        ]),
      );
    const finding = (n: number): ReviewFinding => ({
      path: `src/round-${n}/module-0.ts`,
      anchor: `export const m${n}_0 = 0;`,
      severity: "major",
      message: `Round ${n}: module 0 should say what it is for.`,
      suggestion: null,
      plan_step: 1,
      conflicts_with_plan: false,
    });
    const m = withReviewers(
      [[0, 1, 2, 3].map((n) => submit({ findings: [finding(n)], plan_compliance: met }))],
      { developer: [0, 1, 2, 3].flatMap((n) => writes(round(n), `Round ${n}.`)) },
    );
    const s = await startSampleStack("big-tracking", { models: scriptedModels(m) });
    stack = s;
    const issue = await toApprovedPlan(s);
    await waitFor("needs a human", () => trackingNow(s, issue).startsWith("Needs a human"), 100_000);
    const tracking = botComments(s.thread(issue), TRACKING);
    expect(tracking).toHaveLength(1);
    const body = tracking[0]?.body ?? "";
    expect(codePoints(body)).toBeLessThanOrEqual(BODY_MAX);
    const state = stateFromTrackingComment(body, tracking[0]?.id ?? 0);
    expect(state?.changes.map((c) => c.files.length)).toEqual([300, 300, 300]);
    expect(state?.fixRound).toBe(3);
  });
});
