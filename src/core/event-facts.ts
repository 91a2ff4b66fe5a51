import type { BudgetEstimate } from "./budget-estimate.js";
import type { CommentIntent } from "./commands.js";
import { type Decision, decided } from "./effects.js";
import type { WorkflowEvent } from "./events.js";
import type { Permission } from "./permissions.js";
import type { CallLogView } from "./render/call-log.js";
import type { PrecisionLedger, RoundOutcome } from "./review/precision.js";
import type { WorkflowState } from "./state.js";

/**
 * What the shell reads from GitHub before an issue event is decided (the decision itself reads
 * nothing), and the small helpers the issue-side decisions share.
 */
export interface EventFacts {
  /** What the comment asks for, read from its first visible line (src/text/comment-intent.ts). */
  intent?: CommentIntent;
  /** The role of the comment's author (comment events) or the labeller (label events). */
  permission?: Permission;
  /** The comment's author is a collaborator of the repository (read with `commenters: collaborators`). */
  collaborator?: boolean;
  /** sha256 of the latest plan comment's body as it is now ("missing" when deleted). */
  planCommentHash?: string;
  /** The budget estimate the latest plan comment states (its data block), read with the hash. */
  planEstimate?: BudgetEstimate;
  /**
   * An approval's: comments written between the plan and it that the workflow has not handled yet,
   * with their own facts, oldest first (decided before it: src/core/earlier-comments.ts).
   */
  earlier?: { event: CommentEvent; facts: EventFacts }[];
  /** The important label is on the issue now (read with the trigger label at the start). */
  important?: boolean;
  /** The trigger label is on the issue now (a replayed `labeled` delivery finds it gone). */
  labelPresent?: boolean;
  /** The queued step's job still exists on its queue (false after Redis lost it). */
  queuedJobExists?: boolean;
  /** `/triad log`: the last step's model calls, their model-written parts already made safe to show. */
  callLog?: CallLogView;
  /** `/triad status`: the repository's reviewer-precision ledger, late 👎s read in. */
  precision?: PrecisionLedger;
  /** Verdicts read with it (late overrules), kept in the state so the tracking comment carries them. */
  precisionOutcomes?: RoundOutcome[];
}

export type IssueEvent = Extract<
  WorkflowEvent,
  { kind: "issue_labeled" | "issue_unlabeled" | "issue_closed" | "issue_edited" | "comment_created" }
>;
export type CommentEvent = Extract<WorkflowEvent, { kind: "comment_created" }>;

export function reply(state: WorkflowState, event: CommentEvent, body: string): Decision {
  return decided(state, [{ type: "reply", to: event.comment.id, body }], false);
}
