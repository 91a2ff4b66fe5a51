import type { WorkflowState } from "../core/state.js";
import { onStepSkipped, whyNotWanted } from "../core/step-results.js";
import type { StepJob } from "../core/steps.js";
import type { Fence } from "../ports/stores.js";
import { takeTurn } from "./admission.js";
import { type ShellDeps, type WorkflowContext, workflowContext } from "./context.js";
import { finishPending, interpret, loadState } from "./interpret.js";

export interface StepJobContext {
  jobId: string;
  signal: AbortSignal;
  fence?: Fence;
}

/**
 * The start every locked step shares: finish an earlier job's half-done decision, load the state,
 * run only when the core says the step is still wanted (a skipped step stops showing as queued),
 * and only in the installation's turn (a step that must wait is delayed and says so).
 */
export async function startStep(
  deps: ShellDeps,
  step: StepJob,
  job: StepJobContext,
): Promise<{ w: WorkflowContext; state: WorkflowState } | undefined> {
  const w = await workflowContext(deps, step, job);
  await finishPending(w);
  const state = await loadState(w);
  // A step runs only as the workflow's queued step. One whose decision is already made — its earlier
  // attempt got as far as the decision and was then cut short (a lost answer, a limit, a stall), and
  // `finishPending` has just carried the rest out — or that a newer step replaced, is done: run again,
  // it would ask its model again and overwrite what it posted.
  const replaced =
    state?.queued && state.queued.jobId !== w.jobId ? "another step is the queued one" : undefined;
  const done = state && !state.queued ? "its decision is already made" : undefined;
  const why = whyNotWanted(state, step) ?? replaced ?? done;
  if (!state || why) {
    w.log.info({ phase: state?.phase, why }, "step no longer wanted; skipped");
    if (state) {
      await interpret(w, state, onStepSkipped(state, w.jobId, deps.clock.now().toISOString()));
    }
    return undefined;
  }
  // The installation's turn: at most so many workflows run steps at once (GitHub's limits).
  return { w, state: await takeTurn(w, state, step) };
}
