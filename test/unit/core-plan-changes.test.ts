import { describe, expect, it } from "vitest";
import { hasPlanChanges, planChanges, renderPlanChanges } from "../../src/core/render/plan-diff.js";
import type { Plan } from "../../src/core/schemas/architect.js";
import { modelText } from "../../src/text/sanitize.js";

type Step = Plan["steps"][number];
const stepOf = (title: string, over: Partial<Step> = {}): Step => ({
  title,
  files: [{ path: `src/${title.split(" ")[0]?.toLowerCase()}.ts`, action: "change" }],
  signatures: [],
  details: `Do the ${title.toLowerCase()} work carefully.`,
  ...over,
});
const base: Plan = {
  goal: "Retry failed requests with backoff.",
  decisions: [
    {
      decision: "Exponential backoff",
      why: "Spreads load",
      alternatives: [{ option: "Fixed delay", why_rejected: "Herds" }],
    },
    {
      decision: "Cap at three attempts",
      why: "Bounded latency",
      alternatives: [{ option: "No cap", why_rejected: "Hangs" }],
    },
  ],
  steps: [stepOf("Parse options"), stepOf("Retry loop"), stepOf("Wire client"), stepOf("Document behaviour")],
  tests: ["retries three times on 503", "gives up after the cap"],
  out_of_scope: ["metrics"],
  risks: ["longer latency"],
};
const diff = (next: Partial<Plan>) => planChanges(base, { ...base, ...next });
const shown = (next: Partial<Plan>, since?: number) => renderPlanChanges(diff(next), modelText, since);

describe("what changed between plan versions (render/plan-diff.ts)", () => {
  it("the same plan, re-wrapped or re-cased, has no changes", () => {
    const same = diff({
      goal: " Retry failed  requests with backoff. ",
      steps: base.steps.map((s) => ({
        ...s,
        title: s.title.toUpperCase(),
        details: `  ${s.details.replace(/ /g, "\n")}`,
      })),
    });
    expect(hasPlanChanges(same)).toBe(false);
    expect(renderPlanChanges(same, modelText, 1)).toBe(
      "### What changed since v1\n\nNothing in substance: the steps, decisions, tests and risks are as before.",
    );
    expect(renderPlanChanges(same, modelText)).toContain("### What changed since the previous plan");
  });

  it("a reworded goal", () => {
    const c = diff({ goal: "Retry idempotent requests only." });
    expect(c.goal).toEqual({ before: base.goal, after: "Retry idempotent requests only." });
    expect(hasPlanChanges(c)).toBe(true);
    expect(renderPlanChanges(c, modelText)).toContain(
      "- **Goal:** reworded (was: Retry failed requests with backoff.)",
    );
  });

  it("a step added and one removed, by their place in each version", () => {
    const steps = [
      base.steps[0],
      stepOf("Jitter delays", { files: [{ path: "src/jitter.ts", action: "create" }] }),
      base.steps[1],
      base.steps[2],
    ] as Step[];
    const c = diff({ steps });
    expect(c.steps.added).toEqual([{ index: 2, title: "Jitter delays" }]);
    expect(c.steps.removed).toEqual([{ index: 4, title: "Document behaviour" }]);
    // steps that only shifted because one was inserted are not "moved"
    expect(c.steps.changed).toEqual([]);
    expect(renderPlanChanges(c, modelText).split("\n").slice(2)).toEqual([
      "- **Steps:** 1 added, 1 removed",
      "  - Added: step 2, **Jitter delays**",
      "  - Removed: **Document behaviour** (was step 4)",
    ]);
  });

  it("a step that changed place is moved", () => {
    const steps = [base.steps[3], base.steps[0], base.steps[1], base.steps[2]] as Step[];
    const c = diff({ steps });
    expect(c.steps.changed).toEqual([
      {
        before: { index: 4, title: "Document behaviour" },
        after: { index: 1, title: "Document behaviour" },
        what: ["moved"],
        filesAdded: [],
        filesRemoved: [],
      },
    ]);
    expect(shown({ steps })).toContain("  - Changed: step 1, **Document behaviour** — moved (was step 4)");
  });

  it("a reworded step keeps its identity: title, files, signatures and details changes are named", () => {
    const old = base.steps[1] as Step;
    const steps = [...base.steps];
    steps[1] = {
      ...old,
      title: "Retry loop with backoff",
      files: [...old.files, { path: "src/backoff.ts", action: "create" }],
      signatures: ["export function retry(): void"],
      details: "Loop with a growing delay between attempts.",
    };
    const c = diff({ steps });
    expect(c.steps.added).toEqual([]);
    expect(c.steps.removed).toEqual([]);
    expect(c.steps.changed).toEqual([
      {
        before: { index: 2, title: "Retry loop" },
        after: { index: 2, title: "Retry loop with backoff" },
        what: ["title", "files", "signatures", "details"],
        filesAdded: ["src/backoff.ts (create)"],
        filesRemoved: [],
      },
    ]);
    expect(shown({ steps })).toContain(
      "  - Changed: step 2, **Retry loop with backoff** — title (was **Retry loop**); files (+ `src/backoff.ts (create)`); signatures; details",
    );
  });

  it("a file whose action changed is one removed and one added", () => {
    const steps = [...base.steps];
    steps[0] = { ...(base.steps[0] as Step), files: [{ path: "src/parse.ts", action: "delete" }] };
    const c = diff({ steps });
    expect(c.steps.changed[0]).toMatchObject({
      what: ["files"],
      filesAdded: ["src/parse.ts (delete)"],
      filesRemoved: ["src/parse.ts (change)"],
    });
    expect(shown({ steps })).toContain("files (+ `src/parse.ts (delete)`, − `src/parse.ts (change)`)");
  });

  it("a step with a new title but the same files and details is still the same step", () => {
    const steps = [...base.steps];
    steps[2] = { ...(base.steps[2] as Step), title: "Hook up the HTTP layer" };
    const c = diff({ steps });
    expect(c.steps.changed.map((s) => s.what)).toEqual([["title"]]);
    // an unrelated step in its place is removed and added
    const other = [...base.steps];
    other[2] = stepOf("Telemetry export", {
      files: [{ path: "src/telemetry.ts", action: "create" }],
      details: "Send spans.",
    });
    const d = diff({ steps: other });
    expect(d.steps.added.map((s) => s.title)).toEqual(["Telemetry export"]);
    expect(d.steps.removed.map((s) => s.title)).toEqual(["Wire client"]);
  });

  it("decisions: added, removed, reworded, with new reasons or alternatives", () => {
    const decisions = [
      { ...base.decisions[0], decision: "Exponential backoff with jitter", why: "Spreads load" },
      {
        ...base.decisions[1],
        why: "Keeps latency bounded for users",
        alternatives: [{ option: "Five attempts", why_rejected: "Slow" }],
      },
      {
        decision: "Retry only idempotent methods",
        why: "Safety",
        alternatives: [{ option: "All", why_rejected: "Duplicates" }],
      },
    ] as Plan["decisions"];
    const c = diff({ decisions });
    expect(c.decisions.added).toEqual([{ index: 3, decision: "Retry only idempotent methods" }]);
    expect(c.decisions.removed).toEqual([]);
    expect(c.decisions.changed.map((d) => [d.before.index, d.after.index, d.what])).toEqual([
      [1, 1, ["decision"]],
      [2, 2, ["why", "alternatives"]],
    ]);
    expect(
      shown({ decisions })
        .split("\n")
        .filter((l) => l.includes("ecision") || l.startsWith("  - ")),
    ).toEqual([
      "- **Decisions:** 1 added, 2 changed",
      "  - Added: **Retry only idempotent methods**",
      "  - Changed: **Exponential backoff with jitter** — reworded (was **Exponential backoff**)",
      "  - Changed: **Cap at three attempts** — why; alternatives",
    ]);
    const removed = diff({ decisions: [base.decisions[0]] as Plan["decisions"] });
    expect(renderPlanChanges(removed, modelText)).toContain(
      "- **Decisions:** 1 removed\n  - Removed: **Cap at three attempts**",
    );
  });

  it("tests, out of scope and risks: added, removed, reworded", () => {
    const c = diff({
      tests: ["retries three times on a 503", "logs each attempt"],
      out_of_scope: [],
      risks: ["longer latency", "duplicate writes"],
    });
    expect(c.tests).toEqual({
      added: ["logs each attempt"],
      removed: ["gives up after the cap"],
      reworded: [{ before: "retries three times on 503", after: "retries three times on a 503" }],
    });
    expect(c.out_of_scope).toEqual({ added: [], removed: ["metrics"], reworded: [] });
    const text = renderPlanChanges(c, modelText);
    expect(text).toContain(
      [
        "- **Tests:** 1 added, 1 removed, 1 reworded",
        "  - Added: logs each attempt",
        "  - Removed: gives up after the cap",
        "  - Reworded: retries three times on a 503 (was: retries three times on 503)",
        "- **Out of scope:** 1 removed",
        "  - Removed: metrics",
        "- **Risks:** 1 added",
        "  - Added: duplicate writes",
      ].join("\n"),
    );
    expect(text).not.toContain("**Steps:**");
    expect(text).not.toContain("**Decisions:**");
  });

  it("only one kind of change is still a change", () => {
    expect(hasPlanChanges(diff({ risks: [] }))).toBe(true);
    expect(hasPlanChanges(diff({ out_of_scope: ["metrics", "tracing"] }))).toBe(true);
    expect(hasPlanChanges(diff({ tests: ["retries three times on 503"] }))).toBe(true);
    expect(hasPlanChanges(diff({ decisions: [base.decisions[1]] as Plan["decisions"] }))).toBe(true);
    expect(hasPlanChanges(diff({ steps: base.steps.slice(1) }))).toBe(true);
  });
});
