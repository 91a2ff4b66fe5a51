import { type EstimateInput, estimateBudget } from "./budget-estimate.js";
import type { Effect } from "./effects.js";
import type { PlanExtras } from "./render/architect.js";
import { planChanges } from "./render/plan-diff.js";
import type { Plan } from "./schemas/architect.js";
import type { WorkflowState } from "./state.js";

/**
 * What the step runner knows when a plan is posted, besides the plan (issue [12/12] items 5, 8):
 * the repository's size and the models' prices for the estimate, and the plan it replaces.
 */
export interface PlanFacts {
  budget?: Omit<EstimateInput, "steps">;
  /** The plan version this one revises, as read back from its comment. */
  previous?: { version: number; plan: Plan };
}

/** The estimate and the change summary a plan comment shows. */
export function planExtras(plan: Plan, facts: PlanFacts | undefined): PlanExtras {
  const out: PlanExtras = {};
  if (facts?.budget) out.estimate = estimateBudget({ ...facts.budget, steps: plan.steps });
  if (facts?.previous) {
    out.changes = planChanges(facts.previous.plan, plan);
    out.since = facts.previous.version;
  }
  return out;
}

/** The plan comment a new version replaces is marked superseded (after the new one is posted). */
export function supersedeEffects(state: WorkflowState, version: number): Effect[] {
  const old = state.plan;
  if (!old || old.commentId <= 0 || old.version >= version) return [];
  return [{ type: "supersede_plan", commentId: old.commentId, version: old.version, by: version }];
}
