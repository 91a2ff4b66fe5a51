import { describe, expect, it } from "vitest";
import {
  type AggregateOptions,
  aggregateFindings as aggregateLocated,
} from "../../src/core/review/aggregate.js";
import { type DecideContext, decideReview } from "../../src/core/review/decide.js";
import type { FindingInput, FindingSet, FindingSet as LocatedSet } from "../../src/core/review/finding.js";
import { openFindingsSummary } from "../../src/core/review/outcome.js";
import type { Severity } from "../../src/core/schemas/review.js";
import { detectSpiral } from "../../src/core/spiral.js";
import type { DiffFile } from "../../src/diff/index.js";
import { parseUnifiedDiff } from "../../src/diff/index.js";
import { fromCheckFailure, fromFixCommand } from "../../src/shell/review/human-findings.js";
import { locateFindings } from "../../src/shell/review/locate-findings.js";
import { modelText } from "../../src/text/sanitize.js";
import { fixture } from "../fixtures/diff/golden.js";

/** Aggregation as the shell runs it: findings located in the diff first, then aggregated. */
const aggregateFindings = (
  sets: LocatedSet[],
  o: AggregateOptions & { files?: readonly DiffFile[] } = {},
) => {
  const { files: diff, ...rest } = o;
  return aggregateLocated(diff ? locateFindings(sets, diff) : sets, rest);
};

const files = parseUnifiedDiff(fixture("all.diff"));
const L2 = "  if (min > max) return null;";
const L20 = '  if (input.trim() === "") return null;';
const NULL_A = "clamp returns null when min > max, a type error for a function whose return type is number.";
const NULL_B = "Returning null from clamp when min > max breaks the number return type.";
const EMPTY = "parse returns null for whitespace-only input but the docs promise NaN.";

const f = (
  anchor: string,
  severity: Severity,
  message: string,
  extra: Partial<FindingInput> = {},
): FindingInput => ({
  path: "src/util.ts",
  anchor,
  severity,
  message,
  conflicts_with_plan: false,
  ...extra,
});
const ctx = (over: Partial<DecideContext> = {}): DecideContext => ({ fixRound: 0, maxFixRounds: 3, ...over });
const decide = (sets: FindingSet[], over: Partial<DecideContext> = {}) =>
  decideReview(aggregateFindings(sets, { files }), ctx(over));

describe("decideReview", () => {
  it("ready: no findings", () => {
    expect(decide([{ reviewer: "r1", findings: [] }])).toMatchObject({ kind: "ready", remaining: [] });
  });

  it("ready: only minor and nit findings, even when single or plan-conflicting", () => {
    const d = decide([
      { reviewer: "r1", findings: [f(L2, "minor", NULL_A, { conflicts_with_plan: true })] },
      { reviewer: "r2", findings: [f(L20, "nit", EMPTY)] },
    ]);
    expect(d.kind).toBe("ready");
    if (d.kind === "ready") expect(d.remaining).toHaveLength(2);
  });

  it("fix: blocker/major findings both reviewers agree on, inside the plan", () => {
    const d = decide([
      { reviewer: "r1", findings: [f(L2, "blocker", NULL_A), f(L20, "nit", EMPTY)] },
      { reviewer: "r2", findings: [f(L2, "major", NULL_B)] },
    ]);
    expect(d.kind).toBe("fix");
    if (d.kind === "fix") {
      expect(d.findings).toHaveLength(1);
      expect(d.findings[0]).toMatchObject({ severity: "blocker", raisedBy: ["r1", "r2"] });
    }
  });

  it("fix: with one reviewer configured every blocker is agreed", () => {
    expect(decide([{ reviewer: "r1", findings: [f(L2, "blocker", NULL_A)] }]).kind).toBe("fix");
  });

  it("escalate: a blocker only one of two reviewers raises", () => {
    const d = decide([
      { reviewer: "r1", findings: [f(L2, "blocker", NULL_A), f(L20, "major", EMPTY)] },
      { reviewer: "r2", findings: [f(L20, "major", EMPTY)] },
    ]);
    expect(d.kind).toBe("escalate");
    if (d.kind === "escalate") {
      expect(d.findings.map((x) => x.line)).toEqual([2]);
      expect(d.agreed.map((x) => x.line)).toEqual([20]);
      expect(d.reasons).toEqual([
        { key: d.findings[0]?.key, reason: "single", detail: "only r1 holds it at blocker" },
      ]);
    }
  });

  it("escalate: contradicting findings, when one side is blocker or major", () => {
    const d = decide([
      {
        reviewer: "r1",
        findings: [f(L2, "major", "Remove this guard: every caller validates the range; redundant.")],
      },
      {
        reviewer: "r2",
        findings: [
          f("  if (value < min) return min;", "minor", "Keep the range check but add a RangeError."),
        ],
      },
    ]);
    expect(d.kind).toBe("escalate");
    if (d.kind === "escalate") {
      expect(d.findings).toHaveLength(2);
      expect(d.reasons.filter((r) => r.reason === "contradicting")).toHaveLength(2);
    }
  });

  it("ready: two contradicting nits hold nothing back", () => {
    const d = decide([
      { reviewer: "r1", findings: [f(L2, "nit", "Remove this guard; redundant.")] },
      { reviewer: "r2", findings: [f(L2, "nit", "Keep the guard and add a comment.")] },
    ]);
    expect(d.kind).toBe("ready");
  });

  it("escalate: a finding that says the plan is wrong, even when both agree", () => {
    const d = decide([
      { reviewer: "r1", findings: [f(L2, "major", NULL_A, { conflicts_with_plan: true })] },
      { reviewer: "r2", findings: [f(L2, "major", NULL_B)] },
    ]);
    expect(d.kind).toBe("escalate");
    if (d.kind === "escalate") expect(d.reasons.map((r) => r.reason)).toEqual(["plan_conflict"]);
  });

  it("needs-human: the fix-round cap is reached with a blocker still open", () => {
    const d = decide([{ reviewer: "r1", findings: [f(L2, "blocker", NULL_A), f(L20, "minor", EMPTY)] }], {
      fixRound: 3,
    });
    expect(d.kind).toBe("needs-human");
    if (d.kind === "needs-human") {
      expect(d.findings).toHaveLength(1);
      const summary = openFindingsSummary(d.findings, 3, modelText);
      expect(summary.split("\n").slice(0, 2)).toEqual([
        "The fix-round cap is reached (3 rounds) and 1 finding is still open at blocker or major:",
        "",
      ]);
      expect(summary).toContain("- **blocker** `src/util.ts:2`: clamp returns null when min > max");
      expect(summary).toContain("(r1)");
    }
  });

  it("needs-human before escalating past the cap; ready at the cap when nothing is open", () => {
    const sets = [
      { reviewer: "r1", findings: [f(L2, "blocker", NULL_A)] },
      { reviewer: "r2", findings: [] },
    ];
    expect(decide(sets, { fixRound: 2 }).kind).toBe("escalate");
    expect(decide(sets, { fixRound: 2, maxFixRounds: 2 }).kind).toBe("needs-human");
    expect(decide([{ reviewer: "r1", findings: [] }], { fixRound: 5 }).kind).toBe("ready");
    expect(decide([{ reviewer: "r1", findings: [f(L2, "major", NULL_A)] }], { maxFixRounds: 0 }).kind).toBe(
      "needs-human",
    );
  });

  it("spiral: the same file changed in three consecutive fix rounds (before the cap)", () => {
    const d = decide([{ reviewer: "r1", findings: [f(L2, "blocker", NULL_A)] }], {
      fixRound: 3,
      changes: [
        { files: ["src/util.ts", "README.md"] },
        { files: ["src/util.ts", "test/util.test.ts"] },
        { files: ["src/util.ts"] },
      ],
    });
    expect(d).toMatchObject({ kind: "spiral", files: ["src/util.ts"], components: [] });
  });

  it("spiral: a component glob changed in three consecutive rounds through different files", () => {
    const d = decide([{ reviewer: "r1", findings: [f(L2, "blocker", NULL_A)] }], {
      fixRound: 3,
      // The shell records, per round, which configured component globs the changed paths fall in.
      changes: [
        { files: ["src/parser/lex.ts"], components: ["src/parser/**"] },
        { files: ["src/parser/parse.ts"], components: ["src/parser/**"] },
        { files: ["src/parser/ast/node.ts", "README.md"], components: ["src/parser/**"] },
      ],
    });
    expect(d).toMatchObject({ kind: "spiral", files: [], components: ["src/parser/**"] });
  });

  it("no spiral when the streak is broken or shorter than three", () => {
    const r = (...files: string[]) => ({ files });
    expect(detectSpiral([r("a.ts"), r("b.ts"), r("a.ts")])).toBeUndefined();
    expect(detectSpiral([r("a.ts"), r("a.ts")])).toBeUndefined();
    expect(detectSpiral([r("a.ts"), r("a.ts"), r("a.ts"), r("b.ts")])).toBeUndefined();
    expect(detectSpiral([r("b.ts"), r("a.ts"), r("a.ts"), r("a.ts")])).toEqual({
      files: ["a.ts"],
      components: [],
    });
  });

  it("no spiral decision when nothing is open", () => {
    const d = decide([{ reviewer: "r1", findings: [] }], {
      changes: [{ files: ["a"] }, { files: ["a"] }, { files: ["a"] }],
    });
    expect(d.kind).toBe("ready");
  });

  it("ready: the maintainer's ignore drops the only blocker", () => {
    const agg = aggregateFindings([{ reviewer: "r1", findings: [f(L2, "blocker", NULL_A)] }], { files });
    const key = agg[0]?.keys[0] ?? "";
    const d = decideReview(agg, ctx({ ignored: [key] }));
    expect(d.kind).toBe("ready");
    expect(d.dropped.ignored.map((x) => x.key)).toEqual([key]);
  });

  it("an ignore of one reviewer's finding drops the merged finding", () => {
    const agg = aggregateFindings(
      [
        { reviewer: "r1", findings: [f(L2, "blocker", NULL_A)] },
        { reviewer: "r2", findings: [f(L2, "blocker", NULL_B)] },
      ],
      { files },
    );
    const r2Key = agg[0]?.members.find((m) => m.reviewer === "r2")?.key ?? "";
    expect(decideReview(agg, ctx({ ignored: [r2Key] })).kind).toBe("ready");
  });

  it("findings raised in an earlier round are not raised twice", () => {
    const round1 = aggregateFindings([{ reviewer: "r1", findings: [f(L2, "blocker", NULL_A)] }], { files });
    const earlier = round1.flatMap((x) => x.keys);
    const d = decide([{ reviewer: "r1", findings: [f(L2, "major", NULL_A), f(L20, "major", EMPTY)] }], {
      fixRound: 1,
      earlierFindingKeys: earlier,
    });
    expect(d.kind).toBe("fix");
    if (d.kind === "fix") expect(d.findings.map((x) => x.line)).toEqual([20]);
    expect(d.dropped.repeated.map((x) => x.line)).toEqual([2]);
  });

  it("a failing check is never suppressed as a repeat, and goes to a fix round first", () => {
    const check = fromCheckFailure("ci / test", "1 failed: clamp > inverted range");
    const earlier = aggregateFindings([check]).flatMap((x) => x.keys);
    const d = decide(
      [
        check,
        { reviewer: "r1", findings: [f(L20, "major", EMPTY)] },
        { reviewer: "r2", findings: [f(L20, "major", EMPTY)] },
      ],
      { fixRound: 1, earlierFindingKeys: earlier },
    );
    expect(d.kind).toBe("fix");
    if (d.kind === "fix") expect(d.findings.map((x) => x.origin)).toEqual(["check", "reviewer"]);
  });

  it("a human's /triad fix is an agreed blocker among two reviewers", () => {
    const d = decide([
      fromFixCommand("maya", "/triad fix the README still names the old option"),
      { reviewer: "r1", findings: [] },
      { reviewer: "r2", findings: [] },
    ]);
    expect(d.kind).toBe("fix");
    if (d.kind === "fix")
      expect(d.findings[0]).toMatchObject({ origin: "human", severity: "blocker", agreement: "agreed" });
  });
});
