import type { RepoConfig } from "../../config/repo-config.js";
import { classifyComment } from "../../core/commands.js";
import type { WorkflowEvent } from "../../core/events.js";
import { marker } from "../../core/markers.js";
import { canWrite } from "../../core/permissions.js";
import { aggregateFindings } from "../../core/review/aggregate.js";
import type { FindingSet } from "../../core/review/finding.js";
import type { WorkflowState } from "../../core/state.js";
import { parseUnifiedDiff } from "../../diff/index.js";
import { ensureCheckRun } from "../../github/checks.js";
import type { GitHubClient, IssueRef } from "../../github/client.js";
import { ensureComment, removeLabel } from "../../github/comments.js";
import { github } from "../../github/errors.js";
import { getPermission } from "../../github/permissions.js";
import { ensureLabels } from "../../github/pulls.js";
import { replyInThread } from "../../github/reviews.js";
import { addPendingFindings } from "../../stores/pending-findings.js";
import type { PhaseDeps } from "../context.js";
import { ensureTrackingComment } from "../interpret.js";
import { REVIEW_CHECK } from "./flow.js";
import { fromCheckFailure, fromFixCommand, fromHumanReview } from "./human-findings.js";
import { applyReviewDecision, loadOpenFindings, outcomeContext, queueFixRound } from "./outcome.js";
import { diffText } from "./reviewer.js";

type PullEvent = Extract<
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

/**
 * What happens on triad's pull request (ARCHITECTURE §2): merged or closed; a human's review with
 * changes requested, `/triad fix`, or a failed CI check become findings for the next fix round (first
 * in line); `/triad ignore` in a finding's thread overrules that finding.
 */
export async function handlePullRequestEvent(
  deps: PhaseDeps,
  gh: GitHubClient,
  ref: IssueRef,
  event: PullEvent,
  initial: WorkflowState,
  config: RepoConfig,
): Promise<void> {
  let state = initial;
  const repo = { owner: ref.owner, repo: ref.repo };
  const pr = state.pr;
  if (!pr) return;
  const log = deps.log.child({
    workflow: `${repo.owner}/${repo.repo}#${ref.issue_number}`,
    event: event.kind,
  });
  const save = async (next: WorkflowState) =>
    deps.store.save(await ensureTrackingComment({ gh, ref, botLogin: deps.botLogin }, next));
  const now = deps.now().toISOString();

  switch (event.kind) {
    case "pr_closed": {
      if (event.pullNumber !== pr.number || ["merged", "closed", "stopped"].includes(state.phase)) return;
      const phase = event.merged ? "merged" : "stopped";
      await save({
        ...state,
        phase,
        updatedAt: now,
        queued: undefined,
        note: event.merged
          ? `Merged by @${event.sender.login}.`
          : `The pull request was closed without merging by @${event.sender.login}; the workflow stopped.`,
        phaseTimes: { ...state.phaseTimes, [phase]: now },
      });
      return;
    }
    case "review_comment_created": {
      if (!/^\s*\/triad\s+ignore\b/i.test(event.comment.body) || event.comment.inReplyTo === undefined)
        return;
      const who = event.comment.author.login;
      if (!canWrite(await getPermission(gh, repo, who))) {
        log.info({ who }, "/triad ignore from someone without write access; ignored");
        return;
      }
      const { data: parent } = await github("read the finding's comment", () =>
        gh.rest.pulls.getReviewComment({ ...repo, comment_id: event.comment.inReplyTo as number }),
      );
      const key = /<!-- triad:finding id=([0-9a-f]+) -->/.exec(parent.body)?.[1];
      if (!key || state.ignored.some((i) => i.key === key)) return;
      const next: WorkflowState = {
        ...state,
        updatedAt: now,
        ignored: [...state.ignored, { key, by: who, how: "/triad ignore" }],
      };
      await replyInThread(
        gh,
        repo,
        pr.number,
        event.comment.inReplyTo,
        `${marker("reply", `ignore-${event.comment.id}`)}\nNoted: @${who} overruled this finding; it is dropped from the next fix round and from the ready decision.`,
      );
      await reconsider(deps, gh, ref, next, config, event.installationId, save);
      return;
    }
    default:
      break;
  }

  // Findings from a human or CI, first in line for the next fix round.
  let set: FindingSet | undefined;
  if (event.kind === "pr_review_submitted") {
    if (event.state.toLowerCase() !== "changes_requested") return;
    const { data: review } = await github("read the review", () =>
      gh.rest.pulls.getReview({ ...repo, pull_number: pr.number, review_id: event.reviewId }),
    );
    const comments = await github("read the review's comments", () =>
      gh.paginate(gh.rest.pulls.listCommentsForReview, {
        ...repo,
        pull_number: pr.number,
        review_id: event.reviewId,
        per_page: 100,
      }),
    );
    const files = parseUnifiedDiff(await diffText(gh, repo, pr.number, pr.headSha));
    set = fromHumanReview(
      {
        author: review.user?.login ?? event.sender.login,
        body: review.body,
        comments: comments.map((c) => ({
          path: c.path,
          line: c.line ?? null,
          side: (c.side as "LEFT" | "RIGHT" | undefined) ?? null,
          start_line: c.start_line ?? null,
          body: c.body,
        })),
      },
      files,
    );
  } else if (event.kind === "check_completed") {
    if (event.headSha !== pr.headSha) return; // a check on an older head: the new head gets its own
    set = fromCheckFailure(event.name, event.summary || `${event.name} ended with ${event.conclusion}`);
  } else if (event.kind === "comment_created") {
    const intent = classifyComment(event.comment.body, config.approval_words);
    if (intent.type !== "command" || intent.name !== "fix") return;
    if (!canWrite(await getPermission(gh, repo, event.comment.author.login))) return;
    set = fromFixCommand(event.comment.author.login, event.comment.body);
    await ensureComment(
      gh,
      { ...repo, issue_number: pr.number },
      {
        marker: marker("reply", String(event.comment.id)),
        botLogin: deps.botLogin,
        body: `Queued for the developer's next fix round, ahead of the reviewers' findings.`,
      },
    );
  }
  if (!set || set.findings.length === 0) {
    log.info("no finding in the event");
    return;
  }
  // The same failure reported twice (GitHub can send a check's creation and its completion) is one.
  const keys = aggregateFindings([set]).flatMap((f) => f.keys);
  if (keys.every((k) => state.raisedKeys.includes(k))) return;
  const stats = { ...state.findingStats };
  for (const f of set.findings) {
    stats[`severity:${f.severity}`] = (stats[`severity:${f.severity}`] ?? 0) + 1;
    stats[`by:${set.reviewer}`] = (stats[`by:${set.reviewer}`] ?? 0) + 1;
  }
  state = { ...state, raisedKeys: [...state.raisedKeys, ...keys], findingStats: stats };

  if (state.phase === "ready" || state.phase === "needs-human") {
    // Nothing is running: these findings start a fix round now.
    const findings = aggregateFindings([set]);
    const outcome = outcomeContext({
      deps,
      gh,
      ref,
      config,
      state,
      installationId: event.installationId,
      headSha: pr.headSha,
    });
    await removeLabel(
      gh,
      { ...repo, issue_number: pr.number },
      state.phase === "ready" ? "triad:ready" : "triad:needs-human",
    );
    await ensureLabels(gh, repo, pr.number, ["triad:in-review"]);
    await ensureCheckRun(gh, repo, {
      name: REVIEW_CHECK,
      headSha: pr.headSha,
      state: { status: "completed", conclusion: "neutral" },
      title: `Fix round ${state.fixRound + 1}`,
      summary: `${set.origin === "check" ? "A failed check" : `@${set.reviewer}`} raised ${findings.length} finding(s) for the developer.`,
    });
    await save(await queueFixRound(outcome, { ...state, updatedAt: now }, findings, []));
    return;
  }
  if (["reviewing", "fixing"].includes(state.phase)) {
    await addPendingFindings(deps, state, set);
    await deps.store.save(state);
    log.info({ from: set.reviewer }, "findings kept for the next decision");
  }
}

/**
 * After a maintainer overrules a finding: if a fix round is queued for findings that are now all
 * overruled (or minor), there is nothing left to fix — the PR is ready, without that round.
 */
async function reconsider(
  deps: PhaseDeps,
  gh: GitHubClient,
  ref: IssueRef,
  state: WorkflowState,
  config: RepoConfig,
  installationId: number,
  save: (s: WorkflowState) => Promise<void>,
): Promise<void> {
  const open =
    state.phase === "fixing" && state.queued?.queue === "developer"
      ? await loadOpenFindings(deps, state)
      : undefined;
  if (!open || open.round !== state.fixRound) return save(state);
  const ignored = new Set(state.ignored.map((i) => i.key));
  const left = open.findings.filter((f) => !f.keys.some((k) => ignored.has(k)));
  if (left.some((f) => f.severity === "blocker" || f.severity === "major")) return save(state);
  const pr = state.pr as NonNullable<WorkflowState["pr"]>;
  await applyReviewDecision(
    outcomeContext({
      deps,
      gh,
      ref,
      config,
      // The queued round is withdrawn: it checks the phase and the round before it starts.
      state: { ...state, fixRound: state.fixRound - 1 },
      installationId,
      headSha: pr.headSha,
      comments: open.comments,
    }),
    {
      kind: "ready",
      dropped: { ignored: open.findings.filter((f) => !left.includes(f)), repeated: [] },
      remaining: left,
    },
  );
}
