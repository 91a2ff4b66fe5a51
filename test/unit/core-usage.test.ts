import { describe, expect, it } from "vitest";
import { mentionsOf } from "../../src/core/mentions.js";
import {
  mergeUsage,
  type UsageLine,
  type UsageSnapshot,
  usageByRole,
  usageSnapshotSchema,
  usageTotals,
} from "../../src/core/usage.js";
import { reviewing, state } from "../helpers/core-fixtures.js";

const line = (over: Partial<UsageLine> = {}): UsageLine => ({
  role: "architect",
  vendor: "anthropic",
  model: "claude",
  calls: 1,
  inputTokens: 100,
  cachedInputTokens: 10,
  cacheWriteInputTokens: 5,
  outputTokens: 20,
  costUsd: 0.5,
  unpricedCalls: 0,
  ...over,
});
const snap = (...lines: UsageLine[]): UsageSnapshot => ({ version: 1, lines });

describe("usage totals (core/usage.ts)", () => {
  it("sums every line's calls, tokens and cost", () => {
    const totals = usageTotals(
      snap(
        line(),
        line({
          role: "developer",
          calls: 2,
          inputTokens: 7,
          cachedInputTokens: 3,
          outputTokens: 4,
          costUsd: 0.25,
        }),
      ),
    );
    expect(totals).toEqual({
      calls: 3,
      inputTokens: 107,
      cachedInputTokens: 13,
      outputTokens: 24,
      costUsd: 0.75,
      unpricedCalls: 0,
    });
  });

  it("cost stays unknown when no call was priced, and unpriced calls are counted", () => {
    const totals = usageTotals(
      snap(line({ costUsd: undefined, unpricedCalls: 1 }), line({ costUsd: undefined, unpricedCalls: 2 })),
    );
    expect(totals.costUsd).toBeUndefined();
    expect(totals.unpricedCalls).toBe(3);
    // one priced call makes the cost known, counting only the priced ones
    expect(usageTotals(snap(line({ costUsd: undefined }), line({ costUsd: 0.1 }))).costUsd).toBe(0.1);
  });

  it("no usage yet is all zeros", () => {
    expect(usageTotals(undefined)).toEqual({
      calls: 0,
      inputTokens: 0,
      cachedInputTokens: 0,
      outputTokens: 0,
      costUsd: undefined,
      unpricedCalls: 0,
    });
    expect(usageByRole(undefined)).toEqual({});
  });

  it("by role: each role's lines summed on their own", () => {
    const by = usageByRole(
      snap(
        line(),
        line({ model: "other", calls: 2, costUsd: 1 }),
        line({ role: "reviewer", costUsd: undefined, unpricedCalls: 1 }),
      ),
    );
    expect(Object.keys(by).sort()).toEqual(["architect", "reviewer"]);
    expect(by.architect).toMatchObject({ calls: 3, inputTokens: 200, outputTokens: 40, costUsd: 1.5 });
    expect(by.reviewer).toMatchObject({ calls: 1, costUsd: undefined, unpricedCalls: 1 });
  });
});

describe("merging usage snapshots", () => {
  it("the same role and model become one line, summed", () => {
    const merged = mergeUsage(
      snap(line()),
      snap(line({ calls: 2, cacheWriteInputTokens: 1, unpricedCalls: 1, costUsd: 0.25 })),
    );
    expect(merged).toEqual({
      version: 1,
      lines: [
        line({
          calls: 3,
          inputTokens: 200,
          cachedInputTokens: 20,
          cacheWriteInputTokens: 6,
          outputTokens: 40,
          costUsd: 0.75,
          unpricedCalls: 1,
        }),
      ],
    });
  });

  it("another role, vendor or model is its own line", () => {
    const merged = mergeUsage(
      snap(line()),
      snap(line({ role: "developer" }), line({ vendor: "openai" }), line({ model: "claude-2" })),
    );
    expect(merged.lines).toHaveLength(4);
  });

  it("an unpriced call keeps the priced cost; a first priced call sets it", () => {
    expect(
      mergeUsage(snap(line({ costUsd: 0.5 })), snap(line({ costUsd: undefined }))).lines[0]?.costUsd,
    ).toBe(0.5);
    expect(
      mergeUsage(snap(line({ costUsd: undefined })), snap(line({ costUsd: 0.2 }))).lines[0]?.costUsd,
    ).toBe(0.2);
  });

  it("merging into nothing copies, and does not change the inputs", () => {
    const a = snap(line());
    const merged = mergeUsage(a, undefined);
    expect(merged).toEqual(a);
    mergeUsage(a, snap(line()));
    expect(a.lines[0]?.calls).toBe(1);
    expect(mergeUsage(undefined, undefined)).toEqual({ version: 1, lines: [] });
  });

  it("the schema fills defaults of older snapshots", () => {
    const { cacheWriteInputTokens: _c, unpricedCalls: _u, ...old } = line();
    expect(usageSnapshotSchema.parse({ version: 1, lines: [old] }).lines[0]).toMatchObject({
      cacheWriteInputTokens: 0,
      unpricedCalls: 0,
    });
  });
});

describe("who is mentioned when the workflow needs a human (core/mentions.ts)", () => {
  it("the one who started it and the one who approved, once each", () => {
    expect(mentionsOf(state({ startedBy: "maya" }))).toBe("@maya");
    expect(mentionsOf(reviewing())).toBe("@maya");
    const s = reviewing({
      approved: { version: 1, commentId: 1, hash: "h", by: "omar", approvalCommentId: 2 },
    });
    expect(mentionsOf(s)).toBe("@maya @omar");
  });
});
