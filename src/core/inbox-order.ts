import type { WorkflowEvent } from "./events.js";

/**
 * Which waiting event of a workflow is handled next. GitHub does not promise to deliver webhooks in
 * the order things happened (the simulator's faithful mode shuffles them), so arrival order alone
 * could hand an "approved" to the workflow before the change request written just before it. Issue
 * comments carry an order of their own — their ids grow in the order they were written — so when the
 * event that arrived first is a new comment, the oldest-written waiting comment goes instead.
 * Other events keep their arrival order.
 */
export function nextEvent<T extends { event: WorkflowEvent }>(byArrival: readonly T[]): T | undefined {
  const first = byArrival[0];
  if (first?.event.kind !== "comment_created") return first;
  let next = first;
  for (const entry of byArrival) {
    const e = entry.event;
    if (
      e.kind === "comment_created" &&
      next.event.kind === "comment_created" &&
      e.comment.id < next.event.comment.id
    )
      next = entry;
  }
  return next;
}
