import type { RepoConfig } from "../../config/repo-config.js";
import { extractData, extractInnerData, marker } from "../../core/markers.js";
import { stateFromTrackingComment } from "../../core/render/tracking.js";
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
import { findOwnMarked, listComments } from "../../github/comments.js";
import { listOwnReviews, listTriadPulls } from "../../github/review-edits.js";
import { modelFamily } from "../../models/catalogue.js";
import { parseModelRef } from "../../models/config.js";
import type { LedgerEvent } from "../../ports/precision.js";
import { foldEvents } from "../../stores/precision-store.js";
import type { WorkflowContext } from "../context.js";
import { readOverrules } from "./overrules.js";
import { sectionOutcomes } from "./render-precision-section.js";

/**
 * Reviewer precision, the shell's side (issue [12/12] item 4): what each round's reviews raised and
 * what became of it go into the repository's ledger (src/stores/precision-store.ts). GitHub keeps the
 * same facts in writes that happen anyway, so a ledger Redis lost is rebuilt from them: each review's
 * own data says what it raised, and the round outcomes go into the workflow's state, which the
 * tracking comment embeds (no review is edited for the ledger). Verdicts come in as they are known:
 * confirmation and the overrules read for the decision when a round is aggregated, the architect's
 * rejections at the ruling, "fixed" when the next round is aggregated, late 👎s at `/triad status`
 * and at merge.
 */

/** How many of triad's most recent pull requests a rebuild reads. */
const REBUILD_PULLS = 50;

/** What a rebuild that found nothing keeps in Redis. */
const NOTHING_YET: RoundOutcome = {
  v: 1,
  round: "(rebuilt: none)",
  confirmed: [],
  fixed: [],
  overruled: [],
  rejected: [],
};

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

/**
 * The ledger events GitHub keeps for the repository's last triad pull requests: each review's
 * `ReviewRecord` (its own data), and the round outcomes of the workflow behind the pull request —
 * from its tracking comment's state (`state.roundOutcomes`), and from the precision sections that
 * reviews written before that carried. Two reads per pull request (its reviews, its issue's comments).
 */
export async function ledgerEventsFromThreads(
  gh: GitHubClient,
  repo: RepoRef,
  botLogin: string,
): Promise<LedgerEvent[]> {
  const events: LedgerEvent[] = [];
  for (const pull of await listTriadPulls(gh, repo, REBUILD_PULLS)) {
    for (const r of await listOwnReviews(gh, repo, pull.number, botLogin)) {
      const data = extractData(r.body, "review") as { model?: unknown; output?: ReviewOutput } | undefined;
      if (typeof data?.model === "string" && data.model && Array.isArray(data.output?.findings))
        events.push({ review: reviewRecord(r.headSha, data.model, data.output.findings) });
      for (const o of sectionOutcomes(extractInnerData(r.body, "precision"))) {
        const parsed = roundOutcomeSchema.safeParse(o);
        if (parsed.success) events.push({ outcome: parsed.data });
      }
    }
    if (pull.issue === undefined) continue;
    const comments = await listComments(gh, { ...repo, issue_number: pull.issue });
    const tracking = findOwnMarked(comments, marker("tracking"), botLogin);
    const state = tracking && stateFromTrackingComment(tracking.body ?? "", tracking.id);
    for (const outcome of state ? state.roundOutcomes : []) events.push({ outcome });
  }
  return events;
}

/** The repository's ledger: from Redis, or rebuilt from GitHub when Redis has none. */
export async function repositoryLedger(w: WorkflowContext): Promise<PrecisionLedger | undefined> {
  const store = w.deps.stores.precision;
  if (!store) return undefined;
  const kept = await store.load(repoName(w));
  if (kept) return kept;
  const events = await ledgerEventsFromThreads(w.gh, w.repo, w.deps.botLogin);
  if (events.length > 0) w.log.info({ events: events.length }, "precision ledger rebuilt from GitHub");
  // An empty rebuild is kept too (an outcome of no round, which folds to nothing): a repository
  // without reviews yet is not read again at every reviewer's step.
  await store.append(repoName(w), events.length > 0 ? events : [{ outcome: NOTHING_YET }]);
  return foldEvents(events);
}

async function record(w: WorkflowContext, events: readonly LedgerEvent[]): Promise<void> {
  const store = w.deps.stores.precision;
  if (!store || events.length === 0) return;
  // Rebuilt first when missing: appending alone would hide what GitHub still knows.
  await repositoryLedger(w);
  await store.append(repoName(w), events);
}

export interface AggregatedRound {
  headSha: string;
  /** The head the round's diff starts from (an incremental round), the previous round's head. */
  sinceSha?: string;
  results: ReadonlyArray<{ reviewer: string; model: string; output: ReviewOutput }>;
  aggregated: readonly AggregatedFinding[];
  /** Keys overruled so far (👎 read for this aggregation, `/triad ignore`). */
  overruled: readonly string[];
  /** The round's diff (incremental when `sinceSha`), to see what the previous round's fix changed. */
  files: readonly DiffFile[];
  state: WorkflowState;
}

/**
 * A round is aggregated: its reviews and its verdicts so far go into the ledger, and the previous
 * round's findings that this round's commit fixed are recorded for that round. No GitHub call: the
 * outcomes are returned for the workflow's state (the tracking comment carries them), the overrules
 * are the ones the aggregation read (a later 👎 is read at `/triad status` and at merge).
 */
export async function recordAggregatedRound(w: WorkflowContext, r: AggregatedRound): Promise<RoundOutcome[]> {
  const familyOf = familyOfResults(r.results);
  const ignored = r.state.ignored.map((i) => i.key);
  const events: LedgerEvent[] = r.results
    .filter((x) => x.model !== "")
    .map((x) => ({ review: reviewRecord(r.headSha, x.model, x.output.findings) }));
  const outcomes = [
    roundOutcome(r.headSha, r.aggregated, { overruled: [...r.overruled, ...ignored] }, familyOf),
  ];
  const open = r.sinceSha ? await w.deps.stores.findings.getOpen(w.workflow) : undefined;
  if (open && open.headSha === r.sinceSha && open.findings.length > 0) {
    const raisedAgain = new Set(r.results.flatMap((x) => x.output.findings.map((f) => findingKey(f))));
    for (const f of r.aggregated) for (const k of f.keys) raisedAgain.add(k);
    const fixed = fixedFindings(open.findings, changedRegions(r.files), raisedAgain);
    outcomes.push(
      roundOutcome(open.headSha, open.findings, { fixed, overruled: [...r.overruled, ...ignored] }, familyOf),
    );
  }
  // Redis failing loses the ledger's copy, not GitHub's: the outcomes still go into the state.
  await recordPrecision(w, () => record(w, [...events, ...outcomes.map((outcome) => ({ outcome }))]));
  return outcomes;
}

/** The architect rejected findings of a round (their aggregated form): the outcome, recorded. */
export async function recordRejected(
  w: WorkflowContext,
  round: string,
  rejected: readonly AggregatedFinding[],
): Promise<RoundOutcome | undefined> {
  if (rejected.length === 0) return undefined;
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
  await recordPrecision(w, () => record(w, [{ outcome }]));
  return outcome;
}

/**
 * The repository's ledger with the late overrules on this workflow's findings read in (a 👎 sends no
 * webhook, so it is read when it matters: `/triad status` and the merge). One listing of the review
 * comments, then one reaction read per inline finding of the workflow's rounds not overruled yet;
 * the new verdicts are recorded and returned (for the state, so the tracking comment keeps them).
 */
export async function refreshedLedger(
  w: WorkflowContext,
  state: WorkflowState,
): Promise<{ ledger: PrecisionLedger; outcomes: RoundOutcome[] } | undefined> {
  const ledger = await repositoryLedger(w);
  if (!ledger) return undefined;
  const pull = state.pr?.number;
  const rounds = new Set([
    ...state.roundOutcomes.map((o) => o.round),
    ...(state.reviewedSha ? [state.reviewedSha] : []),
  ]);
  const roundOf = new Map<string, string>();
  for (const [id, rec] of Object.entries(ledger.findings)) {
    const [round = "", , key = ""] = id.split(" ");
    if (rounds.has(round) && rec.verdict !== "overruled" && !roundOf.has(key)) roundOf.set(key, round);
  }
  if (pull === undefined || roundOf.size === 0) return { ledger, outcomes: [] };
  const overrules = await readOverrules(w.gh, w.repo, pull, w.deps.botLogin, [...roundOf.keys()]);
  const overruled = new Set([...overrules.map((o) => o.key), ...state.ignored.map((i) => i.key)]);
  const byRound = new Map<string, string[]>();
  for (const [key, round] of roundOf)
    if (overruled.has(key)) byRound.set(round, [...(byRound.get(round) ?? []), key]);
  const outcomes: RoundOutcome[] = [...byRound].map(([round, keys]) => ({
    v: 1,
    round,
    confirmed: [],
    fixed: [],
    overruled: keys,
    rejected: [],
  }));
  if (outcomes.length === 0) return { ledger, outcomes };
  await record(
    w,
    outcomes.map((outcome) => ({ outcome })),
  );
  return { ledger: (await w.deps.stores.precision?.load(repoName(w))) ?? ledger, outcomes };
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
