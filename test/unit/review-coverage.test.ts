import { describe, expect, it } from "vitest";
import { coverageAfterRound } from "../../src/core/review/coverage.js";
import { onReviewsAggregated, onRuling } from "../../src/core/step-results.js";
import { parseUnifiedDiff } from "../../src/diff/index.js";
import { LISTED_FILES_MAX, type Receipt, renderReceipt } from "../../src/diff/receipt.js";
import { checkRoundIntegrity, INTEGRITY_REVIEWER } from "../../src/shell/review/integrity-section.js";
import { aggregated, ctx, effectsOf, open, PR, reviewing } from "../helpers/core-fixtures.js";

/** Issue [12/12] items 2 and 3: the coverage decision in the core, and the guard's part of a review. */

const round = (share: number, incremental = false, headSha = PR.headSha) => ({ headSha, share, incremental });
const input = (coverage?: { share: number; incremental: boolean }) => ({
  headSha: PR.headSha,
  sets: [],
  reviewerCount: 1,
  overrules: [],
  comments: {},
  usage: [],
  reviewUrls: [],
  ...(coverage ? { coverage } : {}),
});

describe("coverage across rounds", () => {
  it("a round below the threshold is a shortfall; a whole review that meets it clears one; an incremental one does not", () => {
    const short = coverageAfterRound(undefined, round(0.5), 0.9);
    expect(short).toEqual({ headSha: PR.headSha, share: 0.5, threshold: 0.9 });
    expect(coverageAfterRound(undefined, round(0.9), 0.9)).toBeUndefined();
    // The fix round's own diff was seen whole, but the lines the first review missed were not.
    expect(coverageAfterRound(short, round(1, true, "b".repeat(40)), 0.9)).toBe(short);
    expect(coverageAfterRound(short, round(1, false, "b".repeat(40)), 0.9)).toBeUndefined();
    // The worst shortfall stays the one shown.
    expect(coverageAfterRound(short, round(0.7, true, "b".repeat(40)), 0.9)).toBe(short);
    expect(coverageAfterRound(short, round(0.2, true, "b".repeat(40)), 0.9)?.share).toBe(0.2);
    // A result from before receipts says nothing.
    expect(coverageAfterRound(short, undefined, 0.9)).toBe(short);
  });

  it("clean reviews that saw too little: ready, but the check is neutral 'Not fully reviewed', never success", () => {
    const d = onReviewsAggregated(reviewing(), input({ share: 0.42, incremental: false }), ctx());
    expect(d.state?.phase).toBe("ready");
    expect(d.state?.notFullyReviewed).toEqual({ headSha: PR.headSha, share: 0.42, threshold: 0.9 });
    const [check] = effectsOf(d.effects, "check");
    expect(check?.state).toEqual({ status: "completed", conclusion: "neutral" });
    expect(check?.title).toBe("Not fully reviewed");
    expect(check?.summary).toMatch(
      /^\*\*Not fully reviewed\*\*: the reviewers saw 42% of the changed lines outside lock and generated files \(on `aaaaaaa`\), below the 90% this repository asks/,
    );
    expect(d.state?.note).toMatch(/Not fully reviewed/);
    expect(effectsOf(d.effects, "comment")[0]?.body).toMatch(/not fully reviewed/);
  });

  it("the threshold is the repository's: at 0.4, 42% is a full review and the check is green", () => {
    const d = onReviewsAggregated(
      reviewing(),
      input({ share: 0.42, incremental: false }),
      ctx("review_coverage_threshold: 0.4\n"),
    );
    expect(d.state?.notFullyReviewed).toBeUndefined();
    expect(effectsOf(d.effects, "check")[0]).toMatchObject({
      state: { conclusion: "success" },
      title: "Ready to merge",
    });
  });

  it("a shortfall from the first round still holds the check neutral when the architect's ruling makes the PR ready", () => {
    const blocker = aggregated([{ reviewer: "reviewer-1", findings: [] }]);
    const state = reviewing({
      phase: "fixing",
      notFullyReviewed: { headSha: PR.headSha, share: 0.5, threshold: 0.9 },
    });
    const reject = { rulings: [] };
    const d = onRuling(state, "job-1", reject, open(blocker), undefined, ctx());
    expect(d.state?.phase).toBe("ready");
    expect(effectsOf(d.effects, "check")[0]).toMatchObject({
      state: { conclusion: "neutral" },
      title: "Not fully reviewed",
    });
  });
});

describe("the receipt in a review body", () => {
  it("lists at most LISTED_FILES_MAX files, those not shown whole first, and counts the rest", () => {
    const receipt: Receipt = {
      files: [
        ...Array.from({ length: 300 }, (_, i) => ({
          path: `src/f${i}.ts`,
          status: "modified" as const,
          changedLines: 1,
          seenLines: 1,
          counted: true,
          coverage: { shown: "whole" as const },
        })),
        {
          path: "yarn.lock",
          status: "modified",
          changedLines: 9,
          seenLines: 0,
          counted: false,
          coverage: { shown: "left-out", reason: "lockfile" },
        },
      ],
    };
    const text = renderReceipt(receipt, { threshold: 0.9 });
    const items = text.split("\n").filter((l) => l.startsWith("- "));
    expect(items).toHaveLength(LISTED_FILES_MAX + 1);
    expect(items[0]).toBe("- `yarn.lock` — **left out**: lock file (9 changed lines not seen)");
    expect(items.at(-1)).toBe("- … and 51 more files (all shown whole)");
    expect(text).toContain("300 files shown whole, 0 in part, 1 left out");
  });
});

describe("the guard's part of a review", () => {
  const diff = parseUnifiedDiff(
    [
      "diff --git a/test/a.test.ts b/test/a.test.ts",
      "--- a/test/a.test.ts",
      "+++ b/test/a.test.ts",
      "@@ -1,3 +1,3 @@",
      ' import { it } from "vitest";',
      '-it("adds", () => expect(add(1, 2)).toBe(3));',
      '+it.skip("adds", () => expect(add(1, 2)).toBe(3));',
      " // end",
      "diff --git a/src/b.ts b/src/b.ts",
      "--- a/src/b.ts",
      "+++ b/src/b.ts",
      "@@ -1 +1 @@",
      "-export const b = 1;",
      "+export const b = 1; // eslint-disable-line no-magic-numbers",
      "",
    ].join("\n"),
  );

  it("flags the skip as a blocker for the architect, with its line; an inline suppression is not flagged", () => {
    const got = checkRoundIntegrity(diff, { steps: [] }, []);
    expect(got.findings).toHaveLength(1);
    expect(got.findings[0]).toMatchObject({
      path: "test/a.test.ts",
      severity: "blocker",
      conflicts_with_plan: true,
      line: 2,
      side: "RIGHT",
    });
    expect(got.section).toContain("#### Test-integrity guard");
    expect(got.section).toContain(
      '**1.** 🛑 **Blocker** · `test/a.test.ts` line 2 — Tests skipped: this change skips a test (`.skip` / `.todo`) (JavaScript/TypeScript).\n\n```\nit.skip("adds", () => expect(add(1, 2)).toBe(3));\n```',
    );
    expect(INTEGRITY_REVIEWER).toMatch(/^check:/);
  });

  it("a plan step that names the skip allows it, and the review says so", () => {
    const steps = [
      {
        title: "Skip the flaky add test",
        details: "",
        files: [{ path: "test/a.test.ts", action: "change" }],
      },
    ];
    const got = checkRoundIntegrity(diff, { steps }, []);
    expect(got.findings).toEqual([]);
    expect(got.section).toBe(
      "#### Test-integrity guard\n\n_Allowed by the approved plan (a step names the change): Tests skipped in `test/a.test.ts` line 2._\n",
    );
  });

  it("a file under read_deny is not read by the guard (its lines are never quoted in a review)", () => {
    expect(checkRoundIntegrity(diff, { steps: [] }, ["test/**"])).toEqual({ findings: [], section: "" });
  });
});
