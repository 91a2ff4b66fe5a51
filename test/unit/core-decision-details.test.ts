import { describe, expect, it } from "vitest";
import type { CommentEvent, IssueEvent } from "../../src/core/event-facts.js";
import { decideIssueEvent } from "../../src/core/issue-events.js";
import { marker } from "../../src/core/markers.js";
import { decidePullEvent, type PullEvent } from "../../src/core/pr-events.js";
import { renderTrackingComment } from "../../src/core/render/tracking.js";
import { normaliseAnchor, normalisePath } from "../../src/core/review/finding.js";
import { onHumanFindings } from "../../src/core/review/human.js";
import { applyReviewDecision, listFindings } from "../../src/core/review/outcome.js";
import { submitReviewTool } from "../../src/core/schemas/review.js";
import { onRuling, onTrace } from "../../src/core/step-results.js";
import { mergeUsage, type UsageLine } from "../../src/core/usage.js";
import { modelText } from "../../src/text/sanitize.js";
import {
  aggregated,
  common,
  ctx,
  effectsOf,
  finding,
  NOW,
  open,
  PR,
  reviewing,
  step,
} from "../helpers/core-fixtures.js";

const WAIT = "The retry loop never waits between attempts";
const WAIT2 = "Retry loop does not wait between the attempts";
const merged = aggregated(
  [
    { reviewer: "r1", findings: [finding({ message: WAIT })] },
    { reviewer: "r2", findings: [finding({ anchor: "return  fn();", message: WAIT2 })] },
  ],
  2,
);
const comment = (id: number): CommentEvent => ({
  kind: "comment_created",
  onPullRequest: false,
  comment: { id, body: "x", author: { login: "omar", type: "User" }, createdAt: NOW },
  ...common,
});

describe("decisions that change nothing do not edit the tracking comment", () => {
  it("an ignored event and a reply leave the tracking comment as it is", () => {
    const ignored = decideIssueEvent(
      reviewing(),
      { kind: "issue_labeled", label: "bug", ...common } as IssueEvent,
      {},
      ctx(),
    );
    expect(ignored.tracking).toBe(false);
    const replied = decideIssueEvent(
      reviewing(),
      comment(5) as IssueEvent,
      { intent: { type: "command", name: "status", args: "" }, permission: "write" },
      ctx(),
    );
    expect(effectsOf(replied.effects, "reply")).toHaveLength(1);
    expect(replied.tracking).toBe(false);
  });
});

describe("details a maintainer sees", () => {
  it("a merged finding lists everyone who raised it", () => {
    expect(listFindings(merged, modelText)).toContain("(r1, r2)");
  });

  it("a message that starts with a blank line is listed by its first words", () => {
    const f = aggregated([{ reviewer: "r1", findings: [finding({ message: "\n\nThe loop spins" })] }]);
    expect(listFindings(f, modelText)).toBe("- **blocker** `src/retry.ts`: The loop spins (r1)");
  });

  it("the spiral's architect step is queued under its own id and shown", () => {
    const d = applyReviewDecision(
      reviewing({ fixRound: 3 }),
      {
        kind: "spiral",
        files: ["src/retry.ts"],
        components: [],
        findings: merged,
        dropped: { ignored: [], repeated: [] },
      },
      { headSha: PR.headSha, comments: {} },
      ctx(),
    );
    const [enqueue] = effectsOf(d.effects, "enqueue");
    expect(enqueue?.jobId).toBe(`architect-acme-weather-client-3-spiral-${PR.headSha}`);
    expect(d.state?.queued).toEqual({
      jobId: enqueue?.jobId,
      label: expect.stringContaining("architect: trace"),
      step: enqueue?.step,
    });
  });

  it("a human's fix round is checked on the PR's head", () => {
    const d = onHumanFindings(
      reviewing({ phase: "ready" }),
      { reviewer: "omar", origin: "human", findings: [finding()] },
      "write",
      ctx(),
    );
    expect(effectsOf(d.effects, "check")[0]?.headSha).toBe(PR.headSha);
    expect(effectsOf(d.effects, "save_findings")[0]?.open.headSha).toBe(PR.headSha);
  });

  it("the tracking comment's notes stand in paragraphs of their own", () => {
    const body = renderTrackingComment(
      reviewing({
        issueEditedSincePlan: true,
        notActedOn: [{ by: "olly", what: "x", at: "t" }],
        ignored: [{ key: "k", by: "maya", how: "👎" }],
      }),
      modelText,
    );
    expect(body).toContain("\n\n_The issue was edited after plan v1");
    expect(body).toContain("\n\n**Not acted on:**");
    expect(body).toContain("\n\n**Overruled by maintainers:**");
  });
});

describe("overruling one reviewer's copy of a merged finding", () => {
  it("/triad ignore on any of a finding's keys overrules all of it, and the round is withdrawn", () => {
    const second = merged[0]?.keys[1] ?? "";
    const event = {
      kind: "review_comment_created",
      pullNumber: PR.number,
      comment: { id: 88, body: "/triad ignore", author: { login: "omar", type: "User" }, inReplyTo: 55 },
      ...common,
    } as PullEvent;
    const minors = aggregated([
      {
        reviewer: "r1",
        findings: [
          finding({ path: "src/b.ts", anchor: "b", severity: "minor", message: "Rename b" }),
          finding({ path: "src/c.ts", anchor: "c", severity: "nit", message: "Quote style" }),
        ],
      },
    ]);
    const s = reviewing({
      phase: "fixing",
      fixRound: 1,
      queued: { jobId: "dev", label: "developer: fix round 1", step: step({ kind: "develop", round: 1 }) },
    });
    const d = decidePullEvent(
      s,
      event,
      { permission: "write", ignoredKey: second, open: open([...merged, ...minors], { round: 1 }) },
      ctx(),
    );
    expect(d.state?.phase).toBe("ready");
    expect(effectsOf(d.effects, "check")[0]?.summary).toMatch(
      /^No blocker or major finding is open\. 1 overruled by a maintainer\./,
    );
  });
});

describe("the ruling counts only what was accepted", () => {
  it("one accepted and one rejected: one finding to fix", () => {
    const two = aggregated([
      {
        reviewer: "r1",
        findings: [
          finding(),
          finding({ path: "src/b.ts", anchor: "b", severity: "major", message: "Leaks the socket" }),
        ],
      },
    ]);
    const d = onRuling(
      reviewing({ phase: "fixing" }),
      "rule-1",
      {
        rulings: [
          { finding: "F1", decision: "accept", reason: "r" },
          { finding: "F2", decision: "reject", reason: "r" },
        ],
      },
      open(two),
      undefined,
      ctx(),
    );
    expect(effectsOf(d.effects, "save_findings")[0]?.open.findings).toHaveLength(1);
    expect(d.state?.note).toContain("The architect accepted 1 of 2 disputed finding(s)");
  });

  it("a trace's revised plan is posted under its own marker", () => {
    const plan = {
      goal: "G",
      decisions: [{ decision: "D", why: "W", alternatives: [{ option: "A", why_rejected: "R" }] }],
      steps: [
        { title: "S", files: [{ path: "a.ts", action: "change" as const }], signatures: [], details: "X" },
      ],
      tests: ["T"],
      out_of_scope: [],
      risks: [],
    };
    const d = onTrace(
      reviewing({ phase: "planning" }),
      "spiral-1",
      { trace: "t", revised_plan: plan },
      open(merged),
      undefined,
      ctx(),
    );
    expect(effectsOf(d.effects, "comment").map((c) => c.marker)).toEqual([
      marker("architect", "spiral-1"),
      marker("architect", "spiral-1-plan"),
    ]);
  });
});

describe("small rules", () => {
  it("a diff prefix is dropped only at the start of an anchor line; ./ only at the start of a path", () => {
    expect(normaliseAnchor("total = 12 + 1")).toBe("total = 12 + 1");
    expect(normalisePath("src/./a.ts")).toBe("src/./a.ts");
  });

  it("unpriced calls add up across merges", () => {
    const line = (unpricedCalls: number): UsageLine => ({
      role: "r",
      vendor: "v",
      model: "m",
      calls: 1,
      inputTokens: 0,
      cachedInputTokens: 0,
      cacheWriteInputTokens: 0,
      outputTokens: 0,
      unpricedCalls,
    });
    expect(
      mergeUsage({ version: 1, lines: [line(2)] }, { version: 1, lines: [line(3)] }).lines[0]?.unpricedCalls,
    ).toBe(5);
  });

  it("the reviewer's tool for a plan is submit_review and names every missing step", () => {
    const tool = submitReviewTool(3);
    expect(tool.name).toBe("submit_review");
    const r = tool.input.safeParse({
      findings: [],
      plan_compliance: [{ step: 2, status: "met", note: "ok" }],
    });
    expect(r.error?.issues.map((i) => i.message)).toEqual(["list every plan step once; missing: 1, 3"]);
  });
});
