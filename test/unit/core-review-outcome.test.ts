import { describe, expect, it } from "vitest";
import { LABELS, marker } from "../../src/core/markers.js";
import type { Dropped } from "../../src/core/review/decide.js";
import {
  afterFindings,
  applyReviewDecision,
  labelsFor,
  listFindings,
  openFindingsSummary,
} from "../../src/core/review/outcome.js";
import { modelText } from "../../src/text/sanitize.js";
import { aggregated, ctx, effectsOf, finding, NOW, PR, reviewing } from "../helpers/core-fixtures.js";

const none: Dropped = { ignored: [], repeated: [] };
const sha = PR.headSha;
const blocker = aggregated([{ reviewer: "reviewer-1", findings: [finding()] }]);
const two = aggregated([
  {
    reviewer: "reviewer-1",
    findings: [
      finding(),
      finding({ path: null, anchor: null, severity: "major", message: "No tests for the retry cap" }),
    ],
  },
]);
const minor = aggregated([
  { reviewer: "reviewer-1", findings: [finding({ severity: "minor", message: "Name the constant" })] },
]);
const input = { headSha: sha, comments: { k: 5 } };

describe("listing findings for a maintainer (review/outcome.ts)", () => {
  it("severity, where, the message's first line and who raised it", () => {
    const located = aggregated([
      { reviewer: "reviewer-1", findings: [finding({ at: { path: "src/retry.ts", line: 12 } })] },
    ]);
    expect(listFindings(located, modelText)).toBe(
      "- **blocker** `src/retry.ts:12`: The retry loop never waits between attempts (reviewer-1)",
    );
    expect(listFindings(two, modelText).split("\n")).toEqual([
      "- **blocker** `src/retry.ts`: The retry loop never waits between attempts (reviewer-1)",
      "- **major** the pull request: No tests for the retry cap (reviewer-1)",
    ]);
  });

  it("a long first line is cut at 200 characters; later lines are left out", () => {
    const long = aggregated([
      { reviewer: "r", findings: [finding({ message: `  ${"w".repeat(300)}\nsecond line` })] },
    ]);
    const line = listFindings(long, modelText);
    expect(line).toContain(`: ${"w".repeat(199)}… (r)`);
    expect(line).not.toContain("second line");
    const exact = aggregated([{ reviewer: "r", findings: [finding({ message: "v".repeat(200) })] }]);
    expect(listFindings(exact, modelText)).toContain(`: ${"v".repeat(200)} (r)`);
  });

  it("the needs-human summary counts rounds and open findings", () => {
    expect(openFindingsSummary(two, 3, modelText).split("\n")[0]).toBe(
      "The fix-round cap is reached (3 rounds) and 2 findings are still open at blocker or major:",
    );
    expect(openFindingsSummary(blocker, 1, modelText).split("\n")[0]).toBe(
      "The fix-round cap is reached (1 round) and 1 finding is still open at blocker or major:",
    );
  });
});

describe("what a review decision does to the pull request", () => {
  it("ready: label, out of draft, the starter told, a green check naming what is left", () => {
    const d = applyReviewDecision(
      reviewing({ queued: undefined }),
      { kind: "ready", dropped: { ignored: blocker, repeated: [] }, remaining: minor },
      input,
      ctx(),
    );
    expect(d.state).toMatchObject({ phase: "ready", reviewedSha: sha, note: undefined, updatedAt: NOW });
    expect(d.state?.phaseTimes.ready).toBe(NOW);
    expect(d.effects).toEqual([
      { type: "pr_labels", add: [LABELS.ready], remove: [LABELS.inReview] },
      { type: "pr_ready_for_review" },
      {
        type: "comment",
        marker: marker("notify", `ready-${sha}`),
        body: `@maya, [PR #9](${PR.url}) is ready to merge: triad's reviews found nothing that holds it back.`,
      },
      {
        type: "check",
        headSha: sha,
        state: { status: "completed", conclusion: "success" },
        title: "Ready to merge",
        summary: `No blocker or major finding is open. 1 overruled by a maintainer.\n\nMinor findings left for the maintainer:\n- **minor** \`src/retry.ts\`: Name the constant (reviewer-1)`,
      },
    ]);
  });

  it("ready with nothing left says just that, and keeps the first time it was ready", () => {
    const s = reviewing({ phaseTimes: { ready: "2026-11-30T00:00:00.000Z" } });
    const d = applyReviewDecision(s, { kind: "ready", dropped: none, remaining: [] }, input, ctx());
    expect(effectsOf(d.effects, "check")[0]?.summary).toBe("No blocker or major finding is open.");
    expect(d.state?.phaseTimes.ready).toBe("2026-11-30T00:00:00.000Z");
  });

  it("fix: the next round queued for the developer with the findings and the thread ids", () => {
    const s = reviewing({
      fixRound: 1,
      failed: {
        jobId: "j",
        label: "l",
        step: {
          kind: "develop",
          installationId: 7,
          repo: { owner: "acme", name: "weather-client" },
          issue: 3,
          runId: "d-1",
          reason: "x",
        },
        error: "e",
      },
    });
    const d = applyReviewDecision(
      s,
      { kind: "fix", findings: two, dropped: none },
      { ...input, note: ["See the ruling."] },
      ctx(),
    );
    expect(d.state).toMatchObject({
      phase: "fixing",
      fixRound: 2,
      failed: undefined,
      note: "Fix round 2: 2 finding(s) to fix.\nSee the ruling.",
    });
    expect(d.state?.phaseTimes.fixing).toBe(NOW);
    const [enqueue] = effectsOf(d.effects, "enqueue");
    expect(enqueue?.step).toMatchObject({
      kind: "develop",
      round: 2,
      planVersion: 1,
      prNumber: 9,
      headSha: sha,
      reason: "fix round 2",
    });
    expect(d.state?.queued).toEqual({
      jobId: enqueue?.jobId,
      label: "developer: fix round 2",
      step: enqueue?.step,
    });
    expect(enqueue?.jobId).toContain(`fix-2-${sha}`);
    expect(effectsOf(d.effects, "save_findings")[0]?.open).toEqual({
      round: 2,
      headSha: sha,
      findings: two,
      agreed: [],
      comments: { k: 5 },
    });
    expect(effectsOf(d.effects, "pr_labels")[0]).toEqual({ type: "pr_labels", add: [], remove: [] });
    expect(effectsOf(d.effects, "check")[0]).toMatchObject({
      state: { status: "completed", conclusion: "neutral" },
      title: "Fix round 2",
      summary: `The developer is fixing 2 finding(s):\n${listFindings(two, modelText)}`,
    });
    expect(d.effects.map((e) => e.type)).toEqual(["save_findings", "pr_labels", "check", "enqueue"]);
  });

  it("fix without an approved plan or a PR still names the head", () => {
    const s = reviewing({ approved: undefined, pr: undefined });
    const d = applyReviewDecision(s, { kind: "fix", findings: blocker, dropped: none }, input, ctx());
    const step = effectsOf(d.effects, "enqueue")[0]?.step;
    expect(step?.headSha).toBe(sha);
    expect(step && "planVersion" in step).toBe(false);
    expect(step && "prNumber" in step).toBe(false);
    expect(d.state?.note).toBe("Fix round 1: 1 finding(s) to fix.");
  });

  it("escalate: the architect rules on the disputed findings; the agreed ones are kept for the round", () => {
    const s = reviewing({ fixRound: 1, phase: "reviewing" });
    const d = applyReviewDecision(
      s,
      { kind: "escalate", findings: blocker, agreed: minor, reasons: [], dropped: none },
      input,
      ctx(),
    );
    expect(d.state).toMatchObject({
      phase: "fixing",
      fixRound: 1,
      note: "The architect is ruling on 1 disputed finding(s).",
    });
    const step = effectsOf(d.effects, "enqueue")[0]?.step;
    expect(step).toMatchObject({
      kind: "architect",
      mode: "ruling",
      reason: "rule on 1 disputed finding(s)",
      prNumber: 9,
      headSha: sha,
    });
    expect(effectsOf(d.effects, "enqueue")[0]?.jobId).toContain(`ruling-${sha}`);
    expect(effectsOf(d.effects, "save_findings")[0]?.open).toEqual({
      round: 1,
      headSha: sha,
      findings: blocker,
      agreed: minor,
      comments: { k: 5 },
    });
    expect(effectsOf(d.effects, "check")[0]).toMatchObject({
      state: { conclusion: "neutral" },
      title: "Architect ruling",
      summary: `The reviewers disagree or question the plan; the architect rules on:\n${listFindings(blocker, modelText)}`,
    });
  });

  it("needs a human: label, a red check with what is open, the starter and approver told", () => {
    const s = reviewing({
      fixRound: 3,
      approved: { version: 1, commentId: 100, hash: "h1", by: "omar", approvalCommentId: 101 },
    });
    const d = applyReviewDecision(s, { kind: "needs-human", findings: blocker, dropped: none }, input, ctx());
    const summary = openFindingsSummary(blocker, 3, modelText);
    expect(d.state).toMatchObject({
      phase: "needs-human",
      note: `**Needs a human** after 3 fix round(s):\n\n${summary}`,
    });
    expect(d.effects).toEqual([
      { type: "pr_labels", add: [LABELS.needsHuman], remove: [LABELS.inReview] },
      {
        type: "check",
        headSha: sha,
        state: { status: "completed", conclusion: "failure" },
        title: "Needs a human",
        summary,
      },
      {
        type: "comment",
        marker: marker("notify", `needs-human-${sha}`),
        body: `@maya @omar, [PR #9](${PR.url}) needs a human: the fix-round cap is reached with findings still open (see the tracking comment).`,
      },
    ]);
  });

  it("a spiral stops fixing and sends the architect back to the plan", () => {
    const s = reviewing({ fixRound: 3, pr: undefined });
    const d = applyReviewDecision(
      s,
      {
        kind: "spiral",
        files: ["src/retry.ts"],
        components: ["src/net/**"],
        findings: blocker,
        dropped: none,
      },
      input,
      ctx(),
    );
    const what = "`src/retry.ts`, `src/net/**`";
    expect(d.state).toMatchObject({
      phase: "planning",
      note: `Fixing stopped: ${what} changed in three consecutive fix rounds. The architect is tracing the failures back to the plan; the revised plan needs a new \`approved\`.`,
    });
    expect(effectsOf(d.effects, "enqueue")[0]?.step).toMatchObject({
      kind: "architect",
      mode: "spiral",
      reason: `trace the repeated fixes of ${what} back to the plan`,
    });
    expect(effectsOf(d.effects, "save_findings")[0]?.open).toMatchObject({
      round: 3,
      agreed: [],
      findings: blocker,
    });
    expect(effectsOf(d.effects, "check")[0]).toMatchObject({
      state: { conclusion: "failure" },
      title: "Stopped: the same code keeps changing",
      summary: `${what} changed in three fix rounds in a row; the architect is tracing it back to the plan, and a revised plan will need a new approval.`,
    });
    expect(effectsOf(d.effects, "pr_labels")[0]).toEqual({ type: "pr_labels", add: [], remove: [] });
  });

  it("a notification without a PR link names the pull request", () => {
    const d = applyReviewDecision(
      reviewing({ pr: undefined }),
      { kind: "ready", dropped: none, remaining: [] },
      input,
      ctx(),
    );
    expect(effectsOf(d.effects, "comment")[0]?.body).toBe(
      "@maya, the pull request is ready to merge: triad's reviews found nothing that holds it back.",
    );
  });
});

describe("labels between phases", () => {
  it("moves the one PR label, or leaves it", () => {
    expect(labelsFor(reviewing({ phase: "ready" }), "needs-human")).toEqual({
      type: "pr_labels",
      add: [LABELS.needsHuman],
      remove: [LABELS.ready],
    });
    expect(labelsFor(reviewing({ phase: "needs-human" }), "fixing")).toEqual({
      type: "pr_labels",
      add: [LABELS.inReview],
      remove: [LABELS.needsHuman],
    });
    expect(labelsFor(reviewing({ phase: "fixing" }), "planning")).toEqual({
      type: "pr_labels",
      add: [],
      remove: [],
    });
  });
});

describe("findings from any source go through the cap, the spiral guard and escalation", () => {
  it("the configured cap and the maintainer's overrules are applied", () => {
    const capped = afterFindings(reviewing({ fixRound: 1 }), blocker, input, ctx("max_fix_rounds: 1\n"));
    expect(capped.state?.phase).toBe("needs-human");
    const key = blocker[0]?.key ?? "";
    const overruled = afterFindings(
      reviewing({ ignored: [{ key, by: "maya", how: "👎" }] }),
      blocker,
      input,
      ctx(),
    );
    expect(overruled.state?.phase).toBe("ready");
  });

  it("earlier rounds' keys are repeats; the spiral history is the state's", () => {
    const key = blocker[0]?.key ?? "";
    expect(
      afterFindings(reviewing(), blocker, { ...input, earlierFindingKeys: [key] }, ctx()).state?.phase,
    ).toBe("ready");
    const changes = [1, 2, 3].map(() => ({ files: ["src/retry.ts"], components: [] }));
    expect(afterFindings(reviewing({ changes, fixRound: 2 }), blocker, input, ctx()).state?.phase).toBe(
      "planning",
    );
  });

  it("escalates a single reviewer's blocker unless told not to", () => {
    const single = aggregated(
      [
        { reviewer: "reviewer-1", findings: [finding()] },
        { reviewer: "reviewer-2", findings: [] },
      ],
      2,
    );
    expect(afterFindings(reviewing(), single, input, ctx()).state?.queued?.step.mode).toBe("ruling");
    const d = afterFindings(reviewing(), single, { ...input, escalate: false }, ctx());
    expect(d.state?.queued?.step.kind).toBe("develop");
  });
});
