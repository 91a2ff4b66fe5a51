import { describe, expect, it } from "vitest";
import {
  nextLine,
  nowLine,
  renderStatus,
  renderSummary,
  renderTrackingComment,
  renderUsage,
} from "../../src/core/render/tracking.js";
import type { WorkflowState } from "../../src/core/state.js";
import type { UsageLine } from "../../src/core/usage.js";
import { modelText } from "../../src/text/sanitize.js";
import { PR, reviewing, state, step } from "../helpers/core-fixtures.js";

const render = (s: WorkflowState) => renderTrackingComment(s, modelText);
const checklistOf = (s: WorkflowState) =>
  render(s)
    .split("\n")
    .filter((l) => /^- \[[x ]\]/.test(l));
const line = (over: Partial<UsageLine> = {}): UsageLine => ({
  role: "architect",
  vendor: "anthropic",
  model: "claude",
  calls: 2,
  inputTokens: 1000,
  cachedInputTokens: 200,
  cacheWriteInputTokens: 0,
  outputTokens: 500,
  costUsd: 0.12345,
  unpricedCalls: 0,
  ...over,
});
const queued = (over: Parameters<typeof step>[0]) => ({ jobId: "j", label: "the step", step: step(over) });

describe("the tracking comment's Now and You can lines (render/tracking.ts)", () => {
  it("planning: working, tracing a spiral, or waiting for answers", () => {
    expect(nowLine(state({ queued: queued({ kind: "architect" }) }))).toBe(
      "The architect is reading the repository and the issue…",
    );
    expect(nowLine(state({ queued: queued({ kind: "architect", mode: "spiral" }) }))).toBe(
      "The architect is tracing the repeated fixes back to the plan.",
    );
    expect(nowLine(state({ architectTurns: 1 }))).toBe(
      "Waiting for answers to the architect's questions (reply in a comment).",
    );
    expect(nowLine(state({ architectTurns: 1, queued: queued({ kind: "architect" }) }))).toBe(
      "The architect is reading the repository and the issue…",
    );
    expect(nowLine(state({ architectTurns: 0 }))).toBe(
      "The architect is reading the repository and the issue…",
    );
    expect(nextLine(state({ architectTurns: 1 }))).toBe(
      "Answer the architect's questions in a comment (one or several).",
    );
    expect(nextLine(state({ architectTurns: 0 }))).toBe(
      "Nothing yet: the architect is working. `/triad stop` ends the workflow.",
    );
    expect(nextLine(state({ architectTurns: 2, queued: queued({ kind: "architect" }) }))).toBe(
      "Nothing yet: the architect is working. `/triad stop` ends the workflow.",
    );
  });

  it("awaiting approval and implementing name the plan and its approver", () => {
    const s = state({ phase: "awaiting-approval", plan: { version: 3, commentId: 1, hash: "h" } });
    expect(nowLine(s)).toBe(
      "Waiting for a maintainer to reply `approved` to plan v3, or to comment with changes.",
    );
    expect(nextLine(s)).toBe(
      "Reply `approved` to plan v3 (write access), or comment with the changes you want.",
    );
    expect(nowLine(state({ phase: "awaiting-approval" }))).toContain("plan v?,");
    expect(nextLine(state({ phase: "awaiting-approval" }))).toContain("plan v? (write access)");
    expect(nowLine(reviewing({ phase: "implementing" }))).toBe(
      "The developer is implementing plan v1 (approved by **maya**).",
    );
    expect(nowLine(state({ phase: "implementing" }))).toBe(
      "The developer is implementing plan v? (approved by **?**).",
    );
  });

  it("fixing: the architect's ruling or the developer's round", () => {
    expect(
      nowLine(reviewing({ phase: "fixing", queued: queued({ kind: "architect", mode: "ruling" }) })),
    ).toBe("The architect is ruling on the reviewers' disputed findings.");
    expect(nowLine(reviewing({ phase: "fixing", fixRound: 2, queued: queued({ kind: "develop" }) }))).toBe(
      "The developer is addressing review findings (fix round 2).",
    );
    expect(nowLine(reviewing({ phase: "fixing", fixRound: 1 }))).toBe(
      "The developer is addressing review findings (fix round 1).",
    );
  });

  it("resting and ended phases say what is left to do, linking the PR", () => {
    expect(nextLine(reviewing({ phase: "ready" }))).toBe(
      `Review and merge [PR #9](${PR.url}). A review with changes requested, or \`/triad fix <what>\` on the PR, starts another round.`,
    );
    expect(nextLine(reviewing({ phase: "needs-human" }))).toBe(
      `Take over [PR #9](${PR.url}), or comment \`/triad fix <what>\` on it, or \`/triad replan\` here.`,
    );
    expect(nextLine(state({ phase: "needs-human" }))).toContain("Take over the pull request,");
    expect(nextLine(reviewing({ phase: "closed" }))).toBe("Add the trigger label again to start a new run.");
    expect(nextLine(reviewing({ phase: "merged" }))).toBe("Nothing: done.");
  });

  it("a failure comes first, whatever the phase", () => {
    const failed = {
      ...queued({ kind: "develop" }),
      label: "developer: fix round 1",
      error: "model timed out",
    };
    const s = reviewing({ phase: "fixing", failed });
    expect(nowLine(s)).toBe(
      "Failed: developer: fix round 1 could not finish. A maintainer can comment `/triad retry` once the cause is fixed.",
    );
    expect(nextLine(s)).toBe("Fix the cause (see the failure comment), then comment `/triad retry`.");
  });
});

describe("the tracking checklist", () => {
  it("an approval alone ticks planning and approval, a PR ticks implementation", () => {
    const approvedOnly = state({
      phase: "stopped",
      approved: { version: 1, commentId: 1, hash: "h", by: "omar", approvalCommentId: 2 },
    });
    expect(checklistOf(approvedOnly).map((l) => l.slice(0, 5))).toEqual([
      "- [x]",
      "- [x]",
      "- [ ]",
      "- [ ]",
      "- [ ]",
    ]);
    const withPr = state({ phase: "stopped", pr: PR });
    expect(checklistOf(withPr).map((l) => l.slice(0, 5))).toEqual([
      "- [x]",
      "- [x]",
      "- [x]",
      "- [ ]",
      "- [ ]",
    ]);
  });

  it("phases entered before a stop count; the stop itself does not", () => {
    const s = state({
      phase: "stopped",
      phaseTimes: { planning: "t", "awaiting-approval": "t", stopped: "t" },
    });
    expect(checklistOf(s).map((l) => l.slice(0, 5))).toEqual(["- [x]", "- [ ]", "- [ ]", "- [ ]", "- [ ]"]);
    // a closed PR's "closed" time does not tick the merge
    const closed = state({ phase: "stopped", phaseTimes: { closed: "t" } });
    expect(checklistOf(closed).map((l) => l.slice(0, 5))).toEqual([
      "- [ ]",
      "- [ ]",
      "- [ ]",
      "- [ ]",
      "- [ ]",
    ]);
  });

  it("the current stage is bold with what it waits for: working, a human, or a failure", () => {
    expect(checklistOf(reviewing())[3]).toBe("- [ ] **Reviewers from other vendors review it** ⏳");
    expect(checklistOf(reviewing({ phase: "needs-human" }))[3]).toBe(
      "- [ ] **Reviewers from other vendors review it** 👤",
    );
    expect(checklistOf(reviewing({ phase: "ready" }))[4]).toBe("- [ ] **A maintainer merges it** 👤");
    const failed = { ...queued({ kind: "review" }), error: "x" };
    expect(checklistOf(reviewing({ failed }))[3]).toBe("- [ ] **Reviewers from other vendors review it** ⚠️");
    expect(checklistOf(reviewing({ phase: "stopped" })).every((l) => !/⏳|👤|⚠️/.test(l))).toBe(true);
    expect(checklistOf(reviewing({ phase: "merged" }))).toEqual([
      "- [x] The architect plans — plan v1",
      "- [x] A maintainer approves the plan — v1 by **maya**",
      `- [x] The developer implements it — [PR #9](${PR.url})`,
      "- [x] Reviewers from other vendors review it",
      "- [x] Merged",
    ]);
  });

  it("links questions, plan, reviews and ruling; lists the developer's steps", () => {
    const s = reviewing({
      links: {
        questions: "https://q",
        plan: "https://p",
        reviews: ["https://r1", "https://r2"],
        ruling: "https://ru",
      },
      devSteps: [
        { title: "Add the loop", done: true },
        { title: "Wire it", done: false },
      ],
    });
    const body = render(s);
    expect(body).toContain("- [x] The architect plans — [questions](https://q) · [plan v1](https://p)");
    expect(body).toContain("  - [x] 1. Add the loop\n  - [ ] 2. Wire it");
    expect(body).toContain(
      "- [ ] **Reviewers from other vendors review it** ⏳ — [review 1](https://r1) · [review 2](https://r2) · [ruling](https://ru)",
    );
  });
});

describe("the tracking comment's facts", () => {
  it("no facts table before any approval, model call or budget", () => {
    const body = render(state({ budget: undefined }));
    expect(body).not.toContain("| fix rounds |");
    expect(body).not.toContain("| cost |");
    expect(body).not.toContain("|---|---|\n");
  });

  it("fix rounds once approved; cost against the budget; unpriced calls counted", () => {
    const body = render(
      reviewing({
        fixRound: 2,
        budget: { maxTokens: 2_000_000, maxCostUsd: 5 },
        usage: {
          version: 1,
          lines: [line(), line({ role: "developer", costUsd: undefined, unpricedCalls: 1 })],
        },
      }),
    );
    expect(body).toContain(
      "| | |\n|---|---|\n| fix rounds | 2 |\n| cost | $0.12 of $5.00 · 3,000 of 2,000,000 tokens (1 calls unpriced) |",
    );
  });

  it("without a budget: cost and tokens; without a priced call: n/a", () => {
    const body = render(state({ fixRound: 1, usage: { version: 1, lines: [line({ costUsd: undefined })] } }));
    expect(body).toContain("| fix rounds | 1 |\n| cost | n/a · 1,500 tokens |");
  });

  it("notes an issue edited after the plan, who was not acted on, and overruled findings", () => {
    const body = render(
      reviewing({
        issueEditedSincePlan: true,
        notActedOn: [
          { by: "olly", what: "x", at: "t" },
          { by: "olly", what: "y", at: "t" },
          { by: "pat", what: "z", at: "t" },
        ],
        ignored: [
          { key: "k1", by: "maya", how: "👎" },
          { key: "k2", by: "omar", how: "/triad ignore" },
        ],
      }),
    );
    expect(body).toContain(
      "_The issue was edited after plan v1 was written — edited after the plan, not used: the developer works from the text the plan was made from. To change the plan, say so in a comment._",
    );
    expect(body).toContain(
      "**Not acted on:** reviews or `/triad fix` from **olly**, **pat**, who have no write access — shown here, never sent to a model. A maintainer can repeat what should be fixed.",
    );
    expect(body).toContain(
      "**Overruled by maintainers:** finding `k1` by **maya** (👎); finding `k2` by **omar** (/triad ignore)",
    );
    const plain = render(reviewing());
    expect(plain).not.toContain("Not acted on");
    expect(plain).not.toContain("Overruled by maintainers");
    expect(plain).not.toContain("The issue was edited");
    expect(render(state({ issueEditedSincePlan: true }))).not.toContain("The issue was edited");
  });
});

describe("the summary once merged", () => {
  it("rounds, findings by severity and by who, and when each phase was reached", () => {
    const s = reviewing({
      phase: "merged",
      fixRound: 2,
      architectTurns: 3,
      startedAt: "2026-12-01T10:00:00.000Z",
      findingStats: { "severity:blocker": 2, "severity:minor": 1, "by:reviewer-1": 2, "by:check:ci": 1 },
      phaseTimes: {
        reviewing: "2026-12-01T10:00:30.000Z",
        fixing: "2026-12-01T10:20:00.000Z",
        ready: "2026-12-01T13:00:00.000Z",
        merged: "2026-12-01T09:00:00.000Z",
      },
    });
    expect(renderSummary(s)).toBe(
      [
        "### Summary",
        "- plan v1, 2 fix round(s), 3 architect turn(s)",
        "- findings: 2 blocker, 0 major, 1 minor, 0 nit (raised by reviewer-1 2, check:ci 1)",
        "- time from the label: reviewing after 30 s · fixing after 20 min · ready after 3.0 h · merged after n/a",
      ].join("\n"),
    );
    expect(render(s)).toContain("### Summary");
    expect(render(reviewing({ phase: "ready" }))).not.toContain("### Summary");
  });

  it("with nothing recorded", () => {
    const s = state({ phase: "merged", plan: { version: 2, commentId: 1, hash: "h" } });
    expect(renderSummary(s).split("\n").slice(1)).toEqual([
      "- plan v2, 0 fix round(s), 0 architect turn(s)",
      "- findings: 0 blocker, 0 major, 0 minor, 0 nit",
      "- time from the label: n/a",
    ]);
    expect(renderSummary(state({ phase: "merged" }))).toContain("- plan v?,");
  });

  it("durations at the unit boundaries", () => {
    const at = (ms: number) =>
      renderSummary(
        state({
          startedAt: "2026-12-01T00:00:00.000Z",
          phaseTimes: { ready: new Date(Date.parse("2026-12-01T00:00:00.000Z") + ms).toISOString() },
        }),
      );
    expect(at(0)).toContain("ready after 0 s");
    expect(at(59_000)).toContain("ready after 59 s");
    expect(at(60_000)).toContain("ready after 1 min");
    expect(at(3_599_000)).toContain("ready after 60 min");
    expect(at(3_600_000)).toContain("ready after 1.0 h");
  });
});

describe("usage by role and /triad status", () => {
  it("a row per role with calls, tokens and cost", () => {
    expect(renderUsage(undefined)).toBe("");
    expect(renderUsage({ version: 1, lines: [] })).toBe("");
    expect(
      renderUsage({
        version: 1,
        lines: [line(), line({ role: "reviewer", costUsd: undefined, unpricedCalls: 2 })],
      }),
    ).toBe(
      [
        "| role | calls | input tokens | output tokens | cost |",
        "|---|---|---|---|---|",
        "| architect | 2 | 1000 (200 cached) | 500 | $0.1235 |",
        "| reviewer | 2 | 1000 (200 cached) | 500 | n/a (+2 unpriced) |",
      ].join("\n"),
    );
  });

  it("status: phase, now, what you can do, plans, queued and failed steps, usage", () => {
    const failed = { ...queued({ kind: "review" }), label: "reviews of aaaaaaa", error: "x" };
    const s = reviewing({
      plan: { version: 2, commentId: 1, hash: "h" },
      queued: { ...queued({ kind: "develop" }), label: "developer: fix round 1" },
      waiting: { ahead: 2 },
      failed,
      usage: { version: 1, lines: [line()] },
    });
    const status = renderStatus(s);
    expect(status.split("\n").slice(0, 5)).toEqual([
      `**triad status for #3:** reviewing. ${nowLine(s)}`,
      `- you can: ${nextLine(s)}`,
      "- latest plan: v2; approved: v1 by **maya**",
      "- queued: developer: fix round 1 — waiting: 2 workflows ahead in this installation",
      "- failed: reviews of aaaaaaa",
    ]);
    expect(status).toContain(`\n\n${renderUsage(s.usage)}`);
    const bare = renderStatus(state());
    expect(bare).toBe(
      `**triad status for #3:** planning. ${nowLine(state())}\n- you can: ${nextLine(state())}\n- no model calls yet`,
    );
    expect(renderStatus(state({ plan: { version: 1, commentId: 1, hash: "h" } }))).toContain(
      "- latest plan: v1\n",
    );
    expect(renderStatus(state({ queued: queued({ kind: "architect" }), waiting: { ahead: 1 } }))).toContain(
      "- queued: the step — waiting: 1 workflow ahead in this installation",
    );
  });
});
