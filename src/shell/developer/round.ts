import { z } from "zod";
import { marker } from "../../core/markers.js";
import {
  branchName,
  commitMessage,
  renderBlocked,
  renderPullRequestBody,
} from "../../core/render/developer.js";
import type { AggregatedFinding } from "../../core/review/aggregate.js";
import { quoteUntrusted } from "../../core/sanitize.js";
import { type DeveloperReport, DONE_TOOL, doneSchema } from "../../core/schemas/developer.js";
import type { WorkflowState } from "../../core/state.js";
import type { StepJob } from "../../core/steps.js";
import { TriadError } from "../../errors.js";
import type { GitHubClient, IssueRef } from "../../github/client.js";
import { ensureComment, findOwnMarked, listComments } from "../../github/comments.js";
import { github } from "../../github/errors.js";
import { publishRound } from "../../github/publish.js";
import { loadRepoConfig } from "../../github/repo-config.js";
import { listReviewComments, replyInThread } from "../../github/reviews.js";
import { runUntilFinished } from "../../models/finish.js";
import { type ToolDefinition, ToolInputError } from "../../models/types.js";
import { ledgerBudget, meteredModel, UsageLedger } from "../../models/usage.js";
import { enqueueStep } from "../../queue/queues.js";
import { Overlay, type OverlayJSON } from "../../repo/overlay.js";
import { readOnlyTools } from "../../repo/read-tools.js";
import { buildRepoMap } from "../../repo/repo-map.js";
import { fetchSnapshot } from "../../repo/snapshot.js";
import { writeTools } from "../../repo/write-tools.js";
import type { PhaseDeps } from "../context.js";
import { loadContract } from "../contracts.js";
import { ensureTrackingComment } from "../interpret.js";
import { loadApprovedPlan } from "../plan-source.js";
import { startReviewFlow } from "../review/flow.js";
import { loadOpenFindings, type OpenFindings } from "../review/outcome.js";
import { buildDeveloperPrompt } from "./prompt.js";

const REPO_MAP_TOKENS = 4_000;
const MAX_TURNS = 80;
const ROUND_TTL_SECONDS = 7 * 24 * 3600;

/** What a finished model round leaves behind, kept in Redis so a crash while publishing never asks the model again. */
interface SavedRound {
  report: DeveloperReport;
  overlay: OverlayJSON;
  baseSha: string;
  baseTree: string;
  usage: ReturnType<UsageLedger["toJSON"]>;
}

/**
 * The developer phase (ARCHITECTURE §3, §6): implement the approved plan in an in-memory overlay
 * of the base commit, then publish it as one commit on `triad/<issue>-<slug>` and one pull request.
 * Safe to kill at any point: the model's result is saved before anything is written to GitHub, and
 * publishing finds the commit, branch and PR it already made.
 */
export async function runDeveloperStep(deps: PhaseDeps, job: StepJob, jobId: string): Promise<void> {
  const gh = await deps.github(job.installationId);
  const ref: IssueRef = { owner: job.repo.owner, repo: job.repo.name, issue_number: job.issue };
  const repo = { owner: ref.owner, repo: ref.repo };
  const round = job.round ?? 0;
  const log = deps.log.child({
    workflow: `${ref.owner}/${ref.repo}#${ref.issue_number}`,
    step: jobId,
    round,
  });
  let state = await deps.store.load(gh, ref, deps.botLogin);
  const approved = state?.approved;
  const wanted =
    state &&
    approved &&
    state.runId === job.runId &&
    (round === 0
      ? state.phase === "implementing" && approved.version === job.planVersion
      : state.phase === "fixing" && state.fixRound === round && state.pr !== undefined);
  if (!state || !approved || !wanted) {
    log.info({ phase: state?.phase }, "developer step no longer wanted; skipped");
    return;
  }

  // The frozen plan: the approved comment, unchanged since approval.
  const { plan, url: planUrl } = await loadApprovedPlan(gh, repo, state);
  const { config, defaultBranch } = await loadRepoConfig(gh, repo);
  const { data: issue } = await github("read the issue", () => gh.rest.issues.get(ref));
  const open = round > 0 ? await loadOpenFindings(deps, state) : undefined;
  if (round > 0 && (!open || open.round !== round))
    throw new TriadError("internal", `the findings of fix round ${round} are gone`);
  const roundKey = `${deps.prefix}:round:${jobId}`;
  let saved = await loadRound(deps, roundKey);
  // The base: the default branch's head for the first round, triad's branch head for fix rounds.
  const branch = state.pr?.branch ?? branchName(issue.number, issue.title);
  const base = saved
    ? { sha: saved.baseSha, tree: saved.baseTree }
    : await github("read the base branch", async () => {
        const { data } = await gh.rest.repos.getBranch({
          ...repo,
          branch: round > 0 ? branch : defaultBranch,
        });
        return { sha: data.commit.sha, tree: data.commit.commit.tree.sha };
      });
  const snapshot = await fetchSnapshot(gh, { ...repo, ref: base.sha }, { cache: deps.snapshots });

  if (!saved) {
    if (round === 0)
      state = await setSteps(
        deps,
        gh,
        ref,
        state,
        plan.steps.map((s) => ({ title: s.title, done: false })),
      );
    const overlay = new Overlay(snapshot);
    const ledger = UsageLedger.fromJSON(state.usage);
    const prompt = buildDeveloperPrompt({
      contract: loadContract("developer", snapshot).text,
      repo: {
        fullName: `${ref.owner}/${ref.repo}`,
        branch: round > 0 ? branch : defaultBranch,
        sha: snapshot.sha,
      },
      repoMap: buildRepoMap(snapshot, { tokenBudget: REPO_MAP_TOKENS }),
      plan,
      planVersion: approved.version,
      issue: {
        number: issue.number,
        title: issue.title,
        body: issue.body ?? "",
        author: issue.user?.login ?? "ghost",
      },
      ...(open ? { findings: formatFindings(open.findings) } : {}),
    });
    let progress = state;
    const reportStep: ToolDefinition<{ step: number }> = {
      name: "report_step",
      description:
        "Tell the maintainers that a plan step is finished; it is ticked in the checklist on the issue.",
      input: z.object({ step: z.number().int().positive() }),
      async run({ step }) {
        const steps = progress.devSteps ?? [];
        if (!steps[step - 1]) throw new ToolInputError(`The plan has steps 1 to ${steps.length}.`);
        progress = await setSteps(
          deps,
          gh,
          ref,
          progress,
          steps.map((s, i) => (i === step - 1 ? { ...s, done: true } : s)),
        );
        return `Step ${step} ticked.`;
      },
    };
    const report = await runUntilFinished({
      model: meteredModel(deps.models.developer(config), ledger, "developer"),
      system: prompt.system,
      messages: prompt.messages,
      tools: [
        ...readOnlyTools(overlay),
        ...writeTools(overlay, {
          denyPaths: config.deny_paths,
          maxFileBytes: config.max_file_bytes,
          base: snapshot,
        }),
        reportStep,
      ],
      finishTool: DONE_TOOL,
      maxTurns: MAX_TURNS,
      budget: ledgerBudget(ledger, {
        maxTokens: config.budgets.max_tokens,
        maxCostUsd: config.budgets.max_cost_usd,
      }),
      log,
      role: "developer",
    });
    state = progress;
    saved = {
      report,
      overlay: overlay.toJSON(),
      baseSha: base.sha,
      baseTree: base.tree,
      usage: ledger.toJSON(),
    };
    await deps.redis.set(roundKey, JSON.stringify(saved), "EX", ROUND_TTL_SECONDS);
  }
  state = { ...state, usage: saved.usage };

  if (saved.report.blocked) {
    await sendBackToArchitect(deps, gh, ref, state, saved.report, jobId, job);
    return;
  }
  const overlay = Overlay.fromJSON(snapshot, saved.overlay, { verifyBase: false });
  const changes = overlay.changes();
  if (changes.length === 0) {
    throw new TriadError(
      "model_output_invalid",
      round === 0
        ? "the developer finished without changing any file; nothing to open a pull request for"
        : `the developer finished fix round ${round} without changing any file`,
    );
  }
  let prBody: string;
  if (round === 0) {
    prBody = renderPullRequestBody(plan, saved.report, {
      issue: issue.number,
      planVersion: approved.version,
      planUrl,
      approvedBy: approved.by,
    });
  } else {
    const { data: pr } = await github("read the pull request", () =>
      gh.rest.pulls.get({ ...repo, pull_number: state.pr?.number as number }),
    );
    prBody = pr.body ?? "";
  }
  const published = await publishRound(gh, {
    repo,
    baseBranch: defaultBranch,
    baseSha: saved.baseSha,
    baseTreeSha: saved.baseTree,
    branch,
    changes,
    message: commitMessage(issue.title, issue.number, approved.version, round),
    roundId: `issue-${issue.number}-plan-v${approved.version}-round-${round}`,
    modeOf: (path) => snapshot.files.get(path)?.mode,
    pr: {
      title: issue.title,
      body: prBody,
      labels: ["triad", "triad:in-review"],
      marker: marker("pr", String(issue.number)),
    },
  });
  if (open)
    await replyInThreads(gh, repo, published.prNumber, open, saved.report, published.commitSha, round);

  const ticked = (state.devSteps ?? []).map((s, i) => ({
    ...s,
    done: s.done || saved.report.plan_steps.some((p) => p.step === i + 1 && p.status === "done"),
  }));
  const now = deps.now().toISOString();
  let next: WorkflowState = {
    ...state,
    phase: "reviewing",
    updatedAt: now,
    devSteps: ticked,
    pr: { number: published.prNumber, url: published.prUrl, branch, headSha: published.commitSha },
    changedFiles: round > 0 ? [...state.changedFiles, changes.map((c) => c.path)] : state.changedFiles,
    queued: undefined,
    failed: undefined,
    note: undefined,
    phaseTimes: { ...state.phaseTimes, reviewing: now },
  };
  const queued = await startReviewFlow(gh, deps.queues, {
    base: { installationId: job.installationId, repo: job.repo, issue: job.issue, runId: job.runId },
    repo,
    prNumber: published.prNumber,
    headSha: published.commitSha,
    ...(round > 0 && state.reviewedSha ? { sinceSha: state.reviewedSha } : {}),
    reviewers: reviewerCount(config, issue.labels),
    freshCommit: published.created.commit,
  });
  next = { ...next, queued };
  await deps.store.save(await ensureTrackingComment({ gh, ref, botLogin: deps.botLogin }, next));
  await deps.redis.del(roundKey);
  log.info(
    { pr: published.prNumber, commit: published.commitSha, files: changes.length },
    "developer round published",
  );
}

/** One reviewer by default; two when the config says so or the issue carries the important label. */
function reviewerCount(
  config: { reviewers: number; important_label: string },
  labels: Array<string | { name?: string }>,
): number {
  const names = labels.map((l) => (typeof l === "string" ? l : (l.name ?? "")));
  return names.includes(config.important_label) ? 2 : config.reviewers;
}

/** The findings of a fix round, numbered by their keys, for the developer's prompt. */
function formatFindings(findings: readonly AggregatedFinding[]): string {
  return findings
    .map((f) => {
      const where = f.path ? `${f.path}${f.line ? `:${f.line}` : ""}` : "the pull request";
      const lines = [`## Finding ${f.key} (${f.severity}, ${where}, raised by ${f.raisedBy.join(", ")})`];
      if (f.anchor)
        lines.push("Anchor:", quoteUntrusted(`anchor of ${f.key}`, f.anchor, { maxChars: 2_000 }));
      lines.push(quoteUntrusted(`finding ${f.key}`, f.message, { maxChars: 4_000 }));
      if (f.suggestion)
        lines.push(
          "Suggested replacement:",
          quoteUntrusted(`suggestion for ${f.key}`, f.suggestion, { maxChars: 2_000 }),
        );
      return lines.join("\n");
    })
    .join("\n\n");
}

/** Reply in each addressed review thread, once (a marker per finding and round). */
async function replyInThreads(
  gh: GitHubClient,
  repo: { owner: string; repo: string },
  pull: number,
  open: OpenFindings,
  report: DeveloperReport,
  commitSha: string,
  round: number,
): Promise<void> {
  const existing = await listReviewComments(gh, repo, pull);
  for (const f of report.findings) {
    const finding = open.findings.find((x) => x.key === f.id || x.keys.includes(f.id));
    const commentId = finding
      ? finding.keys.map((k) => open.comments[k]).find((id) => id !== undefined)
      : undefined;
    if (commentId === undefined) continue;
    const mark = marker("reply", `finding-${f.id}-round-${round}`);
    if (existing.some((c) => c.inReplyTo === commentId && c.body.includes(mark))) continue;
    const what =
      f.status === "changed"
        ? `Fixed in ${commitSha.slice(0, 7)} (fix round ${round})`
        : `Not changed in fix round ${round}`;
    await replyInThread(gh, repo, pull, commentId, `${mark}\n${what}: ${f.note}`);
  }
}

async function loadRound(deps: PhaseDeps, key: string): Promise<SavedRound | undefined> {
  const raw = await deps.redis.get(key);
  if (!raw) return undefined;
  const parsed = JSON.parse(raw) as SavedRound;
  return { ...parsed, report: doneSchema.parse(parsed.report) };
}

async function setSteps(
  deps: PhaseDeps,
  gh: GitHubClient,
  ref: IssueRef,
  state: WorkflowState,
  devSteps: NonNullable<WorkflowState["devSteps"]>,
): Promise<WorkflowState> {
  const next = await ensureTrackingComment({ gh, ref, botLogin: deps.botLogin }, { ...state, devSteps });
  await deps.store.save(next);
  return next;
}

/** The plan cannot be followed: say so on the issue and ask the architect for a revised plan. */
async function sendBackToArchitect(
  deps: PhaseDeps,
  gh: GitHubClient,
  ref: IssueRef,
  state: WorkflowState,
  report: DeveloperReport,
  jobId: string,
  job: StepJob,
): Promise<void> {
  const version = state.approved?.version ?? 0;
  const existing = findOwnMarked(await listComments(gh, ref), marker("developer", jobId), deps.botLogin);
  if (!existing) {
    await ensureComment(gh, ref, {
      marker: marker("developer", jobId),
      body: renderBlocked(report, version, jobId),
      botLogin: deps.botLogin,
    });
  }
  const queued = await enqueueStep(
    deps.queues,
    {
      kind: "architect",
      installationId: job.installationId,
      repo: job.repo,
      issue: job.issue,
      runId: job.runId,
      reason: `the developer could not follow plan v${version} (step ${report.blocked?.step ?? "?"}); revise the plan`,
    },
    `blocked-${jobId}`,
  );
  const next: WorkflowState = {
    ...state,
    phase: "planning",
    updatedAt: deps.now().toISOString(),
    approved: undefined,
    devSteps: undefined,
    queued,
    note: `The developer stopped at step ${report.blocked?.step ?? "?"} of plan v${version}; the architect is revising the plan, which will need a new \`approved\`.`,
  };
  await deps.store.save(await ensureTrackingComment({ gh, ref, botLogin: deps.botLogin }, next));
  await deps.redis.del(`${deps.prefix}:round:${jobId}`);
}
