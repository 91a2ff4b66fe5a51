import type { RepoConfig } from "../../config/repo-config.js";
import { extractData, extractInnerData } from "../../core/markers.js";
import { BODY_MAX } from "../../core/render/limits.js";
import type { AggregatedFinding } from "../../core/review/aggregate.js";
import { findingKey } from "../../core/review/finding.js";
import {
  fixedFindings,
  type PrecisionLedger,
  precisionByModel,
  type RoundOutcome,
  reviewRecord,
  roundOutcome,
  roundOutcomeSchema,
  shouldFoldMinor,
} from "../../core/review/precision.js";
import type { ReviewOutput } from "../../core/schemas/review.js";
import type { WorkflowState } from "../../core/state.js";
import { changedRegions } from "../../diff/changed-ranges.js";
import type { DiffFile } from "../../diff/index.js";
import type { GitHubClient, RepoRef } from "../../github/client.js";
import {
  listOwnReviews,
  listTriadPulls,
  type OwnReview,
  updateReviewBody,
} from "../../github/review-edits.js";
import { modelFamily } from "../../models/catalogue.js";
import { parseModelRef } from "../../models/config.js";
import type { LedgerEvent } from "../../ports/precision.js";
import { foldEvents } from "../../stores/precision-store.js";
import type { WorkflowContext } from "../context.js";
import { readOverrules } from "./overrules.js";
import {
  confirmationList,
  precisionSection,
  sectionOutcomes,
  visibleSection,
  withPrecisionSection,
} from "./render-precision-section.js";

/**
 * Reviewer precision, the shell's side (issue [12/12] item 4): what each round's reviews raised and
 * what became of it go into the repository's ledger (src/stores/precision-store.ts) and, hidden, into
 * the round's reviews — so a ledger Redis lost is rebuilt from the review threads. Verdicts come in as
 * they are known: confirmation and overrules when a round is aggregated, the architect's rejections
 * at the ruling, "fixed" when the next round is aggregated, late 👎s at `/triad status` and at merge.
 */

/** How many of triad's most recent pull requests a rebuild reads. */
const REBUILD_PULLS = 50;

/** The model family behind a `vendor:model` reference ("unknown" when it is not one). */
export function familyOfModel(model: string): string {
  try {
    return modelFamily(parseModelRef(model));
  } catch {
    return "unknown";
  }
}

/** Reviewer slot → model family, for the round's results. */
export function familyOfResults(
  results: ReadonlyArray<{ reviewer: string; model: string }>,
): Record<string, string> {
  return Object.fromEntries(results.map((r) => [r.reviewer, familyOfModel(r.model)]));
}

/**
 * Runs a precision write without letting it hold the workflow back: the ledger is a report, so a
 * GitHub or Redis error in it is logged, not retried (a lost lock still stops the job).
 */
export async function recordPrecision(w: WorkflowContext, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (w.signal.aborted) throw error;
    w.log.warn({ err: String(error) }, "reviewer precision not recorded");
  }
}

const repoName = (w: WorkflowContext) => `${w.repo.owner}/${w.repo.repo}`;

/** The ledger events the review threads of the repository's triad pull requests carry. */
export async function ledgerEventsFromThreads(
  gh: GitHubClient,
  repo: RepoRef,
  botLogin: string,
): Promise<LedgerEvent[]> {
  const events: LedgerEvent[] = [];
  for (const pull of await listTriadPulls(gh, repo, REBUILD_PULLS)) {
    for (const r of await listOwnReviews(gh, repo, pull, botLogin)) {
      const data = extractData(r.body, "review") as { model?: unknown; output?: ReviewOutput } | undefined;
      if (typeof data?.model === "string" && data.model && Array.isArray(data.output?.findings))
        events.push({ review: reviewRecord(r.headSha, data.model, data.output.findings) });
      for (const o of sectionOutcomes(extractInnerData(r.body, "precision"))) {
        const parsed = roundOutcomeSchema.safeParse(o);
        if (parsed.success) events.push({ outcome: parsed.data });
      }
    }
  }
  return events;
}

/** The repository's ledger: from Redis, or rebuilt from the review threads when Redis has none. */
export async function repositoryLedger(w: WorkflowContext): Promise<PrecisionLedger | undefined> {
  const store = w.deps.stores.precision;
  if (!store) return undefined;
  const kept = await store.load(repoName(w));
  if (kept) return kept;
  const events = await ledgerEventsFromThreads(w.gh, w.repo, w.deps.botLogin);
  if (events.length > 0)
    w.log.info({ events: events.length }, "precision ledger rebuilt from the review threads");
  await store.append(repoName(w), events);
  return foldEvents(events);
}

async function record(w: WorkflowContext, events: readonly LedgerEvent[]): Promise<void> {
  const store = w.deps.stores.precision;
  if (!store || events.length === 0) return;
  // Rebuilt first when missing: appending alone would hide what the threads still know.
  await repositoryLedger(w);
  await store.append(repoName(w), events);
}

/** One outcome per round: the union of every verdict recorded for it. */
function mergeOutcome(outcomes: readonly RoundOutcome[], add: RoundOutcome): RoundOutcome[] {
  const same = outcomes.find((o) => o.round === add.round);
  if (!same) return [...outcomes, add];
  const u = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])];
  const merged: RoundOutcome = {
    v: 1,
    round: add.round,
    confirmed: u(same.confirmed, add.confirmed),
    fixed: u(same.fixed, add.fixed),
    overruled: u(same.overruled, add.overruled),
    rejected: u(same.rejected, add.rejected),
  };
  return outcomes.map((o) => (o === same ? merged : o));
}

/**
 * Writes a round's section into each of its reviews: the confirmation list (`visible`, by reviewer
 * slot; kept as it is when not given) and the round's outcome, merged with what the section had.
 */
async function annotateRound(
  w: WorkflowContext,
  pull: number,
  round: string,
  o: { visible?: ReadonlyMap<string, string>; outcome?: RoundOutcome; reviews?: readonly OwnReview[] },
): Promise<void> {
  const reviews = (o.reviews ?? (await listOwnReviews(w.gh, w.repo, pull, w.deps.botLogin))).filter(
    (r) => r.headSha === round,
  );
  for (const r of reviews) {
    const had = sectionOutcomes(extractInnerData(r.body, "precision"));
    const outcomes = o.outcome ? mergeOutcome(had, o.outcome) : had;
    const visible = o.visible?.get(`reviewer-${r.slot + 1}`) ?? visibleSection(r.body);
    const body = withPrecisionSection(r.body, precisionSection(visible, outcomes));
    if (body === r.body || body.length > BODY_MAX) continue;
    await updateReviewBody(w.gh, w.repo, pull, r.id, body);
  }
}

const isEmpty = (o: RoundOutcome) =>
  o.confirmed.length + o.fixed.length + o.overruled.length + o.rejected.length === 0;

export interface AggregatedRound {
  pull: number;
  headSha: string;
  /** The head the round's diff starts from (an incremental round), the previous round's head. */
  sinceSha?: string;
  results: ReadonlyArray<{ reviewer: string; model: string; output: ReviewOutput }>;
  aggregated: readonly AggregatedFinding[];
  /** Keys overruled so far (👎, `/triad ignore`). */
  overruled: readonly string[];
  /** The round's diff (incremental when `sinceSha`), to see what the previous round's fix changed. */
  files: readonly DiffFile[];
  state: WorkflowState;
}

/**
 * A round is aggregated: its reviews and its verdicts so far go into the ledger and into the round's
 * reviews (with the cross-vendor confirmation list); the previous round's findings that this round's
 * commit fixed, and the overrules on them, are recorded for that round.
 */
export async function recordAggregatedRound(w: WorkflowContext, r: AggregatedRound): Promise<void> {
  const familyOf = familyOfResults(r.results);
  const ignored = r.state.ignored.map((i) => i.key);
  const events: LedgerEvent[] = r.results
    .filter((x) => x.model !== "")
    .map((x) => ({ review: reviewRecord(r.headSha, x.model, x.output.findings) }));
  const now = roundOutcome(r.headSha, r.aggregated, { overruled: [...r.overruled, ...ignored] }, familyOf);
  events.push({ outcome: now });
  const reviews = await listOwnReviews(w.gh, w.repo, r.pull, w.deps.botLogin);
  const visible = new Map(
    r.results.map((x) => [
      x.reviewer,
      confirmationList({
        reviewer: x.reviewer,
        findings: x.output.findings,
        aggregated: r.aggregated,
        familyOf,
        visible: r.results.length > 1,
      }),
    ]),
  );
  let previous: RoundOutcome | undefined;
  const open = r.sinceSha ? await w.deps.stores.findings.getOpen(w.workflow) : undefined;
  if (open && open.headSha === r.sinceSha && open.findings.length > 0) {
    const raisedAgain = new Set(r.results.flatMap((x) => x.output.findings.map((f) => findingKey(f))));
    for (const f of r.aggregated) for (const k of f.keys) raisedAgain.add(k);
    const fixed = fixedFindings(open.findings, changedRegions(r.files), raisedAgain);
    const keys = open.findings.flatMap((f) => f.members.map((m) => m.key));
    const overrules = await readOverrules(w.gh, w.repo, r.pull, w.deps.botLogin, keys);
    previous = roundOutcome(
      open.headSha,
      open.findings,
      { fixed, overruled: [...overrules.map((o) => o.key), ...ignored] },
      familyOf,
    );
    events.push({ outcome: previous });
  }
  await record(w, events);
  await annotateRound(w, r.pull, r.headSha, { visible, outcome: now, reviews });
  if (previous && !isEmpty(previous))
    await annotateRound(w, r.pull, previous.round, { outcome: previous, reviews });
}

/** The architect rejected findings of a round (their aggregated form). */
export async function recordRejected(
  w: WorkflowContext,
  pull: number,
  round: string,
  rejected: readonly AggregatedFinding[],
): Promise<void> {
  if (rejected.length === 0) return;
  const outcome: RoundOutcome = {
    v: 1,
    round,
    confirmed: [],
    fixed: [],
    overruled: [],
    rejected: [
      ...new Set(rejected.flatMap((f) => f.members.filter((m) => m.origin === "reviewer").map((m) => m.key))),
    ],
  };
  await record(w, [{ outcome }]);
  await annotateRound(w, pull, round, { outcome });
}

/**
 * The overrules on the last round's findings now (a 👎 sends no webhook, so it is read when it
 * matters: `/triad status` and the merge), recorded for that round; then the repository's ledger.
 */
export async function refreshedLedger(
  w: WorkflowContext,
  state: WorkflowState,
): Promise<PrecisionLedger | undefined> {
  if (!w.deps.stores.precision) return undefined;
  const pull = state.pr?.number;
  const round = state.reviewedSha;
  if (pull !== undefined && round) {
    const reviews = (await listOwnReviews(w.gh, w.repo, pull, w.deps.botLogin)).filter(
      (r) => r.headSha === round,
    );
    const keys = new Set<string>();
    for (const r of reviews) {
      const data = extractData(r.body, "review") as { output?: ReviewOutput } | undefined;
      for (const f of data?.output?.findings ?? []) keys.add(findingKey(f));
    }
    if (keys.size > 0) {
      const overrules = await readOverrules(w.gh, w.repo, pull, w.deps.botLogin, [...keys]);
      const overruled = [
        ...new Set([
          ...overrules.map((o) => o.key),
          ...state.ignored.map((i) => i.key).filter((k) => keys.has(k)),
        ]),
      ];
      if (overruled.length > 0) {
        const outcome: RoundOutcome = { v: 1, round, confirmed: [], fixed: [], overruled, rejected: [] };
        await record(w, [{ outcome }]);
        await annotateRound(w, pull, round, { outcome, reviews });
      }
    }
  }
  return repositoryLedger(w);
}

/**
 * Whether this reviewer's minor and nit findings go into the review body rather than inline: its
 * precision on the repository is below `precision.fold_minor_below` (`shouldFoldMinor`).
 */
export async function foldsMinor(w: WorkflowContext, config: RepoConfig, model: string): Promise<boolean> {
  const threshold = config.precision.fold_minor_below;
  if (threshold <= 0) return false;
  const ledger = await repositoryLedger(w);
  if (!ledger) return false;
  return shouldFoldMinor(precisionByModel(ledger)[model], threshold, config.precision.min_judged);
}
