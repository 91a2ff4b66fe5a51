import type { BudgetBound } from "./budget-bound.js";
import {
  type BudgetEstimate,
  type BudgetOverrun,
  formatTokens,
  formatUsd,
  overEstimate,
} from "./budget-estimate.js";
import type { DecideContext } from "./context.js";
import { type Decision, decided, type Effect } from "./effects.js";
import { type CommentEvent, type EventFacts, reply } from "./event-facts.js";
import { marker } from "./markers.js";
import { mentionsOf } from "./mentions.js";
import { canWrite } from "./permissions.js";
import type { StepRef, WorkflowState } from "./state.js";
import type { StepJob } from "./steps.js";
import { usageTotals } from "./usage.js";

/**
 * A budget bound to the plan (issue [12/12] item 5). Approval binds the plan's estimate plus its
 * margin (`bindBudget`); before every model step after that (a developer round, a review, the
 * architect's ruling or trace) the spend since approval is compared with it, and a step that would
 * start past it is held instead (`pauseIfOverBudget`, applied by the interpreter to every decision,
 * so no path that queues a step can skip it). One comment per bound asks for `/triad budget +N`,
 * N in tokens; a write+ user's command raises the bound and resumes the held step
 * (`onBudgetCommand`). The workflow's hard limits (`budgets:` in the config) still apply on top.
 */

interface Spend {
  tokens: number;
  costUsd?: number;
}

function spentNow(state: WorkflowState): Spend {
  const t = usageTotals(state.usage);
  return {
    tokens: t.inputTokens + t.outputTokens,
    ...(t.costUsd !== undefined ? { costUsd: t.costUsd } : {}),
  };
}

/** The bound an approval of plan `version` makes, from the estimate its comment states. */
export function bindBudget(
  state: WorkflowState,
  version: number,
  estimate: BudgetEstimate | undefined,
): BudgetBound | undefined {
  if (!estimate) return undefined;
  return {
    version,
    estimate,
    spentBefore: spentNow(state),
    extra: { tokens: 0, ...(estimate.costUsd !== undefined ? { costUsd: 0 } : {}) },
    grants: 0,
    pauses: 0,
  };
}

function sinceApproval(state: WorkflowState, bound: BudgetBound): Spend {
  const now = spentNow(state);
  const tokens = now.tokens - bound.spentBefore.tokens;
  return now.costUsd === undefined
    ? { tokens }
    : { tokens, costUsd: now.costUsd - (bound.spentBefore.costUsd ?? 0) };
}

export function overBound(state: WorkflowState, bound: BudgetBound): BudgetOverrun | undefined {
  return overEstimate(sinceApproval(state, bound), bound.estimate, bound.estimate.margin, bound.extra);
}

/** The steps that spend on the approved plan's behalf (planning a new plan is bound by its own approval). */
function boundedStep(step: StepJob): boolean {
  return (
    step.kind === "develop" ||
    step.kind === "review" ||
    (step.kind === "architect" && (step.mode === "ruling" || step.mode === "spiral"))
  );
}

/**
 * A decision that starts a model step while the spend since approval is past the bound: the step is
 * held instead of queued, and the pause comment posted (or, for a step held again at the same
 * bound — a retry — edited in place: its marker names the plan version and the bound).
 */
export function pauseIfOverBudget(d: Decision): Decision {
  const state = d.state;
  const bound = state?.budgetBound;
  const queued = state?.queued;
  if (!state || !bound || !queued || state.approved?.version !== bound.version) return d;
  const start = d.effects.find(
    (e) => (e.type === "enqueue" || e.type === "start_review") && e.jobId === queued.jobId,
  );
  if (!start || !boundedStep(queued.step)) return d;
  const over = overBound(state, bound);
  if (!over) return d;
  const held: BudgetBound = {
    ...bound,
    pauses: bound.pauses + 1,
    paused: { step: queued, what: over.what, spent: over.spent, limit: over.limit },
  };
  const next: WorkflowState = { ...state, queued: undefined, budgetBound: held };
  // A review held before it starts: its head's check says why it waits, not "Reviewing".
  const effects = d.effects
    .filter((e) => e !== start)
    .map((e) =>
      e.type === "check" && queued.step.kind === "review" && e.headSha === queued.step.headSha
        ? {
            ...e,
            title: "Paused for budget",
            summary: `The review waits: plan v${bound.version}'s approved budget is spent. A maintainer can comment \`/triad budget +N\` on the issue to resume it.`,
          }
        : e,
    );
  return decided(next, [...effects, pauseComment(next, held)]);
}

/** The pause comment's marker: one comment per plan version and bound. */
export function pauseMarker(bound: Pick<BudgetBound, "version" | "grants">): string {
  return marker("notify", `budget-v${bound.version}-${bound.grants}`);
}

const amount = (what: "cost" | "tokens", n: number) =>
  what === "cost" ? formatUsd(n) : `${formatTokens(n)} tokens`;

function allowed(bound: BudgetBound): string {
  const e = bound.estimate;
  const tokens = Math.ceil(e.tokens * (1 + e.margin)) + bound.extra.tokens;
  const granted = bound.extra.tokens > 0 ? ` plus ${formatTokens(bound.extra.tokens)} granted` : "";
  const cost =
    e.costUsd !== undefined ? `${formatUsd(e.costUsd * (1 + e.margin) + (bound.extra.costUsd ?? 0))} / ` : "";
  return `${cost}${formatTokens(tokens)} tokens (the estimate plus ${Math.round(e.margin * 100)}%${granted})`;
}

/** A round figure that covers the overrun and a quarter of the estimate more. */
function suggestedTokens(bound: BudgetBound): number {
  const p = bound.paused;
  const e = bound.estimate;
  const perToken = e.costUsd !== undefined && e.tokens > 0 ? e.costUsd / e.tokens : undefined;
  const short = !p ? 0 : p.what === "tokens" ? p.spent - p.limit : (p.spent - p.limit) / (perToken ?? 1);
  const step = 10_000;
  return Math.max(step, Math.ceil((short + e.tokens / 4) / step) * step);
}

function pauseComment(state: WorkflowState, bound: BudgetBound): Effect {
  const p = bound.paused;
  const lines = [
    `⏸️ **Paused for budget.** Plan v${bound.version} was approved to spend up to ${allowed(bound)}; the work since approval has spent **${p ? amount(p.what, p.spent) : "?"}**. ${p ? `The next step — ${p.step.label} — waits.` : ""}`,
    "",
    `${mentionsOf(state)}: someone with write access can comment \`/triad budget +N\` to raise the bound by N tokens (for example \`/triad budget +${formatTokens(suggestedTokens(bound))}\`) and resume it, or \`/triad stop\` to end the workflow.`,
  ];
  if (bound.pauses > 1)
    lines.push("", `_Checked again (${bound.pauses} times at this bound): still over, still paused._`);
  return { type: "comment", marker: pauseMarker(bound), body: lines.join("\n") };
}

/** N tokens from `+200k`, `+1.5M`, `50000`, `+300k tokens`; undefined when it is not that. */
export function parseBudgetArgs(args: string): number | undefined {
  const m = /^\+?\s*(\d+(?:\.\d+)?)\s*([km])?\s*(?:tokens?)?$/i.exec(args.trim().replace(/[_,]/g, ""));
  if (!m) return undefined;
  const scale = { k: 1_000, m: 1_000_000 }[(m[2] ?? "").toLowerCase()] ?? 1;
  const n = Math.round(Number(m[1]) * scale);
  return n > 0 && n <= 1_000_000_000 ? n : undefined;
}

/**
 * `/triad budget +N` on the issue: a write+ user raises the bound by N tokens (and the cost limit by
 * as much at the estimate's price per token) and, when the workflow is paused for budget, the held
 * step resumes. Anyone else is told why not (unlike other commands, which are ignored for them: a
 * paused workflow is waiting for exactly this, and whoever tries deserves to know it did nothing).
 */
export function onBudgetCommand(
  state: WorkflowState,
  event: CommentEvent,
  facts: EventFacts,
  ctx: DecideContext,
  args: string,
): Decision {
  const who = event.comment.author.login;
  const permission = facts.permission ?? "none";
  if (!canWrite(permission))
    return reply(
      state,
      event,
      `@${who}, only people with write, maintain or admin access can raise the budget (you have ${permission === "none" ? "no" : permission} access). Nothing was changed.`,
    );
  const bound = state.budgetBound;
  if (!bound || state.approved?.version !== bound.version)
    return reply(
      state,
      event,
      `@${who}, there is no budget to raise: a budget is bound to a plan when it is approved, and the approved plan${state.approved ? "'s comment states none" : " is not there yet"}.`,
    );
  const tokens = parseBudgetArgs(args);
  if (tokens === undefined)
    return reply(
      state,
      event,
      `@${who}, \`/triad budget +N\` raises the approved budget by N tokens, e.g. \`/triad budget +200k\` or \`/triad budget +1.5M\`.`,
    );
  const e = bound.estimate;
  const perToken = e.costUsd !== undefined && e.tokens > 0 ? e.costUsd / e.tokens : undefined;
  const extra = {
    tokens: bound.extra.tokens + tokens,
    ...(perToken !== undefined ? { costUsd: (bound.extra.costUsd ?? 0) + tokens * perToken } : {}),
  };
  const raised: BudgetBound = { ...bound, extra };
  const base: WorkflowState = { ...state, updatedAt: ctx.now };
  const paused = bound.paused;
  const thanks: Effect = { type: "react", content: "+1", commentId: event.comment.id };
  const say = (text: string): Effect => ({ type: "reply", to: event.comment.id, body: text });
  if (!paused)
    return decided({ ...base, budgetBound: { ...raised, grants: bound.grants + 1, pauses: 0 } }, [
      thanks,
      say(
        `Budget raised by ${formatTokens(tokens)} tokens: plan v${bound.version} may now spend up to ${allowed(raised)}.`,
      ),
    ]);
  const still = overBound(base, raised);
  if (still)
    return decided({ ...base, budgetBound: raised }, [
      say(
        `Budget raised by ${formatTokens(tokens)} tokens to ${allowed(raised)}, but the work since approval has spent ${amount(still.what, still.spent)}: still over, so ${paused.step.label} still waits. Add at least ${formatTokens(suggestedTokens({ ...raised, paused: { ...paused, spent: still.spent, limit: still.limit, what: still.what } }))} more.`,
      ),
    ]);
  return resume({ ...base, budgetBound: { ...raised, grants: bound.grants + 1, pauses: 0 } }, paused.step, [
    thanks,
    say(
      `Budget raised by ${formatTokens(tokens)} tokens (by @${who}): plan v${bound.version} may now spend up to ${allowed(raised)}. Resuming ${paused.step.label}.`,
    ),
  ]);
}

function resume(state: WorkflowState, step: StepRef, effects: Effect[]): Decision {
  const start: Effect =
    step.step.kind === "review"
      ? { type: "start_review", step: step.step, jobId: step.jobId }
      : { type: "enqueue", step: step.step, jobId: step.jobId };
  const bound = state.budgetBound && { ...state.budgetBound, paused: undefined };
  return decided({ ...state, budgetBound: bound, queued: step, note: undefined }, [...effects, start]);
}

/**
 * `/triad retry` while paused for budget: the held step is tried again, so the bound is checked
 * again — still over, it is held again and the same pause comment is edited (never a second one).
 */
export function retryPausedStep(
  state: WorkflowState,
  event: CommentEvent,
  ctx: DecideContext,
): Decision | undefined {
  const paused = state.budgetBound?.paused;
  if (!paused || state.failed) return undefined;
  return resume({ ...state, updatedAt: ctx.now }, paused.step, [
    { type: "react", content: "eyes", commentId: event.comment.id },
  ]);
}

/** The tracking comment's "Now" while paused for budget. */
export function pausedNowLine(state: WorkflowState): string | undefined {
  const bound = state.budgetBound;
  const p = bound?.paused;
  if (!bound || !p) return undefined;
  return `Paused for budget: plan v${bound.version}'s approved budget is spent (${amount(p.what, p.spent)} since approval, ${amount(p.what, p.limit)} allowed); ${p.step.label} waits.`;
}

/** The tracking comment's "You can" while paused for budget. */
export function pausedNextLine(state: WorkflowState): string | undefined {
  if (!state.budgetBound?.paused) return undefined;
  return "Comment `/triad budget +N` (N tokens, e.g. `+200k`; write access) to raise the bound and resume, or `/triad stop` to end the workflow.";
}
