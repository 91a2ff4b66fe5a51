import { embedData, extractData, findingMarker, reviewMarker } from "../../core/markers.js";
import { type ReviewOutput, submitReviewTool } from "../../core/schemas/review.js";
import type { StepJob } from "../../core/steps.js";
import type { UsageSnapshot } from "../../core/usage.js";
import { parseUnifiedDiff } from "../../diff/index.js";
import { presentDiffForModel } from "../../diff/present.js";
import { TriadError } from "../../errors.js";
import { diffText } from "../../github/pull-diff.js";
import { loadRepoConfig } from "../../github/repo-config.js";
import { findOwnReview, postReview } from "../../github/reviews.js";
import { formatModelRef } from "../../models/config.js";
import { runUntilFinished } from "../../models/finish.js";
import { classifyFile, isSkippedKind } from "../../repo/file-kinds.js";
import { readOnlyTools } from "../../repo/read-tools.js";
import { fetchSnapshot } from "../../repo/snapshot.js";
import { type ShellDeps, workflowContext } from "../context.js";
import { loadContract } from "../contracts.js";
import { roundSummaryKey } from "../developer/round.js";
import { loadState } from "../interpret.js";
import { loadApprovedPlan } from "../plan-source.js";
import type { StepJobContext } from "../step.js";
import { snapshotOf, stepModel } from "../usage.js";
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

  const existing = await findOwnReview(w.gh, w.repo, pull, mark, deps.botLogin);
  const posted = existing ? (extractData(existing.body, "review") as ReviewerResult | undefined) : undefined;
  if (existing && posted) {
    log.info("review already posted for this sha; reusing it");
    return { ...posted, reviewId: existing.id };
  }

  const state = await loadState(w);
  if (!state) throw new TriadError("internal", "no workflow state for this review");
  const { config } = await loadRepoConfig(w.gh, w.repo, { cache: w.deps.repoConfig });
  const { plan, version } = await loadApprovedPlan(w, state);
  const files = parseUnifiedDiff(await diffText(w.gh, w.repo, pull, headSha, step.sinceSha));
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
      contract: loadContract("reviewer", snapshot).text,
      repo: `${w.repo.owner}/${w.repo.repo}`,
      plan,
      planVersion: version,
      diff: presentDiffForModel(files, {
        tokenBudget: DIFF_TOKENS,
        skip: (path) => isSkippedKind(classifyFile(path)),
      }),
      headSha,
      ...(step.sinceSha ? { sinceSha: step.sinceSha } : {}),
      prSummary: summary,
    });
    const output = await runUntilFinished({
      model: budgeted,
      system: prompt.system,
      messages: prompt.messages,
      tools: readOnlyTools(snapshot),
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
  const heading = `Review ${slot + 1} of ${step.reviewers ?? 1} · ${result.model} · ${headSha.slice(0, 7)}`;
  const rendered = renderReview({ output: result.output, files, marker: mark, heading, plan, findingMarker });
  const data = `\n\n${embedData("review", result)}`;
  const review = await postReview(w.gh, w.repo, {
    pull,
    commitId: headSha,
    review: { body: rendered.body + data, comments: rendered.comments },
    fallback: () => {
      const moved = moveToBody(rendered);
      return { body: moved.body + data, comments: moved.comments };
    },
  });
  await deps.faults.at("after-review-posted");
  await deps.stores.results.delete(w.jobId);
  log.info(
    { findings: result.output.findings.length, inline: review.movedToBody ? 0 : rendered.comments.length },
    "review posted",
  );
  return { ...result, reviewId: review.id };
}
