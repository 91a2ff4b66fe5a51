import type { RepoConfig } from "../../config/repo-config.js";
import type { AggregatedFinding } from "../../core/review/aggregate.js";
import type { ReviewDecision } from "../../core/review/decide.js";
import type { WorkflowState } from "../../core/state.js";
import type { StepJob } from "../../core/steps.js";
import { ensureCheckRun } from "../../github/checks.js";
import type { GitHubClient, IssueRef } from "../../github/client.js";
import { removeLabel } from "../../github/comments.js";
import { ensureLabels } from "../../github/pulls.js";
import { enqueueStep } from "../../queue/queues.js";
import type { PhaseDeps } from "../context.js";
import { ensureTrackingComment } from "../interpret.js";
import { REVIEW_CHECK } from "./flow.js";

/** Findings handed to the next step (a fix round or a ruling), kept in Redis: they can be large. */
export interface OpenFindings {
  round: number;
  headSha: string;
  findings: AggregatedFinding[];
  /** Agreed findings that go to the fix round whatever the architect rules (escalations only). */
  agreed: AggregatedFinding[];
  /** Finding key → inline review comment id, for replies in the threads. */
  comments: Record<string, number>;
}

export function findingsKey(prefix: string, repo: string, issue: number): string {
  return `${prefix}:findings:${repo}#${issue}`;
}

export async function saveOpenFindings(
  deps: PhaseDeps,
  state: WorkflowState,
  open: OpenFindings,
): Promise<void> {
  await deps.redis.set(
    findingsKey(deps.prefix, state.repo, state.issue),
    JSON.stringify(open),
    "EX",
    30 * 24 * 3600,
  );
}

export async function loadOpenFindings(
  deps: PhaseDeps,
  state: WorkflowState,
): Promise<OpenFindings | undefined> {
  const raw = await deps.redis.get(findingsKey(deps.prefix, state.repo, state.issue));
  return raw ? (JSON.parse(raw) as OpenFindings) : undefined;
}

export interface OutcomeContext {
  deps: PhaseDeps;
  gh: GitHubClient;
  ref: IssueRef;
  config: RepoConfig;
  state: WorkflowState;
  step: Omit<StepJob, "kind" | "reason">;
  headSha: string;
  comments: Record<string, number>;
}

/** The context a review decision is carried out in, for the workflow's pull request at `headSha`. */
export function outcomeContext(o: {
  deps: PhaseDeps;
  gh: GitHubClient;
  ref: IssueRef;
  config: RepoConfig;
  state: WorkflowState;
  installationId: number;
  headSha: string;
  comments?: Record<string, number>;
}): OutcomeContext {
  return {
    deps: o.deps,
    gh: o.gh,
    ref: o.ref,
    config: o.config,
    state: o.state,
    headSha: o.headSha,
    comments: o.comments ?? {},
    step: {
      installationId: o.installationId,
      repo: { owner: o.ref.owner, name: o.ref.repo },
      issue: o.ref.issue_number,
      runId: o.state.runId,
      ...(o.state.pr ? { prNumber: o.state.pr.number } : {}),
      headSha: o.headSha,
    },
  };
}

const sev = (f: AggregatedFinding) => `**${f.severity}**`;
const listFindings = (fs: readonly AggregatedFinding[]) =>
  fs
    .map(
      (f) =>
        `- ${sev(f)} ${f.path ? `\`${f.path}${f.line ? `:${f.line}` : ""}\`` : "the pull request"}: ${f.message.split("\n")[0]} (${f.raisedBy.join(", ")})`,
    )
    .join("\n");

/**
 * Carry out a review decision (ARCHITECTURE §5): labels, the `triad/review` check run, the tracking
 * comment, and the next step (a fix round, an architect ruling or trace). One place, used after the
 * reviews, after a ruling and after a maintainer overrules a finding.
 */
export async function applyReviewDecision(
  o: OutcomeContext,
  decision: ReviewDecision,
): Promise<WorkflowState> {
  const { deps, gh, ref, state, headSha } = o;
  const repo = { owner: ref.owner, repo: ref.repo };
  const pull = state.pr?.number as number;
  const now = deps.now().toISOString();
  const overruled = [...decision.dropped.ignored].map((f) => f.key);
  let next: WorkflowState = {
    ...state,
    updatedAt: now,
    reviewedSha: headSha,
    queued: undefined,
    failed: undefined,
  };
  const check = (conclusion: "success" | "neutral" | "failure", title: string, summary: string) =>
    ensureCheckRun(gh, repo, {
      name: REVIEW_CHECK,
      headSha,
      state: { status: "completed", conclusion },
      title,
      summary,
    });

  switch (decision.kind) {
    case "ready": {
      await ensureLabels(gh, repo, pull, ["triad:ready"]);
      await removeLabel(gh, { ...repo, issue_number: pull }, "triad:in-review");
      const left =
        decision.remaining.length > 0
          ? `\n\nMinor findings left for the maintainer:\n${listFindings(decision.remaining)}`
          : "";
      await check(
        "success",
        "Ready to merge",
        `No blocker or major finding is open.${overruled.length ? ` ${overruled.length} overruled by a maintainer.` : ""}${left}`,
      );
      next = {
        ...next,
        phase: "ready",
        note: undefined,
        phaseTimes: { ...next.phaseTimes, ready: next.phaseTimes.ready ?? now },
      };
      break;
    }
    case "fix":
      next = await queueFixRound(o, next, decision.findings, []);
      await check(
        "neutral",
        `Fix round ${next.fixRound}`,
        `The developer is fixing ${decision.findings.length} finding(s):\n${listFindings(decision.findings)}`,
      );
      break;
    case "escalate": {
      await saveOpenFindings(deps, next, {
        round: next.fixRound,
        headSha,
        findings: decision.findings,
        agreed: decision.agreed,
        comments: o.comments,
      });
      const queued = await enqueueStep(
        deps.queues,
        {
          ...o.step,
          kind: "architect",
          mode: "ruling",
          reason: `rule on ${decision.findings.length} disputed finding(s)`,
        },
        `ruling-${headSha}`,
      );
      await check(
        "neutral",
        "Architect ruling",
        `The reviewers disagree or question the plan; the architect rules on:\n${listFindings(decision.findings)}`,
      );
      next = {
        ...next,
        phase: "fixing",
        queued,
        note: `The architect is ruling on ${decision.findings.length} disputed finding(s).`,
      };
      break;
    }
    case "needs-human": {
      await ensureLabels(gh, repo, pull, ["triad:needs-human"]);
      await removeLabel(gh, { ...repo, issue_number: pull }, "triad:in-review");
      await check("failure", "Needs a human", decision.summary);
      next = {
        ...next,
        phase: "needs-human",
        note: `**Needs a human** after ${state.fixRound} fix round(s):\n\n${decision.summary}`,
      };
      break;
    }
    case "spiral": {
      await saveOpenFindings(deps, next, {
        round: next.fixRound,
        headSha,
        findings: decision.findings,
        agreed: [],
        comments: o.comments,
      });
      const what = [...decision.files, ...decision.components].map((f) => `\`${f}\``).join(", ");
      const queued = await enqueueStep(
        deps.queues,
        {
          ...o.step,
          kind: "architect",
          mode: "spiral",
          reason: `trace the repeated fixes of ${what} back to the plan`,
        },
        `spiral-${headSha}`,
      );
      await check(
        "failure",
        "Stopped: the same code keeps changing",
        `${what} changed in three fix rounds in a row; the architect is tracing it back to the plan, and a revised plan will need a new approval.`,
      );
      next = {
        ...next,
        phase: "planning",
        queued,
        note: `Fixing stopped: ${what} changed in three consecutive fix rounds. The architect is tracing the failures back to the plan; the revised plan needs a new \`approved\`.`,
      };
      break;
    }
  }
  const saved = await ensureTrackingComment({ gh, ref, botLogin: deps.botLogin }, next);
  await deps.store.save(saved);
  return saved;
}

/** Queue the developer's next fix round with these findings (and keep them for it in Redis). */
export async function queueFixRound(
  o: OutcomeContext,
  state: WorkflowState,
  findings: AggregatedFinding[],
  extraNote: string[],
): Promise<WorkflowState> {
  const round = state.fixRound + 1;
  await saveOpenFindings(o.deps, state, {
    round,
    headSha: o.headSha,
    findings,
    agreed: [],
    comments: o.comments,
  });
  const queued = await enqueueStep(
    o.deps.queues,
    { ...o.step, kind: "develop", round, reason: `fix round ${round}` },
    `fix-${round}-${o.headSha}`,
  );
  return {
    ...state,
    phase: "fixing",
    fixRound: round,
    queued,
    note: [`Fix round ${round}: ${findings.length} finding(s) to fix.`, ...extraNote].join("\n"),
    phaseTimes: { ...state.phaseTimes, fixing: o.deps.now().toISOString() },
  };
}
