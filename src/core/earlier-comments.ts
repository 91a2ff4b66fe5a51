import type { CommentIntent } from "./commands.js";
import type { DecideContext } from "./context.js";
import type { Decision, Effect } from "./effects.js";
import type { CommentEvent, EventFacts } from "./event-facts.js";
import type { WorkflowState } from "./state.js";

/**
 * "Comments are answered in the order they were written", when their webhooks are not. GitHub does
 * not promise delivery order, and the inbox can only order events that wait together: an "approved"
 * that reaches an idle workflow before the change request written just before it would approve the
 * plan the maintainer had just asked to change, and answer it before the `/triad status` written
 * before it. So an approval is decided after the comments written between the plan and it that have
 * not been handled — taken from the thread (the shell lists it with the plan comment it reads anyway).
 * Their own webhooks, when they come, find them handled.
 */

/** How many comment ids handled ahead of their webhooks the state remembers (the newest). */
const REMEMBERED = 20;

/** A comment as listed in the thread, with the intent its first visible line carries. */
export interface ListedComment {
  id: number;
  /** Written by a bot (triad's own comments included): never an event, as in `normaliseWebhook`. */
  bot: boolean;
  intent: CommentIntent;
  /** triad's reply to it is in the thread (a command that was answered was handled). */
  answered: boolean;
}

/**
 * Whether a comment listed in the thread is to be handled before the approval `approvalId`: written
 * after the plan and before the approval, not by a bot, not handled ahead already, and not handled
 * as its webhook came — which the thread and the state tell apart without a record per comment:
 * - a command triad answers: handled ones are answered (triad's reply is in the thread), so they are
 *   answered in order whatever the phase (a refused approval is a reply too);
 * - while awaiting approval, what could change what the approval does: a message (handled ones were
 *   read by the architect, `seenCommentId`, or sent the workflow back to planning), `/triad stop` and
 *   `/triad replan` (handled ones took the workflow out of awaiting-approval). In other phases these
 *   change nothing the approval's answer depends on, and a handled one leaves no trace to tell by;
 * - `/triad retry` never: it may act without a reply, and an approval does not depend on it.
 * An earlier approval is left alone: the approval at hand approves the same plan.
 */
export function handleBeforeApproval(state: WorkflowState, approvalId: number, c: ListedComment): boolean {
  if (c.bot || c.id >= approvalId || c.id <= (state.plan?.commentId ?? 0)) return false;
  if (state.handledAhead.includes(c.id)) return false;
  const awaiting = state.phase === "awaiting-approval";
  switch (c.intent.type) {
    case "approval":
      return false;
    case "message":
      return awaiting && c.id > state.seenCommentId;
    case "unknown_command":
      return !c.answered;
    case "command":
      if (c.intent.name === "stop" || c.intent.name === "replan") return awaiting;
      return c.intent.name !== "retry" && !c.answered;
  }
}

/** The webhook of a comment handled ahead of it (before a later approval) finds nothing to do. */
export function handledAhead(state: WorkflowState, event: CommentEvent): boolean {
  return state.handledAhead.includes(event.comment.id);
}

/**
 * Decides `earlier` (oldest first, at least one) and then the event itself, each on the state the one
 * before left, as if their webhooks had come in the order they were written: one decision with every
 * effect in that order — never "ignored", since the earlier comments are now handled.
 * `decideOne` is the issue side's comment decision.
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
  for (const e of earlier) {
    const d = decideOne(current, e.event, e.facts, ctx);
    const next = d.state ?? current;
    current = { ...next, handledAhead: [...next.handledAhead, e.event.comment.id].slice(-REMEMBERED) };
    effects.push(...d.effects);
    tracking ||= d.tracking;
  }
  const d = decideOne(current, event, facts, ctx);
  return { state: d.state ?? current, effects: [...effects, ...d.effects], tracking: tracking || d.tracking };
}
