import type { Delivery } from "../src/sim/github/webhooks.js";

/** One of triad's comments on an issue (not a pull request), as a webhook delivery carried it. */
export interface BotIssueComment {
  issue: number;
  body: string;
  deliveredAt: string;
}

/**
 * triad's issue comments, created or edited, among the simulator's deliveries: what the benches'
 * maintainers read to know when to answer, approve, or note a workflow ready.
 */
export function botIssueComments(deliveries: readonly Delivery[]): BotIssueComment[] {
  const out: BotIssueComment[] = [];
  for (const d of deliveries) {
    if (d.event !== "issue_comment" || (d.action !== "created" && d.action !== "edited")) continue;
    const p = d.payload as {
      issue: { number: number; pull_request?: unknown };
      comment: { body: string; user: { type: string } };
    };
    if (p.issue.pull_request || p.comment.user.type !== "Bot") continue;
    out.push({ issue: p.issue.number, body: p.comment.body, deliveredAt: d.deliveredAt });
  }
  return out;
}
