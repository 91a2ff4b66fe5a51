import type { Job } from "bullmq";
import { aggregateFindings } from "../../core/review/aggregate.js";
import type { FindingSet } from "../../core/review/finding.js";
import type { RoundOutcome } from "../../core/review/precision.js";
import { onReviewsAggregated, onTooLargeToReview } from "../../core/step-results.js";
import { type StepJob, stepLabel } from "../../core/steps.js";
import { parseUnifiedDiff } from "../../diff/index.js";
import { isTooLarge, reviewDiff } from "../../github/pull-diff.js";
import { loadRepoConfig } from "../../github/repo-config.js";
import { listReviewComments } from "../../github/reviews.js";
import { decideContext, type ShellDeps } from "../context.js";
import { interpret } from "../interpret.js";
import { type StepJobContext, startStep } from "../step.js";
import { INTEGRITY_REVIEWER } from "./integrity-section.js";
import { locateFindings } from "./locate-findings.js";
import { findingComments, readOverrules } from "./overrules.js";
import { familyOfResults, recordAggregatedRound, recordPrecision } from "./precision.js";
import type { ReviewerResult } from "./reviewer.js";

/**
 * The parent of a review flow, run when every reviewer has posted: the reviewers' findings (and any
 * a human or CI raised meanwhile), located in the diff, with the maintainers' overrules read from the
 * threads, go to the core (`onReviewsAggregated`): ready, fix, escalate, needs a human, or spiral.
 */
export async function runReviewAggregate(
  deps: ShellDeps,
  step: StepJob,
  job: StepJobContext & { job: Job },
): Promise<void> {
  const started = await startStep(deps, step, job);
  if (!started) return;
  const { w, state } = started;
  const headSha = step.headSha as string;
  const pr = state.pr;
  if (!pr) return;
  const results = Object.values(await job.job.getChildrenValues()) as ReviewerResult[];
  results.sort((a, b) => a.slot - b.slot);
  const { config, defaultBranch } = await loadRepoConfig(w.gh, w.repo, { cache: w.deps.repoConfig });
  const tooLarge = results.find((r) => r.tooLarge)?.tooLarge;
  if (tooLarge) {
    const ref = { jobId: w.jobId, label: stepLabel(step), step };
    await interpret(
      w,
      state,
      onTooLargeToReview(state, ref, { headSha, ...tooLarge }, decideContext(w, config)),
    );
    w.log.info({ files: tooLarge.files }, "too large to review");
    return;
  }
  const diff = await reviewDiff(
    w.gh,
    w.repo,
    {
      pull: pr.number,
      headSha,
      base: defaultBranch,
      ...(step.sinceSha ? { sinceSha: step.sinceSha } : {}),
    },
    deps.diffs,
  );
  const files = isTooLarge(diff) ? [] : parseUnifiedDiff(diff.text);
  const comments = await listReviewComments(w.gh, w.repo, pr.number);
  const pending = await deps.stores.findings.pending(w.workflow);
  // The test-integrity guard's flags (code, not a model): a check's findings, always agreed, each a
  // blocker that says the plan does not allow it, so the architect rules on it.
  const integrity = results.flatMap((r) => r.integrity ?? []);
  const sets: FindingSet[] = locateFindings(
    [
      ...pending,
      ...(integrity.length > 0
        ? [{ reviewer: INTEGRITY_REVIEWER, origin: "check" as const, findings: integrity }]
        : []),
      ...results.map((r) => ({
        reviewer: r.reviewer,
        origin: "reviewer" as const,
        findings: r.output.findings,
      })),
    ],
    files,
  );
  // Overrules matter only for what would hold the PR back; reading them costs a call per finding.
  const aggregated = aggregateFindings(sets, { reviewerCount: results.length });
  const blocking = aggregated
    .filter((f) => f.severity === "blocker" || f.severity === "major")
    .flatMap((f) => f.keys);
  const overrules = await readOverrules(w.gh, w.repo, pr.number, deps.botLogin, blocking, comments);
  // The ledger's verdicts go into the state (the tracking comment carries them); no review is edited.
  let outcomes: RoundOutcome[] = [];
  await recordPrecision(w, async () => {
    outcomes = await recordAggregatedRound(w, {
      headSha,
      ...(step.sinceSha ? { sinceSha: step.sinceSha } : {}),
      results,
      aggregated,
      overruled: overrules.map((o) => o.key),
      files,
      state,
    });
  });
  const d = onReviewsAggregated(
    state,
    {
      headSha,
      sets,
      reviewerCount: results.length,
      overrules,
      comments: Object.fromEntries(findingComments(comments, deps.botLogin)),
      usage: results.map((r) => r.usage),
      reviewUrls: results.map((r) => `${pr.url}#pullrequestreview-${r.reviewId}`),
      ...bestCoverage(results, !!step.sinceSha),
      familyOf: familyOfResults(results),
      outcomes,
    },
    decideContext(w, config),
  );
  await interpret(w, state, d);
  w.log.info({ next: d.state?.phase, reviewers: results.length }, "reviews aggregated");
}

/**
 * The round's coverage: the best any reviewer had. All reviewers get the same view today, so the
 * figures agree; when they differ (a smaller budget for one model), a line one reviewer saw has been
 * reviewed, and the threshold asks whether the change was reviewed at all — how many vendors agree
 * on it is the aggregation's business, not the receipt's. A result from before receipts has none.
 */
function bestCoverage(results: readonly ReviewerResult[], incremental: boolean) {
  const shares = results.flatMap((r) => (r.coverage ? [r.coverage.countedShare] : []));
  return shares.length === 0 ? {} : { coverage: { share: Math.max(...shares), incremental } };
}
