import { describe, expect, it } from "vitest";
import { readPlanComment } from "../../src/core/approved-plan.js";
import { embedData, extractData, marker } from "../../src/core/markers.js";
import { renderPlan, renderQuestions } from "../../src/core/render/architect.js";
import type { Plan } from "../../src/core/schemas/architect.js";
import { modelText } from "../../src/text/sanitize.js";

const plan: Plan = {
  goal: "Retry failed requests",
  decisions: [
    {
      decision: "Exponential backoff",
      why: "Spreads load",
      alternatives: [
        { option: "Fixed delay", why_rejected: "Thundering herd" },
        { option: "No retry", why_rejected: "Flaky" },
      ],
    },
  ],
  steps: [
    {
      title: "Add the retry loop",
      files: [
        { path: "src/retry.ts", action: "create" },
        { path: "src/old.ts", action: "delete" },
      ],
      signatures: ["export function retry<T>(fn: () => Promise<T>): Promise<T>"],
      details: "Wrap the call",
    },
  ],
  tests: ["retries three times", "gives up after the cap"],
  out_of_scope: [],
  risks: [],
};

describe("the architect's questions (render/architect.ts)", () => {
  it("numbered questions with why they matter and the likely answers, kept as data", () => {
    const questions = [
      { question: "Which client?", why: "Two exist", options: ["fetch", "axios"] },
      { question: "How many retries?", why: "Sets the cap", options: [] },
    ];
    const body = renderQuestions(questions, "architect-1", modelText, "@maya");
    const visible = body.split("\n").slice(0, -1).join("\n");
    expect(visible).toBe(
      [
        marker("architect", "architect-1"),
        "**The architect has questions before planning.** @maya: Answer in one comment or several; each answer starts a new turn.",
        "",
        "1. **Which client?**",
        "   _Why it matters:_ Two exist",
        "   _Options:_ fetch · axios",
        "2. **How many retries?**",
        "   _Why it matters:_ Sets the cap",
        "",
      ].join("\n"),
    );
    expect(extractData(body, "architect")).toEqual({ kind: "questions", questions });
    expect(renderQuestions(questions, "a", modelText)).toContain(
      "**The architect has questions before planning.** Answer in one comment",
    );
  });
});

describe("a plan comment", () => {
  it("shows goal, decisions with rejected alternatives, steps with files and signatures, and tests", () => {
    const body = renderPlan(plan, 2, "architect-7", "approved", modelText);
    expect(body).toContain(`${marker("architect", "architect-7")}\n${marker("plan", "v2")}\n## Plan v2\n`);
    expect(body).toContain("**Goal.** Retry failed requests");
    expect(body).toContain(
      [
        "1. **Exponential backoff** — Spreads load",
        "   - _Rejected:_ Fixed delay — Thundering herd",
        "   - _Rejected:_ No retry — Flaky",
      ].join("\n"),
    );
    expect(body).toContain(
      [
        "1. **Add the retry loop**",
        "   - Files: `src/retry.ts` (create), `src/old.ts` (delete)",
        "   - `export function retry<T>(fn: () => Promise<T>): Promise<T>`",
        "   - Wrap the call",
      ].join("\n"),
    );
    expect(body).toContain("### Tests to add\n\n- retries three times\n- gives up after the cap");
    expect(body).not.toContain("### Out of scope");
    expect(body).not.toContain("### Risks");
    expect(body).toContain(
      "Reply **`approved`** as the first line of a comment to have the developer implement exactly this plan",
    );
  });

  it("reads, from top to bottom, as a maintainer sees it", () => {
    const small: Plan = {
      goal: "G",
      decisions: [
        { decision: "D1", why: "W1", alternatives: [{ option: "A", why_rejected: "R" }] },
        { decision: "D2", why: "W2", alternatives: [{ option: "B", why_rejected: "S" }] },
      ],
      steps: [
        { title: "S1", files: [{ path: "a.ts", action: "change" }], signatures: [], details: "X1" },
        { title: "S2", files: [{ path: "b.ts", action: "create" }], signatures: [], details: "X2" },
      ],
      tests: ["T"],
      out_of_scope: ["O"],
      risks: ["K"],
    };
    const body = renderPlan(small, 1, "j", "approved", modelText);
    expect(body.slice(0, body.lastIndexOf("\n\n<!--"))).toBe(
      [
        marker("architect", "j"),
        marker("plan", "v1"),
        "## Plan v1",
        "",
        "**Goal.** G",
        "",
        "### Decisions",
        "",
        "1. **D1** — W1",
        "   - _Rejected:_ A — R",
        "2. **D2** — W2",
        "   - _Rejected:_ B — S",
        "",
        "### Steps",
        "",
        "1. **S1**",
        "   - Files: `a.ts` (change)",
        "   - X1",
        "2. **S2**",
        "   - Files: `b.ts` (create)",
        "   - X2",
        "",
        "### Tests to add",
        "",
        "- T",
        "",
        "### Out of scope",
        "",
        "- O",
        "",
        "### Risks",
        "",
        "- K",
        "",
        "---",
        "Reply **`approved`** as the first line of a comment to have the developer implement exactly this plan (write access needed), or comment with the changes you want and the architect will revise it.",
      ].join("\n"),
    );
  });

  it("lists what is out of scope and the risks when there are any, and mentions who approves", () => {
    const body = renderPlan(
      { ...plan, out_of_scope: ["Metrics"], risks: ["Longer latency"] },
      1,
      "j",
      "lgtm",
      modelText,
      "@maya",
    );
    expect(body).toContain("### Out of scope\n\n- Metrics");
    expect(body).toContain("### Risks\n\n- Longer latency");
    expect(body).toContain("@maya: reply **`lgtm`** as the first line");
  });
});

describe("reading a plan back from its comment (approved-plan.ts)", () => {
  it("the plan a comment shows is the plan it holds", () => {
    const body = renderPlan(plan, 2, "j", "approved", modelText, "@maya");
    expect(readPlanComment(body, modelText)).toEqual({ plan, version: 2 });
    expect(readPlanComment(`${body}\n\n`, modelText)).toEqual({ plan, version: 2 });
  });

  it("refuses a comment whose text was changed under its data", () => {
    const body = renderPlan(plan, 2, "j", "approved", modelText);
    const edited = body.replace("Retry failed requests", "Delete the database");
    expect(readPlanComment(edited, modelText)).toEqual({
      refused: "plan v2's comment does not show the plan its data holds",
    });
  });

  it("refuses data that does not match the text, and a comment with no or incomplete plan data", () => {
    const body = renderPlan(plan, 2, "j", "approved", modelText);
    const other = renderPlan({ ...plan, goal: "Something else" }, 2, "j", "approved", modelText);
    const swapped = `${body.split("\n\n<!-- triad:plan-data")[0]}\n\n${other.slice(other.lastIndexOf("<!--"))}`;
    expect(readPlanComment(swapped, modelText)).toMatchObject({
      refused: expect.stringContaining("does not show"),
    });
    const none = { refused: "the plan comment carries no plan data" };
    expect(readPlanComment("## Plan v2", modelText)).toEqual(none);
    for (const data of [
      { version: 2, turnId: "j", approvalWord: "approved" },
      { plan, turnId: "j", approvalWord: "approved" },
      { plan, version: "2", turnId: "j", approvalWord: "approved" },
      { plan, version: 2, approvalWord: "approved" },
      { plan, version: 2, turnId: "j" },
    ])
      expect(readPlanComment(`x\n\n${embedData("plan", data)}`, modelText)).toEqual(none);
  });
});
