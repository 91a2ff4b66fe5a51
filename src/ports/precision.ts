import type { PrecisionLedger, ReviewRecord, RoundOutcome } from "../core/review/precision.js";

/** One entry of a repository's precision ledger as it is kept: what a review raised, or a round's verdicts. */
export type LedgerEvent = { review: ReviewRecord } | { outcome: RoundOutcome };

/**
 * The reviewer-precision ledger per repository (src/core/review/precision.ts), kept beside GitHub: a
 * cache of what GitHub keeps (each review's data, the round outcomes in each workflow's tracking
 * comment), rebuilt from it when it is missing.
 */
export interface PrecisionStore {
  /** The repository's ledger; undefined when nothing is kept for it (never written, or Redis lost it). */
  load(repo: string): Promise<PrecisionLedger | undefined>;
  /** Adds events (repeat-safe: the fold ignores a review twice and a verdict twice). */
  append(repo: string, events: readonly LedgerEvent[]): Promise<void>;
  /** The repositories that have a ledger (for /metrics). */
  repos(): Promise<string[]>;
}
