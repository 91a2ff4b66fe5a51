import { embedData, extractData, findingMarker, reviewMarker } from "../../core/markers.js";
import type { FindingInput } from "../../core/review/finding.js";
import { type ReviewOutput, submitReviewTool } from "../../core/schemas/review.js";
import type { StepJob } from "../../core/steps.js";
import type { UsageSnapshot } from "../../core/usage.js";
import { type DiffFile, parseUnifiedDiff } from "../../diff/index.js";
import { TriadError } from "../../errors.js";
import { isTooLarge, reviewDiff } from "../../github/pull-diff.js";
import { loadRepoConfig } from "../../github/repo-config.js";
import { findOwnReview, postReview } from "../../github/reviews.js";
import { formatModelRef } from "../../models/config.js";
import { runUntilFinished } from "../../models/finish.js";
import { readOnlyTools } from "../../repo/read-tools.js";
import { fetchSnapshot } from "../../repo/snapshot.js";
import { type ShellDeps, workflowContext } from "../context.js";
import { defaultBranchContract } from "../contracts.js";
import { roundSummaryKey } from "../developer/round.js";
import { loadState } from "../interpret.js";
import { loadApprovedPlan } from "../plan-source.js";
import type { StepJobContext } from "../step.js";
import { snapshotOf, stepModel } from "../usage.js";
import {
  coverageFigure,
  type ReviewCoverageFigure,
  receiptSection,
  reviewerView,
} from "./coverage-receipt.js";
import { foldReason } from "./folded-findings.js";
import { checkRoundIntegrity } from "./integrity-section.js";
import { foldsMinor } from "./precision.js";
import { buildReviewerPrompt } from "./prompt.js";
import { moveToBody, renderReview } from "./render-review.js";

const DIFF_TOKENS = 40_000;
const MAX_TURNS = 40;

/** What one reviewer hands its parent job (BullMQ keeps it as the child's return value). */
export interface ReviewerResult {
  slot: number;
  reviewer: string;
  model: string;
  reviewId: number;
  output: ReviewOutput;
  usage: UsageSnapshot;
  /** The PR is larger than GitHub lists: nothing was reviewed or posted. */
  tooLarge?: { files: number; lines: number };
  /** What of the change this reviewer was shown (its receipt's figures). */
  coverage?: ReviewCoverageFigure;
  /** The test-integrity guard's blocker findings (the first reviewer only: the guard runs once a round). */
  integrity?: FindingInput[];
}

/**
 * One reviewer (ARCHITECTURE §3, §5): reads the plan and the diff, posts ONE review (event COMMENT)
 * for this head sha, marked so a retry finds it, and returns its findings to the aggregating parent.
 * Runs without the workflow lock, beside the other reviewer; it writes nothing but its own review,
 * and never the workflow state.
 */
export async function runReviewerStep(
  deps: ShellDeps,
  step: StepJob,
  job: StepJobContext,
): Promise<ReviewerResult> {
  const w = await workflowContext(deps, step, job);
  const slot = step.slot ?? 0;
  const headSha = step.headSha as string;
  const pull = step.prNumber as number;
  const mark = reviewMarker(slot, headSha);
  const log = w.log.child({ reviewer: slot + 1, sha: headSha.slice(0, 7) });

  // A review posted by an earlier attempt (its answer lost, or the job killed after it) is found by
  // its marker and reused, never posted twice. The first run of a flow's own job has no earlier
  // attempt (a `/triad retry` re-adds the flow under a new id, so it looks).
  const started = (job as { job?: { attemptsStarted?: number } }).job?.attemptsStarted;
  const firstRun = started === 1 && !w.jobId.includes("-retry-");
  const existing = firstRun ? undefined : await findOwnReview(w.gh, w.repo, pull, mark, deps.botLogin);
  const posted = existing ? (extractData(existing.body, "review") as ReviewerResult | undefined) : undefined;
  if (existing && posted) {
    log.info("review already posted for this sha; reusing it");
    return { ...posted, reviewId: existing.id };
  }

  const state = await loadState(w);
  if (!state) throw new TriadError("internal", "no workflow state for this review");
  const { config, defaultBranch } = await loadRepoConfig(w.gh, w.repo, { cache: w.deps.repoConfig });
  const { plan, version } = await loadApprovedPlan(w, state);
  const request = {
    pull,
    headSha,
    base: defaultBranch,
    ...(step.sinceSha ? { sinceSha: step.sinceSha } : {}),
  };
  const diff = await reviewDiff(w.gh, w.repo, request, deps.diffs);
  if (isTooLarge(diff)) {
    log.info({ files: diff.files }, "too large to review");
    return {
      slot,
      reviewer: `reviewer-${slot + 1}`,
      model: "",
      reviewId: 0,
      output: { findings: [], plan_compliance: [] },
      usage: { version: 1, lines: [] },
      tooLarge: { files: diff.files, lines: diff.lines },
    };
  }
  const files = parseUnifiedDiff(diff.text);
  // The receipt comes from the very presentation the model reads, so it cannot describe another view.
  const presented = reviewerView(diff, files, { tokenBudget: DIFF_TOKENS, readDeny: config.read_deny });
  // The guard is code over the same diff: it runs once a round, with the first reviewer, and its
  // flags are shown in that review (the other reviewers' would repeat them word for word).
  const guard = slot === 0 ? checkRoundIntegrity(files, plan, config.read_deny) : undefined;
  const model = deps.models.reviewers(config, step.reviewers ?? 1)[slot];
  if (!model) throw new TriadError("config_invalid", `no reviewer model for slot ${slot + 1}`);
  let result = await deps.stores.results.get<Omit<ReviewerResult, "reviewId">>(w.jobId);
  if (!result) {
    const snapshot = await fetchSnapshot(w.gh, { ...w.repo, ref: headSha }, { cache: deps.snapshots });
    const summary = (await deps.stores.results.get<string>(roundSummaryKey(w.workflow, headSha))) ?? "";
    const { model: budgeted, ledger } = await stepModel(w, state, config, "reviewer", model, {
      ownUsageOnly: true,
    });
    const prompt = buildReviewerPrompt({
      contract: (await defaultBranchContract(w.gh, w.repo, "reviewer", defaultBranch, deps.contracts)).text,
      repo: `${w.repo.owner}/${w.repo.repo}`,
      plan,
      planVersion: version,
      diff: presented.text,
      headSha,
      ...(step.sinceSha ? { sinceSha: step.sinceSha } : {}),
      prSummary: summary,
    });
    const output = await runUntilFinished({
      model: budgeted,
      system: prompt.system,
      messages: prompt.messages,
      tools: readOnlyTools(snapshot, {}, { readDeny: config.read_deny }),
      finishTool: submitReviewTool(plan.steps.length),
      maxTurns: MAX_TURNS,
      log,
      role: `reviewer ${slot + 1}`,
      signal: w.signal,
    });
    result = {
      slot,
      reviewer: `reviewer-${slot + 1}`,
      model: formatModelRef(model.ref),
      output,
      usage: snapshotOf(ledger),
    };
    await deps.stores.results.set(w.jobId, result);
  }
  result = {
    ...result,
    coverage: coverageFigure(presented.receipt),
    ...(guard && guard.findings.length > 0 ? { integrity: guard.findings } : {}),
  };
  const heading = `Review ${slot + 1} of ${step.reviewers ?? 1} · ${result.model} · ${headSha.slice(0, 7)}`;
  // An incremental round's removed lines are numbered in the PR's base, as GitHub reads them.
  const prFiles =
    step.sinceSha && result.output.findings.length > 0
      ? await wholePullFiles(w, { pull, headSha, base: defaultBranch })
      : undefined;
  const foldMinor = await foldsMinor(w, config, result.model).catch((error: unknown) => {
    if (w.signal.aborted) throw error;
    log.warn({ err: String(error) }, "reviewer precision unavailable; nothing folded for it");
    return false;
  });
  // Why the reviewers started before CI finished (src/core/ci-gate.ts), then the guard's flags.
  const sections = [...(step.ciNote ? [`⚠️ ${step.ciNote}`] : []), ...(guard?.section ? [guard.section] : [])];
  const rendered = renderReview({
    fold: foldReason({ nitsInline: config.nits_inline, foldMinor }),
    output: result.output,
    files,
    marker: mark,
    heading,
    plan,
    findingMarker,
    coverage: receiptSection(presented, config.review_coverage_threshold),
    ...(sections.length > 0 ? { sections } : {}),
    ...(prFiles ? { prFiles } : {}),
  });
  const data = `\n\n${embedData("review", result)}`;
  if (existing) {
    // Posted before, but its data did not fit in the review: the result kept in the store is it.
    log.info("review already posted for this sha; reusing the kept result");
    await deps.stores.results.delete(w.jobId);
    return { ...result, reviewId: existing.id };
  }
  const review = await postReview(w.gh, w.repo, {
    pull,
    commitId: headSha,
    marker: mark,
    botLogin: deps.botLogin,
    review: { body: rendered.body + data, comments: rendered.comments },
    fallback: () => {
      const moved = moveToBody(rendered);
      return { body: moved.body + data, comments: moved.comments };
    },
  });
  await deps.faults.at("after-review-posted");
  // The result stays kept when the review could not carry it: a retry then finds the review and this.
  if (!review.droppedData) await deps.stores.results.delete(w.jobId);
  log.info(
    { findings: result.output.findings.length, inline: review.movedToBody ? 0 : rendered.comments.length },
    "review posted",
  );
  return { ...result, reviewId: review.id };
}

async function wholePullFiles(
  w: { gh: Parameters<typeof reviewDiff>[0]; repo: Parameters<typeof reviewDiff>[1]; deps: ShellDeps },
  r: { pull: number; headSha: string; base: string },
): Promise<DiffFile[] | undefined> {
  const whole = await reviewDiff(w.gh, w.repo, r, w.deps.diffs);
  return isTooLarge(whole) ? undefined : parseUnifiedDiff(whole.text);
}
