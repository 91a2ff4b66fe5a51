import picomatch from "picomatch";
import { z } from "zod";
import type { RepoConfig } from "../../config/repo-config.js";
import type { Decision, OpenFindings } from "../../core/effects.js";
import { LABELS, marker } from "../../core/markers.js";
import {
  commitMessage,
  renderPullRequestBody,
  roundFindingLines,
  withRounds,
} from "../../core/render/developer.js";
import type { AggregatedFinding } from "../../core/review/aggregate.js";
import { type DeveloperReport, DONE_TOOL, doneSchema } from "../../core/schemas/developer.js";
import type { WorkflowState } from "../../core/state.js";
import {
  onDeveloperBlocked,
  onDeveloperProgress,
  onRoundPublished,
  roundBase,
} from "../../core/step-results.js";
import type { StepJob } from "../../core/steps.js";
import type { UsageSnapshot } from "../../core/usage.js";
import { TriadError } from "../../errors.js";
import { github } from "../../github/errors.js";
import { publishRound } from "../../github/publish.js";
import type { PullLike } from "../../github/pulls.js";
import { loadRepoConfig } from "../../github/repo-config.js";
import { runUntilFinished } from "../../models/finish.js";
import { type ToolDefinition, ToolInputError } from "../../models/types.js";
import { Overlay, type OverlayJSON } from "../../repo/overlay.js";
import { readOnlyTools } from "../../repo/read-tools.js";
import { buildRepoMap } from "../../repo/repo-map.js";
import { fetchSnapshot } from "../../repo/snapshot.js";
import { writeTools } from "../../repo/write-tools.js";
import { modelText, quoteUntrusted } from "../../text/sanitize.js";
import { ciFactsForRound } from "../ci-facts.js";
import { decideContext, type ShellDeps, type WorkflowContext } from "../context.js";
import { defaultBranchContract, loadContract } from "../contracts.js";
import { interpret, loadState } from "../interpret.js";
import { loadApprovedPlan } from "../plan-source.js";
import { type StepJobContext, startStep } from "../step.js";
import { snapshotOf, stepModel } from "../usage.js";
import { buildDeveloperPrompt } from "./prompt.js";

const REPO_MAP_TOKENS = 4_000;
/** Real ms between two tracking-comment edits for the developer's ticks. */
const TICK_EDIT_EVERY_MS = 20_000;

/** The decision's state and effects, without re-rendering the tracking comment. */
function quietly(d: Decision): Decision {
  return { ...d, tracking: false };
}
const MAX_TURNS = 80;

/** What a finished model round leaves behind, kept so a crash while publishing never asks the model again. */
interface SavedRound {
  report: DeveloperReport;
  overlay: OverlayJSON;
  baseSha: string;
  baseTree: string;
  usage: UsageSnapshot;
}

/** Where a round's reviewers find the developer's own summary of it (by head sha). */
export function roundSummaryKey(workflow: string, headSha: string): string {
  return `summary-${workflow}-${headSha}`;
}

/**
 * The developer phase (ARCHITECTURE §3, §6): implement the approved plan in an in-memory overlay
 * of one base commit, then publish it as one commit on triad's branch and one pull request. The base
 * is the default branch's head for a plan's first round and the PR's head for fix rounds — the
 * same commit the round is computed on and committed onto. Safe to kill at any point: the model's
 * result is saved before anything is written, and publishing finds what it already made.
 */
export async function runDeveloperRound(deps: ShellDeps, step: StepJob, job: StepJobContext): Promise<void> {
  const started = await startStep(deps, step, job);
  if (!started) return;
  const { w } = started;
  let state = started.state;
  const round = step.round ?? 0;
  const approved = state.approved;
  if (!approved) throw new TriadError("internal", "no approved plan");
  const { plan, url: planUrl } = await loadApprovedPlan(w, state);
  const { config, defaultBranch } = await loadRepoConfig(w.gh, w.repo, { cache: w.deps.repoConfig });
  const open = round > 0 ? await deps.stores.findings.getOpen(w.workflow) : undefined;
  if (round > 0 && (!open || open.round !== round))
    throw new TriadError("internal", `the findings of fix round ${round} are gone`);
  const where = roundBase(state, step);
  const branch = where.branch;
  if (!branch) throw new TriadError("internal", "the workflow has no branch name");
  const baseBranch = where.from === "pr-branch" ? branch : defaultBranch;
  // The issue as the approved plan was made from it; later edits are not used.
  const issue = state.approved?.issue ?? (await readIssue(w));
  const ctx = () => decideContext(w, config);

  let saved = await deps.stores.results.get<SavedRound>(w.jobId);
  const base = saved
    ? { sha: saved.baseSha, tree: saved.baseTree }
    : await github("read the base branch", async () => {
        const { data } = await w.gh.rest.repos.getBranch({
          ...w.repo,
          branch: baseBranch,
        });
        return { sha: data.commit.sha, tree: data.commit.commit.tree.sha };
      });
  const snapshot = await fetchSnapshot(w.gh, { ...w.repo, ref: base.sha }, { cache: deps.snapshots });

  if (!saved) {
    if (round === 0) {
      // The checklist is shown with the first tick or the published round: the approval has just
      // re-rendered the tracking comment, so an edit now would say nothing new.
      const steps = plan.steps.map((s) => ({ title: s.title, done: false }));
      state = (await interpret(w, state, quietly(onDeveloperProgress(state, steps, ctx())))) ?? state;
    }
    const overlay = new Overlay(snapshot);
    const { model, ledger } = await stepModel(w, state, config, "developer", deps.models.developer(config));
    const prompt = buildDeveloperPrompt({
      // A plan's first round runs on the default branch's own snapshot; a fix round reads the contract there.
      contract: (where.from === "default-branch"
        ? loadContract("developer", snapshot)
        : await defaultBranchContract(w.gh, w.repo, "developer", defaultBranch, deps.contracts)
      ).text,
      repo: {
        fullName: `${w.repo.owner}/${w.repo.repo}`,
        branch: baseBranch,
        sha: snapshot.sha,
      },
      repoMap: buildRepoMap(snapshot, { tokenBudget: REPO_MAP_TOKENS, readDeny: config.read_deny }),
      plan,
      planVersion: approved.version,
      issue: { number: state.issue, title: issue.title, body: issue.body, author: state.startedBy },
      ...(open ? { findings: formatFindings(open.findings) } : {}),
    });
    const report = await runUntilFinished({
      model,
      system: prompt.system,
      messages: prompt.messages,
      tools: [
        ...readOnlyTools(overlay, {}, { readDeny: config.read_deny }),
        ...writeTools(overlay, {
          denyPaths: config.deny_paths,
          readDeny: config.read_deny,
          maxFileBytes: config.max_file_bytes,
          base: snapshot,
        }),
        reportStepTool(
          w,
          () => state,
          (next) => {
            state = next;
          },
          config,
        ),
      ],
      finishTool: DONE_TOOL,
      maxTurns: MAX_TURNS,
      log: w.log,
      role: "developer",
      signal: w.signal,
    });
    saved = {
      report,
      overlay: overlay.toJSON(),
      baseSha: base.sha,
      baseTree: base.tree,
      usage: snapshotOf(ledger),
    };
    await deps.stores.results.set(w.jobId, saved);
  }
  saved = { ...saved, report: doneSchema.parse(saved.report) };
  state = (await loadState(w)) ?? state;

  if (saved.report.blocked) {
    await interpret(w, state, onDeveloperBlocked(state, w.jobId, saved.report, saved.usage, ctx()));
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
  // A fix round keeps the PR's description; the PR just read is the one to update (no search).
  const current = round === 0 ? undefined : await currentPull(w, state);
  const prUrl = current?.html_url ?? state.pr?.url;
  const prBody =
    round === 0
      ? renderPullRequestBody(
          plan,
          saved.report,
          {
            issue: state.issue,
            planVersion: approved.version,
            planUrl,
            approvedBy: approved.by,
          },
          modelText,
        )
      : // A fix round keeps the body and rewrites its rounds section: what each round did.
        withRounds(
          current?.body ?? "",
          [
            ...state.roundNotes.filter((n) => n.round !== round),
            {
              round,
              summary: saved.report.summary.trim().split("\n")[0] ?? "",
              files: overlay.changes().map((c) => c.path),
            },
          ].sort((a, b) => a.round - b.round),
          modelText,
          // What the round did about each finding, linked to its thread (no reply in each thread).
          open && prUrl
            ? { round, lines: roundFindingLines(open as OpenFindings, saved.report, prUrl, modelText) }
            : undefined,
        );
  const published = await publishRound(w.gh, {
    repo: w.repo,
    baseBranch: defaultBranch,
    baseSha: saved.baseSha,
    baseTreeSha: saved.baseTree,
    branch,
    rebuild: where.rebuild,
    changes,
    message: commitMessage(issue.title, state.issue, approved.version, round),
    roundId: `issue-${state.issue}-plan-v${approved.version}-round-${round}`,
    modeOf: (path) => snapshot.files.get(path)?.mode,
    pr: {
      title: issue.title,
      body: prBody,
      labels: [LABELS.pr, LABELS.inReview],
      marker: marker("pr", String(state.issue)),
      ...(current ? { known: current } : {}),
    },
    fault: (point) => deps.faults.at(point),
  });
  await deps.stores.results.set(roundSummaryKey(w.workflow, published.commitSha), saved.report.summary);
  const paths = changes.map((c) => c.path);
  await interpret(
    w,
    state,
    onRoundPublished(
      state,
      w.jobId,
      {
        round,
        pr: { number: published.prNumber, url: published.prUrl, branch, headSha: published.commitSha },
        freshCommit: published.created.commit,
        changed: { files: paths, components: componentsOf(paths, config) },
        report: saved.report,
        reviewers: await reviewerCount(w, state, config),
        usage: saved.usage,
        ci: await ciFactsForRound(w, {
          defaultBranch,
          // A plan's first round was built on the default branch's head: its runs are the ones.
          ...(where.from === "default-branch" ? { defaultSha: saved.baseSha } : {}),
          headSha: published.commitSha,
          configured: config.ci_checks,
        }),
      },
      ctx(),
    ),
  );
  w.log.info(
    { pr: published.prNumber, commit: published.commitSha, files: changes.length },
    "developer round published",
  );
}

/** `report_step`: the developer ticks a plan step; the checklist in the tracking comment follows. */
function reportStepTool(
  w: WorkflowContext,
  current: () => WorkflowState,
  update: (s: WorkflowState) => void,
  config: RepoConfig,
): ToolDefinition<{ step: number }> {
  let lastShown = Date.now();
  return {
    name: "report_step",
    description:
      "Tell the maintainers that a plan step is finished; it is ticked in the checklist on the issue.",
    input: z.object({ step: z.number().int().positive() }),
    async run({ step }) {
      const state = current();
      const steps = state.devSteps ?? [];
      if (!steps[step - 1]) throw new ToolInputError(`The plan has steps 1 to ${steps.length}.`);
      const ticked = steps.map((s, i) => (i === step - 1 ? { ...s, done: true } : s));
      // Ticks are coalesced: at most one tracking edit per TICK_EDIT_EVERY_MS; the rest are saved
      // and shown with the next edit (the published round renders them all).
      const now = Date.now();
      const show = now - lastShown >= TICK_EDIT_EVERY_MS;
      if (show) lastShown = now;
      const d = onDeveloperProgress(state, ticked, decideContext(w, config));
      update((await interpret(w, state, show ? d : quietly(d))) ?? state);
      return `Step ${step} ticked.`;
    },
  };
}

/** The component globs of the repository config that the changed paths fall in (the spiral guard). */
function componentsOf(paths: readonly string[], config: RepoConfig): string[] {
  return config.components.filter((glob) => {
    const isMatch = picomatch(glob, { dot: true });
    return paths.some((p) => isMatch(p));
  });
}

async function readIssue(w: WorkflowContext): Promise<{ title: string; body: string }> {
  const { data } = await github("read the issue", () => w.gh.rest.issues.get(w.ref));
  return { title: data.title, body: data.body ?? "" };
}

async function currentPull(w: WorkflowContext, state: WorkflowState): Promise<PullLike | undefined> {
  const pull = state.pr?.number;
  if (pull === undefined) return undefined;
  const { data } = await github("read the pull request", () =>
    w.gh.rest.pulls.get({ ...w.repo, pull_number: pull }),
  );
  return data.state === "open" ? (data as PullLike) : undefined;
}

/**
 * One reviewer by default; two when the config says so or the issue carries the important label —
 * as the state knows it (read at the start, kept by label events); read from the issue only for a
 * state from before it was kept.
 */
async function reviewerCount(w: WorkflowContext, state: WorkflowState, config: RepoConfig): Promise<number> {
  const important =
    state.important ??
    (
      await github("read the issue's labels", () =>
        w.gh.rest.issues.listLabelsOnIssue({ ...w.ref, per_page: 100 }),
      )
    ).data.some((l) => l.name === config.important_label);
  return important ? 2 : config.reviewers;
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
