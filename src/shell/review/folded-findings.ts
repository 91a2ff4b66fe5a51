import type { ReviewFinding } from "../../core/schemas/review.js";

/**
 * Which findings a review lists in its body instead of posting inline (issue [12/12] item 4): nits
 * always, unless the repository asks for them inline (`nits_inline`) — public evidence says most bot
 * inline comments are dismissed, and a nit is the likeliest to be — and a reviewer's minor points too
 * when its precision on the repository is low (`precision.fold_minor_below`).
 */
export const NIT_REASON = "nits are listed here, not inline";
export const LOW_PRECISION_REASON =
  "this reviewer's minor points are listed here while its precision on this repository is low";

export function foldReason(o: { nitsInline: boolean; foldMinor: boolean }) {
  return (f: Pick<ReviewFinding, "severity">): string | undefined => {
    if (f.severity === "nit" && (o.foldMinor || !o.nitsInline))
      return o.foldMinor ? LOW_PRECISION_REASON : NIT_REASON;
    if (f.severity === "minor" && o.foldMinor) return LOW_PRECISION_REASON;
    return undefined;
  };
}
