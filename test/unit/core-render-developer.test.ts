import { describe, expect, it } from "vitest";
import { extractData, marker } from "../../src/core/markers.js";
import { type CallLogView, renderCallLog } from "../../src/core/render/call-log.js";
import {
  branchName,
  commitMessage,
  renderBlocked,
  renderPullRequestBody,
  withRounds,
} from "../../src/core/render/developer.js";
import { renderRuling } from "../../src/core/render/ruling.js";
import type { Plan } from "../../src/core/schemas/architect.js";
import type { DeveloperReport } from "../../src/core/schemas/developer.js";
import { modelText } from "../../src/text/sanitize.js";
import { aggregated, finding } from "../helpers/core-fixtures.js";

const plan: Plan = {
  goal: "Retry failed requests",
  decisions: [
    { decision: "Backoff", why: "Load", alternatives: [{ option: "None", why_rejected: "Storms" }] },
  ],
  steps: [
    {
      title: "Add the retry loop",
      files: [{ path: "src/retry.ts", action: "create" }],
      signatures: [],
      details: "Loop",
    },
    {
      title: "Wire it in",
      files: [{ path: "src/client.ts", action: "change" }],
      signatures: [],
      details: "Call",
    },
    {
      title: "Document it",
      files: [{ path: "README.md", action: "change" }],
      signatures: [],
      details: "Docs",
    },
    { title: "Metrics", files: [{ path: "src/m.ts", action: "change" }], signatures: [], details: "Count" },
  ],
  tests: ["retries three times"],
  out_of_scope: [],
  risks: [],
};

const report = (over: Partial<DeveloperReport> = {}): DeveloperReport => ({
  summary: "Added a retry loop.",
  not_covered: [],
  plan_steps: [],
  findings: [],
  ...over,
});

const facts = { issue: 3, planVersion: 2, planUrl: "https://x/issues/3#c1", approvedBy: "maya" };

describe("branch names (render/developer.ts)", () => {
  it("triad/<issue>-<slug> of the title's words", () => {
    expect(branchName(3, "Add retry to the HTTP client!")).toBe("triad/3-add-retry-to-the-http-client");
    expect(branchName(3, "  Über  Café -- naïve  ")).toBe("triad/3-uber-cafe-naive");
  });

  it("keeps whole words up to 40 characters", () => {
    const title = "alpha beta gamma delta epsilon zeta eta theta iota";
    const slug = branchName(1, title).slice("triad/1-".length);
    expect(slug).toBe("alpha-beta-gamma-delta-epsilon-zeta-eta");
    expect(slug.length).toBeLessThanOrEqual(40);
    // exactly 40 characters is kept
    const forty = `${"a".repeat(19)} ${"b".repeat(20)}`;
    expect(branchName(1, `${forty} c`)).toBe(`triad/1-${"a".repeat(19)}-${"b".repeat(20)}`);
  });

  it("cuts a first word longer than 40 characters, and names an empty title 'change'", () => {
    expect(branchName(2, "x".repeat(50))).toBe(`triad/2-${"x".repeat(40)}`);
    expect(branchName(2, "!!! ???")).toBe("triad/2-change");
    expect(branchName(2, "")).toBe("triad/2-change");
  });
});

describe("the pull request body", () => {
  it("closes the issue, links the plan and shows what was built", () => {
    const body = renderPullRequestBody(plan, report(), facts, modelText);
    expect(body.startsWith(marker("pr", "3"))).toBe(true);
    expect(body).toContain("Closes #3");
    expect(body).toContain("Implements [plan v2](https://x/issues/3#c1), approved by @maya.");
    expect(body).toContain("### What was built\n\nAdded a retry loop.\n");
    expect(body).toContain("### Not covered\n\n- Nothing reported.");
    expect(body).toContain("reviewers from other vendors review it next");
  });

  it("lists what is not covered", () => {
    const body = renderPullRequestBody(plan, report({ not_covered: ["Metrics", "Docs"] }), facts, modelText);
    expect(body).toContain("### Not covered\n\n- Metrics\n- Docs\n");
    expect(body).not.toContain("Nothing reported");
  });

  it("a conformance row per plan step, with the developer's status, note and files", () => {
    const body = renderPullRequestBody(
      plan,
      report({
        plan_steps: [
          { step: 1, status: "done", files: ["src/retry.ts", "src/util.ts"] },
          { step: 2, status: "partly", files: [], note: "only the GET path" },
          { step: 3, status: "not_done", files: [], note: null },
        ],
      }),
      facts,
      modelText,
    );
    const rows = body.split("\n").filter((l) => /^\| \d/.test(l));
    expect(rows).toEqual([
      "| 1 | Add the retry loop | ✅ done | `src/retry.ts`, `src/util.ts` |",
      "| 2 | Wire it in | 🟡 partly — only the GET path | — |",
      "| 3 | Document it | ❌ not done | — |",
      "| 4 | Metrics | ❔ not reported | — |",
    ]);
  });
});

describe("the pull request body, top to bottom", () => {
  it("as a maintainer reads it", () => {
    const one: Plan = { ...plan, steps: plan.steps.slice(0, 1) };
    const body = renderPullRequestBody(
      one,
      report({
        summary: "  Built it.\n",
        not_covered: ["Docs"],
        plan_steps: [{ step: 1, status: "done", files: ["a.ts"] }],
      }),
      facts,
      modelText,
    );
    expect(body).toBe(
      [
        marker("pr", "3"),
        "Closes #3",
        "",
        "Implements [plan v2](https://x/issues/3#c1), approved by @maya.",
        "",
        "### What was built",
        "",
        "Built it.",
        "",
        "### Not covered",
        "",
        "- Docs",
        "",
        "### Plan conformance",
        "",
        "| # | step | status | files |",
        "|---|---|---|---|",
        "| 1 | Add the retry loop | ✅ done | `a.ts` |",
        "",
        "<sub>Written by triad's developer from the approved plan; reviewers from other vendors review it next.</sub>",
      ].join("\n"),
    );
  });
});

describe("the rounds section of the PR body", () => {
  const notes = [
    { round: 0, summary: "first", files: ["a.ts"] },
    { round: 1, summary: "fixed the wait", files: ["src/retry.ts", "src/x.ts"] },
    { round: 2, summary: "renamed", files: [] },
  ];

  it("one line per fix round after a marker; round 0 is the body itself", () => {
    const body = withRounds("Body text\n\n", notes, modelText);
    expect(body).toBe(
      [
        "Body text",
        "",
        marker("rounds"),
        "### Rounds",
        "",
        "- **Fix round 1:** fixed the wait — `src/retry.ts`, `src/x.ts`",
        "- **Fix round 2:** renamed",
      ].join("\n"),
    );
  });

  it("each round's findings under its line; a later round keeps an earlier round's list as the body has it", () => {
    const first = withRounds("Body", notes.slice(0, 2), modelText, {
      round: 1,
      lines: ["  - ✅ fixed — [major · src/retry.ts:3](https://x/pull/9#discussion_r5): waits now"],
    });
    const second = withRounds(first, notes, modelText, {
      round: 2,
      lines: ["  - ⏸ not changed — nit · a.ts"],
    });
    expect(second).toBe(
      [
        "Body",
        "",
        marker("rounds"),
        "### Rounds",
        "",
        "- **Fix round 1:** fixed the wait — `src/retry.ts`, `src/x.ts`",
        "  - ✅ fixed — [major · src/retry.ts:3](https://x/pull/9#discussion_r5): waits now",
        "- **Fix round 2:** renamed",
        "  - ⏸ not changed — nit · a.ts",
      ].join("\n"),
    );
    // Rewritten again (the same round published twice): the lists stay, nothing is repeated.
    expect(withRounds(second, notes, modelText)).toBe(second);
  });

  it("is rewritten, not appended, each round; with no fix round there is none", () => {
    const once = withRounds("Body", notes.slice(0, 2), modelText);
    const twice = withRounds(once, notes, modelText);
    expect(twice).toBe(withRounds("Body", notes, modelText));
    expect(twice.split("### Rounds")).toHaveLength(2);
    expect(withRounds(once, notes.slice(0, 1), modelText)).toBe("Body");
    expect(withRounds("Body  \n", [], modelText)).toBe("Body");
  });
});

describe("commit messages", () => {
  it("round 0 is the issue's title; fix rounds say so", () => {
    expect(commitMessage("Add  retry\n to client ", 3, 2, 0)).toBe(
      "Add retry to client (#3)\n\nImplements plan v2 of #3.",
    );
    expect(commitMessage("t", 3, 2, 1)).toBe(
      "Address review findings, round 1 (#3)\n\nImplements plan v2 of #3, fix round 1.",
    );
    expect(commitMessage("y".repeat(80), 3, 1, 0).split("\n")[0]).toBe(`${"y".repeat(60)} (#3)`);
  });
});

describe("the developer's blocked comment", () => {
  it("says which step cannot be followed, why, and what the architect must decide", () => {
    const body = renderBlocked(
      report({
        blocked: { step: 2, found: "no client", why: "the file is gone", decision_needed: "where to wire" },
      }),
      2,
      "job-1",
      modelText,
    );
    expect(body).toBe(
      [
        marker("developer", "job-1"),
        "**🛑 The developer stopped: plan v2 cannot be followed as written (step 2).**",
        "",
        "- **Found:** no client",
        "- **Why the step cannot be done:** the file is gone",
        "- **Decision needed:** where to wire",
        "",
        "The architect will revise the plan; the new version needs a new `approved`. Nothing was pushed.",
      ].join("\n"),
    );
    expect(renderBlocked(report(), 1, "j", modelText)).toContain("(step ?)");
  });
});

describe("the architect's ruling comment (render/ruling.ts)", () => {
  const findings = aggregated([
    {
      reviewer: "openai:gpt",
      findings: [
        finding({ message: "The loop never waits\nmore detail" }),
        finding({ path: "src/b.ts", anchor: "x", severity: "major", message: "Bad name" }),
        finding({ path: "src/c.ts", anchor: "y", severity: "minor", message: "Unruled" }),
      ],
    },
  ]);

  it("a row per disputed finding with the ruling and its reason, the result kept as data", () => {
    const result = {
      rulings: [
        { finding: "F1", decision: "accept" as const, reason: "it is a bug" },
        { finding: "F2", decision: "reject" as const, reason: "the plan says so" },
      ],
    };
    const body = renderRuling("ruling", result, findings, "job-9", modelText);
    expect(body.startsWith(marker("architect", "job-9"))).toBe(true);
    expect(body).toContain("**The architect's ruling on the disputed findings**");
    const rows = body.split("\n").filter((l) => l.startsWith("| F"));
    expect(rows).toHaveLength(3);
    expect(rows.find((r) => r.includes("The loop never waits"))).toMatch(/\| ✅ accepted \| it is a bug \|$/);
    expect(rows.find((r) => r.includes("The loop never waits"))).not.toContain("more detail");
    expect(rows.find((r) => r.includes("Bad name"))).toMatch(
      /^\| F\d: major — Bad name \| ❌ rejected \| the plan says so \|$/,
    );
    expect(rows.find((r) => r.includes("Unruled"))).toMatch(/\| — not ruled \| {2}\|$/);
    expect(body).not.toContain("revised plan follows");
    expect(extractData(body, "architect")).toEqual(result);
  });

  it("reads, top to bottom, as a table of rulings", () => {
    const one = findings.slice(0, 1);
    const result = { rulings: [{ finding: "F1", decision: "accept" as const, reason: "r" }] };
    const body = renderRuling("ruling", result, one, "j", modelText);
    expect(body.slice(0, body.lastIndexOf("\n\n<!--"))).toBe(
      [
        marker("architect", "j"),
        "**The architect's ruling on the disputed findings**",
        "",
        "| finding | ruling | reason |",
        "|---|---|---|",
        `| F1: ${one[0]?.severity} — ${one[0]?.message.split("\n")[0]} | ✅ accepted | r |`,
      ].join("\n"),
    );
    const long = aggregated([{ reviewer: "r", findings: [finding({ message: "m".repeat(200) })] }]);
    expect(renderRuling("ruling", { rulings: [] }, long, "j", modelText)).toContain(
      `| F1: blocker — ${"m".repeat(140)} |`,
    );
    const trace = renderRuling("spiral", { trace: "T", revised_plan: plan }, [], "j", modelText);
    expect(trace.slice(0, trace.lastIndexOf("\n\n<!--"))).toBe(
      [
        marker("architect", "j"),
        "**The architect traced the repeated fixes back to the plan.**",
        "",
        "T",
        "",
        "A revised plan follows; it needs a new `approved`.",
      ].join("\n"),
    );
  });

  it("says a revised plan follows when the ruling changes the plan", () => {
    const body = renderRuling("ruling", { rulings: [], revised_plan: plan }, findings, "j", modelText);
    expect(body).toContain(
      "The plan's structure has to change: a revised plan follows and needs a new `approved`.",
    );
  });

  it("a spiral trace explains the repeated fixes and announces a revised plan", () => {
    const trace = { trace: "Decision 1 put the retry in the wrong layer.", revised_plan: plan };
    const body = renderRuling("spiral", trace, findings, "j", modelText);
    expect(body).toContain("**The architect traced the repeated fixes back to the plan.**");
    expect(body).toContain("Decision 1 put the retry in the wrong layer.");
    expect(body).toContain("A revised plan follows; it needs a new `approved`.");
    expect(body).not.toContain("| finding |");
    expect(extractData(body, "architect")).toEqual(trace);
  });
});

describe("/triad log (render/call-log.ts)", () => {
  const call = (over: Partial<CallLogView["calls"][number]> = {}): CallLogView["calls"][number] => ({
    role: "architect",
    model: "`anthropic:claude`",
    toolCalls: [{ name: "`read_file`", args: '`{"path":"a"}`' }],
    inputTokens: 1200,
    cachedInputTokens: 0,
    outputTokens: 300,
    costUsd: 0.125,
    durationMs: 2500,
    stopReason: "tool_use",
    ...over,
  });

  it("nothing recorded yet", () => {
    expect(renderCallLog(undefined)).toBe(
      "No model call is recorded for this workflow yet (calls are kept for 30 days).",
    );
    expect(renderCallLog({ step: "s", calls: [] })).toContain("No model call is recorded");
  });

  it("a collapsed summary of the step's calls, then one entry per call", () => {
    const body = renderCallLog({
      step: "architect-acme-w-3-c1",
      calls: [
        call(),
        call({
          role: "reviewer",
          cachedInputTokens: 1000,
          costUsd: 0.004,
          durationMs: 500,
          toolCalls: [],
          stopReason: "end_turn",
        }),
      ],
    });
    expect(body).toBe(
      [
        "<details><summary>2 model calls of the last step (architect, reviewer) · 3,000 tokens · $0.13 · 3.0 s</summary>",
        "",
        "Step `architect-acme-w-3-c1`:",
        "",
        "1. **architect** · `anthropic:claude` · 1,200 in / 300 out · $0.13 · 2.5 s · stop: tool_use",
        '   - `read_file` `{"path":"a"}`',
        "2. **reviewer** · `anthropic:claude` · 1,200 in (1,000 cached) / 300 out · $0.0040 · 0.5 s · stop: end_turn",
        "   - no tool call (a final answer)",
        "",
        "</details>",
      ].join("\n"),
    );
  });

  it("one call, unpriced: no cost shown", () => {
    const body = renderCallLog({ step: "s", calls: [call({ costUsd: undefined })] });
    expect(body).toContain(
      "<summary>1 model call of the last step (architect) · 1,500 tokens · 2.5 s</summary>",
    );
    expect(body).not.toContain("$");
  });

  it("stops short of GitHub's comment limit and says how many calls are not shown", () => {
    const big = call({ toolCalls: [{ name: "`write`", args: `\`${"x".repeat(9_000)}\`` }] });
    const body = renderCallLog({ step: "s", calls: Array.from({ length: 10 }, () => big) });
    expect(body.length).toBeLessThanOrEqual(60_000);
    expect(body).toContain("6. **architect**");
    expect(body).not.toContain("7. **architect**");
    expect(body).toContain("… 4 more calls not shown (too long for one comment).");
    const oneLeft = renderCallLog({ step: "s", calls: Array.from({ length: 7 }, () => big) });
    expect(oneLeft).toContain("… 1 more call not shown (too long for one comment).");
    expect(oneLeft.endsWith("</details>")).toBe(true);
  });
});
