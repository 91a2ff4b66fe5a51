import type { UsageSnapshot } from "../core/usage.js";
import { type LedgerSnapshot, UsageLedger } from "../models/usage.js";

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
