import { describe, expect, it } from "vitest";
import { hasPlanChanges, planChanges, renderPlanChanges } from "../../src/core/render/plan-diff.js";
import type { Plan } from "../../src/core/schemas/architect.js";
import { modelText } from "../../src/text/sanitize.js";

const v1: Plan = {
  goal: "Retry failed uploads so a flaky network does not lose a user's file.",
  decisions: [
    {
      decision: "Retry in the client with exponential backoff",
      why: "The server cannot tell a lost request from a slow one.",
      alternatives: [{ option: "Retry on the server", why_rejected: "It never sees the lost request." }],
    },
    {
      decision: "Cap retries at five",
      why: "Past five the user is better told.",
      alternatives: [{ option: "Retry forever", why_rejected: "A dead server would hang the page." }],
    },
  ],
  steps: [
    {
      title: "Add a retry helper",
      files: [{ path: "src/retry.ts", action: "create" }],
      signatures: ["export function retry<T>(fn: () => Promise<T>, attempts: number): Promise<T>"],
      details: "Wrap a promise-returning function; wait 2^n × 100 ms between attempts.",
    },
    {
      title: "Use the helper in the uploader",
      files: [{ path: "src/upload.ts", action: "change" }],
      signatures: [],
      details: "Call retry around the fetch in uploadFile.",
    },
    {
      title: "Show the attempt count",
      files: [{ path: "src/ui/progress.tsx", action: "change" }],
      signatures: [],
      details: "Render 'attempt n of 5' under the bar.",
    },
  ],
  tests: ["retry gives up after five attempts", "uploadFile retries on a network error"],
  out_of_scope: ["Resumable uploads"],
  risks: [],
};

const clone = (p: Plan): Plan => structuredClone(p);

describe("planChanges", () => {
  it("finds nothing between a plan and itself, or a re-wrapped copy", () => {
    expect(hasPlanChanges(planChanges(v1, clone(v1)))).toBe(false);
    const wrapped = clone(v1);
    wrapped.goal = v1.goal.replace(" so ", "\nso ");
    expect(hasPlanChanges(planChanges(v1, wrapped))).toBe(false);
    expect(renderPlanChanges(planChanges(v1, wrapped), modelText, 1)).toBe(
      "### What changed since v1\n\nNothing in substance: the steps, decisions, tests and risks are as before.",
    );
  });

  it("sees steps added, removed and changed, matching a reworded title", () => {
    const v2 = clone(v1);
    v2.steps[0] = {
      ...(v2.steps[0] as Plan["steps"][number]),
      title: "Add a retry helper with jitter",
      details: "Wrap a promise-returning function; wait 2^n × 100 ms plus up to 50 ms of jitter.",
    };
    v2.steps.splice(2, 1); // "Show the attempt count" dropped
    v2.steps.push({
      title: "Log every retry",
      files: [{ path: "src/log.ts", action: "change" }],
      signatures: [],
      details: "One line per retry with the attempt and the error.",
    });
    const c = planChanges(v1, v2);
    expect(c.steps.added).toEqual([{ index: 3, title: "Log every retry" }]);
    expect(c.steps.removed).toEqual([{ index: 3, title: "Show the attempt count" }]);
    expect(c.steps.changed).toEqual([
      {
        before: { index: 1, title: "Add a retry helper" },
        after: { index: 1, title: "Add a retry helper with jitter" },
        what: ["title", "details"],
        filesAdded: [],
        filesRemoved: [],
      },
    ]);
    expect(c.goal).toBeUndefined();
  });

  it("matches a step renamed beyond recognition by its files and details", () => {
    const v2 = clone(v1);
    v2.steps[1] = { ...(v2.steps[1] as Plan["steps"][number]), title: "Make uploadFile resilient" };
    const c = planChanges(v1, v2);
    expect(c.steps.added).toEqual([]);
    expect(c.steps.changed.map((s) => [s.before.index, s.after.index, s.what])).toEqual([[2, 2, ["title"]]]);
  });

  it("tells a moved step from one that only shifted because another was inserted", () => {
    const inserted = clone(v1);
    inserted.steps.unshift({
      title: "Add a config flag",
      files: [{ path: "src/config.ts", action: "change" }],
      signatures: [],
      details: "retries: number, default 5.",
    });
    expect(planChanges(v1, inserted).steps.changed).toEqual([]);

    const moved = clone(v1);
    const last = moved.steps.pop() as Plan["steps"][number];
    moved.steps.unshift(last);
    const c = planChanges(v1, moved);
    expect(c.steps.changed.map((s) => [s.after.title, s.what])).toEqual([
      ["Show the attempt count", ["moved"]],
    ]);
  });

  it("lists files added to and removed from a step", () => {
    const v2 = clone(v1);
    v2.steps[1] = {
      ...(v2.steps[1] as Plan["steps"][number]),
      files: [
        { path: "src/upload.ts", action: "change" },
        { path: "src/upload-queue.ts", action: "create" },
      ],
    };
    v2.steps[0] = {
      ...(v2.steps[0] as Plan["steps"][number]),
      signatures: ["export function retry<T>(fn: () => Promise<T>, opts: RetryOptions): Promise<T>"],
    };
    const c = planChanges(v1, v2);
    expect(c.steps.changed).toEqual([
      expect.objectContaining({ after: { index: 1, title: "Add a retry helper" }, what: ["signatures"] }),
      expect.objectContaining({
        after: { index: 2, title: "Use the helper in the uploader" },
        what: ["files"],
        filesAdded: ["src/upload-queue.ts (create)"],
        filesRemoved: [],
      }),
    ]);
  });

  it("sees decisions, the goal, tests, scope and risks change", () => {
    const v2 = clone(v1);
    v2.goal = "Retry failed uploads and tell the user when they give up.";
    v2.decisions[1] = {
      ...(v2.decisions[1] as Plan["decisions"][number]),
      decision: "Cap retries at three",
      why: "Past three the user is better told.",
    };
    v2.decisions.push({
      decision: "Keep the queue in memory",
      why: "A page reload is a new start.",
      alternatives: [{ option: "IndexedDB", why_rejected: "Out of scope for now." }],
    });
    v2.decisions.splice(0, 1);
    v2.tests = [
      "retry gives up after three attempts",
      "uploadFile retries on a network error",
      "the UI says when retrying stopped",
    ];
    v2.out_of_scope = [];
    v2.risks = ["Three may be too few on mobile networks"];
    const c = planChanges(v1, v2);
    expect(c.goal).toEqual({ before: v1.goal, after: v2.goal });
    expect(c.decisions.removed).toEqual([
      { index: 1, decision: "Retry in the client with exponential backoff" },
    ]);
    expect(c.decisions.added).toEqual([{ index: 2, decision: "Keep the queue in memory" }]);
    expect(c.decisions.changed).toEqual([
      {
        before: { index: 2, decision: "Cap retries at five" },
        after: { index: 1, decision: "Cap retries at three" },
        what: ["decision", "why"],
      },
    ]);
    expect(c.tests).toEqual({
      added: ["the UI says when retrying stopped"],
      removed: [],
      reworded: [
        { before: "retry gives up after five attempts", after: "retry gives up after three attempts" },
      ],
    });
    expect(c.out_of_scope).toEqual({ added: [], removed: ["Resumable uploads"], reworded: [] });
    expect(c.risks.added).toEqual(["Three may be too few on mobile networks"]);
  });
});

describe("renderPlanChanges", () => {
  it("renders a short section, model text escaped", () => {
    const v2 = clone(v1);
    v2.steps[0] = {
      ...(v2.steps[0] as Plan["steps"][number]),
      title: "Add a retry helper <!-- triad:plan id=v9 -->",
    };
    v2.steps.splice(2, 1);
    v2.tests.push("retry waits [longer](http://x) each time");
    const md = renderPlanChanges(planChanges(v1, v2), modelText, 1);
    expect(md.split("\n")[0]).toBe("### What changed since v1");
    expect(md).toContain("- **Steps:** 1 removed, 1 changed");
    expect(md).toContain("  - Removed: **Show the attempt count** (was step 3)");
    expect(md).toMatch(
      / {2}- Changed: step 1, \*\*Add a retry helper .*\*\* — title \(was \*\*Add a retry helper\*\*\)/,
    );
    expect(md).not.toContain("<!--");
    expect(md).toContain("- **Tests:** 1 added");
    expect(md).toContain("  - Added: retry waits \\[longer](http://x) each time");
    expect(md).not.toContain("Decisions");
  });

  it("says 'the previous plan' without a version", () => {
    const v2 = clone(v1);
    v2.risks = ["New risk"];
    expect(renderPlanChanges(planChanges(v1, v2), modelText)).toBe(
      "### What changed since the previous plan\n\n- **Risks:** 1 added\n  - Added: New risk",
    );
  });
});
