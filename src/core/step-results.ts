import { type CiFacts, gateReview } from "./ci-gate.js";
import type { DecideContext } from "./context.js";
import { type Decision, decided, type Effect, ignore, type OpenFindings } from "./effects.js";
import { architectStep } from "./issue-events.js";
import { contentHash, marker } from "./markers.js";
import { mentionsOf } from "./mentions.js";
import { type PlanFacts, planExtras, supersedeEffects } from "./plan-extras.js";
import { renderPlan, renderQuestions } from "./render/architect.js";
import { renderBlocked } from "./render/developer.js";
import { CHECK_SUMMARY_MAX, clip } from "./render/limits.js";
import { renderRuling } from "./render/ruling.js";
import { type AggregatedFinding, aggregateFindings } from "./review/aggregate.js";
import { confirmationSummary } from "./review/confirmation.js";
import { coverageAfterRound } from "./review/coverage.js";
import type { FindingSet } from "./review/finding.js";
import { afterFindings, labelsFor } from "./review/outcome.js";
import { type RoundOutcome, withRoundOutcomes } from "./review/precision.js";
import type { ArchitectOutput, Plan } from "./schemas/architect.js";
import type { DeveloperReport } from "./schemas/developer.js";
import { type Ruling, rulingLabel, type Trace } from "./schemas/ruling.js";
import type { RoundChanges } from "./spiral.js";
import { type StepRef, stepBase, type WorkflowState } from "./state.js";
import { type StepJob, stepJobId, stepLabel } from "./steps.js";
import { mergeUsage, type UsageSnapshot } from "./usage.js";

/**
 * What a finished step does to the workflow (ARCHITECTURE §2): an architect turn, a developer round
 * (published, or blocked on the plan), the reviews aggregated, a ruling, a trace, a step that failed
 * for good. The step runner gathers the facts and the model's result; these decide.
 */

/** Why a step that comes off the queue should not run, or undefined when it is still wanted. */
export function whyNotWanted(state: WorkflowState | undefined, step: StepJob): string | undefined {
  if (!state) return "no workflow state";
  if (state.runId !== step.runId) return "a step of an earlier run";
  switch (step.kind) {
    case "architect":
      if (step.mode === "ruling")
        return state.phase === "fixing" && state.pr ? undefined : `the workflow is ${state.phase}`;
      if (step.mode === "spiral")
        return state.phase === "planning" && state.pr ? undefined : `the workflow is ${state.phase}`;
      if (state.phase !== "planning" && state.phase !== "awaiting-approval")
        return `the workflow is ${state.phase}`;
      if (step.commentId !== undefined && step.commentId <= state.seenCommentId)
        return "an earlier turn already read the comment";
      return undefined;
    case "develop": {
      const round = step.round ?? 0;
      if (!state.approved) return "no approved plan";
      if (round === 0)
        return state.phase === "implementing" && state.approved.version === step.planVersion
          ? undefined
          : `the workflow is ${state.phase} with plan v${state.approved.version} approved`;
      return state.phase === "fixing" && state.fixRound === round && state.pr
        ? undefined
        : `fix round ${round} is no longer the round to run`;
    }
    case "review":
      return state.phase === "reviewing" && state.pr?.headSha === step.headSha
        ? undefined
        : "reviews of a superseded head";
    case "review_one":
      return state.pr ? undefined : "no pull request";
  }
}

/**
 * Where a developer round starts and lands (ARCHITECTURE §6): a plan's first round is computed on the
 * default branch's head and committed as a rebuild — the branch's tree becomes that snapshot plus the
 * round's changes, so nothing of an earlier plan's rounds survives — while a fix round is computed on
 * the PR's head and committed on top of it. The base the round is computed on is the base it lands on.
 */
export interface RoundBase {
  /** The branch whose head the round is computed on. */
  from: "default-branch" | "pr-branch";
  /** The round replaces the branch's contents (a plan's first implementation). */
  rebuild: boolean;
  /** triad's branch, where the round is committed. */
  branch: string | undefined;
}

export function roundBase(state: WorkflowState, step: StepJob): RoundBase {
  const first = (step.round ?? 0) === 0;
  return {
    from: first ? "default-branch" : "pr-branch",
    rebuild: first,
    branch: state.pr?.branch ?? state.branch,
  };
}

/** A step that is not wanted any more: it stops being shown as queued. */
export function onStepSkipped(state: WorkflowState, jobId: string, now: string): Decision {
  if (state.queued?.jobId !== jobId) return ignore(state, "skipped a step that was not the queued one");
  return decided({ ...state, queued: undefined, waiting: undefined, updatedAt: now }, []);
}

/**
 * The queued step waits for the installation's turn (GitHub's limits are per installation): the
 * tracking comment says how many workflows are ahead — when it starts waiting (usually with the
 * decision that queued the step, src/shell/admission.ts), then again once a long wait (8 or more
 * ahead) has fallen to a quarter, so a long wait costs an edit or two, not one per workflow that goes
 * first (each edit is a request of the installation's budget too).
 */
export function onWaitingTurn(state: WorkflowState, ahead: number, now: string): Decision {
  const shown = state.waiting?.ahead;
  if (shown !== undefined && ahead <= shown && (shown < 8 || ahead > Math.floor(shown / 4)))
    return ignore(state, `still ${ahead} ahead (shown: ${shown})`);
  return decided({ ...state, waiting: { ahead }, updatedAt: now }, []);
}

/**
 * The queued step's turn came: it no longer waits. Saved without an edit of its own — the step's
 * result re-renders the tracking comment, which then no longer says it waits.
 */
export function onTurn(state: WorkflowState, now: string): Decision {
  if (!state.waiting) return ignore(state, "was not waiting");
  return decided({ ...state, waiting: undefined, updatedAt: now }, [], false);
}

/** The queued step stays queued unless it is the one that just finished. */
function clearQueued(state: WorkflowState, jobId: string): StepRef | undefined {
  return state.queued?.jobId === jobId ? undefined : state.queued;
}

export interface ArchitectTurnResult {
  output: ArchitectOutput;
  /** The issue's title and body as the turn read them (frozen with a plan). */
  issue?: { title: string; body: string };
  /** The newest human comment the turn read. */
  seenCommentId: number;
  usage: UsageSnapshot | undefined;
  /** For a plan: its estimate's inputs and the plan it revises. */
  planFacts?: PlanFacts;
}

/** The architect posted questions or a plan (a new version, which waits for `approved`). */
export function onArchitectTurn(
  state: WorkflowState,
  jobId: string,
  result: ArchitectTurnResult,
  ctx: DecideContext,
): Decision {
  const seen = Math.max(state.seenCommentId, result.seenCommentId);
  const queued = clearQueued(state, jobId);
  // A newer comment the turn did not read is waiting: the architect is not done.
  const more = queued !== undefined && (queued.step.commentId === undefined || queued.step.commentId > seen);
  const base: WorkflowState = {
    ...state,
    updatedAt: ctx.now,
    usage: result.usage,
    seenCommentId: seen,
    architectTurns: state.architectTurns + 1,
    queued,
    failed: undefined,
  };
  const forget: Effect = { type: "forget_result", jobId };
  const plan = result.output.plan;
  if (!plan) {
    const body = renderQuestions(result.output.questions ?? [], jobId, ctx.text, mentionsOf(state));
    return decided({ ...base, phase: "planning" }, [
      { type: "comment", marker: marker("architect", jobId), body, learn: "questions" },
      forget,
    ]);
  }
  const issue = result.issue
    ? { ...result.issue, hash: contentHash(`${result.issue.title}\n\n${result.issue.body}`) }
    : undefined;
  const d = postPlan(
    { ...base, phase: more ? "planning" : "awaiting-approval" },
    plan,
    jobId,
    ctx,
    [forget],
    result.planFacts,
  );
  return d.state?.plan && issue
    ? { ...d, state: { ...d.state, plan: { ...d.state.plan, issue }, issueEditedSincePlan: false } }
    : d;
}

/** A new plan version: posted, its comment and hash learned by the interpreter, waiting for approval. */
function postPlan(
  state: WorkflowState,
  plan: Plan,
  turnId: string,
  ctx: DecideContext,
  extra: Effect[],
  facts?: PlanFacts,
): Decision {
  const version = (state.plan?.version ?? 0) + 1;
  const body = renderPlan(
    plan,
    version,
    turnId,
    ctx.config.approval_words[0] ?? "approved",
    ctx.text,
    mentionsOf(state),
    planExtras(plan, facts),
  );
  return decided(
    // commentId and hash are filled in by the interpreter from the posted comment (learn: "plan"); a
    // revised plan keeps the issue text its predecessor was made from.
    {
      ...state,
      plan: { version, commentId: 0, hash: "", ...(state.plan?.issue ? { issue: state.plan.issue } : {}) },
      planVersion: version,
    },
    [
      { type: "comment", marker: marker("architect", turnId), body, learn: "plan" },
      ...supersedeEffects(state, version),
      ...extra,
    ],
  );
}

/** The developer's checklist: the plan's steps, ticked as it reports them. */
export function onDeveloperProgress(
  state: WorkflowState,
  devSteps: NonNullable<WorkflowState["devSteps"]>,
  ctx: DecideContext,
): Decision {
  return decided({ ...state, devSteps, updatedAt: ctx.now }, []);
}

/** The plan cannot be followed: the developer says why on the issue; the architect revises the plan. */
export function onDeveloperBlocked(
  state: WorkflowState,
  jobId: string,
  report: DeveloperReport,
  usage: UsageSnapshot | undefined,
  ctx: DecideContext,
): Decision {
  const version = state.approved?.version ?? 0;
  const where = report.blocked?.step ?? "?";
  const step = architectStep(
    state,
    `the developer could not follow plan v${version} (step ${where}); revise the plan`,
  );
  const next = stepJobId(step, `blocked-${jobId}`);
  return decided(
    {
      ...state,
      phase: "planning",
      updatedAt: ctx.now,
      usage,
      approved: undefined,
      devSteps: undefined,
      failed: undefined,
      queued: { jobId: next, label: stepLabel(step), step },
      note: `The developer stopped at step ${where} of plan v${version}; the architect is revising the plan, which will need a new \`approved\`.`,
    },
    [
      {
        type: "comment",
        marker: marker("developer", jobId),
        body: renderBlocked(report, version, jobId, ctx.text),
      },
      { type: "enqueue", step, jobId: next },
      { type: "forget_result", jobId },
    ],
  );
}

export interface RoundPublished {
  round: number;
  pr: { number: number; url: string; branch: string; headSha: string };
  /** The commit was made by this run (no check run can be on it yet). */
  freshCommit: boolean;
  /** What the round changed (paths, and the component globs they fall in). */
  changed: RoundChanges;
  report: DeveloperReport;
  /** How many reviewers review this round. */
  reviewers: number;
  usage: UsageSnapshot | undefined;
  /** The repository's own checks to wait for before the review (none: review at once). */
  ci?: CiFacts;
}

/**
 * A developer round is on the branch: start the reviews — after the repository's CI, when it has
 * checks (src/core/ci-gate.ts). What the round did about each finding is in the PR body's rounds
 * section, linked to each finding's thread (`roundFindingLines`), not a reply in every thread.
 */
export function onRoundPublished(
  state: WorkflowState,
  jobId: string,
  r: RoundPublished,
  ctx: DecideContext,
): Decision {
  const headSha = r.pr.headSha;
  const devSteps = (state.devSteps ?? []).map((s, i) => ({
    ...s,
    done: s.done || r.report.plan_steps.some((p) => p.step === i + 1 && p.status === "done"),
  }));
  const review: StepJob = {
    ...stepBase(state),
    kind: "review",
    reason: `review ${headSha.slice(0, 7)}`,
    prNumber: r.pr.number,
    headSha,
    reviewers: r.reviewers,
    ...(r.round > 0 && state.reviewedSha ? { sinceSha: state.reviewedSha } : {}),
  };
  const reviewId = stepJobId(review, headSha);
  const d = decided(
    {
      ...state,
      phase: "reviewing",
      updatedAt: ctx.now,
      usage: r.usage,
      devSteps,
      pr: r.pr,
      roundNotes: [...state.roundNotes.filter((n) => n.round !== r.round), roundNote(r)].slice(-20),
      changes:
        r.round > 0
          ? [...state.changes, { files: [...r.changed.files], components: [...(r.changed.components ?? [])] }]
          : state.changes,
      queued: { jobId: reviewId, label: stepLabel(review), step: review },
      failed: undefined,
      note: undefined,
      phaseTimes: { ...state.phaseTimes, reviewing: ctx.now },
    },
    [
      {
        type: "check",
        headSha,
        state: { status: "in_progress" },
        title: `Reviewing ${headSha.slice(0, 7)}`,
        summary: `${r.reviewers} reviewer${r.reviewers > 1 ? "s" : ""} from other vendors than the developer's are reviewing${review.sinceSha ? ` the changes since ${review.sinceSha.slice(0, 7)}` : ""}.`,
        fresh: r.freshCommit,
      },
      { type: "start_review", step: review, jobId: reviewId },
      { type: "forget_result", jobId },
    ],
  );
  return gateReview(d, r.ci, ctx);
}

/** What a round did, in short, for the PR body and the tracking comment. */
export function roundNote(r: Pick<RoundPublished, "round" | "pr" | "report" | "changed">): {
  round: number;
  sha: string;
  summary: string;
  files: string[];
} {
  const summary = r.report.summary.trim().split("\n")[0] ?? "";
  return {
    round: r.round,
    sha: r.pr.headSha,
    summary: summary.length > 300 ? `${summary.slice(0, 299)}…` : summary,
    files: [...r.changed.files].slice(0, 50),
  };
}

export interface ReviewsIn {
  headSha: string;
  /** Every source's findings, located in the diff: pending human/CI findings first, then the reviewers'. */
  sets: FindingSet[];
  reviewerCount: number;
  /** Overrules read from the threads (👎, `/triad ignore` by write+ users). */
  overrules: WorkflowState["ignored"];
  comments: Record<string, number>;
  /** The reviewers' usage, merged into the workflow's. */
  usage: UsageSnapshot[];
  /** Links to the reviews just posted. */
  reviewUrls: string[];
  /** The round's coverage (best reviewer), from the reviews' receipts; absent for results without one. */
  coverage?: { share: number; incremental: boolean };
  /** Reviewer slot → model family: the cross-vendor marks in the check run's summary. */
  familyOf?: Readonly<Record<string, string>>;
  /** The precision ledger's verdicts this aggregation knows (this round's, the previous round's fixes). */
  outcomes?: readonly RoundOutcome[];
}

/** Every reviewer has posted: aggregate and decide (ready, fix, escalate, needs a human, spiral). */
export function onReviewsAggregated(state: WorkflowState, r: ReviewsIn, ctx: DecideContext): Decision {
  const aggregated = aggregateFindings(r.sets, { reviewerCount: r.reviewerCount });
  const ignored = [
    ...state.ignored,
    ...r.overrules.filter((o) => !state.ignored.some((i) => i.key === o.key)),
  ];
  const stats = { ...state.findingStats };
  for (const f of aggregated) {
    if (state.raisedKeys.includes(f.key)) continue;
    stats[`severity:${f.severity}`] = (stats[`severity:${f.severity}`] ?? 0) + 1;
    for (const who of f.raisedBy) stats[`by:${who}`] = (stats[`by:${who}`] ?? 0) + 1;
  }
  const next: WorkflowState = {
    ...withRoundOutcomes(state, r.outcomes ?? []),
    usage: r.usage.reduce<UsageSnapshot | undefined>((a, b) => mergeUsage(a, b), state.usage),
    ignored,
    links: { ...state.links, reviews: r.reviewUrls },
    raisedKeys: [...new Set([...state.raisedKeys, ...aggregated.flatMap((f) => f.keys)])],
    findingStats: stats,
    notFullyReviewed: coverageAfterRound(
      state.notFullyReviewed,
      r.coverage && { headSha: r.headSha, ...r.coverage },
      ctx.config.review_coverage_threshold,
    ),
  };
  const d = afterFindings(
    next,
    aggregated,
    { headSha: r.headSha, comments: r.comments, earlierFindingKeys: state.raisedKeys },
    ctx,
  );
  const marks = confirmationSummary(aggregated, r.familyOf ?? {}, r.reviewerCount, ctx.text);
  const effects = withMarks(d.effects, r.headSha, marks).map((e) =>
    e.type === "save_findings" && marks ? { ...e, open: { ...e.open, marks } } : e,
  );
  return { ...d, effects: [{ type: "clear_pending" }, ...effects] };
}

/**
 * The round's cross-vendor marks at the end of its `triad/review` summary: the check run is written
 * when the round is decided anyway, and it is where a maintainer reads the round's result — so the
 * marks cost no edit of the reviews. An escalated round keeps them for the ruling's summary.
 */
function withMarks(effects: readonly Effect[], headSha: string, marks: string | undefined): Effect[] {
  return effects.map((e) =>
    e.type === "check" && marks && e.headSha === headSha
      ? { ...e, summary: clip(`${e.summary}\n\n${marks}`, CHECK_SUMMARY_MAX) }
      : e,
  );
}

/**
 * The pull request is larger than GitHub lists (more than 3,000 files): the reviewers cannot see it,
 * so nothing is reviewed and a maintainer decides. The review is recorded as failed (the phase stays
 * `reviewing`), so `/triad retry` reviews again once the pull request is smaller.
 */
export function onTooLargeToReview(
  state: WorkflowState,
  step: StepRef,
  r: { headSha: string; files: number; lines: number },
  ctx: DecideContext,
): Decision {
  const why = `It changes ${r.files} files (${r.lines} lines); GitHub lists at most 3,000 files of a pull request, so the reviewers cannot see all of it.`;
  const todo =
    "A maintainer can review and merge it by hand, or make it smaller — split the work, or take generated and vendored files off the branch — and comment `/triad retry`.";
  return decided(
    {
      ...state,
      updatedAt: ctx.now,
      queued: clearQueued(state, step.jobId),
      failed: { ...step, error: "too large to review" },
      note: `**Too large to review.** ${why} ${todo}`,
    },
    [
      {
        type: "comment",
        marker: marker("error", `too-large-${r.headSha}`),
        body: `⚠️ **triad cannot review this pull request.** ${why}

${todo}`,
      },
      labelsFor(state, "needs-human"),
      {
        type: "check",
        headSha: r.headSha,
        state: { status: "completed", conclusion: "action_required" },
        title: "Too large to review",
        summary: `${why}

${todo}`,
      },
    ],
  );
}

/**
 * The architect ruled on disputed findings: a revised plan waits for approval; otherwise the agreed
 * and accepted findings go through the same ready / spiral / cap / fix order as any review.
 */
export function onRuling(
  state: WorkflowState,
  jobId: string,
  ruling: Ruling,
  open: OpenFindings,
  usage: UsageSnapshot | undefined,
  ctx: DecideContext,
  facts?: PlanFacts,
): Decision {
  const base: WorkflowState = { ...state, usage, updatedAt: ctx.now, queued: clearQueued(state, jobId) };
  const comment: Effect = {
    type: "comment",
    marker: marker("architect", jobId),
    body: renderRuling("ruling", ruling, open.findings, jobId, ctx.text),
    learn: "ruling",
  };
  const forget: Effect = { type: "forget_result", jobId };
  if (ruling.revised_plan) {
    const d = postPlan(
      { ...base, phase: "awaiting-approval", note: undefined },
      ruling.revised_plan,
      `${jobId}-plan`,
      ctx,
      [forget],
      facts,
    );
    const version = d.state?.plan?.version ?? 0;
    return {
      ...d,
      state: d.state && {
        ...d.state,
        note: `The architect's ruling changes the plan. Plan v${version} needs a new \`approved\`.`,
      },
      effects: [comment, ...d.effects],
    };
  }
  const accepted = open.findings.filter((_, i) =>
    ruling.rulings.some((r) => r.finding === rulingLabel(i) && r.decision === "accept"),
  );
  const toFix: AggregatedFinding[] = [...open.agreed, ...accepted].filter(
    (f, i, all) => all.findIndex((x) => x.key === f.key) === i,
  );
  const d = afterFindings(
    base,
    toFix,
    {
      headSha: open.headSha,
      comments: open.comments,
      escalate: false,
      note: [
        `The architect accepted ${accepted.length} of ${open.findings.length} disputed finding(s) (see the ruling).`,
      ],
    },
    ctx,
  );
  return { ...d, effects: [comment, ...withMarks(d.effects, open.headSha, open.marks), forget] };
}

/** The architect traced a spiral back to the plan: the revised plan waits for approval. */
export function onTrace(
  state: WorkflowState,
  jobId: string,
  trace: Trace,
  open: OpenFindings,
  usage: UsageSnapshot | undefined,
  ctx: DecideContext,
  facts?: PlanFacts,
): Decision {
  const base: WorkflowState = { ...state, usage, updatedAt: ctx.now, queued: clearQueued(state, jobId) };
  const d = postPlan(
    { ...base, phase: "awaiting-approval" },
    trace.revised_plan,
    `${jobId}-plan`,
    ctx,
    [{ type: "forget_result", jobId }],
    facts,
  );
  const version = d.state?.plan?.version ?? 0;
  return {
    ...d,
    state: d.state && {
      ...d.state,
      note: `Fixing stopped: the same code kept changing. Plan v${version} needs a new \`approved\`.`,
    },
    effects: [
      {
        type: "comment",
        marker: marker("architect", jobId),
        body: renderRuling("spiral", trace, open.findings, jobId, ctx.text),
      },
      ...d.effects,
    ],
  };
}

/**
 * A step failed for good (a final error, its attempts used up, or stalled too often): the failure is
 * recorded, one comment says what failed and that `/triad retry` runs it again. A reviewer's failure
 * is its review flow's: retrying runs the flow again.
 */
export function onStepFailed(
  state: WorkflowState,
  failed: StepRef,
  error: string,
  spent: UsageSnapshot | undefined,
  ctx: DecideContext,
): Decision {
  const ref = flowOf(failed);
  if (state.runId !== ref.step.runId) return ignore(state, "a failure of an earlier run");
  if (state.failed?.jobId === ref.jobId) return ignore(state, "already recorded");
  // Only the step the workflow waits for: a failure the workflow has moved past (retried since,
  // superseded) is history.
  const current = state.queued
    ? state.queued.jobId === ref.jobId
    : whyNotWanted(state, ref.step) === undefined;
  if (!current) return ignore(state, "the workflow no longer waits for this step");
  const firstLine = error.split("\n")[0] ?? "";
  return decided(
    {
      ...state,
      updatedAt: ctx.now,
      failed: { ...ref, error: firstLine },
      usage: spent && spent.lines.length > 0 ? mergeUsage(state.usage, spent) : state.usage,
      queued:
        state.queued?.jobId === ref.jobId || state.queued?.jobId === failed.jobId ? undefined : state.queued,
    },
    [
      {
        type: "comment",
        marker: marker("error", ref.jobId),
        body: `⚠️ **triad could not finish a step** (${ref.label}): ${ctx.text.line(error.split("\n")[0] ?? "")}\n\n${mentionsOf(state)}: when the cause is fixed, a maintainer can comment \`/triad retry\` to run it again.`,
      },
      { type: "forget_result", jobId: failed.jobId },
    ],
  );
}

/** A reviewer child's failure is reported as its flow's (the parent job, which `/triad retry` re-adds). */
function flowOf(ref: StepRef): StepRef {
  if (ref.step.kind !== "review_one") return ref;
  const { slot: _slot, ...rest } = ref.step;
  const parent: StepJob = { ...rest, kind: "review" };
  const jobId = ref.jobId.replace(/-r\d+$/, "");
  // The reviewer's own label says which review failed; the flow's step and id are what a retry re-adds.
  return { jobId, label: ref.label, step: parent };
}
