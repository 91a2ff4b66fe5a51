import { describe, expect, it } from "vitest";
import { aggregateFindings } from "../../src/core/review/aggregate.js";
import type { FindingSet } from "../../src/core/review/finding.js";
import { onHumanFindings, takeFindings } from "../../src/core/review/human.js";
import { ctx, effectsOf, finding, NOW, reviewing } from "../helpers/core-fixtures.js";

const human: FindingSet = {
  reviewer: "omar",
  origin: "human",
  findings: [finding(), finding({ path: "src/b.ts", anchor: "b()", severity: "minor", message: "Rename b" })],
};
const keysOf = (set: FindingSet) => aggregateFindings([set]).flatMap((f) => f.keys);

describe("a human's findings (review/human.ts)", () => {
  it("from someone without write access: noted as not acted on, nothing else", () => {
    for (const permission of ["read", "triage", "none", undefined] as const) {
      const d = onHumanFindings(reviewing({ phase: "ready" }), human, permission, ctx());
      expect(d.effects).toEqual([]);
      expect(d.state?.phase).toBe("ready");
      expect(d.state?.notActedOn).toEqual([{ by: "omar", what: "a review or `/triad fix`", at: NOW }]);
      expect(d.state?.raisedKeys).toEqual([]);
    }
  });

  it("keeps only the last ten not-acted-on entries", () => {
    const notActedOn = Array.from({ length: 10 }, (_, i) => ({ by: `u${i}`, what: "x", at: NOW }));
    const d = onHumanFindings(reviewing({ notActedOn }), human, "read", ctx());
    expect(d.state?.notActedOn).toHaveLength(10);
    expect(d.state?.notActedOn[0]?.by).toBe("u1");
    expect(d.state?.notActedOn[9]?.by).toBe("omar");
  });

  it("no findings is nothing", () => {
    expect(onHumanFindings(reviewing(), undefined, "write", ctx()).ignored).toBe("no findings");
  });

  it("from a writer on a resting PR: a fix round through the cap, counted by severity and by who", () => {
    const d = onHumanFindings(reviewing({ phase: "needs-human", fixRound: 1 }), human, "maintain", ctx());
    expect(d.state?.phase).toBe("fixing");
    expect(d.state?.fixRound).toBe(2);
    expect(d.state?.raisedKeys).toEqual(keysOf(human));
    expect(d.state?.findingStats).toEqual({ "severity:blocker": 1, "severity:minor": 1, "by:omar": 2 });
    // escalation is off for a human's findings: the maintainer has the last word
    expect(effectsOf(d.effects, "enqueue")[0]?.step.kind).toBe("develop");
  });

  it("adds to the counts already there", () => {
    const d = takeFindings(
      reviewing({ phase: "ready", findingStats: { "severity:blocker": 2, "by:omar": 1 } }),
      human,
      ctx(),
    );
    expect(d.state?.findingStats).toEqual({ "severity:blocker": 3, "severity:minor": 1, "by:omar": 3 });
  });

  it("while reviews or a round run, they wait for the next decision", () => {
    for (const phase of ["reviewing", "fixing"] as const) {
      const d = takeFindings(reviewing({ phase }), human, ctx());
      expect(d.effects).toEqual([{ type: "add_pending", set: human }]);
      expect(d.tracking).toBe(false);
      expect(d.state?.phase).toBe(phase);
      expect(d.state?.raisedKeys).toEqual(keysOf(human));
    }
  });

  it("in other phases, without a PR, empty or already raised: nothing", () => {
    expect(takeFindings(reviewing({ phase: "planning" }), human, ctx()).ignored).toBe(
      "findings are not taken while planning",
    );
    expect(takeFindings(reviewing({ pr: undefined }), human, ctx()).ignored).toBe("no finding in the event");
    expect(takeFindings(reviewing(), { ...human, findings: [] }, ctx()).ignored).toBe(
      "no finding in the event",
    );
    const again = takeFindings(reviewing({ phase: "ready", raisedKeys: keysOf(human) }), human, ctx());
    expect(again.ignored).toBe("these findings were raised already");
    // one new finding among old ones is taken
    const partly = takeFindings(
      reviewing({ phase: "ready", raisedKeys: keysOf(human).slice(0, 1) }),
      human,
      ctx(),
    );
    expect(partly.state?.phase).toBe("fixing");
  });
});
