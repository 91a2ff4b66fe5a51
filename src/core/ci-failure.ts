import type { DecideContext } from "./context.js";
import { type Decision, ignore } from "./effects.js";
import type { WorkflowEvent } from "./events.js";
import type { FindingSet } from "./review/finding.js";
import { takeFindings } from "./review/human.js";
import type { WorkflowState } from "./state.js";

/**
 * "What happens when CI fails": a failed check run of the repository's own CI on triad's current head
 * becomes a blocker finding for the developer, first in line (a fix round now on a resting PR, under
 * the cap and the spiral guard; the next decision's input while reviews run). A check on an older
 * head says nothing about the code under review.
 */
export function onCheckFailed(
  state: WorkflowState,
  event: Extract<WorkflowEvent, { kind: "check_completed" }>,
  findings: FindingSet | undefined,
  ctx: DecideContext,
): Decision {
  if (!state.pr || event.headSha !== state.pr.headSha) return ignore(state, "a check on an older head");
  if (!findings) return ignore(state, "the check gave no finding");
  return takeFindings(state, findings, ctx);
}
