import type { WorkflowState } from "./state.js";

/**
 * Who is told when the workflow needs a human (new questions, a plan to approve, ready to merge, needs
 * a human, a failure): whoever started it and whoever approved its plan, once per state change — a
 * mention only notifies in a newly posted comment, so each of those events posts one (marked, so a
 * retry posts nothing twice).
 */
export function mentionsOf(state: WorkflowState): string {
  const who = [...new Set([state.startedBy, state.approved?.by].filter((x): x is string => !!x))];
  return who.map((login) => `@${login}`).join(" ");
}
