import { z } from "zod";

/**
 * Model usage as the workflow state keeps it: one line per (role, model), tokens and cost summed at
 * the time of each call (the model layer prices a call when it records it, so nothing here needs a
 * price table). The shape matches `UsageLedger.toJSON()` in src/models/usage.ts.
 */
export const usageLineSchema = z.object({
  role: z.string(),
  vendor: z.string(),
  model: z.string(),
  calls: z.number(),
  inputTokens: z.number(),
  cachedInputTokens: z.number(),
  cacheWriteInputTokens: z.number().default(0),
  outputTokens: z.number(),
  costUsd: z.number().optional(),
  unpricedCalls: z.number().default(0),
});

export const usageSnapshotSchema = z.object({ version: z.literal(1), lines: z.array(usageLineSchema) });
export type UsageSnapshot = z.infer<typeof usageSnapshotSchema>;
export type UsageLine = z.infer<typeof usageLineSchema>;

export interface UsageTotals {
  calls: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  /** USD over the priced calls; undefined when none was priced. */
  costUsd: number | undefined;
  unpricedCalls: number;
}

function empty(): UsageTotals {
  return {
    calls: 0,
    inputTokens: 0,
    cachedInputTokens: 0,
    outputTokens: 0,
    costUsd: undefined,
    unpricedCalls: 0,
  };
}

function add(into: UsageTotals, line: UsageLine): void {
  into.calls += line.calls;
  into.inputTokens += line.inputTokens;
  into.cachedInputTokens += line.cachedInputTokens;
  into.outputTokens += line.outputTokens;
  into.unpricedCalls += line.unpricedCalls ?? 0;
  if (line.costUsd !== undefined) into.costUsd = (into.costUsd ?? 0) + line.costUsd;
}

export function usageByRole(snapshot: UsageSnapshot | undefined): Record<string, UsageTotals> {
  const out: Record<string, UsageTotals> = {};
  for (const line of snapshot?.lines ?? []) {
    const totals = out[line.role] ?? empty();
    out[line.role] = totals;
    add(totals, line);
  }
  return out;
}

export function usageTotals(snapshot: UsageSnapshot | undefined): UsageTotals {
  const totals = empty();
  for (const line of snapshot?.lines ?? []) add(totals, line);
  return totals;
}

/** Two snapshots summed line by line (same role and model → one line). */
export function mergeUsage(a: UsageSnapshot | undefined, b: UsageSnapshot | undefined): UsageSnapshot {
  const lines = new Map<string, UsageLine>();
  for (const line of [...(a?.lines ?? []), ...(b?.lines ?? [])]) {
    const key = `${line.role}\u0000${line.vendor}:${line.model}`;
    const have = lines.get(key);
    if (!have) {
      lines.set(key, { ...line });
      continue;
    }
    have.calls += line.calls;
    have.inputTokens += line.inputTokens;
    have.cachedInputTokens += line.cachedInputTokens;
    have.cacheWriteInputTokens = (have.cacheWriteInputTokens ?? 0) + (line.cacheWriteInputTokens ?? 0);
    have.outputTokens += line.outputTokens;
    have.unpricedCalls = (have.unpricedCalls ?? 0) + (line.unpricedCalls ?? 0);
    if (line.costUsd !== undefined) have.costUsd = (have.costUsd ?? 0) + line.costUsd;
  }
  return { version: 1, lines: [...lines.values()] };
}
