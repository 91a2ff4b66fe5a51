import type { AggregatedFinding } from "./review/aggregate.js";
import type { FindingSet } from "./review/finding.js";
import type { WorkflowState } from "./state.js";
import type { StepJob } from "./steps.js";
import type { CheckState, Reaction } from "./types.js";

/**
 * Findings handed to the next step (a fix round or a ruling). Kept in a store beside the state, not
 * in it: they can be large, and the state is embedded in the tracking comment.
 */
export interface OpenFindings {
  round: number;
  headSha: string;
  findings: AggregatedFinding[];
  /** Agreed findings that go to the fix round whatever the architect rules (escalations only). */
  agreed: AggregatedFinding[];
  /** Finding key → inline review comment id, for replies in the threads. */
  comments: Record<string, number>;
  /** The round's cross-vendor marks, for the ruling's `triad/review` summary on the same head. */
  marks?: string;
}

/**
 * What a decision asks the world to do. The shell's one interpreter (src/shell/interpret.ts) carries
 * them out, in order, each repeat-safe ("ensure"), so a job retried after a crash redoes them
 * harmlessly. The tracking comment is not an effect: a decision says `tracking: true` and the
 * interpreter renders it once, from the final state, after the effects.
 */
export type Effect =
  /** A reaction on the issue itself (`commentId` absent) or on one of its comments. */
  | { type: "react"; content: Reaction; commentId?: number }
  /** Answer a comment once (marked with the comment's id). `onPull`: the comment is on the PR. */
  | { type: "reply"; to: number; body: string; onPull?: number }
  /**
   * triad's own comment on the issue, found by its marker or posted. `learn` records its link in
   * `state.links`; for `"plan"` also the comment's id and the hash of its body as GitHub stores it.
   */
  | { type: "comment"; marker: string; body: string; learn?: "plan" | "questions" | "ruling" }
  /**
   * An earlier plan comment gets "Superseded by plan v`by`" on top (linked to `state.links.plan`, so
   * after the new plan's comment); its text and data block stay as they were. Once.
   */
  | { type: "supersede_plan"; commentId: number; version: number; by: number }
  /** Remove a label from the issue (gone already is fine). */
  | { type: "remove_issue_label"; label: string }
  /** Labels on the workflow's pull request. */
  | { type: "pr_labels"; add: string[]; remove: string[] }
  /** The `triad/review` check run on a head sha; `fresh`: the commit was just made, none can exist. */
  | { type: "check"; headSha: string; state: CheckState; title: string; summary: string; fresh?: boolean }
  /** A reply in a review thread on the PR, once (marked). */
  | { type: "thread_reply"; pull: number; commentId: number; marker: string; body: string }
  /** Queue a step under a job id that names it: queueing it twice adds nothing. */
  | { type: "enqueue"; step: StepJob; jobId: string }
  /** Queue a review flow: one reviewer child per slot, and the aggregating parent (`step`). */
  | { type: "start_review"; step: StepJob; jobId: string }
  /** Keep the findings the next step works on. */
  | { type: "save_findings"; open: OpenFindings }
  /** Keep findings (a human's, CI's) for the next review decision, first in line. */
  | { type: "add_pending"; set: FindingSet }
  /** The PR leaves draft: it is ready for a maintainer's review (GraphQL markPullRequestReadyForReview). */
  | { type: "pr_ready_for_review" }
  /** The pending findings were taken by a decision. */
  | { type: "clear_pending" }
  /** A step's saved model result is no longer needed (the step's writes are all done). */
  | { type: "forget_result"; jobId: string }
  /** The reviewers start after `minutes` whatever CI says (a delayed job; src/core/ci-gate.ts). */
  | { type: "ci_deadline"; headSha: string; minutes: number }
  /** The CI gate of this head is open (passed or failed): its deadline job is no longer needed. */
  | { type: "drop_ci_deadline"; headSha: string }
  /** Steps of this run still running (a reviewer, one waiting out a limit) stop before their next call. */
  | { type: "request_stop" };

export interface Decision {
  state: WorkflowState | undefined;
  effects: Effect[];
  /** Re-render the tracking comment from the final state after the effects (once per decision). */
  tracking: boolean;
  /** Why nothing happened, for the log. */
  ignored?: string;
}

export function ignore(state: WorkflowState | undefined, why: string): Decision {
  return { state, effects: [], tracking: false, ignored: why };
}

export function decided(state: WorkflowState, effects: Effect[], tracking = true): Decision {
  return { state, effects, tracking };
}
