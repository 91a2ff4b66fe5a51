import type { ModelText } from "../model-text.js";
import { type PrecisionLedger, renderPrecision } from "../review/precision.js";

/** The reviewer-precision table under a heading, appended to `/triad status` and the merge summary. */
export function withPrecision(text: string, ledger: PrecisionLedger | undefined, t: ModelText): string {
  if (!ledger) return text;
  return `${text}\n\n#### Reviewer precision on this repository\n\n${renderPrecision(ledger, t)}`;
}
