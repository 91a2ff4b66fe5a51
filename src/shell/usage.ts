import type { RepoConfig } from "../config/repo-config.js";
import type { WorkflowState } from "../core/state.js";
import type { UsageSnapshot } from "../core/usage.js";
import { budgetedModel, type SpendLine } from "../models/budget.js";
import type { Budget } from "../models/tool-loop.js";
import type { ChatModel, ModelRef } from "../models/types.js";
import { type LedgerSnapshot, ledgerBudget, UsageLedger } from "../models/usage.js";
import type { CallRecord } from "../ports/stores.js";
import type { WorkflowContext } from "./context.js";

/**
 * The model layer's ledger and the workflow state's usage snapshot are the same data (one line per
 * role and model); these convert at the boundary.
 */
export function ledgerFrom(snapshot: UsageSnapshot | undefined): UsageLedger {
  return UsageLedger.fromJSON(snapshot as LedgerSnapshot | undefined);
}

export function snapshotOf(ledger: UsageLedger): UsageSnapshot {
  return ledger.toJSON() as UsageSnapshot;
}

/** What this job's earlier attempts spent (persisted as it was spent), as a ledger of its own. */
export async function spentByJob(w: WorkflowContext, jobId = w.jobId): Promise<UsageLedger> {
  const ledger = new UsageLedger();
  for (const line of await w.deps.stores.spend.lines(jobId))
    ledger.record(line.role, { vendor: line.vendor as ModelRef["vendor"], model: line.model }, line.usage);
  return ledger;
}

/**
 * A step's model, inside the workflow's budget (ARCHITECTURE §2): checked before every call against
 * everything the workflow has spent — earlier steps, this job's failed attempts, this attempt — and
 * every call's tokens recorded as they are spent, so a retry starts from what was really spent.
 * `ledger` holds what this step reports as its usage: the workflow's so far plus this step's (or only
 * this step's, for a reviewer, whose usage its parent merges).
 */
export async function stepModel(
  w: WorkflowContext,
  state: WorkflowState,
  config: RepoConfig,
  role: string,
  model: ChatModel,
  o: { ownUsageOnly?: boolean } = {},
): Promise<{ model: ChatModel; ledger: UsageLedger }> {
  const mine = await spentByJob(w);
  const ledger = o.ownUsageOnly ? mine : ledgerFrom(state.usage);
  if (!o.ownUsageOnly) ledger.merge(mine);
  const before = o.ownUsageOnly ? ledgerFrom(state.usage) : new UsageLedger();
  const limits = { maxTokens: config.budgets.max_tokens, maxCostUsd: config.budgets.max_cost_usd };
  const budget: Budget = {
    exceeded: () => {
      const all = new UsageLedger();
      all.merge(before);
      all.merge(ledger);
      return ledgerBudget(all, limits).exceeded();
    },
  };
  return {
    ledger,
    model: budgetedModel(model, {
      ledger,
      role,
      budget,
      onSpend: {
        record: async (line) => {
          await w.deps.stores.spend.record(w.jobId, line);
          await w.deps.stores.calls.record(w.workflow, callRecord(w.jobId, line));
        },
      },
      now: () => w.deps.clock.now(),
    }),
  };
}

/** How much of a tool call's input `/triad log` keeps. */
const ARGS_KEPT = 300;

/** A model call as the call log keeps it: tool inputs as JSON, clipped. */
export function callRecord(jobId: string, line: SpendLine): CallRecord {
  return {
    jobId,
    role: line.role,
    vendor: line.vendor,
    model: line.model,
    toolCalls: line.toolCalls.map((c) => {
      const json = JSON.stringify(c.input) ?? "";
      return { name: c.name, args: json.length > ARGS_KEPT ? `${json.slice(0, ARGS_KEPT - 1)}…` : json };
    }),
    inputTokens: line.usage.inputTokens,
    cachedInputTokens: line.usage.cachedInputTokens,
    outputTokens: line.usage.outputTokens,
    costUsd: line.costUsd,
    durationMs: line.durationMs,
    stopReason: line.stopReason,
    at: line.at,
  };
}
