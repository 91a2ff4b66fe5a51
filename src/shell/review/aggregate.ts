import type { Job } from "bullmq";
import { aggregateFindings } from "../../core/review/aggregate.js";
import { decideReview } from "../../core/review/decide.js";
import type { FindingSet } from "../../core/review/finding.js";
import type { WorkflowState } from "../../core/state.js";
import type { StepJob } from "../../core/steps.js";
import { parseUnifiedDiff } from "../../diff/index.js";
import { loadRepoConfig } from "../../github/repo-config.js";
import { listReviewComments } from "../../github/reviews.js";
import { UsageLedger } from "../../models/usage.js";
import { takePendingFindings } from "../../stores/pending-findings.js";
import type { PhaseDeps } from "../context.js";
import { applyReviewDecision, outcomeContext } from "./outcome.js";
import { findingComments, readOverrules } from "./overrules.js";
import { diffText, type ReviewerResult } from "./reviewer.js";

/**
 * The parent of a review flow, run when every reviewer has posted: aggregate the findings across
 * reviewers (and any a human or CI raised meanwhile), drop what a maintainer overruled or an earlier
 * round raised, decide (ready, fix, escalate, needs a human, spiral) and carry the decision out.
 */
export async function runReviewAggregate(
  deps: PhaseDeps,
  job: StepJob,
  _jobId: string,
  bull: Job,
): Promise<void> {
  const gh = await deps.github(job.installationId);
  const repo = { owner: job.repo.owner, repo: job.repo.name };
  const ref = { ...repo, issue_number: job.issue };
  const headSha = job.headSha as string;
  const log = deps.log.child({
    workflow: `${repo.owner}/${repo.repo}#${job.issue}`,
    step: "review",
    sha: headSha.slice(0, 7),
  });
  const state = await deps.store.load(gh, ref, deps.botLogin);
  if (!state || state.runId !== job.runId || state.phase !== "reviewing" || state.pr?.headSha !== headSha) {
    log.info({ phase: state?.phase }, "review results for a superseded head; skipped");
    return;
  }
  const results = Object.values(await bull.getChildrenValues()) as ReviewerResult[];
  results.sort((a, b) => a.slot - b.slot);
  const ledger = UsageLedger.fromJSON(state.usage);
  for (const r of results) ledger.merge(r.usage);

  const { config } = await loadRepoConfig(gh, repo);
  const pull = state.pr.number;
  const files = parseUnifiedDiff(await diffText(gh, repo, pull, headSha, job.sinceSha));
  const comments = await listReviewComments(gh, repo, pull);
  const pending = await takePendingFindings(deps, state);
  const sets: FindingSet[] = [
    ...pending,
    ...results.map((r) => ({
      reviewer: r.reviewer,
      origin: "reviewer" as const,
      findings: r.output.findings,
    })),
  ];
  const aggregated = aggregateFindings(sets, { files, reviewerCount: results.length });
  const blocking = aggregated
    .filter((f) => f.severity === "blocker" || f.severity === "major")
    .flatMap((f) => f.keys);
  const overrules = await readOverrules(gh, repo, pull, deps.botLogin, blocking, comments);
  const ignored = [...state.ignored, ...overrules.filter((o) => !state.ignored.some((i) => i.key === o.key))];
  const decision = decideReview(aggregated, {
    fixRound: state.fixRound,
    maxFixRounds: config.max_fix_rounds,
    ignored: ignored.map((i) => i.key),
    earlierFindingKeys: state.raisedKeys,
    changedFilesByRound: state.changedFiles,
    components: config.components,
  });

  const stats = { ...state.findingStats };
  for (const f of aggregated) {
    if (state.raisedKeys.includes(f.key)) continue;
    stats[`severity:${f.severity}`] = (stats[`severity:${f.severity}`] ?? 0) + 1;
    for (const who of f.raisedBy) stats[`by:${who}`] = (stats[`by:${who}`] ?? 0) + 1;
  }
  const next: WorkflowState = {
    ...state,
    usage: ledger.toJSON(),
    ignored,
    raisedKeys: [...new Set([...state.raisedKeys, ...aggregated.flatMap((f) => f.keys)])],
    findingStats: stats,
  };
  await applyReviewDecision(
    outcomeContext({
      deps,
      gh,
      ref,
      config,
      state: next,
      installationId: job.installationId,
      headSha,
      comments: Object.fromEntries(findingComments(comments, deps.botLogin)),
    }),
    decision,
  );
  log.info(
    { decision: decision.kind, findings: aggregated.length, reviewers: results.length },
    "reviews aggregated",
  );
}
