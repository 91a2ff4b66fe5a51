import { describe, expect, it } from "vitest";
import { type AggregatedFinding, aggregateFindings } from "../../src/core/review/aggregate.js";
import type { FindingInput, FindingSet } from "../../src/core/review/finding.js";
import {
  emptyLedger,
  fixedFindings,
  MAX_RECORDS,
  MIN_JUDGED,
  type PrecisionEntry,
  type PrecisionLedger,
  precision,
  precisionByModel,
  precisionLedgerSchema,
  type ReviewRecord,
  type RoundOutcome,
  rebuildLedger,
  recordOutcome,
  recordReview,
  renderPrecision,
  reviewRecord,
  roundOutcome,
  roundOutcomeSchema,
  shouldFoldMinor,
} from "../../src/core/review/precision.js";
import { changedRegions } from "../../src/diff/changed-ranges.js";
import { modelText } from "../../src/text/sanitize.js";
import { diffOf } from "../helpers/git-diff.js";

const CLAUDE = "anthropic:claude-opus-4-5";
const GPT = "openai:gpt-5.1";
const FAMILY = { "reviewer-1": "anthropic", "reviewer-2": "openai" };
const MODEL: Record<string, string> = { "reviewer-1": CLAUDE, "reviewer-2": GPT };

const at = (
  path: string,
  line: number,
  message: string,
  severity: FindingInput["severity"] = "major",
): FindingInput => ({
  path,
  anchor: `${path}:${line}`,
  at: { path, line, side: "RIGHT" },
  severity,
  message,
  conflicts_with_plan: false,
});

const file = Array.from({ length: 100 }, (_, i) => `line ${i + 1}`).join("\n");
const edit = (lines: number[]) =>
  file
    .split("\n")
    .map((l, i) => (lines.includes(i + 1) ? `${l} (fixed)` : l))
    .join("\n");

/** One review round as the shell runs it: reviewers' records, aggregation, then what happened. */
function round(
  sha: string,
  r1: FindingInput[],
  r2: FindingInput[],
): { records: ReviewRecord[]; found: AggregatedFinding[] } {
  const sets: FindingSet[] = [
    { reviewer: "reviewer-1", findings: r1 },
    { reviewer: "reviewer-2", findings: r2 },
  ];
  return {
    records: sets.map((s) => reviewRecord(sha, MODEL[s.reviewer] as string, s.findings)),
    found: aggregateFindings(sets),
  };
}
const keyOf = (found: AggregatedFinding[], message: string) =>
  found.find((f) => f.message.includes(message))?.key ?? "";

const NULL_A = "clamp returns null when min > max, a type error for a function whose return type is number.";
const NULL_B = "Returning null from clamp when min > max breaks the number return type.";

/** Three rounds: fixes, a 👎, an architect rejection, a /triad ignore, a cross-vendor confirmation. */
function threeRounds() {
  const a = round(
    "sha-a",
    [
      at("src/util.ts", 10, NULL_A),
      at("src/util.ts", 40, "The loop variable shadows the outer index.", "minor"),
      at("src/util.ts", 60, "Prefer const here.", "nit"),
    ],
    [at("src/util.ts", 11, NULL_B), at("src/util.ts", 80, "This cache is never invalidated after a write.")],
  );
  // The fix round after A changed lines 10–11 of src/util.ts only.
  const fixA = changedRegions(diffOf([{ path: "src/util.ts", before: file, after: edit([10, 11]) }]));
  const sentA = a.found.filter((f) => f.severity === "major");
  const outcomeA = roundOutcome(
    "sha-a",
    a.found,
    {
      fixed: fixedFindings(sentA, fixA),
      overruled: [keyOf(a.found, "never invalidated")], // a maintainer's 👎
    },
    FAMILY,
  );

  const b = round(
    "sha-b",
    [at("src/api.ts", 5, "The handler swallows the error and returns 200.")],
    [at("src/api.ts", 30, "The timeout is not passed to fetch, so a slow server hangs the request.")],
  );
  const fixB = changedRegions(diffOf([{ path: "src/api.ts", before: file, after: edit([31]) }]));
  const outcomeB = roundOutcome(
    "sha-b",
    b.found,
    {
      rejected: [keyOf(b.found, "swallows the error")], // the architect's ruling
      fixed: fixedFindings(
        b.found.filter((f) => !f.message.includes("swallows")),
        fixB,
      ),
    },
    FAMILY,
  );

  const c = round(
    "sha-c",
    [at("src/api.ts", 50, "Rename this variable to something clearer.", "nit")],
    [at("src/api.ts", 70, "Missing test for the retry path.", "minor")],
  );
  const outcomeC = roundOutcome(
    "sha-c",
    c.found,
    { overruled: [keyOf(c.found, "Rename this variable")] },
    FAMILY,
  ); // /triad ignore
  return { records: [...a.records, ...b.records, ...c.records], outcomes: [outcomeA, outcomeB, outcomeC] };
}

describe("precision ledger", () => {
  it("counts raised, fixed, overruled and confirmed per model across three rounds", () => {
    const { records, outcomes } = threeRounds();
    let ledger = emptyLedger();
    for (const r of records) ledger = recordReview(ledger, r);
    for (const o of outcomes) ledger = recordOutcome(ledger, o);
    const by = precisionByModel(ledger);
    // Claude: null-check (fixed, confirmed), shadowing (open), const nit (open), swallowed error (rejected), rename nit (ignored).
    expect(by[CLAUDE]).toEqual({ raised: 5, fixed: 1, overruled: 2, confirmed: 1, upheld: 1 });
    // GPT: null-check (fixed, confirmed), cache (👎), timeout (fixed), missing test (open).
    expect(by[GPT]).toEqual({ raised: 4, fixed: 2, overruled: 1, confirmed: 1, upheld: 2 });
    expect(precision(by[CLAUDE] as PrecisionEntry)).toBeCloseTo(1 / 3);
    expect(precision(by[GPT] as PrecisionEntry)).toBeCloseTo(2 / 3);
  });

  it("rebuilds the same ledger from the threads' records, and applying a record twice changes nothing", () => {
    const { records, outcomes } = threeRounds();
    const rebuilt = rebuildLedger(records, outcomes);
    let twice: PrecisionLedger = emptyLedger();
    for (const r of [...records, ...records]) twice = recordReview(twice, r);
    for (const o of [...outcomes, ...outcomes]) twice = recordOutcome(twice, o);
    expect(twice).toEqual(rebuilt);
    // What is embedded survives JSON and validates.
    for (const o of outcomes) expect(roundOutcomeSchema.parse(JSON.parse(JSON.stringify(o)))).toEqual(o);
    expect(precisionLedgerSchema.parse(JSON.parse(JSON.stringify(rebuilt)))).toEqual(rebuilt);
  });

  it("folds many events in one pass to exactly what recording them one by one gives, the oldest dropped past the cap", () => {
    // Seeded: rounds of two models' findings, keys reused across rounds, verdicts of every kind.
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const records: ReviewRecord[] = [];
    const outcomes: RoundOutcome[] = [];
    for (let round = 0; round < 200; round++) {
      for (const model of [CLAUDE, GPT])
        records.push({
          v: 1,
          round: `r${round}`,
          model,
          findings: Array.from({ length: 40 }, () => ({ k: `k${rnd(60)}`, s: "minor" as const })),
        });
      for (let n = 0; n < 2; n++) {
        const keys = () => Array.from({ length: rnd(12) }, () => `k${rnd(60)}`);
        outcomes.push({
          v: 1,
          round: `r${rnd(201)}`,
          confirmed: keys(),
          fixed: keys(),
          overruled: keys(),
          rejected: keys(),
        });
      }
    }
    let oneByOne: PrecisionLedger = emptyLedger();
    for (const r of records) oneByOne = recordReview(oneByOne, r);
    for (const o of outcomes) oneByOne = recordOutcome(oneByOne, o);
    const folded = rebuildLedger(records, outcomes);
    expect(Object.keys(folded.findings).length).toBe(MAX_RECORDS);
    expect(folded).toEqual(oneByOne);
    expect(Object.keys(folded.findings)).toEqual(Object.keys(oneByOne.findings));
  });

  it("lets a late overrule replace a fix, never the other way round", () => {
    const rec: ReviewRecord = { v: 1, round: "r", model: CLAUDE, findings: [{ k: "k1", s: "major" }] };
    const fixed: RoundOutcome = {
      v: 1,
      round: "r",
      confirmed: [],
      fixed: ["k1"],
      overruled: [],
      rejected: [],
    };
    const ignored: RoundOutcome = { ...fixed, fixed: [], overruled: ["k1"] };
    const one = recordOutcome(recordOutcome(recordReview(emptyLedger(), rec), fixed), ignored);
    expect(precisionByModel(one)[CLAUDE]).toMatchObject({ fixed: 0, overruled: 1 });
    const other = recordOutcome(recordOutcome(recordReview(emptyLedger(), rec), ignored), fixed);
    expect(precisionByModel(other)[CLAUDE]).toMatchObject({ fixed: 0, overruled: 1 });
  });

  it("fold minor findings only for a reviewer judged often enough and below the threshold", () => {
    expect(shouldFoldMinor(undefined, 0.5)).toBe(false);
    const noisy = { raised: 30, fixed: 2, overruled: 12, confirmed: 1, upheld: 3 };
    expect(shouldFoldMinor(noisy, 0.5)).toBe(true);
    expect(shouldFoldMinor(noisy, 0.2)).toBe(false);
    const young = { raised: 5, fixed: 0, overruled: 3, confirmed: 0, upheld: 0 };
    expect(young.upheld + young.overruled).toBeLessThan(MIN_JUDGED);
    expect(shouldFoldMinor(young, 0.5)).toBe(false);
    expect(shouldFoldMinor(young, 0.5, 3)).toBe(true);
    const { records, outcomes } = threeRounds();
    const by = precisionByModel(rebuildLedger(records, outcomes));
    expect(shouldFoldMinor(by[CLAUDE], 0.5, 3)).toBe(true);
    expect(shouldFoldMinor(by[GPT], 0.5, 3)).toBe(false);
  });

  it("renders the table, models by findings raised", () => {
    const { records, outcomes } = threeRounds();
    const md = renderPrecision(rebuildLedger(records, outcomes), modelText);
    expect(md.split("\n").slice(0, 4)).toEqual([
      "| Reviewer | Findings | Fixed next round | Overruled | Confirmed by another vendor | Precision |",
      "|---|---:|---:|---:|---:|---:|",
      "| `anthropic:claude-opus-4-5` | 5 | 1 (20%) | 2 (40%) | 1 (20%) | 33% |",
      "| `openai:gpt-5.1` | 4 | 2 (50%) | 1 (25%) | 1 (25%) | 67% |",
    ]);
    expect(renderPrecision(emptyLedger(), modelText)).toBe(
      "No reviewer findings recorded on this repository yet.",
    );
  });
});

describe("fixedFindings", () => {
  const f = (
    key: string,
    path: string | null,
    line?: number,
  ): Pick<AggregatedFinding, "key" | "keys" | "path" | "line"> => ({
    key,
    keys: [key],
    path,
    ...(line === undefined ? {} : { line }),
  });

  it("counts a change within a few lines of the finding, in its file", () => {
    const regions = changedRegions(diffOf([{ path: "src/a.ts", before: file, after: edit([20]) }]));
    expect(
      fixedFindings(
        [
          f("near", "src/a.ts", 22),
          f("far", "src/a.ts", 40),
          f("other", "src/b.ts", 20),
          f("file", "src/a.ts"),
        ],
        regions,
      ),
    ).toEqual(["near", "file"]);
  });

  it("counts an insertion next to the line, and a deleted file", () => {
    const inserted = changedRegions(
      diffOf([{ path: "src/a.ts", before: file, after: file.replace("line 50\n", "line 50\nguard();\n") }]),
    );
    expect(inserted).toEqual([{ path: "src/a.ts", ranges: [[50, 51]] }]);
    expect(fixedFindings([f("x", "src/a.ts", 53), f("y", "src/a.ts", 55)], inserted)).toEqual(["x"]);
    const deleted = changedRegions(diffOf([{ path: "src/gone.ts", before: file }]));
    expect(fixedFindings([f("g", "src/gone.ts", 99)], deleted)).toEqual(["g"]);
  });

  it("does not count a finding the next round raised again, and counts a PR-level one when something changed", () => {
    const regions = changedRegions(diffOf([{ path: "src/a.ts", before: file, after: edit([20]) }]));
    expect(fixedFindings([f("again", "src/a.ts", 20), f("pr", null)], regions, new Set(["again"]))).toEqual([
      "pr",
    ]);
    expect(fixedFindings([f("pr", null)], [])).toEqual([]);
  });
});
