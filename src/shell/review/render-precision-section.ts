import type { RoundOutcome } from "../../core/review/precision.js";

/**
 * Reviews written before the round outcomes moved into the workflow's state (the tracking comment's
 * data) carried them in a hidden section of their own (`<!-- triad:precision -->` … its data block,
 * before the review's trailing data). Nothing writes that section any more; a rebuild of the ledger
 * still reads it, so those pull requests keep their verdicts.
 */

/** The outcomes a review's section carries (none when it has no section). */
export function sectionOutcomes(data: unknown): RoundOutcome[] {
  const outcomes = (data as { outcomes?: unknown } | undefined)?.outcomes;
  return Array.isArray(outcomes) ? (outcomes as RoundOutcome[]) : [];
}
