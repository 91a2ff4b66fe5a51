import type { Effect } from "../core/effects.js";
import type { WorkflowState } from "../core/state.js";
import type { WorkflowContext } from "./context.js";

/**
 * A decision that queues a step takes the step's turn at once, so the tracking comment it renders
 * already says whether the step waits and how many are ahead (no edit of its own for that). The
 * state records it; the step's own `takeTurn` then keeps it, or clears it when the turn comes.
 */
export async function turnForQueued(
  w: WorkflowContext,
  state: WorkflowState,
  effects: readonly Effect[],
): Promise<WorkflowState> {
  const admission = w.deps.admission;
  if (!admission) return state;
  const queued = effects.find((e) => e.type === "enqueue" || e.type === "start_review");
  if (!queued || (queued.type !== "enqueue" && queued.type !== "start_review")) return state;
  const entry = await admission.enter(w.installationId, w.workflow, `${queued.step.kind}|${queued.jobId}`);
  if (entry.admitted) return state.waiting ? { ...state, waiting: undefined } : state;
  return { ...state, waiting: { ahead: entry.ahead } };
}
