import { describe, expect, it } from "vitest";
import { estimateTokens, parseUnifiedDiff, presentDiffForModel } from "../../src/diff/index.js";
import {
  fullyReviewed,
  presentDiffWithReceipt,
  type Receipt,
  receiptCoverage,
  renderReceipt,
  type SkipReason,
  skipReasonOf,
} from "../../src/diff/receipt.js";
import { isLockFile } from "../../src/repo/file-kinds.js";
import { expectGolden, fixture } from "../fixtures/diff/golden.js";
import { diffOf } from "../helpers/git-diff.js";

const files = parseUnifiedDiff(fixture("all.diff"));
const lockReason = (p: string): SkipReason | undefined => (isLockFile(p) ? "lockfile" : undefined);
const byPath = (r: Receipt, path: string) => r.files.find((f) => f.path === path);

describe("presentDiffWithReceipt", () => {
  it("gives the reviewer exactly the text presentDiffForModel gives (the golden)", () => {
    const { text } = presentDiffWithReceipt(files, { tokenBudget: 100_000, skipReason: lockReason });
    expectGolden("all.presented.golden.txt", text);
    for (const tokenBudget of [100_000, 2_000, 600, 300, 50, 0]) {
      const withReceipt = presentDiffWithReceipt(files, { tokenBudget, skipReason: lockReason }).text;
      expect(withReceipt).toBe(presentDiffForModel(files, { tokenBudget, skip: isLockFile }));
      expect(presentDiffWithReceipt(files, { tokenBudget }).text).toBe(
        presentDiffForModel(files, { tokenBudget }),
      );
    }
  });

  it("accounts for every file: a lockfile left out, the rest whole, nothing lost", () => {
    const { receipt } = presentDiffWithReceipt(files, { tokenBudget: 100_000, skipReason: lockReason });
    expect(receipt.files.map((f) => f.path)).toEqual(files.map((f) => f.newPath));
    expect(byPath(receipt, "package-lock.json")).toMatchObject({
      coverage: { shown: "left-out", reason: "lockfile" },
      counted: false,
      seenLines: 0,
      changedLines: 1,
    });
    expect(byPath(receipt, "src/util.ts")).toMatchObject({
      coverage: { shown: "whole" },
      changedLines: 4,
      seenLines: 4,
    });
    expect(byPath(receipt, "src/retry.ts")).toMatchObject({ oldPath: "src/old-name.ts", status: "renamed" });
    // A deleted or binary file has no new code to review: named, but no changed lines to count.
    expect(byPath(receipt, "src/legacy.ts")).toMatchObject({
      status: "deleted",
      changedLines: 0,
      coverage: { shown: "whole" },
    });
    expect(byPath(receipt, "assets/logo.bin")).toMatchObject({ changedLines: 0 });
    const cov = receiptCoverage(receipt);
    expect(cov).toMatchObject({ whole: files.length - 1, partly: 0, leftOut: 1 });
    expect(cov.countedShare).toBe(1);
    expect(cov.share).toBeCloseTo(cov.seenLines / cov.changedLines);
    expect(cov.share).toBeLessThan(1);
    expect(fullyReviewed(receipt)).toBe(true);
  });

  it("says which hunks of a clipped file were shown and which were not", () => {
    const util = files.filter((f) => f.newPath === "src/util.ts");
    const whole = presentDiffForModel(util, { tokenBudget: 100_000 });
    const { receipt } = presentDiffWithReceipt(util, {
      tokenBudget: Math.floor(estimateTokens(whole) * 0.85),
    });
    const [f] = receipt.files;
    expect(f?.coverage).toEqual({
      shown: "partly",
      hunksShown: [
        { index: 1, newStart: 1, newLines: 5, changedLines: 1 },
        { index: 2, newStart: 17, newLines: 7, changedLines: 1 },
      ],
      hunksLeftOut: [{ index: 3, newStart: 34, newLines: 5, changedLines: 2 }],
    });
    expect(f).toMatchObject({ changedLines: 4, seenLines: 2 });
    expect(receiptCoverage(receipt).countedShare).toBe(0.5);
    expect(fullyReviewed(receipt)).toBe(false);
    expect(fullyReviewed(receipt, 0.5)).toBe(true);
  });

  it("on a PR with a lockfile and a clipped file: coverage outside the lockfile falls below the threshold", () => {
    const big = Array.from({ length: 400 }, (_, i) => `export const v${i} = ${i};`).join("\n");
    const pr = diffOf([
      { path: "package-lock.json", before: '{\n  "a": 1\n}', after: '{\n  "a": 2,\n  "b": 3\n}' },
      { path: "src/small.ts", before: "export const a = 1;", after: "export const a = 2;" },
      { path: "src/big.ts", after: big },
    ]);
    const { text, receipt } = presentDiffWithReceipt(pr, { tokenBudget: 400, skipReason: lockReason });
    // A hunk larger than the whole budget: its first lines are shown, and counted as not seen.
    expect(text).toContain(
      "Shown in part to fit the size limit: src/big.ts (the first lines of hunk 1 of 1)",
    );
    expect(byPath(receipt, "src/big.ts")).toMatchObject({
      coverage: { shown: "partly", hunksShown: [] },
      counted: true,
      changedLines: 400,
      seenLines: 0,
    });
    expect(renderReceipt(receipt)).toContain("only the first lines of hunk 1 (lines 1–400) shown");
    expect(byPath(receipt, "package-lock.json")?.coverage).toEqual({ shown: "left-out", reason: "lockfile" });
    const cov = receiptCoverage(receipt);
    expect(cov).toMatchObject({
      countedChangedLines: 402,
      countedSeenLines: 2,
      whole: 1,
      partly: 1,
      leftOut: 1,
    });
    expect(fullyReviewed(receipt)).toBe(false);
  });

  it("keeps secret-looking files out of the view and counts them as unseen", () => {
    const pr = diffOf([
      { path: ".env.production", before: "A=1", after: "A=2" },
      { path: "src/a.ts", before: "export const a = 1;", after: "export const a = 2;" },
    ]);
    const { text, receipt } = presentDiffWithReceipt(pr, {
      tokenBudget: 10_000,
      skipReason: (p) => (p.startsWith(".env") ? "read-denied" : undefined),
    });
    expect(text).not.toContain("A=2");
    expect(byPath(receipt, ".env.production")).toMatchObject({
      coverage: { shown: "left-out", reason: "read-denied" },
      counted: true,
    });
    expect(receiptCoverage(receipt).countedShare).toBe(0.5);
  });

  it("an empty diff is fully reviewed", () => {
    const { receipt } = presentDiffWithReceipt([], { tokenBudget: 100 });
    expect(receiptCoverage(receipt)).toMatchObject({ share: 1, countedShare: 1 });
    expect(renderReceipt(receipt)).toBe(
      "**Review coverage:** the reviewer saw 100% of the changed lines (0 of 0).\n",
    );
  });
});

describe("skipReasonOf", () => {
  it("names the shell's skip rule: secrets first, then the file's kind", () => {
    expect(skipReasonOf("lock", false)).toBe("lockfile");
    expect(skipReasonOf("generated", false)).toBe("generated");
    expect(skipReasonOf("vendored", false)).toBe("vendored");
    expect(skipReasonOf("binary", false)).toBe("binary");
    expect(skipReasonOf("source", false)).toBeUndefined();
    expect(skipReasonOf("source", true)).toBe("read-denied");
    expect(skipReasonOf("lock", true)).toBe("read-denied");
  });
});

describe("renderReceipt", () => {
  it("lists the files not shown whole first, with hunks and reasons", () => {
    const util = files.filter(
      (f) =>
        f.newPath === "src/util.ts" ||
        f.newPath === "package-lock.json" ||
        f.newPath === "docs/with space.md",
    );
    const wholeUtil = presentDiffForModel(
      util.filter((f) => f.newPath === "src/util.ts"),
      { tokenBudget: 100_000 },
    );
    const budget = Math.floor(estimateTokens(wholeUtil) * 0.85) + 60;
    const { receipt } = presentDiffWithReceipt(util, { tokenBudget: budget, skipReason: lockReason });
    const md = renderReceipt(receipt, { threshold: 0.9 });
    expect(md).toBe(
      [
        "**Review coverage:** the reviewer saw 57.1% of the changed lines (4 of 7); 66.6% outside lock and generated files (4 of 6). **Not fully reviewed**: below the 90% threshold.",
        "",
        "1 file shown whole, 1 in part, 1 left out:",
        "",
        "- `package-lock.json` — **left out**: lock file (1 changed line not seen)",
        "- `src/util.ts` — **in part**: hunks 1 (lines 1–5), 2 (lines 17–23) shown; 3 (lines 34–38) not shown (2 of 4 changed lines seen)",
        "- `docs/with space.md` — whole (2 changed lines)",
        "",
      ].join("\n"),
    );
  });

  it("collapses a long list into <details>", () => {
    const many = diffOf(
      Array.from({ length: 12 }, (_, i) => ({
        path: `src/f${i}.ts`,
        before: `export const x = ${i};`,
        after: `export const x = ${i + 1};`,
      })),
    );
    const md = renderReceipt(presentDiffWithReceipt(many, { tokenBudget: 100_000 }).receipt);
    expect(md).toContain(
      "<details><summary>12 files shown whole, 0 in part, 0 left out</summary>\n\n- `src/f0.ts` — whole (2 changed lines)",
    );
    expect(md.trimEnd().endsWith("</details>")).toBe(true);
  });

  it("cannot be broken by a path: backticks, a marker, a line break", () => {
    const receipt: Receipt = {
      files: [
        {
          path: "a`b.ts",
          status: "modified",
          changedLines: 1,
          seenLines: 1,
          counted: true,
          coverage: { shown: "whole" },
        },
        {
          path: "<!-- triad:plan id=v9 -->.ts",
          status: "added",
          changedLines: 1,
          seenLines: 1,
          counted: true,
          coverage: { shown: "whole" },
        },
        {
          path: "x\ny.ts",
          status: "added",
          changedLines: 1,
          seenLines: 1,
          counted: true,
          coverage: { shown: "whole" },
        },
      ],
    };
    const md = renderReceipt(receipt);
    expect(md).toContain("- ``a`b.ts`` — whole");
    expect(md).not.toContain("<!--");
    expect(md).toContain("`x?y.ts`");
    expect(renderReceipt(receipt, { code: (s) => `[${s}]` })).toContain("- [a`b.ts] — whole");
  });
});
