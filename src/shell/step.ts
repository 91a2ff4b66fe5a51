import type { WorkflowState } from "../core/state.js";
import { onStepSkipped, whyNotWanted } from "../core/step-results.js";
import type { StepJob } from "../core/steps.js";
import { type ShellDeps, type WorkflowContext, workflowContext } from "./context.js";
import { finishPending, interpret, loadState } from "./interpret.js";

export interface StepJobContext {
  jobId: string;
  signal: AbortSignal;
}

/**
 * The start every locked step shares: finish an earlier job's half-done decision, load the state,
 * and run only when the core says the step is still wanted (a skipped step stops showing as queued).
 */
export async function startStep(
  deps: ShellDeps,
  step: StepJob,
  job: StepJobContext,
): Promise<{ w: WorkflowContext; state: WorkflowState } | undefined> {
  const w = await workflowContext(deps, step, job);
  await finishPending(w);
  const state = await loadState(w);
  const why = whyNotWanted(state, step);
  if (!state || why) {
    w.log.info({ phase: state?.phase, why }, "step no longer wanted; skipped");
    if (state) {
      await interpret(w, state, onStepSkipped(state, w.jobId, deps.clock.now().toISOString()));
    }
    return undefined;
  }
  return { w, state };
}
