import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { renderTrackingComment, stateFromTrackingComment } from "../../src/core/render/tracking.js";
import type { WorkflowState } from "../../src/core/state.js";
import { modelText } from "../../src/text/sanitize.js";
import { PR, reviewing, state, step } from "../helpers/core-fixtures.js";

/**
 * The tracking comment in every state (issue [10/12]): where things stand, links, the developer's
 * checklist, rounds, cost against the budget, and what a human can do now. Goldens under
 * test/fixtures/tracking/; `UPDATE_GOLDEN=1` rewrites them — review the diff before committing.
 */
const dir = fileURLToPath(new URL("../fixtures/tracking/", import.meta.url));

function expectGolden(name: string, text: string): void {
  const path = `${dir}${name}.md`;
  if (process.env.UPDATE_GOLDEN === "1" || !existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    if (process.env.UPDATE_GOLDEN !== "1") throw new Error(`wrote the missing golden ${name}; run again`);
  }
  expect(text).toBe(readFileSync(path, "utf8"));
}

/** The comment without its hidden state data (which is checked separately, by the rebuild test). */
const shown = (s: WorkflowState) =>
  `${renderTrackingComment(s, modelText).replace(/\n<!-- triad:state-data [^>]+ -->$/, "")}\n`;

const budget = { maxTokens: 3_000_000, maxCostUsd: 25 };
const usage = {
  version: 1 as const,
  lines: [
    {
      role: "architect",
      vendor: "anthropic",
      model: "claude-fable-5-2",
      calls: 4,
      inputTokens: 52_000,
      cachedInputTokens: 38_000,
      cacheWriteInputTokens: 9_000,
      outputTokens: 6_100,
      costUsd: 0.4213,
      unpricedCalls: 0,
    },
    {
      role: "developer",
      vendor: "anthropic",
      model: "claude-sonnet-5-5",
      calls: 9,
      inputTokens: 140_000,
      cachedInputTokens: 120_000,
      cacheWriteInputTokens: 12_000,
      outputTokens: 14_000,
      costUsd: 0.3011,
      unpricedCalls: 0,
    },
  ],
};
const links = {
  questions: "https://github.com/acme/weather-client/issues/3#issuecomment-1",
  plan: "https://github.com/acme/weather-client/issues/3#issuecomment-4",
  reviews: [] as string[],
};
const devSteps = [
  { title: "Add the retry policy and delay computation", done: true },
  { title: "Retry GET requests in the client", done: true },
  { title: "Report the number of attempts on ApiError", done: false },
];
const times = (...phases: string[]) => Object.fromEntries(phases.map((p) => [p, "2026-12-01T12:00:00.000Z"]));
const queued = (kind: "architect" | "develop" | "review", label: string, extra = {}) => ({
  jobId: `${kind}-x`,
  label,
  step: step({ kind, ...extra }),
});
const planned = {
  budget,
  usage,
  links,
  architectTurns: 2,
  plan: { version: 2, commentId: 4, hash: "h" },
  planVersion: 2,
};
const approved = {
  ...planned,
  approved: { version: 2, commentId: 4, hash: "h", by: "maya", approvalCommentId: 5 },
  devSteps,
};
const underReview = {
  ...approved,
  pr: PR,
  links: { ...links, reviews: [`${PR.url}#pullrequestreview-11`, `${PR.url}#pullrequestreview-12`] },
};

const STATES: Record<string, WorkflowState> = {
  planning: state({
    budget,
    queued: queued("architect", "architect: read the issue"),
    phaseTimes: times("planning"),
  }),
  "planning-questions": state({
    budget,
    usage,
    links: { questions: links.questions, reviews: [] },
    architectTurns: 1,
    phaseTimes: times("planning"),
  }),
  "awaiting-approval": state({ ...planned, phase: "awaiting-approval", phaseTimes: times("planning") }),
  implementing: reviewing({
    ...approved,
    phase: "implementing",
    pr: undefined,
    queued: queued("develop", "developer: implement plan v2", { round: 0, planVersion: 2 }),
    phaseTimes: times("planning", "implementing"),
  }),
  reviewing: reviewing({
    ...underReview,
    links: { ...links, reviews: [] },
    queued: queued("review", "reviews of aaaaaaa", { headSha: PR.headSha }),
    phaseTimes: times("planning", "implementing", "reviewing"),
  }),
  fixing: reviewing({
    ...underReview,
    phase: "fixing",
    fixRound: 1,
    queued: queued("develop", "developer: fix round 1", { round: 1 }),
    note: "Fix round 1: 1 finding(s) to fix.",
    phaseTimes: times("planning", "implementing", "reviewing", "fixing"),
  }),
  ruling: reviewing({
    ...underReview,
    phase: "fixing",
    queued: queued("architect", "architect: rule on 1 disputed finding(s)", { mode: "ruling" }),
    note: "The architect is ruling on 1 disputed finding(s).",
    phaseTimes: times("planning", "implementing", "reviewing", "fixing"),
  }),
  ready: reviewing({
    ...underReview,
    phase: "ready",
    fixRound: 1,
    links: { ...underReview.links, ruling: "https://github.com/acme/weather-client/issues/3#issuecomment-9" },
    devSteps: devSteps.map((s) => ({ ...s, done: true })),
    phaseTimes: times("planning", "implementing", "reviewing", "fixing", "ready"),
  }),
  "needs-human": reviewing({
    ...underReview,
    phase: "needs-human",
    fixRound: 3,
    note: "**Needs a human** after 3 fix round(s):\n\nThe fix-round cap is reached (3 rounds) and 1 finding is still open at blocker or major:\n\n- **blocker** `src/retry.ts:12`: the delay ignores Retry-After (reviewer-1)",
    phaseTimes: times("planning", "implementing", "reviewing", "fixing"),
  }),
  failed: reviewing({
    ...approved,
    phase: "implementing",
    pr: undefined,
    failed: {
      jobId: "develop-x",
      label: "developer: implement plan v2",
      step: step({ kind: "develop", round: 0, planVersion: 2 }),
      error: "the developer stopped: cost budget reached ($25.00 of $25.00)",
    },
    phaseTimes: times("planning", "implementing"),
  }),
  stopped: reviewing({
    ...underReview,
    phase: "stopped",
    note: "Stopped: maya said `/triad stop`.",
    phaseTimes: times("planning", "implementing", "reviewing"),
  }),
  merged: reviewing({
    ...underReview,
    phase: "merged",
    fixRound: 1,
    findingStats: { "severity:blocker": 1, "severity:minor": 2, "by:reviewer-1": 2, "by:reviewer-2": 1 },
    note: "Merged by maya.",
    startedAt: "2026-12-01T11:00:00.000Z",
    phaseTimes: {
      planning: "2026-12-01T11:00:00.000Z",
      reviewing: "2026-12-01T11:20:00.000Z",
      fixing: "2026-12-01T11:30:00.000Z",
      ready: "2026-12-01T11:40:00.000Z",
      merged: "2026-12-01T12:00:00.000Z",
    },
  }),
  closed: reviewing({
    ...underReview,
    phase: "closed",
    note: "The pull request was closed without merging by maya; the workflow stopped.",
    phaseTimes: times("planning", "implementing", "reviewing", "closed"),
  }),
};

describe("the tracking comment in every state (goldens)", () => {
  for (const [name, s] of Object.entries(STATES)) {
    it(name, () => expectGolden(name, shown(s)));
  }
});

describe("what the tracking comment always says", () => {
  for (const [name, s] of Object.entries(STATES)) {
    it(`${name}: one "what you can do now" line, the command help, and no job id`, () => {
      const body = renderTrackingComment(s, modelText);
      expect(body.match(/^\*\*You can:\*\* /gm)).toHaveLength(1);
      expect(body).toContain("<details><summary>Commands and reactions</summary>");
      for (const command of ["approved", "/triad retry", "/triad fix", "/triad ignore", "👎", "/triad log"])
        expect(body).toContain(command);
      expect(body).not.toContain(s.queued?.jobId ?? "no-job-id");
    });
  }

  it("carries the state but not what the interpreter keeps about the comment itself (its hash, an owed edit)", () => {
    const s = reviewing();
    const body = renderTrackingComment(s, modelText);
    expect(renderTrackingComment({ ...s, trackingHash: "abc", trackingOwed: true }, modelText)).toBe(body);
    expect(stateFromTrackingComment(body, 7)).toEqual({ ...s, trackingCommentId: 7 });
  });

  it("done stages stay ticked when the workflow stops, needs a human or closes", () => {
    for (const name of ["stopped", "needs-human", "closed"]) {
      const body = renderTrackingComment(STATES[name] as WorkflowState, modelText);
      expect(body, name).toMatch(/- \[x\] The architect plans/);
      expect(body, name).toMatch(/- \[x\] The developer implements it/);
    }
  });

  it("a failure says so under Now, not that the step is still running", () => {
    const body = renderTrackingComment(STATES.failed as WorkflowState, modelText);
    expect(body).toMatch(/\*\*Now:\*\* Failed: developer: implement plan v2 could not finish/);
    expect(body).not.toMatch(/\*\*Now:\*\* The developer is implementing/);
  });

  it("links the questions, the plan, the PR, the reviews and the ruling; shows cost against the budget", () => {
    const body = renderTrackingComment(STATES.ready as WorkflowState, modelText);
    for (const url of [
      links.questions,
      links.plan,
      PR.url,
      `${PR.url}#pullrequestreview-11`,
      "#issuecomment-9",
    ])
      expect(body).toContain(url);
    expect(body).toMatch(/\| cost \| \$0\.72 of \$25\.00 · 212,100 of 3,000,000 tokens \|/);
  });
});
