import { describe, expect, it } from "vitest";
import { aggregateFindings } from "../../src/core/review/aggregate.js";
import { decideReview } from "../../src/core/review/decide.js";
import type { FindingInput } from "../../src/core/review/finding.js";
import { finding } from "../helpers/core-fixtures.js";

/** A finding located in the diff at `line` of src/retry.ts (as the shell's locateFindings sets it). */
const at = (line: number, over: Partial<FindingInput> = {}, startLine?: number): FindingInput =>
  finding({
    anchor: `line ${line}`,
    at: { path: "src/retry.ts", line, ...(startLine === undefined ? {} : { startLine }) },
    ...over,
  });
const WAIT = "The retry loop never waits between attempts";
const WAIT2 = "Retry loop does not wait between the attempts";

describe("merging the same finding from two reviewers (review/aggregate.ts)", () => {
  it("same spot within three lines and the same gist: one finding, both messages kept", () => {
    const [one, ...rest] = aggregateFindings([
      { reviewer: "r1", findings: [at(10, { message: WAIT })] },
      { reviewer: "r2", findings: [at(13, { message: WAIT2, severity: "major" })] },
    ]);
    expect(rest).toEqual([]);
    expect(one).toMatchObject({
      raisedBy: ["r1", "r2"],
      severity: "blocker",
      consensus: "agreed",
      line: 10,
      side: "RIGHT",
    });
    expect(one?.keys).toHaveLength(2);
    expect(one?.message).toBe(`**r1** (blocker): ${WAIT}\n\n**r2** (major): ${WAIT2}`);
  });

  it("four lines apart, on the other side, or another gist: two findings", () => {
    const apart = aggregateFindings([
      { reviewer: "r1", findings: [at(10, { message: WAIT })] },
      { reviewer: "r2", findings: [at(14, { message: WAIT2 })] },
    ]);
    expect(apart).toHaveLength(2);
    const side = aggregateFindings([
      { reviewer: "r1", findings: [at(10, { message: WAIT })] },
      {
        reviewer: "r2",
        findings: [
          finding({ anchor: "x", message: WAIT2, at: { path: "src/retry.ts", line: 10, side: "LEFT" } }),
        ],
      },
    ]);
    expect(side).toHaveLength(2);
    const gist = aggregateFindings([
      { reviewer: "r1", findings: [at(10, { message: WAIT })] },
      {
        reviewer: "r2",
        findings: [at(10, { message: "Variable naming is inconsistent here", anchor: "other" })],
      },
    ]);
    expect(gist).toHaveLength(2);
  });

  it("a multi-line anchor's range counts from its first line", () => {
    const merged = aggregateFindings([
      { reviewer: "r1", findings: [at(20, { message: WAIT }, 15)] },
      { reviewer: "r2", findings: [at(12, { message: WAIT2 })] },
    ]);
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({ line: 20, startLine: 15 });
    expect(aggregateFindings([{ reviewer: "r1", findings: [at(20)] }])[0]?.startLine).toBeUndefined();
  });

  it("unlocated findings merge on identical anchor text, whatever the words", () => {
    const same = aggregateFindings([
      { reviewer: "r1", findings: [finding({ anchor: "return fn();", message: WAIT })] },
      {
        reviewer: "r2",
        findings: [finding({ anchor: "  return fn();  ", message: "Unrelated words entirely here" })],
      },
    ]);
    expect(same).toHaveLength(1);
    expect(same[0]?.line).toBeUndefined();
    const other = aggregateFindings([
      { reviewer: "r1", findings: [finding({ anchor: "return fn();", message: WAIT })] },
      { reviewer: "r2", findings: [finding({ anchor: "return g();", message: WAIT })] },
    ]);
    expect(other).toHaveLength(2);
    const noAnchor = aggregateFindings([
      { reviewer: "r1", findings: [finding({ anchor: null, message: WAIT })] },
      { reviewer: "r2", findings: [finding({ anchor: null, message: WAIT })] },
    ]);
    // the same key (path, no anchor, gist) is an exact repeat
    expect(noAnchor).toHaveLength(1);
  });

  it("findings about the whole PR merge on the gist alone", () => {
    const merged = aggregateFindings([
      {
        reviewer: "r1",
        findings: [finding({ path: null, anchor: null, message: "No tests cover the retry cap" })],
      },
      {
        reviewer: "r2",
        findings: [finding({ path: null, anchor: null, message: "The retry cap has no tests" })],
      },
    ]);
    expect(merged).toHaveLength(1);
    expect(merged[0]?.path).toBeNull();
  });

  it("one reviewer's two findings at the same spot stay two; an exact repeat is one", () => {
    expect(
      aggregateFindings([
        { reviewer: "r1", findings: [at(10, { message: WAIT }), at(11, { message: WAIT2 })] },
      ]),
    ).toHaveLength(2);
    const twice = aggregateFindings([
      { reviewer: "r1", findings: [at(10, { message: WAIT }), at(10, { message: WAIT })] },
    ]);
    expect(twice).toHaveLength(1);
    expect(twice[0]?.message).toBe(WAIT);
  });

  it("keeps the first suggestion and plan step any member gave", () => {
    const [one] = aggregateFindings([
      { reviewer: "r1", findings: [at(10, { message: WAIT, suggestion: "  ", plan_step: null })] },
      {
        reviewer: "r2",
        findings: [at(10, { message: WAIT2, suggestion: "await sleep(backoff)", plan_step: 2 })],
      },
    ]);
    expect(one?.suggestion).toBe("await sleep(backoff)");
    expect(one?.plan_step).toBe(2);
    const [bare] = aggregateFindings([{ reviewer: "r1", findings: [at(10)] }]);
    expect(bare && "suggestion" in bare).toBe(false);
    expect(bare && "plan_step" in bare).toBe(false);
  });
});

describe("agreement between reviewers", () => {
  it("with two reviewers, a blocker only one rates blocking is single", () => {
    const [one] = aggregateFindings([
      { reviewer: "r1", findings: [at(10, { message: WAIT })] },
      { reviewer: "r2", findings: [at(10, { message: WAIT2, severity: "minor" })] },
    ]);
    expect(one).toMatchObject({
      consensus: "single",
      agreement: "single",
      blockingBy: ["r1"],
      severity: "blocker",
    });
  });

  it("a minor raised by both is agreed; raised by one of two it is single", () => {
    const both = aggregateFindings([
      { reviewer: "r1", findings: [at(10, { message: WAIT, severity: "minor" })] },
      { reviewer: "r2", findings: [at(10, { message: WAIT2, severity: "nit" })] },
    ]);
    expect(both[0]).toMatchObject({ consensus: "agreed", severity: "minor", blockingBy: [] });
    const one = aggregateFindings([
      { reviewer: "r1", findings: [at(10, { message: WAIT, severity: "minor" })] },
      { reviewer: "r2", findings: [] },
    ]);
    expect(one[0]?.consensus).toBe("single");
  });

  it("one reviewer configured: everything is agreed; human and CI findings always are", () => {
    expect(aggregateFindings([{ reviewer: "r1", findings: [at(10)] }])[0]?.consensus).toBe("agreed");
    const withHuman = aggregateFindings([
      { reviewer: "maya", origin: "human", findings: [at(10, { message: WAIT })] },
      { reviewer: "r1", findings: [] },
      { reviewer: "r2", findings: [] },
    ]);
    expect(withHuman[0]).toMatchObject({ consensus: "agreed", origin: "human", blockingBy: [] });
  });

  it("a finding that says the plan is wrong is a plan conflict before anything else", () => {
    const [one] = aggregateFindings([
      { reviewer: "r1", findings: [at(10, { message: WAIT, conflicts_with_plan: true })] },
      { reviewer: "r2", findings: [at(10, { message: WAIT2 })] },
    ]);
    expect(one).toMatchObject({ conflicts_with_plan: true, agreement: "plan_conflict" });
  });

  it("opposite asks at the same spot from two reviewers contradict each other", () => {
    const out = aggregateFindings([
      {
        reviewer: "r1",
        findings: [at(10, { message: "Remove this redundant null check", severity: "major" })],
      },
      {
        reviewer: "r2",
        findings: [at(11, { message: "Keep a guard here: input may be missing", severity: "minor" })],
      },
    ]);
    expect(out).toHaveLength(2);
    const [a, b] = out;
    expect(a?.contradicts).toEqual([b?.key]);
    expect(b?.contradicts).toEqual([a?.key]);
    expect(a?.agreement).toBe("contradicting");
    // far apart, the same reviewer, or a human: no contradiction
    const far = aggregateFindings([
      { reviewer: "r1", findings: [at(10, { message: "Remove this redundant null check" })] },
      { reviewer: "r2", findings: [at(30, { message: "Keep a guard here: input may be missing" })] },
    ]);
    expect(far.every((f) => f.contradicts.length === 0)).toBe(true);
    const self = aggregateFindings([
      {
        reviewer: "r1",
        findings: [
          at(10, { message: "Remove this redundant null check" }),
          at(11, { message: "Keep a guard here" }),
        ],
      },
    ]);
    expect(self.every((f) => f.contradicts.length === 0)).toBe(true);
    const human = aggregateFindings([
      {
        reviewer: "maya",
        origin: "human",
        findings: [at(10, { message: "Remove this redundant null check" })],
      },
      { reviewer: "r2", findings: [at(10, { message: "Keep a guard here: input may be missing" })] },
    ]);
    expect(human.every((f) => f.contradicts.length === 0)).toBe(true);
  });
});

describe("the order findings are listed in", () => {
  it("humans, then checks, then reviewers; worst first; then by path and line", () => {
    const out = aggregateFindings([
      {
        reviewer: "r1",
        findings: [
          finding({ path: "src/z.ts", anchor: "z", severity: "minor", message: "Zeta naming" }),
          finding({
            path: "src/b.ts",
            anchor: "b2",
            severity: "major",
            message: "Beta leaks",
            at: { path: "src/b.ts", line: 20 },
          }),
          finding({
            path: "src/b.ts",
            anchor: "b1",
            severity: "major",
            message: "Beta races",
            at: { path: "src/b.ts", line: 5 },
          }),
          finding({ path: "src/a.ts", anchor: "a", severity: "major", message: "Alpha overflows" }),
        ],
      },
      {
        reviewer: "check:ci",
        origin: "check",
        findings: [finding({ path: null, anchor: null, severity: "minor", message: "CI failed lint" })],
      },
      {
        reviewer: "maya",
        origin: "human",
        findings: [finding({ path: "src/q.ts", anchor: "q", severity: "nit", message: "Quote style" })],
      },
    ]);
    expect(out.map((f) => f.message)).toEqual([
      "Quote style",
      "CI failed lint",
      "Alpha overflows",
      "Beta races",
      "Beta leaks",
      "Zeta naming",
    ]);
  });

  it("a human's finding leads the merged one even when listed after a reviewer's", () => {
    const [one] = aggregateFindings([
      { reviewer: "r1", findings: [at(10, { message: WAIT })] },
      { reviewer: "maya", origin: "human", findings: [at(10, { message: WAIT2, severity: "minor" })] },
    ]);
    expect(one).toMatchObject({ origin: "human", raisedBy: ["maya", "r1"], severity: "blocker" });
  });
});

describe("escalation to the architect (review/decide.ts)", () => {
  const ctx = { fixRound: 0, maxFixRounds: 3 };

  it("a contradiction where either side blocks goes to the architect, naming the other side", () => {
    const out = aggregateFindings([
      {
        reviewer: "r1",
        findings: [at(10, { message: "Remove this redundant null check", severity: "major" })],
      },
      {
        reviewer: "r2",
        findings: [at(11, { message: "Keep a guard here: input may be missing", severity: "minor" })],
      },
    ]);
    const d = decideReview(out, ctx);
    expect(d.kind).toBe("escalate");
    if (d.kind !== "escalate") return;
    expect(d.findings).toHaveLength(2);
    expect(d.agreed).toEqual([]);
    expect(d.reasons.filter((r) => r.reason === "contradicting").map((r) => r.detail)).toEqual([
      "contradicts r2 at `src/retry.ts:11`",
      "contradicts r1 at `src/retry.ts:10`",
    ]);
  });

  it("two minor findings that contradict hold nothing back", () => {
    const out = aggregateFindings([
      {
        reviewer: "r1",
        findings: [at(10, { message: "Remove this redundant null check", severity: "minor" })],
      },
      {
        reviewer: "r2",
        findings: [at(11, { message: "Keep a guard here: input may be missing", severity: "nit" })],
      },
    ]);
    expect(decideReview(out, ctx).kind).toBe("ready");
  });

  it("a merged finding whose members pull apart contradicts itself", () => {
    const out = aggregateFindings([
      {
        reviewer: "r1",
        findings: [
          finding({ anchor: "if (x == null) return;", message: "Remove this null check", severity: "major" }),
        ],
      },
      {
        reviewer: "r2",
        findings: [
          finding({ anchor: "if (x == null) return;", message: "Keep this null check", severity: "major" }),
        ],
      },
    ]);
    expect(out).toHaveLength(1);
    const d = decideReview(out, ctx);
    if (d.kind !== "escalate") throw new Error(d.kind);
    expect(d.reasons[0]).toMatchObject({
      reason: "contradicting",
      detail: "r1 and r2 pull in opposite directions at `src/retry.ts`",
    });
  });

  it("a plan conflict and a single reviewer's blocker say where and who", () => {
    const out = aggregateFindings([
      {
        reviewer: "r1",
        findings: [
          finding({
            path: null,
            anchor: null,
            message: "The plan's cache design is wrong",
            conflicts_with_plan: true,
          }),
          at(10, { message: WAIT }),
        ],
      },
      { reviewer: "r2", findings: [at(10, { message: WAIT2, severity: "minor" })] },
    ]);
    const d = decideReview(out, ctx);
    if (d.kind !== "escalate") throw new Error(d.kind);
    expect(d.reasons.map((r) => [r.reason, r.detail])).toEqual(
      expect.arrayContaining([
        ["plan_conflict", "says the plan itself causes the problem at the pull request"],
        ["single", "only r1 holds it at blocker"],
      ]),
    );
  });

  it("agreed blockers go to the round whatever the ruling", () => {
    const out = aggregateFindings([
      {
        reviewer: "r1",
        findings: [
          at(10, { message: WAIT }),
          finding({ path: "src/c.ts", anchor: "c", message: "Leaks the socket on close" }),
        ],
      },
      { reviewer: "r2", findings: [at(10, { message: WAIT2 })] },
    ]);
    const d = decideReview(out, ctx);
    if (d.kind !== "escalate") throw new Error(d.kind);
    expect(d.findings.map((f) => f.path)).toEqual(["src/c.ts"]);
    expect(d.agreed.map((f) => f.raisedBy)).toEqual([["r1", "r2"]]);
  });

  it("human and CI repeats are new evidence; a reviewer's repeat is dropped, by any of its keys", () => {
    const human = aggregateFindings([{ reviewer: "maya", origin: "human", findings: [at(10)] }]);
    expect(decideReview(human, { ...ctx, earlierFindingKeys: human[0]?.keys }).kind).toBe("fix");
    const merged = aggregateFindings([
      { reviewer: "r1", findings: [at(10, { message: WAIT })] },
      { reviewer: "r2", findings: [at(10, { message: WAIT2 })] },
    ]);
    const second = merged[0]?.keys[1] ?? "";
    const d = decideReview(merged, { ...ctx, earlierFindingKeys: [second] });
    expect(d).toMatchObject({ kind: "ready", dropped: { repeated: merged } });
    const ig = decideReview(merged, { ...ctx, ignored: [second] });
    expect(ig).toMatchObject({ kind: "ready", dropped: { ignored: merged, repeated: [] } });
  });

  it("the cap counts rounds done: at the cap a human is needed, below it a fix", () => {
    const out = aggregateFindings([{ reviewer: "r1", findings: [at(10)] }]);
    expect(decideReview(out, { fixRound: 2, maxFixRounds: 3 }).kind).toBe("fix");
    expect(decideReview(out, { fixRound: 3, maxFixRounds: 3 }).kind).toBe("needs-human");
    expect(decideReview(out, { fixRound: 0, maxFixRounds: 0 }).kind).toBe("needs-human");
  });
});

describe("aggregation at its edges", () => {
  it("a human's comment at a known line is placed there, on the right side", () => {
    const [one] = aggregateFindings([
      {
        reviewer: "maya",
        origin: "human",
        findings: [finding({ anchor: null, line: 12, message: "Why sleep here?" })],
      },
    ]);
    expect(one).toMatchObject({ line: 12, side: "RIGHT" });
    expect(one?.startLine).toBeUndefined();
    const left = aggregateFindings([
      {
        reviewer: "maya",
        origin: "human",
        findings: [finding({ anchor: null, line: 4, side: "LEFT", message: "Old code" })],
      },
    ]);
    expect(left[0]?.side).toBe("LEFT");
  });

  it("a located and an unlocated finding compare by anchor text", () => {
    const out = aggregateFindings([
      {
        reviewer: "r1",
        findings: [
          finding({ anchor: "return fn();", message: WAIT, at: { path: "src/retry.ts", line: 10 } }),
        ],
      },
      { reviewer: "r2", findings: [finding({ anchor: "return fn();", message: "Something else entirely" })] },
    ]);
    expect(out).toHaveLength(1);
  });

  it("two findings on a file without anchors are not at the same spot", () => {
    const out = aggregateFindings([
      { reviewer: "r1", findings: [finding({ anchor: null, message: WAIT })] },
      { reviewer: "r2", findings: [finding({ anchor: null, message: WAIT2 })] },
    ]);
    expect(out).toHaveLength(2);
  });

  it("the same gist starts at a similarity of exactly 0.3", () => {
    // 3 shared content words of 10 in all: 0.3
    const a = "alpha bravo charlie delta echo foxtrot golf";
    const b = "alpha bravo charlie hotel india juliet";
    const out = aggregateFindings([
      { reviewer: "r1", findings: [at(10, { message: a, anchor: "x1" })] },
      { reviewer: "r2", findings: [at(10, { message: b, anchor: "x2" })] },
    ]);
    expect(out).toHaveLength(1);
    const below = aggregateFindings([
      { reviewer: "r1", findings: [at(10, { message: `${a} kilo`, anchor: "x1" })] },
      { reviewer: "r2", findings: [at(10, { message: b, anchor: "x2" })] },
    ]);
    expect(below).toHaveLength(2);
  });

  it("merged messages are trimmed; the same words twice are one message", () => {
    const two = aggregateFindings([
      { reviewer: "r1", findings: [at(10, { message: `  ${WAIT}\n` })] },
      { reviewer: "r2", findings: [at(10, { message: ` ${WAIT2} ` })] },
    ]);
    expect(two[0]?.message).toBe(`**r1** (blocker): ${WAIT}\n\n**r2** (blocker): ${WAIT2}`);
    const same = aggregateFindings([
      { reviewer: "r1", findings: [at(10, { message: `${WAIT} ` })] },
      { reviewer: "r2", findings: [at(11, { message: WAIT })] },
    ]);
    expect(same[0]?.message).toBe(WAIT);
  });

  it("a source's second finding at a spot does not join a cluster that already has it", () => {
    const out = aggregateFindings([
      { reviewer: "r1", findings: [at(10, { message: WAIT }), at(11, { message: WAIT2 })] },
      { reviewer: "r2", findings: [at(10, { message: WAIT2, anchor: "other" })] },
    ]);
    expect(out).toHaveLength(2);
    expect(out.map((f) => f.raisedBy)).toEqual([["r1", "r2"], ["r1"]]);
  });

  it("contradictions are recorded on the findings that contradict, wherever they are listed", () => {
    const out = aggregateFindings([
      {
        reviewer: "r1",
        findings: [
          finding({
            path: "src/a.ts",
            anchor: "a",
            message: "Alpha overflows",
            at: { path: "src/a.ts", line: 1 },
          }),
          at(10, { message: "Remove this redundant null check", severity: "major" }),
        ],
      },
      {
        reviewer: "r2",
        findings: [at(11, { message: "Keep a guard here: input may be missing", severity: "major" })],
      },
    ]);
    const alpha = out.find((f) => f.path === "src/a.ts");
    expect(alpha?.contradicts).toEqual([]);
    expect(out.filter((f) => f.contradicts.length > 0)).toHaveLength(2);
  });
});
