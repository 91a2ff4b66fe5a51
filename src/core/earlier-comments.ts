import type { CommentIntent } from "./commands.js";
import type { DecideContext } from "./context.js";
import type { Decision, Effect } from "./effects.js";
import type { CommentEvent, EventFacts } from "./event-facts.js";
import type { WorkflowState } from "./state.js";

/**
 * "Comments are answered in the order they were written", when their webhooks are not. GitHub does
 * not promise delivery order, and the inbox can only order events that wait together: an "approved"
 * that reaches an idle workflow before the change request written just before it would approve the
 * plan the maintainer had just asked to change. So an approval is decided after the comments written
 * between the plan and it that could change what it approves — a change request or an answer the
 * architect has not read, `/triad stop`, `/triad replan` — taken from the thread (the shell lists it
 * with the plan comment it reads anyway). Their own webhooks, when they come, find them handled.
 */

/** How many comment ids handled ahead of their webhooks the state remembers (the newest). */
const REMEMBERED = 20;

/** A comment as listed in the thread, with the intent its first visible line carries. */
export interface ListedComment {
  id: number;
  /** Written by a bot (triad's own comments included): never an event, as in `normaliseWebhook`. */
  bot: boolean;
  intent: CommentIntent;
}

/**
 * Whether a comment listed in the thread is to be handled before the approval `approvalId`: written
 * after the plan and before the approval, not by a bot, not handled ahead already, and one whose
 * handling could change what the approval does. A message the architect has read (`seenCommentId`)
 * was handled; a stop or replan that had been handled would have moved the workflow out of
 * awaiting-approval, where this is asked.
 */
export function handleBeforeApproval(state: WorkflowState, approvalId: number, c: ListedComment): boolean {
  const after = Math.max(state.plan?.commentId ?? 0, state.seenCommentId);
  if (c.bot || c.id <= after || c.id >= approvalId || state.handledAhead.includes(c.id)) return false;
  if (c.intent.type === "message") return true;
  return c.intent.type === "command" && (c.intent.name === "stop" || c.intent.name === "replan");
}

/** The webhook of a comment handled ahead of it (before a later approval) finds nothing to do. */
export function handledAhead(state: WorkflowState | undefined, event: CommentEvent): boolean {
  return state?.handledAhead.includes(event.comment.id) ?? false;
}

/**
 * Decides `earlier` (oldest first) and then the event itself, each on the state the one before left,
 * as if their webhooks had come in the order they were written: one decision with every effect in
 * that order. `decideOne` is the issue side's comment decision.
 */
export function inWrittenOrder(
  state: WorkflowState,
  earlier: readonly { event: CommentEvent; facts: EventFacts }[],
  event: CommentEvent,
  facts: EventFacts,
  decideOne: (state: WorkflowState, event: CommentEvent, facts: EventFacts, ctx: DecideContext) => Decision,
  ctx: DecideContext,
): Decision {
  let current = state;
  const effects: Effect[] = [];
  let tracking = false;
  let changed = false;
  for (const e of earlier) {
    const d = decideOne(current, e.event, e.facts, ctx);
    const next = d.state ?? current;
    current = { ...next, handledAhead: [...next.handledAhead, e.event.comment.id].slice(-REMEMBERED) };
    effects.push(...d.effects);
    tracking ||= d.tracking;
    changed = true;
  }
  const d = decideOne(current, event, facts, ctx);
  const ignoredAll = !changed && d.ignored !== undefined;
  return {
    state: d.state ?? current,
    effects: [...effects, ...d.effects],
    tracking: tracking || d.tracking,
    ...(ignoredAll ? { ignored: d.ignored } : {}),
  };
}
