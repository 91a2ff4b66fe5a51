import { onCheckFailed } from "./ci-failure.js";
import { type CiGate, ciProgress, isFailingConclusion } from "./ci-gate-state.js";
import type { DecideContext } from "./context.js";
import { type Decision, decided, type Effect, ignore } from "./effects.js";
import type { WorkflowEvent } from "./events.js";
import { aggregateFindings } from "./review/aggregate.js";
import type { FindingSet } from "./review/finding.js";
import { countedFindings } from "./review/human.js";
import { afterFindings } from "./review/outcome.js";
import type { WorkflowState } from "./state.js";

/**
 * "CI before reviewers" (ARCHITECTURE §5): when the repository has checks of its own, the reviewers of
 * a new head start only after those checks completed on it. A failing check sends the round straight
 * back to the developer with the check's output as findings — no reviewer is called; a CI that does
 * not finish within `ci_timeout_minutes` gets reviewed around, with a note. No checks: review at once.
 */

/** What the shell read of the repository's checks when a round was published (src/shell/ci-facts.ts). */
export interface CiFacts {
  /**
   * Names of the checks to wait for: those of other apps that ran on the default branch's head (a CI
   * registers its runs a moment after a push, so the new head alone could look check-free) and those
   * already on the new head.
   */
  expected: string[];
  /** Of those, the ones already completed on the new head without failing. */
  done: string[];
  /** A check that already failed on the new head, as findings. */
  failed?: FindingSet;
  /** `expected` is the configured `ci_checks`: no other name is waited for. */
  fixed?: boolean;
}

/** A check run of the repository's CI as the shell just read it on the gated head. */
export interface CiRunSeen {
  name: string;
  completed: boolean;
  failed: boolean;
}

type CheckCompleted = Extract<WorkflowEvent, { kind: "check_completed" }>;

const union = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])];

/** The gate is open once every expected check is done. */
function allDone(gate: Pick<CiGate, "expected" | "done">): boolean {
  return gate.expected.every((name) => gate.done.includes(name));
}

/**
 * A round was published and its review is about to start (`d`, from `onRoundPublished`): with checks
 * to wait for, the review is held behind a gate instead — kept in the state, with a deadline job — and
 * the `triad/review` check says so. A check that already failed on the head sends the round back.
 */
export function gateReview(d: Decision, ci: CiFacts | undefined, ctx: DecideContext): Decision {
  const state = d.state;
  const start = d.effects.find((e) => e.type === "start_review");
  if (!state || start?.type !== "start_review") return d;
  const expected = union(ci?.expected ?? [], ci?.done ?? []);
  const open: Decision = { ...d, state: { ...state, ci: undefined } };
  if (!ci || (expected.length === 0 && !ci.failed)) return open;
  const gate: CiGate = {
    headSha: start.step.headSha ?? "",
    expected,
    done: ci.done,
    fixed: ci.fixed ?? false,
    timeoutMinutes: ctx.config.ci_timeout_minutes,
    review: { jobId: start.jobId, label: state.queued?.label ?? start.jobId, step: start.step },
  };
  if (!ci.failed && allDone(gate)) return open;
  // Thread replies and the developer's result go as they are; the review and its check wait.
  const kept = d.effects.filter((e) => e.type !== "start_review" && e.type !== "check");
  const fresh = d.effects.some((e) => e.type === "check" && e.fresh);
  const held: WorkflowState = { ...state, ci: gate, queued: undefined };
  if (ci.failed) {
    const failed = ciFailed(held, gate, ci.failed, ctx);
    return { ...failed, effects: [...kept, ...failed.effects] };
  }
  return decided(held, [
    ...kept,
    {
      type: "check",
      headSha: gate.headSha,
      state: { status: "in_progress" },
      title: `Waiting for CI on ${gate.headSha.slice(0, 7)}`,
      summary: `The reviewers start when the repository's checks have completed on this commit (${ciProgress(gate)} so far; at most ${gate.timeoutMinutes} minutes). A failing check goes back to the developer first.`,
      ...(fresh ? { fresh: true } : {}),
    },
    { type: "ci_deadline", headSha: gate.headSha, minutes: gate.timeoutMinutes },
  ]);
}

/**
 * A check of the repository's CI completed on triad's branch. On the head the gate waits on: a pass
 * counts it done (the review starts when all are), a failure sends the round back to the developer.
 * Anywhere else, a failure is what it always was (`onCheckFailed`), and a pass says nothing.
 */
export function onCheckCompleted(
  state: WorkflowState,
  event: CheckCompleted,
  facts: { findings?: FindingSet; ciOnHead?: readonly CiRunSeen[] },
  ctx: DecideContext,
): Decision {
  const findings = facts.findings;
  const gate = state.ci;
  const failing = isFailingConclusion(event.conclusion);
  if (!gate || gate.headSha !== event.headSha || state.phase !== "reviewing") {
    return failing ? onCheckFailed(state, event, findings, ctx) : ignore(state, "a check passed");
  }
  if (failing) {
    if (!findings) return ignore(state, "the check gave no finding");
    return ciFailed(state, gate, findings, ctx);
  }
  // The head's runs as they are now: a check that registered after the round was published (one the
  // default branch never ran) is waited for too, and a completion whose webhook was lost still counts.
  // With `ci_checks` configured, only those names count.
  const seen = facts.ciOnHead ?? [];
  const counts = (name: string) => !gate.fixed || gate.expected.includes(name);
  const passed = [event.name, ...seen.filter((r) => r.completed && !r.failed).map((r) => r.name)];
  const next: CiGate = {
    ...gate,
    expected: union(gate.expected, [event.name, ...seen.map((r) => r.name)].filter(counts)),
    done: union(gate.done, passed.filter(counts)),
  };
  if (next.expected.length === gate.expected.length && next.done.length === gate.done.length)
    return ignore(state, "no check new to count (counted already, or not one of ci_checks)");
  if (allDone(next)) return openGate(state, next, undefined, ctx);
  return decided({ ...state, ci: next, updatedAt: ctx.now }, []);
}

/** The gate's deadline came (a delayed job): the reviewers start without CI, and say so. */
export function onCiDeadline(state: WorkflowState, headSha: string, ctx: DecideContext): Decision {
  const gate = state.ci;
  if (!gate || gate.headSha !== headSha || state.phase !== "reviewing")
    return ignore(state, "the CI gate of this head is open already");
  const pending = gate.expected.filter((name) => !gate.done.includes(name));
  const minutes = `${gate.timeoutMinutes} minute${gate.timeoutMinutes === 1 ? "" : "s"}`;
  const note = `CI did not finish within ${minutes} on ${headSha.slice(0, 7)} (${ciProgress(gate)}; still running: ${pending.join(", ")}): the reviewers started without it.`;
  return openGate(state, gate, note, ctx);
}

/** The gate opens: the review that waited behind it is queued now. */
function openGate(
  state: WorkflowState,
  gate: CiGate,
  note: string | undefined,
  ctx: DecideContext,
): Decision {
  const step = note ? { ...gate.review.step, ciNote: note } : gate.review.step;
  const reviewers = step.reviewers ?? 1;
  const effects: Effect[] = [
    {
      type: "check",
      headSha: gate.headSha,
      state: { status: "in_progress" },
      title: `Reviewing ${gate.headSha.slice(0, 7)}`,
      summary: `${note ? `${note}\n\n` : `The repository's checks passed (${gate.done.length}). `}${reviewers} reviewer${reviewers > 1 ? "s" : ""} from other vendors than the developer's are reviewing${step.sinceSha ? ` the changes since ${step.sinceSha.slice(0, 7)}` : ""}.`,
    },
    { type: "start_review", step, jobId: gate.review.jobId },
  ];
  if (!note) effects.push({ type: "drop_ci_deadline", headSha: gate.headSha });
  return decided(
    {
      ...state,
      ci: undefined,
      updatedAt: ctx.now,
      queued: { ...gate.review, step },
      ...(note ? { note } : {}),
    },
    effects,
  );
}

/**
 * A check failed on the gated head: its output becomes the developer's findings for a fix round at
 * once — through the same cap and spiral guard as every round — and no reviewer is called. The head
 * was never reviewed, so the next review still starts from the sha reviewed last.
 */
function ciFailed(state: WorkflowState, gate: CiGate, set: FindingSet, ctx: DecideContext): Decision {
  const findings = aggregateFindings([set]);
  const stats = countedFindings(state.findingStats, set);
  const next: WorkflowState = {
    ...state,
    ci: undefined,
    queued: undefined,
    updatedAt: ctx.now,
    // Raised again on a new head, the same failure is a new one: the keys only stop redeliveries.
    raisedKeys: union(
      state.raisedKeys,
      findings.flatMap((f) => f.keys),
    ),
    findingStats: stats,
  };
  const d = afterFindings(next, findings, { headSha: gate.headSha, comments: {}, escalate: false }, ctx);
  const reviewedSha = state.reviewedSha;
  return {
    ...d,
    state: d.state && { ...d.state, reviewedSha },
    effects: [...d.effects, { type: "drop_ci_deadline", headSha: gate.headSha }],
  };
}
