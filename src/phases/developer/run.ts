import { z } from "zod";
import { TriadError } from "../../errors.js";
import type { GitHubClient, IssueRef } from "../../github/client.js";
import { ensureComment, findOwnMarked, listComments } from "../../github/comments.js";
import { github } from "../../github/errors.js";
import { publishRound } from "../../github/publish.js";
import { loadRepoConfig } from "../../github/repo-config.js";
import { type ToolDefinition, ToolInputError } from "../../models/types.js";
import { ledgerBudget, meteredModel, UsageLedger } from "../../models/usage.js";
import { enqueueStep } from "../../queue/queues.js";
import type { StepJob } from "../../queue/steps.js";
import { Overlay, type OverlayJSON } from "../../repo/overlay.js";
import { readOnlyTools } from "../../repo/read-tools.js";
import { buildRepoMap } from "../../repo/repo-map.js";
import { fetchSnapshot } from "../../repo/snapshot.js";
import { writeTools } from "../../repo/write-tools.js";
import { marker } from "../../workflow/markers.js";
import { ensureTrackingComment } from "../../workflow/run-effects.js";
import type { WorkflowState } from "../../workflow/state.js";
import { loadContract } from "../contracts.js";
import { loadApprovedPlan } from "../plan-source.js";
import type { PhaseDeps } from "../deps.js";
import { runUntilFinished } from "../finish.js";
import { buildDeveloperPrompt } from "./prompt.js";
import { branchName, commitMessage, renderBlocked, renderPullRequestBody } from "./render.js";
import { type DeveloperReport, DONE_TOOL, doneSchema } from "./schema.js";

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
  const log = deps.log.child({ workflow: `${ref.owner}/${ref.repo}#${ref.issue_number}`, step: jobId });
  let state = await deps.store.load(gh, ref, deps.botLogin);
  const approved = state?.approved;
  if (
    !state ||
    !approved ||
    state.runId !== job.runId ||
    state.phase !== "implementing" ||
    approved.version !== job.planVersion
  ) {
    log.info({ phase: state?.phase }, "developer step no longer wanted; skipped");
    return;
  }

  // The frozen plan: the approved comment, unchanged since approval.
  const { plan, url: planUrl } = await loadApprovedPlan(gh, repo, state);

  const { config, defaultBranch } = await loadRepoConfig(gh, repo);
  const { data: issue } = await github("read the issue", () => gh.rest.issues.get(ref));
  const roundKey = `${deps.prefix}:round:${jobId}`;
  let saved = await loadRound(deps, roundKey);
  // The base: the default branch's head now, or the commit a saved round was made on.
  const base = saved
    ? { sha: saved.baseSha, tree: saved.baseTree }
    : await github("read the default branch", async () => {
        const { data } = await gh.rest.repos.getBranch({ ...repo, branch: defaultBranch });
        return { sha: data.commit.sha, tree: data.commit.commit.tree.sha };
      });
  const snapshot = await fetchSnapshot(gh, { ...repo, ref: base.sha }, { cache: deps.snapshots });

  if (!saved) {
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
      repo: { fullName: `${ref.owner}/${ref.repo}`, branch: defaultBranch, sha: snapshot.sha },
      repoMap: buildRepoMap(snapshot, { tokenBudget: REPO_MAP_TOKENS }),
      plan,
      planVersion: approved.version,
      issue: {
        number: issue.number,
        title: issue.title,
        body: issue.body ?? "",
        author: issue.user?.login ?? "ghost",
      },
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
      "the developer finished without changing any file; nothing to open a pull request for",
    );
  }
  const branch = state.pr?.branch ?? branchName(issue.number, issue.title);
  const published = await publishRound(gh, {
    repo,
    baseBranch: defaultBranch,
    baseSha: saved.baseSha,
    baseTreeSha: saved.baseTree,
    branch,
    changes,
    message: commitMessage(issue.title, issue.number, approved.version, state.fixRound),
    roundId: `issue-${issue.number}-plan-v${approved.version}-round-${state.fixRound}`,
    modeOf: (path) => snapshot.files.get(path)?.mode,
    pr: {
      title: issue.title,
      body: renderPullRequestBody(plan, saved.report, {
        issue: issue.number,
        planVersion: approved.version,
        planUrl,
        approvedBy: approved.by,
      }),
      labels: ["triad", "triad:in-review"],
      marker: marker("pr", String(issue.number)),
    },
  });
  const ticked = (state.devSteps ?? []).map((s, i) => ({
    ...s,
    done: s.done || saved.report.plan_steps.some((p) => p.step === i + 1 && p.status === "done"),
  }));
  const next: WorkflowState = {
    ...state,
    phase: "reviewing",
    updatedAt: deps.now().toISOString(),
    devSteps: ticked,
    pr: { number: published.prNumber, url: published.prUrl, branch, headSha: published.commitSha },
    queued: undefined,
    failed: undefined,
  };
  await deps.store.save(await ensureTrackingComment({ gh, ref, botLogin: deps.botLogin }, next));
  await deps.redis.del(roundKey);
  log.info(
    { pr: published.prNumber, commit: published.commitSha, files: changes.length },
    "developer round published",
  );
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
