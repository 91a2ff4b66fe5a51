import { describe, expect, it } from "vitest";
import {
  type AggregateOptions,
  aggregateFindings as aggregateLocated,
} from "../../src/core/review/aggregate.js";
import type { FindingSet as LocatedSet } from "../../src/core/review/finding.js";
import { type FindingInput, findingKey, normaliseAnchor } from "../../src/core/review/finding.js";
import { jaccard, polarity, similarity, tokens } from "../../src/core/review/similarity.js";
import type { Severity } from "../../src/core/schemas/review.js";
import type { DiffFile } from "../../src/diff/index.js";
import { parseUnifiedDiff } from "../../src/diff/index.js";
import { fromHumanReview } from "../../src/shell/review/human-findings.js";
import { locateFindings } from "../../src/shell/review/locate-findings.js";
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

// Lines of src/util.ts in the fixture's new side.
const L2 = "  if (min > max) return null;";
const L3 = "  if (value < min) return min;";
const L20 = '  if (input.trim() === "") return null;';

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

const NULL_A = "clamp returns null when min > max, a type error for a function whose return type is number.";
const NULL_B = "Returning null from clamp when min > max breaks the number return type.";

describe("aggregateFindings: deduplication", () => {
  it("merges near anchors with the same gist from two reviewers", () => {
    const out = aggregateFindings(
      [
        { reviewer: "r1", findings: [f(L2, "major", NULL_A)] },
        { reviewer: "r2", findings: [f(L3, "major", NULL_B)] },
      ],
      { files },
    );
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({
      path: "src/util.ts",
      line: 2,
      side: "RIGHT",
      raisedBy: ["r1", "r2"],
      severity: "major",
      consensus: "agreed",
      agreement: "agreed",
    });
    expect(out[0]?.message).toBe(`**r1** (major): ${NULL_A}\n\n**r2** (major): ${NULL_B}`);
    expect(out[0]?.keys).toHaveLength(2);
  });

  it("does not merge the same gist far apart in one file", () => {
    const out = aggregateFindings(
      [
        { reviewer: "r1", findings: [f(L2, "major", NULL_A)] },
        { reviewer: "r2", findings: [f(L20, "major", NULL_B)] },
      ],
      { files },
    );
    expect(out.map((a) => [a.line, a.raisedBy, a.agreement])).toEqual([
      [2, ["r1"], "single"],
      [20, ["r2"], "single"],
    ]);
  });

  it("does not merge across paths", () => {
    const out = aggregateFindings(
      [
        { reviewer: "r1", findings: [f(L2, "major", NULL_A)] },
        {
          reviewer: "r2",
          findings: [f("export const retries = 5;", "major", NULL_A, { path: "src/retry.ts" })],
        },
      ],
      { files },
    );
    expect(out).toHaveLength(2);
  });

  it("does not merge near findings with different gists and different anchors", () => {
    const out = aggregateFindings(
      [
        { reviewer: "r1", findings: [f(L2, "major", NULL_A)] },
        { reviewer: "r2", findings: [f(L3, "major", "The log line leaks the session token into stdout.")] },
      ],
      { files },
    );
    expect(out).toHaveLength(2);
  });

  it("merges on an identical anchor even when the wording differs", () => {
    const out = aggregateFindings(
      [
        { reviewer: "r1", findings: [f(L2, "blocker", NULL_A)] },
        { reviewer: "r2", findings: [f(`${L2}  `, "blocker", "Strict mode rejects this statement.")] },
      ],
      { files },
    );
    expect(out).toHaveLength(1);
    expect(out[0]?.raisedBy).toEqual(["r1", "r2"]);
  });

  it("respects the line window", () => {
    const sets = [
      { reviewer: "r1", findings: [f(L2, "major", NULL_A)] },
      { reviewer: "r2", findings: [f("  return value;", "major", NULL_B)] }, // line 5
    ];
    expect(aggregateFindings(sets, { files })).toHaveLength(1); // 3 apart
    expect(aggregateFindings(sets, { files, lineWindow: 2 })).toHaveLength(2);
  });

  it("compares by anchor text when there is no diff", () => {
    const out = aggregateFindings([
      { reviewer: "r1", findings: [f(L2, "major", NULL_A)] },
      { reviewer: "r2", findings: [f(L2.trim(), "major", NULL_B)] },
      { reviewer: "r3", findings: [f(L3, "major", NULL_B)] },
    ]);
    expect(out.map((a) => a.raisedBy)).toEqual([["r1", "r2"], ["r3"]]);
  });

  it("never merges two findings of one reviewer, unless they are exact repeats", () => {
    const distinct = aggregateFindings(
      [{ reviewer: "r1", findings: [f(L2, "major", NULL_A), f(L3, "major", NULL_B)] }],
      {
        files,
      },
    );
    expect(distinct).toHaveLength(2);
    const repeated = aggregateFindings(
      [{ reviewer: "r1", findings: [f(L2, "major", NULL_A), f(L2, "minor", NULL_A)] }],
      {
        files,
      },
    );
    expect(repeated).toHaveLength(1);
    expect(repeated[0]?.message).toBe(NULL_A);
  });

  it("keeps the worst severity, the first suggestion and plan step", () => {
    const out = aggregateFindings(
      [
        { reviewer: "r1", findings: [f(L2, "minor", NULL_A, { suggestion: "x", plan_step: 2 })] },
        { reviewer: "r2", findings: [f(L3, "blocker", NULL_B)] },
      ],
      { files },
    );
    expect(out[0]).toMatchObject({ severity: "blocker", suggestion: "x", plan_step: 2, blockingBy: ["r2"] });
  });

  it("resolves a renamed file's old path to its new path", () => {
    const out = aggregateFindings(
      [
        {
          reviewer: "r1",
          findings: [
            f("export const retries = 5;", "major", "Five retries exceed the timeout.", {
              path: "src/old-name.ts",
            }),
          ],
        },
        {
          reviewer: "r2",
          findings: [
            f("export const retries = 5;", "major", "Five retries exceed the timeout.", {
              path: "src/retry.ts",
            }),
          ],
        },
      ],
      { files },
    );
    expect(out).toHaveLength(1);
    expect(out[0]?.path).toBe("src/retry.ts");
  });
});

describe("aggregateFindings: agreement", () => {
  it("calls everything agreed with one reviewer configured", () => {
    const out = aggregateFindings([{ reviewer: "r1", findings: [f(L2, "blocker", NULL_A)] }], { files });
    expect(out[0]?.agreement).toBe("agreed");
  });

  it("counts the configured reviewers, not only those with findings", () => {
    const out = aggregateFindings([{ reviewer: "r1", findings: [f(L2, "blocker", NULL_A)] }], {
      files,
      reviewerCount: 2,
    });
    expect(out[0]?.agreement).toBe("single");
    const withEmpty = aggregateFindings(
      [
        { reviewer: "r1", findings: [f(L2, "blocker", NULL_A)] },
        { reviewer: "r2", findings: [] },
      ],
      { files },
    );
    expect(withEmpty[0]?.agreement).toBe("single");
  });

  it("is single when both raised it but only one holds it at blocker or major", () => {
    const out = aggregateFindings(
      [
        { reviewer: "r1", findings: [f(L2, "blocker", NULL_A)] },
        { reviewer: "r2", findings: [f(L2, "nit", NULL_B)] },
      ],
      { files },
    );
    expect(out[0]).toMatchObject({
      severity: "blocker",
      raisedBy: ["r1", "r2"],
      blockingBy: ["r1"],
      consensus: "single",
    });
  });

  it("marks plan conflicts", () => {
    const out = aggregateFindings(
      [
        { reviewer: "r1", findings: [f(L2, "major", NULL_A, { conflicts_with_plan: true })] },
        { reviewer: "r2", findings: [f(L2, "major", NULL_B)] },
      ],
      { files },
    );
    expect(out[0]).toMatchObject({
      agreement: "plan_conflict",
      conflicts_with_plan: true,
      consensus: "agreed",
    });
  });

  it("finds contradicting findings at the same spot (remove vs keep/add)", () => {
    const out = aggregateFindings(
      [
        {
          reviewer: "r1",
          findings: [
            f(L2, "major", "Remove this guard: every caller already validates the range, it is redundant."),
          ],
        },
        {
          reviewer: "r2",
          findings: [
            f(L3, "minor", "Keep the range check but throw a RangeError instead; add a test for it."),
          ],
        },
      ],
      { files },
    );
    expect(out).toHaveLength(2);
    const [a, b] = out;
    expect(a?.agreement).toBe("contradicting");
    expect(b?.agreement).toBe("contradicting");
    expect(a?.contradicts).toEqual([b?.key]);
    expect(b?.contradicts).toEqual([a?.key]);
  });

  it("finds a contradiction inside one merged finding", () => {
    const out = aggregateFindings(
      [
        { reviewer: "r1", findings: [f(L2, "major", "Remove this guard; it is redundant.")] },
        { reviewer: "r2", findings: [f(L2, "major", "The guard is missing a test; add one.")] },
      ],
      { files },
    );
    expect(out).toHaveLength(1);
    expect(out[0]?.agreement).toBe("contradicting");
    expect(out[0]?.contradicts).toEqual([out[0]?.key]);
  });

  it("does not see a contradiction between findings far apart or of one polarity", () => {
    const far = aggregateFindings(
      [
        { reviewer: "r1", findings: [f(L2, "major", "Remove this guard; it is redundant.")] },
        { reviewer: "r2", findings: [f(L20, "major", "Add a test for the empty input.")] },
      ],
      { files },
    );
    expect(far.map((a) => a.agreement)).toEqual(["single", "single"]);
    const same = aggregateFindings(
      [
        { reviewer: "r1", findings: [f(L2, "major", "Remove this guard; it is redundant.")] },
        { reviewer: "r2", findings: [f(L3, "major", "Delete the second check too, it is unnecessary.")] },
      ],
      { files },
    );
    expect(same.every((a) => a.agreement !== "contradicting")).toBe(true);
  });

  it("puts human findings first, always agreed, merged with a reviewer's near finding", () => {
    const human = fromHumanReview(
      { author: "maya", comments: [{ path: "src/util.ts", line: 2, side: "RIGHT", body: NULL_B }] },
      files,
    );
    const out = aggregateFindings(
      [
        { reviewer: "r1", findings: [f(L20, "nit", "Whitespace-only input returns null; document it.")] },
        { reviewer: "r2", findings: [f(L3, "minor", NULL_A)] },
        human,
      ],
      { files },
    );
    expect(out[0]).toMatchObject({
      origin: "human",
      raisedBy: ["maya", "r2"],
      severity: "blocker",
      agreement: "agreed",
    });
    expect(out[0]?.anchor).toBe(L2);
    expect(out[1]?.origin).toBe("reviewer");
  });
});

describe("the text rules", () => {
  it("tokenises without stop words and severity words", () => {
    expect([...tokens("The blocker: `clamp` returns NULL when min > max!")]).toEqual([
      "clamp",
      "returns",
      "null",
      "min",
      "max",
    ]);
    expect(jaccard(new Set(), new Set())).toBe(0);
    expect(similarity(NULL_A, NULL_B)).toBeGreaterThanOrEqual(0.3);
    expect(similarity(NULL_A, "The log line leaks the session token.")).toBe(0);
  });

  it("reads polarity with negations", () => {
    expect(polarity("Remove this; it is redundant.")).toBe("remove");
    expect(polarity("Do not add a retry here.")).toBe("remove");
    expect(polarity("Keep the retry.")).toBe("add");
    expect(polarity("Don't remove the retry; it is needed.")).toBe("add");
    expect(polarity("The limit is off by one.")).toBe("neutral");
    expect(polarity("Remove the default and add a parameter.")).toBe("neutral");
  });

  it("keys findings by path, normalised anchor and gist, not by severity or wording order", () => {
    const base = { path: "src/util.ts", anchor: L2, message: "clamp returns null" };
    expect(findingKey(base)).toMatch(/^[0-9a-f]{16}$/);
    expect(findingKey({ ...base, anchor: `2 +${L2.trim()}   ` })).toBe(findingKey(base));
    expect(findingKey({ ...base, path: "./src/util.ts" })).toBe(findingKey(base));
    expect(findingKey({ ...base, message: "Null returns clamp." })).toBe(findingKey(base));
    expect(findingKey({ ...base, message: "clamp returns undefined" })).not.toBe(findingKey(base));
    expect(normaliseAnchor("\n  a   b \n\n  c\n")).toBe("a b\nc");
  });
});
