import { describe, expect, it } from "vitest";
import type { ReviewOutput } from "../../src/core/schemas/review.js";
import { parseUnifiedDiff } from "../../src/diff/index.js";
import { presentDiff } from "../../src/diff/present.js";
import type { GitHubClient } from "../../src/github/client.js";
import { diffBody, isTooLarge, reviewDiff } from "../../src/github/pull-diff.js";
import { receiptSection, reviewerView } from "../../src/shell/review/coverage-receipt.js";
import { renderReview } from "../../src/shell/review/render-review.js";

const diff = "diff --git a/a.ts b/a.ts\n--- a/a.ts\n+++ b/a.ts\n@@ -1 +1 @@\n-old\n+new\n";

describe("the diff a review reads", () => {
  it("a diff type without charset arrives as bytes and is decoded; anything that is not a diff is refused", () => {
    const bytes = new TextEncoder().encode(diff).buffer;
    expect(diffBody({ data: bytes, headers: { "content-type": "application/vnd.github.v3.diff" } })).toBe(
      diff,
    );
    expect(
      diffBody({ data: diff, headers: { "content-type": "application/vnd.github.diff; charset=utf-8" } }),
    ).toBe(diff);
    expect(() =>
      diffBody({ data: { message: "x" }, headers: { "content-type": "application/json" } }),
    ).toThrow(/GitHub answered a diff request with application\/json/);
    expect(() => diffBody({ data: "<html>", headers: { "content-type": "text/html" } })).toThrow();
  });

  it("above the diff's limits: the file list's patches, lock files left out; above 3,000 files: too large", async () => {
    const calls: string[] = [];
    const gh = (changed: number, head = "h") =>
      ({
        request: async (route: string) => {
          calls.push(route);
          throw Object.assign(new Error("too large"), { status: 406 });
        },
        rest: {
          pulls: {
            get: async () => ({
              data: { changed_files: changed, additions: 10, deletions: 0, head: { sha: head } },
            }),
            listFiles: {},
          },
        },
        paginate: async () => [
          {
            filename: "src/a.ts",
            status: "modified",
            additions: 1,
            deletions: 1,
            patch: "@@ -1 +1 @@\n-old\n+new",
          },
          {
            filename: "package-lock.json",
            status: "modified",
            additions: 1,
            deletions: 1,
            patch: "@@ -1 +1 @@\n-1\n+2",
          },
          { filename: "logo.png", status: "added", additions: 0, deletions: 0 },
          { filename: "src/huge.ts", status: "modified", additions: 9000, deletions: 0 },
        ],
      }) as unknown as GitHubClient;
    const repo = { owner: "o", repo: "r" };
    const read = await reviewDiff(gh(350), repo, { pull: 1, headSha: "h", base: "main" });
    expect(calls).toEqual(["GET /repos/{owner}/{repo}/compare/{basehead}"]);
    if (isTooLarge(read)) throw new Error("not too large");
    expect(read.source).toBe("files");
    expect(read.totalFiles).toBe(350);
    expect(parseUnifiedDiff(read.text).map((f) => f.newPath)).toEqual(["src/a.ts"]);
    expect(read.leftOut).toEqual([
      { path: "package-lock.json", why: "lock, generated, vendored or binary file", lines: 2 },
      { path: "logo.png", why: "lock, generated, vendored or binary file", lines: 0 },
      { path: "src/huge.ts", why: "no patch from GitHub", lines: 9000 },
    ]);
    // The receipt accounts for the files the listing dropped: lock and binary files left out and
    // not counted, a file without a patch left out and counted as unseen.
    const view = reviewerView(read, parseUnifiedDiff(read.text), { tokenBudget: 10_000, readDeny: [] });
    expect(view.text).toBe(presentDiff(parseUnifiedDiff(read.text), { tokenBudget: 10_000 }).text);
    const coverage = receiptSection(view, 0.9);
    expect(coverage).toMatch(/^\*\*Review coverage:\*\* the reviewer saw \d+(\.\d)?% of the changed lines/);
    expect(coverage).toMatch(/\*\*Not fully reviewed\*\*: below the 90% threshold/);
    expect(coverage).toContain("- `package-lock.json` — **left out**: lock file");
    expect(coverage).toContain("- `logo.png` — **left out**: binary file");
    expect(coverage).toMatch(
      /- `src\/huge.ts` — \*\*left out\*\*: GitHub sent no patch for it \(too large to show\) \(9,000 changed lines not seen\)/,
    );
    expect(coverage).toContain("- `src/a.ts` — whole");
    expect(coverage).toContain("Read from GitHub's file list: the diff is above GitHub's limit");
    expect(await reviewDiff(gh(3_001), repo, { pull: 2, headSha: "h", base: "main" })).toEqual({
      tooLarge: true,
      files: 3_001,
      lines: 10,
    });
    await expect(reviewDiff(gh(400, "newer"), repo, { pull: 3, headSha: "h", base: "main" })).rejects.toThrow(
      /moved from h to newer/,
    );
  });
});

describe("LEFT-side anchors of an incremental round", () => {
  // Round 0 added `b = 1` to the base; round 1 changed it to `b = 2` and removed `c = 3` of the base.
  const incremental = parseUnifiedDiff(
    "diff --git a/x.ts b/x.ts\n--- a/x.ts\n+++ b/x.ts\n@@ -1,4 +1,3 @@\n a = 0;\n-b = 1;\n+b = 2;\n-c = 3;\n d = 4;\n",
  );
  const whole = parseUnifiedDiff(
    "diff --git a/x.ts b/x.ts\n--- a/x.ts\n+++ b/x.ts\n@@ -1,5 +1,3 @@\n a = 0;\n-z = 9;\n-c = 3;\n+b = 2;\n d = 4;\n",
  );
  const finding = (anchor: string): ReviewOutput => ({
    findings: [
      {
        path: "x.ts",
        anchor,
        severity: "minor",
        message: "m",
        suggestion: null,
        plan_step: null,
        conflicts_with_plan: false,
      },
    ],
    plan_compliance: [],
  });

  it("a removed line of the base is placed where the PR's diff numbers it", () => {
    const review = renderReview({
      output: finding("c = 3;"),
      files: incremental,
      marker: "<!-- m -->",
      prFiles: whole,
    });
    expect(review.comments).toEqual([expect.objectContaining({ path: "x.ts", side: "LEFT", line: 3 })]);
    // Without the PR's diff it would have been line 3 of the round's old side too, by chance; a line
    // only the round removed is not in the PR's diff at all:
    const roundOnly = renderReview({
      output: finding("b = 1;"),
      files: incremental,
      marker: "<!-- m -->",
      prFiles: whole,
    });
    expect(roundOnly.comments).toEqual([]);
    expect(roundOnly.body).toMatch(/not inline: its anchor is not on a line this pull request shows/);
  });
});
