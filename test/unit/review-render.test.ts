import { describe, expect, it } from "vitest";
import { findingKey } from "../../src/core/review/finding.js";
import { type ReviewOutput, reviewOutputSchema } from "../../src/core/schemas/review.js";
import { parseUnifiedDiff } from "../../src/diff/index.js";
import {
  fence,
  moveToBody,
  REFUSED_REASON,
  type RenderReviewInput,
  renderReview,
  safeProse,
} from "../../src/shell/review/render-review.js";
import { fixture } from "../fixtures/diff/golden.js";
import { expectReviewGolden, reviewFixture } from "../fixtures/review/golden.js";

const files = parseUnifiedDiff(fixture("all.diff"));
const raw = JSON.parse(reviewFixture("review.input.json")) as {
  plan: RenderReviewInput["plan"];
  output: unknown;
};
const output: ReviewOutput = reviewOutputSchema.parse(raw.output);
const MARKER = "<!-- triad:review id=reviewer-1-abc123 -->";
const input: RenderReviewInput = {
  output,
  files,
  marker: MARKER,
  heading: "Review 1 of 2",
  plan: raw.plan,
  findingMarker: (key) => `<!-- triad:finding id=${key} -->`,
};

const golden = (name: string, review: ReturnType<typeof renderReview>) => {
  expectReviewGolden(`${name}.body.golden.md`, review.body);
  expectReviewGolden(
    `${name}.comments.golden.json`,
    `${JSON.stringify({ event: review.event, comments: review.comments, placements: review.placements }, null, 2)}\n`,
  );
};

describe("renderReview on a real multi-file diff", () => {
  const review = renderReview(input);

  it("matches the goldens", () => golden("review", review));

  it("posts one COMMENT review; inline comments only where the anchor resolved", () => {
    expect(review.event).toBe("COMMENT");
    expect(review.comments.map((c) => [c.path, c.line, c.side, c.start_line])).toEqual([
      ["src/util.ts", 2, "RIGHT", undefined],
      ["src/retry.ts", 1, "RIGHT", undefined],
      ["src/new-feature.ts", 10, "RIGHT", 9],
      ["src/legacy.ts", 2, "LEFT", undefined],
      ["src/util.ts", 37, "RIGHT", undefined],
    ]);
    const multi = review.comments[2];
    expect(multi?.start_side).toBe("RIGHT");
  });

  it("sends ambiguous, outside-the-diff and unknown-file findings to the body, never to comments", () => {
    const inBody = review.placements.filter((p) => "reason" in p).map((p) => p.finding);
    expect(inBody).toEqual([1, 2, 6]);
    expect(review.body).toContain("#### Findings outside the diff");
    expect(review.body).toContain("matches 2 lines (6, 11)");
    expect(review.body).toContain("not on a line this pull request shows");
    expect(review.body).toContain("the file is not part of this pull request");
  });

  it("offers a GitHub suggestion only on RIGHT-side anchors, and never a no-op one", () => {
    const [clamp, retries, twice, legacy, noop] = review.comments;
    expect(clamp?.body).toContain(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the suggestion is code that holds a template literal
      "```suggestion\n  if (min > max) throw new RangeError(`clamp: min ${min} > max ${max}`);\n```",
    );
    expect(twice?.body).toContain("```suggestion\n      count += 2;\n```");
    expect(retries?.body).not.toContain("suggestion");
    expect(legacy?.body).not.toContain("```suggestion");
    expect(legacy?.body).toContain("Suggested code:");
    expect(noop?.body).not.toContain("```suggestion");
  });

  it("names the plan step and flags a plan conflict", () => {
    expect(review.comments[0]?.body).toMatch(
      /^🛑 \*\*Blocker\*\* · plan step 1: Guard clamp against an inverted range/,
    );
    expect(review.comments[1]?.body).toContain("the architect will rule on it");
    expect(review.comments[3]?.body).toContain("plan step 9");
  });

  it("writes the caller's marker first, the counts, and the compliance list for every plan step", () => {
    expect(review.body.startsWith(`${MARKER}\n`)).toBe(true);
    expect(review.body).toContain("**1 blocker · 2 major · 2 minor · 3 nit** — 5 inline, 3 below.");
    expect(review.body).toContain("- ✅ **Step 1** Guard clamp against an inverted range — met: src/util.ts");
    expect(review.body).toContain("- ⚠️ **Step 2** Raise the retry count to five — partly:");
    expect(review.body).toContain("- ➖ **Step 3** Add a counter with twice() — not assessed");
  });

  it("carries a finding marker in each inline comment", () => {
    const first = output.findings[0];
    if (!first) throw new Error("fixture");
    expect(review.comments[0]?.body).toContain(`<!-- triad:finding id=${findingKey(first)} -->`);
  });

  it("keeps the model from planting markers or pinging people", () => {
    expect(review.body.match(/<!-- triad:/g)).toHaveLength(1);
    expect(review.body).not.toContain("@octocat");
    expect(review.body).toContain("@\u200Boctocat");
  });

  it("fences code that holds backticks with a longer fence", () => {
    expect(review.body).toContain("````\nexport const x = ```;\n````");
    expect(fence("a ```` b")).toBe("`````\na ```` b\n`````");
  });
});

describe("moveToBody (the 422 fallback)", () => {
  const review = renderReview(input);

  it("moves every inline comment into the body by default", () => {
    const moved = moveToBody(review);
    expect(moved.comments).toEqual([]);
    expect(moved.placements.every((p) => "reason" in p)).toBe(true);
    expect(moved.body.split(REFUSED_REASON).length - 1).toBe(5);
    expectReviewGolden("review.moved.body.golden.md", moved.body);
  });

  it("moves only the named comments and keeps the others inline", () => {
    const moved = moveToBody(review, [1]);
    expect(moved.comments.map((c) => c.path)).toEqual([
      "src/util.ts",
      "src/new-feature.ts",
      "src/legacy.ts",
      "src/util.ts",
    ]);
    expect(moved.placements[3]).toEqual({ finding: 3, key: expect.any(String), reason: REFUSED_REASON });
    expect(moved.body).toContain("**1 blocker · 2 major · 2 minor · 3 nit** — 4 inline, 4 below.");
  });
});

describe("renderReview edge cases", () => {
  it("renders an empty review", () => {
    const review = renderReview({ output: { findings: [], plan_compliance: [] }, files, marker: MARKER });
    expect(review.comments).toEqual([]);
    expect(review.body).toBe(
      `${MARKER}\n### triad review\n\nNo findings.\n\n#### Plan compliance\n\n_No plan-compliance list was given._\n`,
    );
  });

  it("treats an empty suggestion as none (never a one-click deletion)", () => {
    const review = renderReview({
      output: {
        findings: [
          {
            path: "src/util.ts",
            anchor: "  if (min > max) return null;",
            severity: "major",
            message: "m",
            suggestion: "",
            conflicts_with_plan: false,
          },
        ],
        plan_compliance: [],
      },
      files,
      marker: MARKER,
    });
    expect(review.comments[0]?.body).not.toContain("suggestion");
  });

  it("offers no suggestion that carries invisible or bidi characters", () => {
    const review = renderReview({
      output: {
        findings: [
          {
            path: "src/util.ts",
            anchor: "  if (min > max) return null;",
            severity: "major",
            message: "m",
            suggestion: "  if (min > max) return 0; // \u202Eadmin\u202C",
            conflicts_with_plan: false,
          },
        ],
        plan_compliance: [],
      },
      files,
      marker: MARKER,
    });
    expect(review.comments[0]?.body).toBe("🟠 **Major**\n\nm");
  });

  it("safeProse strips hidden text and defuses mentions but keeps e-mail addresses", () => {
    expect(safeProse("a <!-- x --> b\u200B @bob and me@example.com")).toBe(
      "a  b @\u200Bbob and me@example.com",
    );
  });
});
