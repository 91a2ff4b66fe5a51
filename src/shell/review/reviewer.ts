import type { Job } from "bullmq";
import { embedData, extractData, marker } from "../../core/markers.js";
import { type ReviewOutput, submitReviewTool } from "../../core/schemas/review.js";
import type { StepJob } from "../../core/steps.js";
import { parseUnifiedDiff } from "../../diff/index.js";
import { presentDiffForModel } from "../../diff/present.js";
import { faultPoint } from "../../faults.js";
import type { GitHubClient, RepoRef } from "../../github/client.js";
import { github } from "../../github/errors.js";
import { loadRepoConfig } from "../../github/repo-config.js";
import { findOwnReview, postReview } from "../../github/reviews.js";
import { formatModelRef } from "../../models/config.js";
import { runUntilFinished } from "../../models/finish.js";
import { meteredModel, UsageLedger } from "../../models/usage.js";
import { classifyFile, isSkippedKind } from "../../repo/file-kinds.js";
import { readOnlyTools } from "../../repo/read-tools.js";
import { fetchSnapshot } from "../../repo/snapshot.js";
import type { PhaseDeps } from "../context.js";
import { loadContract } from "../contracts.js";
import { loadApprovedPlan } from "../plan-source.js";
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
  usage: ReturnType<UsageLedger["toJSON"]>;
}

export function reviewMarker(slot: number, headSha: string): string {
  return marker("review", `${slot}-${headSha}`);
}

export function findingMarker(key: string): string {
  return `<!-- triad:finding id=${key} -->`;
}

/** The PR's diff text: the whole PR, or only what changed since the sha reviewed last. */
export async function diffText(
  gh: GitHubClient,
  repo: RepoRef,
  pull: number,
  headSha: string,
  sinceSha?: string,
): Promise<string> {
  const accept = { accept: "application/vnd.github.diff" };
  const { data } = await github(
    "read the diff",
    async (): Promise<{ data: unknown }> =>
      sinceSha
        ? gh.request("GET /repos/{owner}/{repo}/compare/{basehead}", {
            ...repo,
            basehead: `${sinceSha}...${headSha}`,
            headers: accept,
          })
        : gh.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", {
            ...repo,
            pull_number: pull,
            headers: accept,
          }),
  );
  return String(data);
}

/**
 * One reviewer (ARCHITECTURE §3, §5): reads the plan and the diff, posts ONE review (event COMMENT)
 * for this head sha, marked so a retry finds it, and returns its findings to the aggregating parent.
 * Runs without the workflow lock, beside the other reviewer; it writes nothing but its own review.
 */
export async function runReviewerStep(
  deps: PhaseDeps,
  job: StepJob,
  _jobId: string,
  _bull?: Job,
): Promise<ReviewerResult> {
  const gh = await deps.github(job.installationId);
  const repo = { owner: job.repo.owner, repo: job.repo.name };
  const slot = job.slot ?? 0;
  const headSha = job.headSha as string;
  const pull = job.prNumber as number;
  const mark = reviewMarker(slot, headSha);
  const log = deps.log.child({
    workflow: `${repo.owner}/${repo.repo}#${job.issue}`,
    reviewer: slot + 1,
    sha: headSha.slice(0, 7),
  });

  const existing = await findOwnReview(gh, repo, pull, mark, deps.botLogin);
  const saved = existing ? (extractData(existing.body, "review") as ReviewerResult | undefined) : undefined;
  if (existing && saved) {
    log.info("review already posted for this sha; reusing it");
    return { ...saved, reviewId: existing.id };
  }

  const state = await deps.store.load(gh, { ...repo, issue_number: job.issue }, deps.botLogin);
  if (!state) throw new Error("no workflow state for this review");
  const { config } = await loadRepoConfig(gh, repo);
  const { plan, version } = await loadApprovedPlan(gh, repo, state);
  const files = parseUnifiedDiff(await diffText(gh, repo, pull, headSha, job.sinceSha));
  const { data: pr } = await github("read the pull request", () =>
    gh.rest.pulls.get({ ...repo, pull_number: pull }),
  );
  const snapshot = await fetchSnapshot(gh, { ...repo, ref: headSha }, { cache: deps.snapshots });
  const model = deps.models.reviewers(config, job.reviewers ?? 1)[slot];
  if (!model) throw new Error(`no reviewer model for slot ${slot + 1}`);
  const ledger = new UsageLedger();
  const prompt = buildReviewerPrompt({
    contract: loadContract("reviewer", snapshot).text,
    repo: `${repo.owner}/${repo.repo}`,
    plan,
    planVersion: version,
    diff: presentDiffForModel(files, {
      tokenBudget: DIFF_TOKENS,
      skip: (path) => isSkippedKind(classifyFile(path)),
    }),
    headSha,
    ...(job.sinceSha ? { sinceSha: job.sinceSha } : {}),
    prSummary: summaryOf(pr.body ?? ""),
  });
  const output = await runUntilFinished({
    model: meteredModel(model, ledger, "reviewer"),
    system: prompt.system,
    messages: prompt.messages,
    tools: readOnlyTools(snapshot),
    finishTool: submitReviewTool(plan.steps.length),
    maxTurns: MAX_TURNS,
    log,
    role: `reviewer ${slot + 1}`,
  });
  const result: Omit<ReviewerResult, "reviewId"> = {
    slot,
    reviewer: `reviewer-${slot + 1}`,
    model: formatModelRef(model.ref),
    output,
    usage: ledger.toJSON(),
  };
  const heading = `Review ${slot + 1} of ${job.reviewers ?? 1} · ${formatModelRef(model.ref)} · ${headSha.slice(0, 7)}`;
  const rendered = renderReview({ output, files, marker: mark, heading, plan, findingMarker });
  const data = `\n\n${embedData("review", result)}`;
  const posted = await postReview(gh, repo, {
    pull,
    commitId: headSha,
    review: { body: rendered.body + data, comments: rendered.comments },
    fallback: () => {
      const moved = moveToBody(rendered);
      return { body: moved.body + data, comments: moved.comments };
    },
  });
  faultPoint("after-review-posted");
  log.info(
    { findings: output.findings.length, inline: posted.movedToBody ? 0 : rendered.comments.length },
    "review posted",
  );
  return { ...result, reviewId: posted.id };
}

/** The developer's "What was built" section of the PR body (their claims, for the reviewer to check). */
function summaryOf(body: string): string {
  const match = /### What was built\n([\s\S]*?)(\n### |$)/.exec(body);
  return (match?.[1] ?? "").trim();
}
