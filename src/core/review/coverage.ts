import type { WorkflowState } from "../state.js";

/**
 * Review coverage across rounds (issue [12/12] item 2). Each review's receipt says what share of the
 * changed lines outside lock and generated files its reviewer saw; below the repository's
 * `review_coverage_threshold` the change is not fully reviewed, and the `triad/review` check is then
 * `neutral`, never `success`, however clean the findings are.
 *
 * A fix round is reviewed incrementally (only what changed since the last review), so a full look at
 * the fix says nothing about the lines the first review never saw: a shortfall stays until a review of
 * the whole pull request meets the threshold again. Pure.
 */

export type CoverageShortfall = NonNullable<WorkflowState["notFullyReviewed"]>;

export interface RoundCoverage {
  headSha: string;
  /** The round's share (the best any reviewer had), 0..1. */
  share: number;
  /** Reviewed only what changed since the last review. */
  incremental: boolean;
}

/** The shortfall after a review round: set when this round is short, kept or cleared otherwise. */
export function coverageAfterRound(
  previous: CoverageShortfall | undefined,
  round: RoundCoverage | undefined,
  threshold: number,
): CoverageShortfall | undefined {
  if (!round) return previous;
  if (round.share < threshold) {
    // The worst shortfall is the one to show: it is the most a maintainer has to read by hand.
    if (previous && previous.share <= round.share) return previous;
    return { headSha: round.headSha, share: round.share, threshold };
  }
  return round.incremental ? previous : undefined;
}

const pct = (x: number) => `${Math.floor(x * 1000) / 10}%`.replace(".0%", "%");

/** The sentence the check and the tracking comment show for a shortfall. */
export function shortfallText(s: CoverageShortfall): string {
  return `**Not fully reviewed**: the reviewers saw ${pct(s.share)} of the changed lines outside lock and generated files (on \`${s.headSha.slice(0, 7)}\`), below the ${pct(s.threshold)} this repository asks (\`review_coverage_threshold\`). Each review's coverage section lists what was left out; a maintainer reviews that by hand.`;
}
