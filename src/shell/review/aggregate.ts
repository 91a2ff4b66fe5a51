import type { Job } from "bullmq";
import { aggregateFindings } from "../../core/review/aggregate.js";
import type { FindingSet } from "../../core/review/finding.js";
import { onReviewsAggregated, onTooLargeToReview } from "../../core/step-results.js";
import { type StepJob, stepLabel } from "../../core/steps.js";
import { parseUnifiedDiff } from "../../diff/index.js";
import { isTooLarge, reviewDiff } from "../../github/pull-diff.js";
import { loadRepoConfig } from "../../github/repo-config.js";
import { listReviewComments } from "../../github/reviews.js";
import { decideContext, type ShellDeps } from "../context.js";
import { interpret } from "../interpret.js";
import { type StepJobContext, startStep } from "../step.js";
import { locateFindings } from "./locate-findings.js";
import { findingComments, readOverrules } from "./overrules.js";
import { recordAggregatedRound, recordPrecision } from "./precision.js";
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
  const sets: FindingSet[] = locateFindings(
    [
      ...pending,
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
  await recordPrecision(w, () =>
    recordAggregatedRound(w, {
      pull: pr.number,
      headSha,
      ...(step.sinceSha ? { sinceSha: step.sinceSha } : {}),
      results,
      aggregated,
      overruled: overrules.map((o) => o.key),
      files,
      state,
    }),
  );
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
    },
    decideContext(w, config),
  );
  await interpret(w, state, d);
  w.log.info({ next: d.state?.phase, reviewers: results.length }, "reviews aggregated");
}
