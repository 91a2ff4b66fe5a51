import { costFor } from "./prices.js";
import type { Budget } from "./tool-loop.js";
import type { ChatModel, ChatRequest, ChatResponse, ModelRef, Role, Usage } from "./types.js";

export function emptyUsage(): Usage {
  return { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, cacheWriteInputTokens: 0 };
}

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheWriteInputTokens: (a.cacheWriteInputTokens ?? 0) + (b.cacheWriteInputTokens ?? 0),
  };
}

/** Sums for one (role, model) pair, or for a role, or for everything. */
export interface UsageTotals extends Required<Usage> {
  calls: number;
  /** USD over the priced calls; undefined when no call was priced. */
  costUsd: number | undefined;
  /** Calls to models without a known price: their tokens count, their cost is not in `costUsd`. */
  unpricedCalls: number;
}

export interface LedgerLine extends UsageTotals {
  role: Role | string;
  vendor: ModelRef["vendor"];
  model: string;
}

/** The serialised ledger, as stored in the workflow state document. */
export interface LedgerSnapshot {
  version: 1;
  lines: LedgerLine[];
}

function emptyTotals(): UsageTotals {
  return { ...(emptyUsage() as Required<Usage>), calls: 0, costUsd: undefined, unpricedCalls: 0 };
}

function addTotals(into: UsageTotals, from: UsageTotals): void {
  into.calls += from.calls;
  into.inputTokens += from.inputTokens;
  into.cachedInputTokens += from.cachedInputTokens;
  into.cacheWriteInputTokens += from.cacheWriteInputTokens;
  into.outputTokens += from.outputTokens;
  into.unpricedCalls += from.unpricedCalls;
  if (from.costUsd !== undefined) into.costUsd = (into.costUsd ?? 0) + from.costUsd;
}

/**
 * Usage and cost per call, summed per role and model. Plain data inside, so `toJSON()` /
 * `UsageLedger.fromJSON()` round-trip through the workflow state document.
 */
export class UsageLedger {
  private readonly lines = new Map<string, LedgerLine>();

  /** Records one model call. Returns the call's cost (undefined when the price is unknown). */
  record(role: Role | string, ref: ModelRef, usage: Usage): number | undefined {
    const key = `${role}\u0000${ref.vendor}:${ref.model}`;
    let line = this.lines.get(key);
    if (!line) {
      line = { role, vendor: ref.vendor, model: ref.model, ...emptyTotals() };
      this.lines.set(key, line);
    }
    const cost = costFor(ref, usage);
    addTotals(line, {
      calls: 1,
      inputTokens: usage.inputTokens,
      cachedInputTokens: usage.cachedInputTokens,
      cacheWriteInputTokens: usage.cacheWriteInputTokens ?? 0,
      outputTokens: usage.outputTokens,
      costUsd: cost,
      unpricedCalls: cost === undefined ? 1 : 0,
    });
    return cost;
  }

  /** One line per (role, model), in the order first seen. */
  entries(): LedgerLine[] {
    return [...this.lines.values()].map((line) => ({ ...line }));
  }

  byRole(): Record<string, UsageTotals> {
    const out: Record<string, UsageTotals> = {};
    for (const line of this.lines.values()) {
      const totals = out[line.role] ?? emptyTotals();
      out[line.role] = totals;
      addTotals(totals, line);
    }
    return out;
  }

  totals(): UsageTotals {
    const totals = emptyTotals();
    for (const line of this.lines.values()) addTotals(totals, line);
    return totals;
  }

  /** Merges another ledger (e.g. a reviewer job's) into this one. */
  merge(other: UsageLedger | LedgerSnapshot): void {
    const snapshot = other instanceof UsageLedger ? other.toJSON() : other;
    for (const line of snapshot.lines) {
      const key = `${line.role}\u0000${line.vendor}:${line.model}`;
      const existing = this.lines.get(key);
      if (existing) addTotals(existing, line);
      else this.lines.set(key, { ...line });
    }
  }

  toJSON(): LedgerSnapshot {
    return { version: 1, lines: this.entries() };
  }

  static fromJSON(snapshot: LedgerSnapshot | undefined | null): UsageLedger {
    const ledger = new UsageLedger();
    if (snapshot) ledger.merge(snapshot);
    return ledger;
  }
}

/** A `ChatModel` that records every call's usage in a ledger under a role. */
export class MeteredChatModel implements ChatModel {
  readonly ref: ModelRef;

  constructor(
    private readonly inner: ChatModel,
    private readonly ledger: UsageLedger,
    private readonly role: Role | string,
  ) {
    this.ref = inner.ref;
  }

  get configuredOutputTokens(): number | undefined {
    return this.inner.configuredOutputTokens;
  }

  async chat(request: ChatRequest): Promise<ChatResponse> {
    const response = await this.inner.chat(request);
    this.ledger.record(this.role, this.ref, response.usage);
    return response;
  }
}

export function meteredModel(model: ChatModel, ledger: UsageLedger, role: Role | string): ChatModel {
  return new MeteredChatModel(model, ledger, role);
}

/**
 * A budget over a ledger: stops when total tokens (input + output) or the priced cost reach a
 * limit. Unpriced calls count towards tokens only.
 */
export function ledgerBudget(
  ledger: UsageLedger,
  limits: { maxTokens?: number; maxCostUsd?: number },
): Budget {
  return {
    exceeded() {
      const totals = ledger.totals();
      const tokens = totals.inputTokens + totals.outputTokens;
      if (limits.maxTokens !== undefined && tokens >= limits.maxTokens) {
        return `token budget reached (${tokens} of ${limits.maxTokens} tokens used)`;
      }
      if (limits.maxCostUsd !== undefined && (totals.costUsd ?? 0) >= limits.maxCostUsd) {
        return `cost budget reached ($${(totals.costUsd ?? 0).toFixed(2)} of $${limits.maxCostUsd.toFixed(2)})`;
      }
      return undefined;
    },
  };
}
