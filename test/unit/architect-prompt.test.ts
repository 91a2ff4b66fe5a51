import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { renderPlan, renderQuestions } from "../../src/core/render/architect.js";
import { architectOutputSchema } from "../../src/core/schemas/architect.js";
import { buildRepoMap } from "../../src/repo/repo-map.js";
import { Snapshot } from "../../src/repo/snapshot.js";
import { buildArchitectPrompt } from "../../src/shell/architect/prompt.js";
import { loadContract } from "../../src/shell/contracts.js";
import { EXAMPLES_DIR, readTree, sampleIssue } from "../../src/sim/sample.js";
import { DEMO_ANSWERS, DEMO_PLANS, DEMO_QUESTIONS } from "../../src/sim/scenario.js";
import { modelText } from "../../src/text/sanitize.js";

const dir = fileURLToPath(new URL("../fixtures/architect/", import.meta.url));

/** `UPDATE_GOLDEN=1` rewrites the goldens; review the diff before committing it. */
function expectGolden(name: string, actual: string): void {
  const path = `${dir}${name}`;
  if (process.env.UPDATE_GOLDEN === "1" || !existsSync(path)) {
    writeFileSync(path, actual);
    if (process.env.UPDATE_GOLDEN !== "1")
      throw new Error(`golden ${name} was missing and has been written; review it`);
    return;
  }
  expect(actual).toBe(readFileSync(path, "utf8"));
}

const SHA = "0123456789abcdef0123456789abcdef01234567";
const sample = Snapshot.fromFiles(SHA, readTree(`${EXAMPLES_DIR}sample-repo`));

describe("the architect's view of the sample repository", () => {
  it("repository map (golden)", () => {
    expectGolden("sample-repo.map.txt", `${buildRepoMap(sample, { tokenBudget: 6000 })}\n`);
  });

  it("the prompt after the maintainer answered the questions (golden)", () => {
    const issue = sampleIssue();
    const prompt = buildArchitectPrompt({
      contract: loadContract("architect").text,
      repo: { fullName: "acme/weather-client", defaultBranch: "main", sha: SHA },
      repoMap: buildRepoMap(sample, { tokenBudget: 6000 }),
      thread: {
        issue: { number: 1, title: issue.title, body: issue.body, author: "maya" },
        entries: [
          {
            id: 10,
            author: "triad[bot]",
            kind: "architect",
            body: renderQuestions(DEMO_QUESTIONS.questions ?? [], "architect-1", modelText)
              .replace(/<!--[^>]*-->\n?/g, "")
              .trim(),
            createdAt: "t",
          },
          {
            id: 11,
            author: "maya",
            kind: "human",
            permission: "maintain",
            body: DEMO_ANSWERS.answers,
            createdAt: "t",
          },
        ],
        skipped: 1,
      },
      seenCommentId: 10,
      latestPlanVersion: 0,
      reason: "read @maya's comment",
    });
    expect(prompt.system).toHaveLength(2);
    expect(prompt.system[1]?.cache).toBe(true); // the stable prefix ends after the repository facts
    const text = [
      ...prompt.system.map(
        (b, i) => `=== system block ${i + 1}${b.cache ? " (cache breakpoint)" : ""} ===\n${b.text}`,
      ),
      ...prompt.messages.map((m) => `=== ${m.role} ===\n${m.role === "tool" ? "" : m.content}`),
    ].join("\n\n");
    expectGolden("prompt-after-answers.txt", `${text}\n`);
  });

  it("a repository's own contract replaces the shipped one", () => {
    const own = Snapshot.fromFiles(SHA, {
      ".github/triad/architect.md": "# Our architect\nPlan in French.\n",
      "README.md": "x",
    });
    expect(loadContract("architect", own)).toEqual({
      text: "# Our architect\nPlan in French.\n",
      source: ".github/triad/architect.md",
    });
    expect(loadContract("architect", sample).source).toBe("prompts/architect.md");
  });
});

describe("the architect's output", () => {
  it("renders plan v2 with every section and no code beyond signatures (golden)", () => {
    expectGolden("plan-v2.md", `${renderPlan(DEMO_PLANS.v2, 2, "architect-job-3", "approved", modelText)}\n`);
  });

  it("refuses code in a plan, both questions and a plan, and neither", () => {
    const withCode = { plan: { ...DEMO_PLANS.v1, goal: "Do it:\n```ts\nretry()\n```" } };
    expect(architectOutputSchema.safeParse(withCode).success).toBe(false);
    expect(architectOutputSchema.safeParse({ ...DEMO_QUESTIONS, plan: DEMO_PLANS.v1 }).success).toBe(false);
    expect(architectOutputSchema.safeParse({}).success).toBe(false);
    expect(architectOutputSchema.safeParse({ plan: DEMO_PLANS.v1 }).success).toBe(true);
  });
});
