/**
 * The two text rules aggregation uses, kept deliberately simple so that a maintainer can predict them:
 *
 * - **Gist similarity**: token Jaccard of two messages. Tokens are the lower-cased runs of letters,
 *   digits and `_` of length ≥ 2, minus a short list of English stop words and the severity words;
 *   similarity is |A ∩ B| / |A ∪ B| (0 when both are empty). Two findings have "the same gist" at
 *   `DEFAULT_SIMILARITY` (0.3) or more.
 * - **Polarity**: whether a message asks to take something away (`remove`) or to have something
 *   (`add`). Negated phrases are read first ("do not add", "no need to keep" → remove; "do not
 *   remove", "don't delete" → add), then the remaining cue words are counted; the larger count wins
 *   and a tie is `neutral`. Two findings on the same spot from different reviewers with opposite
 *   polarity contradict each other.
 */

export const DEFAULT_SIMILARITY = 0.3;

const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    "a an and are as at be been but by can could do does for from has have if in into is it its of on or " +
    "so that the then there these this those to was were when which while will with would you your " +
    "here line code should must may might also not no only than too very just any all each other more " +
    "blocker major minor nit"
  ).split(" "),
);

/** The content tokens of a text (see the module comment). */
export function tokens(text: string): Set<string> {
  const out = new Set<string>();
  for (const t of text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []) {
    if (t.length >= 2 && !STOP_WORDS.has(t)) out.add(t);
  }
  return out;
}

/** |A ∩ B| / |A ∪ B|; 0 when both are empty. */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 0;
  let shared = 0;
  for (const t of a) if (b.has(t)) shared += 1;
  return shared / (a.size + b.size - shared);
}

export function similarity(a: string, b: string): number {
  return jaccard(tokens(a), tokens(b));
}

export type Polarity = "remove" | "add" | "neutral";

const NEG = "(?:do not|don't|dont|should not|shouldn't|must not|mustn't|need not|never|no need to)";
const NEGATED_ADD = new RegExp(String.raw`\b${NEG}\s+(?:add|keep|retain|introduce|include)\b`, "g");
const NEGATED_REMOVE = new RegExp(String.raw`\b${NEG}\s+(?:remove|delete|drop)\b`, "g");
const REMOVE_CUES =
  /\b(?:remove[ds]?|removing|delete[ds]?|deleting|drop(?:s|ped|ping)?|get rid of|unnecessary|unneeded|not needed|redundant|superfluous|should not|shouldn't|must not|mustn't|do not|don't|avoid|no need)\b/g;
const ADD_CUES =
  /\b(?:add(?:s|ed|ing)?|keep(?:s|ing)?|kept|retain(?:s|ed)?|restore[sd]?|reinstate|missing|lacks?|is needed|are needed|is required|are required|needs to|forgot|forgets)\b/g;

function count(text: string, re: RegExp): number {
  return text.match(re)?.length ?? 0;
}

/** Whether a message asks to take something away or to have something (see the module comment). */
export function polarity(message: string): Polarity {
  let text = message.toLowerCase().replace(/[’‘]/g, "'");
  const negatedAdd = count(text, NEGATED_ADD);
  const negatedRemove = count(text, NEGATED_REMOVE);
  text = text.replace(NEGATED_ADD, " ").replace(NEGATED_REMOVE, " ");
  const remove = negatedAdd + count(text, REMOVE_CUES);
  const add = negatedRemove + count(text, ADD_CUES);
  if (remove > add) return "remove";
  if (add > remove) return "add";
  return "neutral";
}

export function opposite(a: Polarity, b: Polarity): boolean {
  return (a === "remove" && b === "add") || (a === "add" && b === "remove");
}
