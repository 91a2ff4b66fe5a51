import { SUBMIT_TOOL } from "../../core/schemas/architect.js";
import { type ArchitectTurnResult, onArchitectTurn } from "../../core/step-results.js";
import type { StepJob } from "../../core/steps.js";
import { listComments } from "../../github/comments.js";
import { github } from "../../github/errors.js";
import { collaboratorCache, recentPermissionCache } from "../../github/permissions.js";
import { loadRepoConfig } from "../../github/repo-config.js";
import { runUntilFinished } from "../../models/finish.js";
import { readOnlyTools } from "../../repo/read-tools.js";
import { buildRepoMap } from "../../repo/repo-map.js";
import { fetchSnapshot } from "../../repo/snapshot.js";
import { decideContext, type ShellDeps } from "../context.js";
import { loadContract } from "../contracts.js";
import { interpret } from "../interpret.js";
import { type StepJobContext, startStep } from "../step.js";
import { buildThread } from "../thread.js";
import { snapshotOf, stepModel } from "../usage.js";
import { withPlanCheck } from "./plan-check.js";
import { latestPlan, planFacts } from "./plan-facts.js";
import { buildArchitectPrompt } from "./prompt.js";

const REPO_MAP_TOKENS = 6_000;
const MAX_TURNS = 40;

/**
 * One architect turn (ARCHITECTURE §3): read the repository and the thread, then post questions or
 * a plan. The model's result is saved before anything is posted, so a retried step posts it without
 * asking the model again; the decision (core `onArchitectTurn`) says what the turn means.
 */
export async function runArchitectTurn(deps: ShellDeps, step: StepJob, job: StepJobContext): Promise<void> {
  const started = await startStep(deps, step, job);
  if (!started) return;
  const { w, state } = started;
  const { config, defaultBranch } = await loadRepoConfig(w.gh, w.repo, { cache: w.deps.repoConfig });
  let result = await deps.stores.results.get<ArchitectTurnResult>(w.jobId);
  if (!result) {
    const comments = await listComments(w.gh, w.ref);
    w.memo.comments = comments; // the turn's own comment is looked for in it (interpret)
    const { data: issue } = await github("read the issue", () => w.gh.rest.issues.get(w.ref));
    const permissionOf = recentPermissionCache(w.gh, w.repo, deps.recentPermissions);
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
      permissionOf,
      // Only which comments the architect sees: the role read a moment ago (the comment's own step
      // read it fresh) answers the collaborator question for a maintainer; others are asked.
      collaboratorOf: collaboratorCache(w.gh, w.repo, permissionOf),
    });
    const newest = Math.max(
      state.seenCommentId,
      ...thread.entries.filter((e) => e.kind === "human").map((e) => e.id),
    );
    const snapshot = await fetchSnapshot(w.gh, { ...w.repo, ref: defaultBranch }, { cache: deps.snapshots });
    const prompt = buildArchitectPrompt({
      contract: loadContract("architect", snapshot).text,
      repo: { fullName: `${w.repo.owner}/${w.repo.repo}`, defaultBranch, sha: snapshot.sha },
      repoMap: buildRepoMap(snapshot, { tokenBudget: REPO_MAP_TOKENS, readDeny: config.read_deny }),
      thread,
      seenCommentId: state.seenCommentId,
      latestPlanVersion: state.plan?.version ?? 0,
      reason: step.reason,
    });
    const { model, ledger } = await stepModel(w, state, config, "architect", deps.models.architect(config));
    const output = await runUntilFinished({
      model,
      system: prompt.system,
      messages: prompt.messages,
      tools: readOnlyTools(snapshot, {}, { readDeny: config.read_deny }),
      finishTool: withPlanCheck(SUBMIT_TOOL, config, (o) => o.plan),
      maxTurns: MAX_TURNS,
      log: w.log,
      role: "architect",
      signal: w.signal,
    });
    const labels = issue.labels.map((l) => (typeof l === "string" ? l : (l.name ?? "")));
    const previous = latestPlan(state, comments);
    result = {
      output,
      seenCommentId: newest,
      usage: snapshotOf(ledger),
      issue: { title: issue.title, body: issue.body ?? "" },
      ...(output.plan
        ? { planFacts: planFacts(deps, config, { snapshot, labels, ...(previous ? { previous } : {}) }) }
        : {}),
    };
    await deps.stores.results.set(w.jobId, result);
  }
  await interpret(w, state, onArchitectTurn(state, w.jobId, result, decideContext(w, config)));
  w.log.info({ output: result.output.plan ? "plan" : "questions" }, "architect turn done");
}
