import { z } from "zod";
import type { ModelText } from "../model-text.js";
import { SEVERITIES } from "../schemas/review.js";
import type { WorkflowState } from "../state.js";
import type { Side } from "../types.js";
import type { AggregatedFinding } from "./aggregate.js";
import { confirmationOf } from "./confirmation.js";
import { type FindingInput, findingKey } from "./finding.js";

/**
 * Reviewer precision per repository (issue [12/12] item 4): how often each reviewer model is right on
 * this repository. Public evidence says AI review comments lead to a change far less often than human
 * ones (0.9–19.2% against ~60%, 22,000+ comments) and that most of one bot's inline comments were
 * dismissed (71% on 604 PRs); a team should see the number for its own reviewers and be able to quiet
 * the noisy ones.
 *
 * **The ledger** keeps one record per finding a reviewer raised (round × model × the finding's own
 * key) with its verdict: `fixed` (the next round's commit changed the code it pointed at), `overruled`
 * (a maintainer's 👎 or `/triad ignore`, or the architect rejected it), or `open` (neither). Overruled
 * beats fixed: a maintainer's word is final. It also records whether a reviewer of another model
 * family raised the same finding (`confirmed`). Records are idempotent and a later verdict replaces an
 * earlier one, so a retried job or a late 👎 changes nothing twice.
 *
 * **Precision** is the share of the findings with a verdict that were upheld: fixed or confirmed, and
 * not overruled — `upheld / (upheld + overruled)`; undefined while nothing has a verdict.
 *
 * **Rebuilding** it needs two small records, each carried by a write that happens anyway: a
 * `ReviewRecord` in each reviewer's review (what it raised, by which model), and the workflow's
 * `RoundOutcome`s in its state (`state.roundOutcomes`, embedded in the tracking comment, which every
 * step edits). `rebuildLedger` folds them; the ledger in Redis is a cache of that fold.
 */

/** Kept per repository: the most recent this many findings (the oldest are dropped first). */
export const MAX_RECORDS = 5_000;
/** `shouldFoldMinor` needs at least this many findings with a verdict before it judges a reviewer. */
export const MIN_JUDGED = 10;

const severity = z.enum(SEVERITIES);

/** What each reviewer's review carries (hidden data) for the ledger: ~20 bytes a finding. */
export const reviewRecordSchema = z.object({
  v: z.literal(1),
  /** The round: the head sha the review is on. */
  round: z.string().min(1),
  /** The reviewer's model, `vendor:model`. */
  model: z.string().min(1),
  /** Each finding it raised: its own key (`findingKey`) and severity. */
  findings: z.array(z.object({ k: z.string(), s: severity })),
});
export type ReviewRecord = z.infer<typeof reviewRecordSchema>;

/** What became of a round's findings, by the reviewers' own finding keys. */
export const roundOutcomeSchema = z.object({
  v: z.literal(1),
  round: z.string().min(1),
  /** Raised by reviewers of at least two model families (`confirmationOf` "confirmed"). */
  confirmed: z.array(z.string()).default([]),
  /** The next round's commit changed the code they pointed at (`fixedFindings`). */
  fixed: z.array(z.string()).default([]),
  /** A maintainer's 👎 or `/triad ignore`. */
  overruled: z.array(z.string()).default([]),
  /** The architect's ruling rejected them. */
  rejected: z.array(z.string()).default([]),
});
export type RoundOutcome = z.infer<typeof roundOutcomeSchema>;

export const VERDICTS = ["open", "fixed", "overruled"] as const;
export type Verdict = (typeof VERDICTS)[number];

export const precisionLedgerSchema = z.object({
  v: z.literal(1),
  /** `round model key` → the record (insertion order = age). */
  findings: z.record(
    z.string(),
    z.object({ model: z.string(), severity, confirmed: z.boolean(), verdict: z.enum(VERDICTS) }),
  ),
});
export type PrecisionLedger = z.infer<typeof precisionLedgerSchema>;
type LedgerRecord = PrecisionLedger["findings"][string];

export function emptyLedger(): PrecisionLedger {
  return { v: 1, findings: {} };
}

const recordId = (round: string, model: string, key: string) => `${round} ${model} ${key}`;

/** The ledger record of one reviewer's review: its findings' own keys (the ones threads are marked with). */
export function reviewRecord(round: string, model: string, findings: readonly FindingInput[]): ReviewRecord {
  return { v: 1, round, model, findings: findings.map((f) => ({ k: findingKey(f), s: f.severity })) };
}

export function recordReview(ledger: PrecisionLedger, review: ReviewRecord): PrecisionLedger {
  const records = new Map(Object.entries(ledger.findings));
  addReview(records, review);
  return { v: 1, findings: Object.fromEntries(records) };
}

/** Applies a round's verdicts to the findings raised in it; a later outcome of the same round refines. */
export function recordOutcome(ledger: PrecisionLedger, outcome: RoundOutcome): PrecisionLedger {
  return withVerdicts(Object.entries(ledger.findings), verdictsByRound([outcome]));
}

/** A review's findings added to `records` (each once; insertion order is age), the oldest dropped past the cap. */
function addReview(records: Map<string, LedgerRecord>, review: ReviewRecord): void {
  for (const f of review.findings) {
    const id = recordId(review.round, review.model, f.k);
    if (!records.has(id))
      records.set(id, { model: review.model, severity: f.s, confirmed: false, verdict: "open" });
  }
  for (const id of records.keys()) {
    if (records.size <= MAX_RECORDS) break;
    records.delete(id);
  }
}

type RoundVerdicts = { confirmed: Set<string>; fixed: Set<string>; overruled: Set<string> };

/** Every verdict given to each round, by the reviewers' finding keys (rejected counts as overruled). */
function verdictsByRound(outcomes: readonly RoundOutcome[]): Map<string, RoundVerdicts> {
  const byRound = new Map<string, RoundVerdicts>();
  for (const o of outcomes) {
    const v = byRound.get(o.round) ?? { confirmed: new Set(), fixed: new Set(), overruled: new Set() };
    for (const k of o.confirmed) v.confirmed.add(k);
    for (const k of o.fixed) v.fixed.add(k);
    for (const k of [...o.overruled, ...o.rejected]) v.overruled.add(k);
    byRound.set(o.round, v);
  }
  return byRound;
}

/** The records with their rounds' verdicts: a verdict only refines (overruled, then fixed, win). */
function withVerdicts(
  records: Iterable<[string, LedgerRecord]>,
  byRound: ReadonlyMap<string, RoundVerdicts>,
): PrecisionLedger {
  const findings: Record<string, LedgerRecord> = {};
  for (const [id, rec] of records) {
    const [round = "", , key = ""] = id.split(" ");
    const v = byRound.get(round);
    if (!v) {
      findings[id] = rec;
      continue;
    }
    const verdict: Verdict =
      rec.verdict === "overruled" || v.overruled.has(key)
        ? "overruled"
        : rec.verdict === "fixed" || v.fixed.has(key)
          ? "fixed"
          : rec.verdict;
    findings[id] = { ...rec, confirmed: rec.confirmed || v.confirmed.has(key), verdict };
  }
  return { v: 1, findings };
}

/** One outcome per round: the union of every verdict recorded for it (order-free, repeat-safe). */
export function mergeOutcomes(
  outcomes: readonly RoundOutcome[],
  add: readonly RoundOutcome[],
): RoundOutcome[] {
  const u = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])];
  let out = [...outcomes];
  for (const o of add) {
    const same = out.find((x) => x.round === o.round);
    if (!same) {
      out = [...out, o];
      continue;
    }
    const merged: RoundOutcome = {
      v: 1,
      round: o.round,
      confirmed: u(same.confirmed, o.confirmed),
      fixed: u(same.fixed, o.fixed),
      overruled: u(same.overruled, o.overruled),
      rejected: u(same.rejected, o.rejected),
    };
    out = out.map((x) => (x === same ? merged : x));
  }
  return out;
}

/**
 * A workflow's state keeps the outcomes of its most recent this many rounds (far above any fix-round
 * cap): the tracking comment that embeds them stays small whatever happens.
 */
export const STATE_ROUNDS = 30;

/** The state with `add` merged into its round outcomes (the same state when nothing is new). */
export function withRoundOutcomes(state: WorkflowState, add: readonly RoundOutcome[]): WorkflowState {
  const kept = add.filter(
    (o) => o.confirmed.length + o.fixed.length + o.overruled.length + o.rejected.length > 0,
  );
  if (kept.length === 0) return state;
  const merged = mergeOutcomes(state.roundOutcomes, kept).slice(-STATE_ROUNDS);
  return JSON.stringify(merged) === JSON.stringify(state.roundOutcomes)
    ? state
    : { ...state, roundOutcomes: merged };
}

/** The ledger from the threads' records alone (reviews first, then outcomes). */
export function rebuildLedger(
  reviews: readonly ReviewRecord[],
  outcomes: readonly RoundOutcome[],
): PrecisionLedger {
  // `recordReview` then `recordOutcome` one by one, in one pass each: the ledger is rebuilt from
  // thousands of events at every reviewer step and every /metrics scrape, and copying the whole map
  // per event made it quadratic (seconds per scrape after 100 workflows).
  const records = new Map<string, LedgerRecord>();
  for (const review of reviews) addReview(records, review);
  return withVerdicts(records, verdictsByRound(outcomes));
}

/**
 * A round's outcome from its aggregated findings (members' own keys) and what happened to them:
 * `overruled` / `rejected` / `fixed` name aggregated findings by any of their keys (a thread's marker
 * carries the aggregated key), and every member of such a finding gets the verdict. Confirmation comes
 * from the members' families (`familyOf`: reviewer slot → model family).
 */
export function roundOutcome(
  round: string,
  aggregated: readonly AggregatedFinding[],
  judged: { overruled?: readonly string[]; rejected?: readonly string[]; fixed?: readonly string[] },
  familyOf: Readonly<Record<string, string>>,
): RoundOutcome {
  const memberKeys = (names: readonly string[] = []) => {
    const wanted = new Set(names);
    return aggregated
      .filter((f) => f.keys.some((k) => wanted.has(k)) || wanted.has(f.key))
      .flatMap((f) => f.members.filter((m) => m.origin === "reviewer").map((m) => m.key));
  };
  const confirmed = aggregated
    .filter((f) => confirmationOf(f, familyOf).kind === "confirmed")
    .flatMap((f) => f.members.filter((m) => m.origin === "reviewer").map((m) => m.key));
  const uniq = (xs: string[]) => [...new Set(xs)];
  return {
    v: 1,
    round,
    confirmed: uniq(confirmed),
    fixed: uniq(memberKeys(judged.fixed)),
    overruled: uniq(memberKeys(judged.overruled)),
    rejected: uniq(memberKeys(judged.rejected)),
  };
}

/** Old-side lines a fix round changed in a file (`[from, to]`, inclusive), as src/diff/changed-ranges.ts reports. */
export interface ChangedRegion {
  path: string;
  ranges: ReadonlyArray<readonly [number, number]>;
}

/** How far (in lines) a fix may be from a finding's line and still be its fix. */
export const FIX_WINDOW = 3;

/**
 * The findings a fix round fixed: those it was given (`findings`, aggregated, positions on the head the
 * reviewers saw) whose code the fix round's commit changed — within `FIX_WINDOW` lines of a finding's
 * lines on the new side, anywhere in its file for a finding on removed lines or without a line — and
 * that no reviewer raised again in the next round (`raisedAgain`, the reviewers' keys before any
 * filtering). A finding about the whole pull request counts as fixed when it was not raised again and
 * the round changed something. Returns the aggregated keys.
 */
export function fixedFindings(
  findings: ReadonlyArray<
    Pick<AggregatedFinding, "key" | "keys" | "path" | "line" | "startLine"> & { side?: Side }
  >,
  changed: readonly ChangedRegion[],
  raisedAgain: ReadonlySet<string> = new Set(),
): string[] {
  const byPath = new Map(changed.map((c) => [c.path, c.ranges]));
  const anything = changed.some((c) => c.ranges.length > 0);
  return findings
    .filter((f) => {
      if (f.keys.some((k) => raisedAgain.has(k)) || raisedAgain.has(f.key)) return false;
      if (!f.path) return anything;
      const ranges = byPath.get(f.path);
      if (!ranges || ranges.length === 0) return false;
      if (f.line === undefined || f.side === "LEFT") return true;
      const from = (f.startLine ?? f.line) - FIX_WINDOW;
      const to = f.line + FIX_WINDOW;
      return ranges.some(([a, b]) => a <= to && b >= from);
    })
    .map((f) => f.key);
}

export interface PrecisionEntry {
  raised: number;
  fixed: number;
  overruled: number;
  confirmed: number;
  /** Fixed or confirmed, and not overruled. */
  upheld: number;
}

export function precisionByModel(ledger: PrecisionLedger): Record<string, PrecisionEntry> {
  const out: Record<string, PrecisionEntry> = {};
  for (const rec of Object.values(ledger.findings)) {
    const e = out[rec.model] ?? { raised: 0, fixed: 0, overruled: 0, confirmed: 0, upheld: 0 };
    out[rec.model] = e;
    e.raised++;
    if (rec.verdict === "fixed") e.fixed++;
    if (rec.verdict === "overruled") e.overruled++;
    if (rec.confirmed) e.confirmed++;
    if (rec.verdict !== "overruled" && (rec.verdict === "fixed" || rec.confirmed)) e.upheld++;
  }
  return out;
}

/** upheld / (upheld + overruled), 0..1; undefined while no finding has a verdict. */
export function precision(entry: PrecisionEntry): number | undefined {
  const judged = entry.upheld + entry.overruled;
  return judged === 0 ? undefined : entry.upheld / judged;
}

/**
 * Fold this reviewer's minor and nit findings into the review body (no inline comments) when its
 * precision on the repository is below `threshold` — once at least `minJudged` findings have a verdict,
 * so two unlucky findings do not silence a reviewer.
 */
export function shouldFoldMinor(
  entry: PrecisionEntry | undefined,
  threshold: number,
  minJudged: number = MIN_JUDGED,
): boolean {
  if (!entry || entry.upheld + entry.overruled < minJudged) return false;
  const p = precision(entry);
  return p !== undefined && p < threshold;
}

const pct = (n: number, of: number) => (of === 0 ? "—" : `${Math.round((n / of) * 100)}%`);

/** The table for `/triad status`, the merge summary and the like; models by findings raised. */
export function renderPrecision(ledger: PrecisionLedger, text: ModelText): string {
  const entries = Object.entries(precisionByModel(ledger)).sort(
    (a, b) => b[1].raised - a[1].raised || a[0].localeCompare(b[0]),
  );
  if (entries.length === 0) return "No reviewer findings recorded on this repository yet.";
  const rows = entries.map(([model, e]) => {
    const p = precision(e);
    return `| ${text.code(model)} | ${e.raised} | ${e.fixed} (${pct(e.fixed, e.raised)}) | ${e.overruled} (${pct(e.overruled, e.raised)}) | ${e.confirmed} (${pct(e.confirmed, e.raised)}) | ${p === undefined ? "—" : `${Math.round(p * 100)}%`} |`;
  });
  return [
    "| Reviewer | Findings | Fixed next round | Overruled | Confirmed by another vendor | Precision |",
    "|---|---:|---:|---:|---:|---:|",
    ...rows,
    "",
    "_Precision: of the findings with a verdict, the share fixed in the next round or confirmed by a reviewer of another vendor, rather than overruled (👎, `/triad ignore`, or rejected by the architect)._",
  ].join("\n");
}
