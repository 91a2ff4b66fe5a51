import { describe, expect, it } from "vitest";
import { type AggregatedFinding, aggregateFindings } from "../../src/core/review/aggregate.js";
import {
  type Confirmation,
  confirmationNote,
  confirmationOf,
  confirmations,
} from "../../src/core/review/confirmation.js";
import type { FindingInput, FindingSet } from "../../src/core/review/finding.js";
import { modelText } from "../../src/text/sanitize.js";

const at = (line: number, message: string, severity: FindingInput["severity"] = "major"): FindingInput => ({
  path: "src/util.ts",
  anchor: `line ${line}`,
  at: { path: "src/util.ts", line, side: "RIGHT" },
  severity,
  message,
  conflicts_with_plan: false,
});

const NULL_A = "clamp returns null when min > max, a type error for a function whose return type is number.";
const NULL_B = "Returning null from clamp when min > max breaks the number return type.";
const OTHER = "The loop in parse never terminates on an empty string input.";

const sets = (r1: FindingInput[], r2: FindingInput[], r3: FindingInput[] = []): FindingSet[] => [
  { reviewer: "reviewer-1", findings: r1 },
  { reviewer: "reviewer-2", findings: r2 },
  ...(r3.length > 0 ? [{ reviewer: "reviewer-3", findings: r3 }] : []),
];

describe("cross-vendor confirmation", () => {
  it("marks a finding two reviewers of different families raised as confirmed, a lone one as single", () => {
    const found = aggregateFindings(sets([at(2, NULL_A), at(20, OTHER)], [at(3, NULL_B)]));
    expect(found).toHaveLength(2);
    const marks = confirmations(found, { "reviewer-1": "anthropic", "reviewer-2": "openai" });
    const merged = found.find((f) => f.raisedBy.length === 2);
    const lone = found.find((f) => f.raisedBy.length === 1);
    expect(marks.get(merged?.key ?? "")).toEqual({
      kind: "confirmed",
      families: ["anthropic", "openai"],
      reviewers: ["reviewer-1", "reviewer-2"],
    });
    expect(marks.get(lone?.key ?? "")).toEqual({
      kind: "single",
      reviewer: "reviewer-1",
      family: "anthropic",
    });
    expect(confirmationNote(marks.get(merged?.key ?? "") as Confirmation, modelText)).toBe(
      "✅ Confirmed by two vendors (anthropic, openai)",
    );
    expect(confirmationNote(marks.get(lone?.key ?? "") as Confirmation, modelText)).toBe(
      "Raised by one reviewer (reviewer-1, anthropic)",
    );
  });

  it("does not call two reviewers of one family a cross-vendor confirmation (OpenRouter's Claude is Anthropic)", () => {
    const [f] = aggregateFindings(sets([at(2, NULL_A)], [at(3, NULL_B)]));
    const c = confirmationOf(f as AggregatedFinding, {
      "reviewer-1": "anthropic",
      "reviewer-2": "anthropic",
    });
    expect(c).toEqual({
      kind: "same-vendor",
      families: ["anthropic"],
      reviewers: ["reviewer-1", "reviewer-2"],
    });
    expect(confirmationNote(c, modelText)).toBe(
      "Raised by two reviewers of one vendor (anthropic): not an independent confirmation",
    );
  });

  it("never confirms with an unknown family", () => {
    const [f] = aggregateFindings(sets([at(2, NULL_A)], [at(3, NULL_B)]));
    expect(
      confirmationOf(f as AggregatedFinding, { "reviewer-1": "openai", "reviewer-2": "unknown" }).kind,
    ).toBe("same-vendor");
    expect(confirmationOf(f as AggregatedFinding, {}).kind).toBe("same-vendor");
    expect(confirmationNote(confirmationOf(f as AggregatedFinding, {}), modelText)).toBe(
      "Raised by two reviewers of unknown vendors: not an independent confirmation",
    );
    const [lone] = aggregateFindings(sets([at(20, OTHER)], []));
    expect(confirmationOf(lone as AggregatedFinding, {})).toEqual({ kind: "single", reviewer: "reviewer-1" });
  });

  it("counts three families, and says nothing for a human's or a check's finding", () => {
    const [f] = aggregateFindings(sets([at(2, NULL_A)], [at(3, NULL_B)], [at(2, NULL_A)]));
    const c = confirmationOf(f as AggregatedFinding, {
      "reviewer-1": "anthropic",
      "reviewer-2": "openai",
      "reviewer-3": "google",
    });
    expect(confirmationNote(c, modelText)).toBe("✅ Confirmed by three vendors (anthropic, google, openai)");
    const [human] = aggregateFindings([
      { reviewer: "alice", origin: "human", findings: [at(5, "Please rename this.")] },
    ]);
    expect(confirmationOf(human as AggregatedFinding, {})).toEqual({ kind: "not-a-reviewer" });
    expect(confirmationNote({ kind: "not-a-reviewer" }, modelText)).toBe("");
  });
});
