import { describe, expect, it } from "vitest";
import { estimateTokens, parseUnifiedDiff, presentDiff, presentDiffForModel } from "../../src/diff/index.js";
import { isLockFile } from "../../src/repo/file-kinds.js";
import { expectGolden, fixture } from "../fixtures/diff/golden.js";

const files = parseUnifiedDiff(fixture("all.diff"));

describe("presentDiffForModel", () => {
  it("matches the golden for a multi-file diff (PR-Agent layout)", () => {
    expectGolden(
      "all.presented.golden.txt",
      presentDiffForModel(files, { tokenBudget: 100_000, skip: isLockFile }),
    );
  });

  it("numbers new lines and shows removed ones in an old hunk", () => {
    const text = presentDiffForModel(files, { tokenBudget: 100_000 });
    expect(text).toContain(
      [
        "@@ -32,5 +34,5 @@ export function parse(input: string): number | null {",
        "__new hunk__",
        "34  // filler line 23",
        "35  // filler line 24",
        "36  export function last<T>(items: T[]): T | undefined {",
        "37 +  return items.at(-1);",
        "38  }",
        "__old hunk__",
        " // filler line 23",
        " // filler line 24",
        " export function last<T>(items: T[]): T | undefined {",
        "-  return items[items.length - 1];",
        " }",
      ].join("\n"),
    );
    expect(text).toContain("## File 'src/legacy.ts' was deleted");
    expect(text).toContain("## File: 'src/retry.ts' (renamed from 'src/old-name.ts')");
    expect(text).toContain("## File: 'package-lock.json'");
  });

  it("skips files the predicate names and says so", () => {
    const result = presentDiff(files, { tokenBudget: 100_000, skip: isLockFile });
    expect(result.skipped).toEqual(["package-lock.json"]);
    expect(result.text).not.toContain("## File: 'package-lock.json'");
    expect(result.text).toContain("Not shown (lock or generated files): package-lock.json");
  });

  it("clips to the token budget and names what it left out", () => {
    const budget = 300;
    const result = presentDiff(files, { tokenBudget: budget, skip: isLockFile });
    expect(estimateTokens(result.text)).toBeLessThanOrEqual(budget);
    expect(result.clipped.length + result.partial.length).toBeGreaterThan(0);
    expect(result.text).toContain("## Files not shown in full");
    for (const path of result.clipped) expect(result.text).toContain(path);
    // Nothing is both shown and left out, and every file is accounted for.
    const accounted = [
      ...result.shown,
      ...result.partial.map((p) => p.path),
      ...result.clipped,
      ...result.skipped,
    ];
    expect(accounted.sort()).toEqual(files.map((f) => f.newPath).sort());
  });

  it("shows the leading hunks of a file too big to fit whole", () => {
    const util = files.filter((f) => f.newPath === "src/util.ts");
    const whole = presentDiffForModel(util, { tokenBudget: 100_000 });
    const result = presentDiff(util, { tokenBudget: Math.floor(estimateTokens(whole) * 0.85) });
    expect(result.partial).toEqual([{ path: "src/util.ts", hunksShown: 2, hunksTotal: 3 }]);
    expect(result.text).toContain("Shown in part to fit the size limit: src/util.ts (first 2 of 3 hunks)");
    expect(result.text).not.toContain("items.at(-1)");
  });
});
