import { type CiRunSeen, onCheckCompleted } from "./ci-gate.js";
import type { CommentIntent } from "./commands.js";
import type { DecideContext } from "./context.js";
import { type Decision, decided, ignore, type OpenFindings } from "./effects.js";
import type { WorkflowEvent } from "./events.js";
import { replyMarker } from "./markers.js";
import { canWrite, type Permission } from "./permissions.js";
import { withPrecision } from "./render/precision.js";
import type { FindingSet } from "./review/finding.js";
import { onHumanFindings } from "./review/human.js";
import { applyReviewDecision } from "./review/outcome.js";
import { type PrecisionLedger, type RoundOutcome, withRoundOutcomes } from "./review/precision.js";
import type { WorkflowState } from "./state.js";

/**
 * What happens on triad's pull request (ARCHITECTURE §2): merged or closed; a human's review with
 * changes requested, `/triad fix`, or a failed CI check become findings (first in line); `/triad
 * ignore` in a finding's thread overrules that finding. Pure: the shell reads the review, the check,
 * the commenter's role and the thread's finding key first (`PullFacts`).
 */
export type PullEvent = Extract<
  WorkflowEvent,
  {
    kind:
      | "pr_closed"
      | "pr_review_submitted"
      | "check_completed"
      | "review_comment_created"
      | "comment_created";
  }
>;

export interface PullFacts {
  /** What a PR comment asks for, read from its first visible line (src/text/comment-intent.ts). */
  intent?: CommentIntent;
  /** The role of the human behind the event (review author, `/triad fix` or `/triad ignore` author). */
  permission?: Permission;
  /** The event's findings, converted by the shell (a review's comments at their lines, a check's output). */
  findings?: FindingSet;
  /** `/triad ignore`: the key of the finding whose thread it was written in. */
  ignoredKey?: string;
  /** The findings the queued fix round will work on (to withdraw it when all are overruled). */
  open?: OpenFindings;
  /** A check passed on the head the reviewers wait on: the CI's check runs there now (src/core/ci-gate.ts). */
  ciOnHead?: CiRunSeen[];
  /** At the merge: the repository's reviewer-precision ledger, for the final summary. */
  precision?: PrecisionLedger;
  /** Verdicts read with it (late overrules), kept in the state so the tracking comment carries them. */
  precisionOutcomes?: RoundOutcome[];
}

export function isPullEvent(event: WorkflowEvent): boolean {
  return (
    event.kind === "pr_closed" ||
    event.kind === "pr_review_submitted" ||
    event.kind === "check_completed" ||
    event.kind === "review_comment_created" ||
    (event.kind === "comment_created" && event.onPullRequest)
  );
}

export function decidePullEvent(
  state: WorkflowState | undefined,
  event: PullEvent,
  facts: PullFacts,
  ctx: DecideContext,
): Decision {
  const pr = state?.pr;
  if (!state || !pr) return ignore(state, "no pull request in this workflow");
  switch (event.kind) {
    case "pr_closed":
      return onClosed(withRoundOutcomes(state, facts.precisionOutcomes ?? []), event, ctx, facts.precision);
    case "review_comment_created":
      return onIgnoreCommand(state, event, facts, ctx);
    case "check_completed":
      return onCheckCompleted(state, event, facts, ctx);
    case "pr_review_submitted":
      if (event.state.toLowerCase() !== "changes_requested")
        return ignore(state, "the review requests no changes");
      return onHumanFindings(state, facts.findings, facts.permission, ctx);
    case "comment_created": {
      const intent = facts.intent;
      if (intent?.type !== "command" || intent.name !== "fix")
        return ignore(state, "not a command for the PR");
      const d = onHumanFindings(state, facts.findings, facts.permission, ctx);
      if (d.ignored) return d;
      return {
        ...d,
        effects: [
          {
            type: "reply",
            to: event.comment.id,
            onPull: pr.number,
            body: "Queued for the developer's next fix round, ahead of the reviewers' findings.",
          },
          ...d.effects,
        ],
      };
    }
  }
}

function onClosed(
  state: WorkflowState,
  event: Extract<PullEvent, { kind: "pr_closed" }>,
  ctx: DecideContext,
  precision?: PrecisionLedger,
): Decision {
  if (event.pullNumber !== state.pr?.number) return ignore(state, "another pull request");
  // A merge ends the workflow whatever it was doing (GitHub may close the issue first, see issue-events).
  if (event.merged) {
    if (state.phase === "merged") return ignore(state, "already merged");
    return decided(
      {
        ...state,
        phase: "merged",
        updatedAt: ctx.now,
        queued: undefined,
        note: withPrecision(`Merged by ${event.sender.login}.`, precision, ctx.text),
        phaseTimes: { ...state.phaseTimes, merged: ctx.now },
      },
      [],
    );
  }
  if (["merged", "closed", "stopped"].includes(state.phase)) return ignore(state, "the workflow has ended");
  return decided(
    {
      ...state,
      phase: "closed",
      updatedAt: ctx.now,
      queued: undefined,
      note: `The pull request was closed without merging by ${event.sender.login}; the workflow stopped.`,
      phaseTimes: { ...state.phaseTimes, closed: ctx.now },
    },
    [],
  );
}

/**
 * `/triad ignore` in a finding's thread, by a write+ user: the finding is overruled. A fix round that
 * was queued only for findings now all overruled (or minor) is withdrawn: the PR is ready without it.
 */
function onIgnoreCommand(
  state: WorkflowState,
  event: Extract<PullEvent, { kind: "review_comment_created" }>,
  facts: PullFacts,
  ctx: DecideContext,
): Decision {
  const pr = state.pr;
  const parent = event.comment.inReplyTo;
  if (!pr || parent === undefined) return ignore(state, "not a reply in a finding's thread");
  const who = event.comment.author.login;
  if (!canWrite(facts.permission ?? "none")) return ignore(state, `@${who} may not overrule findings`);
  const key = facts.ignoredKey;
  if (!key) return ignore(state, "the thread carries no finding");
  if (state.ignored.some((i) => i.key === key)) return ignore(state, "already overruled");
  const next: WorkflowState = {
    ...state,
    updatedAt: ctx.now,
    ignored: [...state.ignored, { key, by: who, how: "/triad ignore" }],
  };
  const replyEffect = {
    type: "thread_reply" as const,
    pull: pr.number,
    commentId: parent,
    marker: replyMarker(`ignore-${event.comment.id}`),
    body: `Noted: @${who} overruled this finding; it is dropped from the next fix round and from the ready decision.`,
  };
  const open = facts.open;
  const roundQueued =
    state.phase === "fixing" && state.queued?.step.kind === "develop" && open?.round === state.fixRound;
  if (!open || !roundQueued) return decided(next, [replyEffect]);
  const overruled = new Set(next.ignored.map((i) => i.key));
  const left = open.findings.filter((f) => !f.keys.some((k) => overruled.has(k)));
  if (left.some((f) => f.severity === "blocker" || f.severity === "major"))
    return decided(next, [replyEffect]);
  // The queued round is withdrawn: it finds its round number gone when it starts.
  const withdrawn: WorkflowState = { ...next, fixRound: next.fixRound - 1 };
  const d = applyReviewDecision(
    withdrawn,
    {
      kind: "ready",
      dropped: { ignored: open.findings.filter((f) => !left.includes(f)), repeated: [] },
      remaining: left,
    },
    { headSha: pr.headSha, comments: open.comments },
    ctx,
  );
  return { ...d, effects: [replyEffect, ...d.effects] };
}
