import { contentHash, extractData, marker } from "../../core/markers.js";
import { renderPlan, renderQuestions } from "../../core/render/architect.js";
import { SUBMIT_TOOL } from "../../core/schemas/architect.js";
import type { WorkflowState } from "../../core/state.js";
import type { StepJob } from "../../core/steps.js";
import type { IssueRef } from "../../github/client.js";
import { ensureComment, findOwnMarked, listComments } from "../../github/comments.js";
import { github } from "../../github/errors.js";
import { permissionCache } from "../../github/permissions.js";
import { loadRepoConfig } from "../../github/repo-config.js";
import { runUntilFinished } from "../../models/finish.js";
import { ledgerBudget, meteredModel, UsageLedger } from "../../models/usage.js";
import { readOnlyTools } from "../../repo/read-tools.js";
import { buildRepoMap } from "../../repo/repo-map.js";
import { fetchSnapshot } from "../../repo/snapshot.js";
import type { PhaseDeps } from "../context.js";
import { loadContract } from "../contracts.js";
import { ensureTrackingComment } from "../interpret.js";
import { buildThread } from "../thread.js";
import { buildArchitectPrompt } from "./prompt.js";

const REPO_MAP_TOKENS = 6_000;
const MAX_TURNS = 40;

/**
 * One architect turn (ARCHITECTURE §3): read the repository and the thread, then post questions or
 * a plan. Safe to run again at any point: the comment it posts carries the job's marker, so a
 * retried job that already posted only brings the state up to date — the model is not asked twice.
 */
export async function runArchitectStep(deps: PhaseDeps, job: StepJob, jobId: string): Promise<void> {
  const gh = await deps.github(job.installationId);
  const ref: IssueRef = { owner: job.repo.owner, repo: job.repo.name, issue_number: job.issue };
  const repo = { owner: ref.owner, repo: ref.repo };
  const log = deps.log.child({ workflow: `${ref.owner}/${ref.repo}#${ref.issue_number}`, step: jobId });
  const comments = await listComments(gh, ref);
  const state = await deps.store.load(gh, ref, deps.botLogin, comments);
  if (
    !state ||
    state.runId !== job.runId ||
    (state.phase !== "planning" && state.phase !== "awaiting-approval")
  ) {
    log.info({ phase: state?.phase }, "architect step no longer wanted; skipped");
    return;
  }
  const turnMarker = marker("architect", jobId);
  const already = findOwnMarked(comments, turnMarker, deps.botLogin);
  if (already) {
    // A retry after the comment was posted: bring the state up to date from the comment itself.
    await finish(deps, gh, ref, state, outcomeOf(already.id, already.body ?? ""));
    return;
  }

  const { config, defaultBranch } = await loadRepoConfig(gh, repo);
  const { data: issue } = await github("read the issue", () => gh.rest.issues.get(ref));
  const thread = await buildThread({
    issue: {
      number: issue.number,
      title: issue.title,
      body: issue.body ?? "",
      author: issue.user?.login ?? "ghost",
    },
    comments,
    botLogin: deps.botLogin,
    commenters: config.commenters,
    permissionOf: permissionCache(gh, repo),
  });
  const newest = Math.max(
    state.seenCommentId,
    ...thread.entries.filter((e) => e.kind === "human").map((e) => e.id),
  );
  if (job.reason.startsWith("read @") && newest <= state.seenCommentId) {
    log.info("an earlier turn already read this comment; skipped");
    await clearQueued(deps, gh, ref, state, jobId);
    return;
  }

  const snapshot = await fetchSnapshot(gh, { ...repo, ref: defaultBranch }, { cache: deps.snapshots });
  const contract = loadContract("architect", snapshot);
  const prompt = buildArchitectPrompt({
    contract: contract.text,
    repo: { fullName: `${ref.owner}/${ref.repo}`, defaultBranch, sha: snapshot.sha },
    repoMap: buildRepoMap(snapshot, { tokenBudget: REPO_MAP_TOKENS }),
    thread,
    seenCommentId: state.seenCommentId,
    latestPlanVersion: state.plan?.version ?? 0,
    reason: job.reason,
  });
  const ledger = UsageLedger.fromJSON(state.usage);
  const result = await runUntilFinished({
    model: meteredModel(deps.models.architect(config), ledger, "architect"),
    system: prompt.system,
    messages: prompt.messages,
    tools: readOnlyTools(snapshot),
    finishTool: SUBMIT_TOOL,
    maxTurns: MAX_TURNS,
    budget: ledgerBudget(ledger, {
      maxTokens: config.budgets.max_tokens,
      maxCostUsd: config.budgets.max_cost_usd,
    }),
    log,
    role: "architect",
  });

  const withUsage: WorkflowState = { ...state, usage: ledger.toJSON(), seenCommentId: newest };
  const version = (state.plan?.version ?? 0) + 1;
  const body = result.plan
    ? renderPlan(result.plan, version, jobId, config.approval_words[0] ?? "approved")
    : renderQuestions(result.questions ?? [], jobId);
  const posted = await ensureComment(gh, ref, {
    marker: turnMarker,
    body,
    botLogin: deps.botLogin,
    comments,
  });
  await finish(deps, gh, ref, withUsage, outcomeOf(posted.id, posted.body ?? body));
  log.info({ output: result.plan ? `plan v${version}` : "questions" }, "architect turn done");
}

interface Outcome {
  commentId: number;
  plan?: { version: number; hash: string };
}

/** What a posted architect comment amounts to: a plan (version, frozen hash) or questions. */
function outcomeOf(commentId: number, body: string): Outcome {
  const data = extractData(body, "plan") as { version?: number } | undefined;
  if (typeof data?.version === "number")
    return { commentId, plan: { version: data.version, hash: contentHash(body) } };
  return { commentId };
}

type Client = Awaited<ReturnType<PhaseDeps["github"]>>;

async function finish(
  deps: PhaseDeps,
  gh: Client,
  ref: IssueRef,
  state: WorkflowState,
  outcome: Outcome,
): Promise<void> {
  const next: WorkflowState = {
    ...state,
    phase: outcome.plan ? "awaiting-approval" : "planning",
    updatedAt: deps.now().toISOString(),
    architectTurns: state.architectTurns + 1,
    queued: undefined,
    failed: undefined,
    ...(outcome.plan
      ? {
          plan: { version: outcome.plan.version, commentId: outcome.commentId, hash: outcome.plan.hash },
          planVersion: outcome.plan.version,
        }
      : {}),
  };
  const saved = await ensureTrackingComment({ gh, ref, botLogin: deps.botLogin }, next);
  await deps.store.save(saved);
}

async function clearQueued(
  deps: PhaseDeps,
  gh: Client,
  ref: IssueRef,
  state: WorkflowState,
  jobId: string,
): Promise<void> {
  if (state.queued?.jobId !== jobId) return;
  const saved = await ensureTrackingComment(
    { gh, ref, botLogin: deps.botLogin },
    { ...state, queued: undefined },
  );
  await deps.store.save(saved);
}
