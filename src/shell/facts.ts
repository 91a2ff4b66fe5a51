import type { RepoConfig } from "../config/repo-config.js";
import { readPlanComment } from "../core/approved-plan.js";
import { isFailingConclusion } from "../core/ci-gate-state.js";
import { handleBeforeApproval } from "../core/earlier-comments.js";
import type { EventFacts, IssueEvent } from "../core/event-facts.js";
import { contentHash, isOwnComment, markerId, replyMarker } from "../core/markers.js";
import { canWrite } from "../core/permissions.js";
import type { PullEvent, PullFacts } from "../core/pr-events.js";
import type { CallLogView } from "../core/render/call-log.js";
import type { PrecisionLedger, RoundOutcome } from "../core/review/precision.js";
import { isActive, type WorkflowState } from "../core/state.js";
import { stepOfJob } from "../core/steps.js";
import { parseUnifiedDiff } from "../diff/index.js";
import { listCiCheckRuns } from "../github/ci-checks.js";
import type { IssueComment } from "../github/comments.js";
import { github } from "../github/errors.js";
import { getPermission, isCollaboratorGiven } from "../github/permissions.js";
import { pullDiffText } from "../github/pull-diff.js";
import { loadRepoConfig } from "../github/repo-config.js";
import type { CallRecord } from "../ports/stores.js";
import { classifyComment } from "../text/comment-intent.js";
import { modelInlineCode, modelText } from "../text/sanitize.js";
import { failedCheckFindings } from "./ci-facts.js";
import type { WorkflowContext } from "./context.js";
import { planCommentKey } from "./plan-source.js";
import { fromFixCommand, fromHumanReview } from "./review/human-findings.js";
import { recordPrecision, refreshedLedger } from "./review/precision.js";

/**
 * What the decisions need to know from GitHub, read before deciding (the core reads nothing). Only
 * what the event can use is read: a comment's author role, the plan comment and the issue for an
 * approval, a review's comments only when its author may steer.
 */
export async function issueEventFacts(
  w: WorkflowContext,
  event: IssueEvent,
  state: WorkflowState | undefined,
  config: RepoConfig,
): Promise<EventFacts> {
  const facts: EventFacts = {};
  if (event.kind === "issue_labeled") {
    if (event.label !== config.trigger_label || (state && isActive(state.phase))) return facts;
    // Read just before the state when the start came with no state in Redis (handle-event.ts).
    const issue = w.memo.issue ?? (await github("read the issue", () => w.gh.rest.issues.get(w.ref))).data;
    w.memo.issue = undefined;
    const names = issue.labels.map((l) => (typeof l === "string" ? l : l.name));
    facts.labelPresent = names.includes(config.trigger_label);
    facts.important = names.includes(config.important_label);
    facts.permission = await getPermission(w.gh, w.repo, event.sender.login);
    return facts;
  }
  if (event.kind !== "comment_created" || !state) return facts;
  facts.permission = await getPermission(w.gh, w.repo, event.comment.author.login);
  await w.deps.recentPermissions?.set(
    `${w.repo.owner}/${w.repo.repo}`,
    event.comment.author.login,
    facts.permission,
  );
  const intent = classifyComment(event.comment.body, config.approval_words);
  facts.intent = intent;
  // The role just read answers it for a maintainer: one call, not two (isCollaboratorGiven).
  if (intent.type === "message" && config.commenters === "collaborators")
    facts.collaborator = await isCollaboratorGiven(
      w.gh,
      w.repo,
      event.comment.author.login,
      facts.permission,
    );
  if (intent.type === "approval" && canWrite(facts.permission) && state.plan) {
    // A maintainer's approval lists the thread since the plan (anyone's would be a lever on calls).
    const plan = await readPlanSince(w, state.plan);
    if (state.phase === "awaiting-approval") {
      facts.planCommentHash = plan ? contentHash(plan.body) : "missing";
      if (plan) {
        // The budget the plan states is what an approval binds (read back only from a plan that checks).
        const read = readPlanComment(plan.body, modelText);
        if ("estimate" in read && read.estimate) facts.planEstimate = read.estimate;
        // Kept by its hash: if this approval freezes it, the developer reads it from here.
        await w.deps.stores.results.set(planCommentKey(facts.planCommentHash), {
          body: plan.body,
          url: plan.url,
        });
      }
    }
    // Decided after the comments written before it that it could overtake — also when it is refused
    // because no plan waits, so it is answered after the commands written before it.
    if (plan) facts.earlier = await earlierComments(w, event, state, config, plan.since);
  }
  if (intent.type === "command" && intent.name === "retry" && !state.failed && state.queued) {
    facts.queuedJobExists = await w.deps.queue.exists(state.queued.step, state.queued.jobId);
  }
  if (intent.type === "command" && intent.name === "status" && canWrite(facts.permission)) {
    const read = await precisionFor(w, state);
    if (read) Object.assign(facts, { precision: read.ledger, precisionOutcomes: read.outcomes });
  }
  if (intent.type === "command" && intent.name === "log" && canWrite(facts.permission))
    facts.callLog = callLogView(await w.deps.stores.calls.lastStep(w.workflow));
  return facts;
}

export async function pullEventFacts(
  w: WorkflowContext,
  event: PullEvent,
  state: WorkflowState,
  config: RepoConfig,
): Promise<PullFacts> {
  const pr = state.pr;
  if (!pr) return {};
  switch (event.kind) {
    case "pr_closed": {
      if (!event.merged) return {};
      const read = await precisionFor(w, state);
      return read ? { precision: read.ledger, precisionOutcomes: read.outcomes } : {};
    }
    case "check_completed":
      // A passed check is counted (src/core/ci-gate.ts), with the head's runs when the reviewers wait
      // on it; a failed one's output is the finding.
      if (!isFailingConclusion(event.conclusion)) {
        if (state.ci?.headSha !== event.headSha) return {};
        const runs = await listCiCheckRuns(w.gh, w.repo, event.headSha);
        return {
          ciOnHead: runs.map((r) => ({
            name: r.name,
            completed: r.status === "completed",
            failed: isFailingConclusion(r.conclusion),
          })),
        };
      }
      return { findings: await failedCheckFindings(w, event) };
    case "pr_review_submitted": {
      if (event.state.toLowerCase() !== "changes_requested") return {};
      const { data: review } = await github("read the review", () =>
        w.gh.rest.pulls.getReview({ ...w.repo, pull_number: pr.number, review_id: event.reviewId }),
      );
      const author = review.user?.login ?? event.sender.login;
      const permission = await getPermission(w.gh, w.repo, author);
      // Someone without write access: noted, never read further, never sent to a model.
      if (!canWrite(permission))
        return { permission, findings: { reviewer: author, origin: "human", findings: [] } };
      const comments = await github("read the review's comments", () =>
        w.gh.paginate(w.gh.rest.pulls.listCommentsForReview, {
          ...w.repo,
          pull_number: pr.number,
          review_id: event.reviewId,
          per_page: 100,
        }),
      );
      const { defaultBranch } = await loadRepoConfig(w.gh, w.repo, { cache: w.deps.repoConfig });
      const files = parseUnifiedDiff(
        await pullDiffText(
          w.gh,
          w.repo,
          { pull: pr.number, headSha: pr.headSha, base: defaultBranch },
          w.deps.diffs,
        ),
      );
      const findings = fromHumanReview(
        {
          author,
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
      return { permission, findings };
    }
    case "comment_created": {
      const intent = classifyComment(event.comment.body, config.approval_words);
      if (intent.type !== "command" || intent.name !== "fix") return { intent };
      const permission = await getPermission(w.gh, w.repo, event.comment.author.login);
      if (!canWrite(permission))
        return {
          intent,
          permission,
          findings: { reviewer: event.comment.author.login, origin: "human", findings: [] },
        };
      return { intent, permission, findings: fromFixCommand(event.comment.author.login, event.comment.body) };
    }
    case "review_comment_created": {
      // The same first-visible-line rule as every command: a quoted `> /triad ignore` is not one.
      const intent = classifyComment(event.comment.body, config.approval_words);
      if (intent.type !== "command" || intent.name !== "ignore" || event.comment.inReplyTo === undefined)
        return {};
      const permission = await getPermission(w.gh, w.repo, event.comment.author.login);
      if (!canWrite(permission)) return { permission };
      const { data: parent } = await github("read the finding's comment", () =>
        w.gh.rest.pulls.getReviewComment({ ...w.repo, comment_id: event.comment.inReplyTo as number }),
      );
      // A finding's key is trusted only on triad's own comment: anyone can paste a marker.
      const key = isOwnComment(parent.user, w.deps.botLogin) ? markerId(parent.body, "finding") : undefined;
      const open = await w.deps.stores.findings.getOpen(w.workflow);
      return { permission, ...(key ? { ignoredKey: key } : {}), ...(open ? { open } : {}) };
    }
  }
}

/**
 * The plan comment as it is now, and the thread since it was posted: one listing when the state
 * knows when it was posted (the listing holds it), else the comment read by id first. Undefined when
 * it was deleted.
 */
async function readPlanSince(
  w: WorkflowContext,
  plan: NonNullable<WorkflowState["plan"]>,
): Promise<{ body: string; url: string; since: IssueComment[] } | undefined> {
  // GitHub lists what was updated *after* `since`, in whole seconds: asked from a second before the
  // plan was posted, so the plan comment itself is in the listing (earlier comments are told by id).
  const since = (at: string) =>
    github("read the thread since the plan", () =>
      w.gh.paginate(w.gh.rest.issues.listComments, {
        ...w.ref,
        since: new Date(Date.parse(at) - 1000).toISOString().replace(/\.\d{3}Z$/, "Z"),
        per_page: 100,
      }),
    ) as Promise<IssueComment[]>;
  if (plan.postedAt) {
    const listed = await since(plan.postedAt);
    const found = listed.find((c) => c.id === plan.commentId);
    return found ? { body: found.body ?? "", url: found.html_url, since: listed } : undefined;
  }
  const comment = await github("read the plan comment", async () => {
    try {
      return (await w.gh.rest.issues.getComment({ ...w.repo, comment_id: plan.commentId })).data;
    } catch (error) {
      if ((error as { status?: number }).status === 404) return undefined;
      throw error;
    }
  });
  if (!comment) return undefined;
  return { body: comment.body ?? "", url: comment.html_url, since: await since(comment.created_at) };
}

/**
 * The comments written between the plan and this approval that it could overtake (their webhooks
 * not yet handled: src/core/earlier-comments.ts), as events with their own facts, oldest first.
 */
async function earlierComments(
  w: WorkflowContext,
  approval: Extract<IssueEvent, { kind: "comment_created" }>,
  state: WorkflowState,
  config: RepoConfig,
  listed: IssueComment[],
): Promise<NonNullable<EventFacts["earlier"]>> {
  const earlier: NonNullable<EventFacts["earlier"]> = [];
  const own = listed.filter((c) => isOwnComment(c.user, w.deps.botLogin)).map((c) => c.body ?? "");
  for (const c of [...listed].sort((a, b) => a.id - b.id)) {
    const body = c.body ?? "";
    const intent = classifyComment(body, config.approval_words);
    const author = { login: c.user?.login ?? "ghost", type: c.user?.type ?? "User" };
    const answered = own.some((b) => b.includes(replyMarker(c.id)));
    const listedComment = { id: c.id, bot: author.type === "Bot", intent, answered };
    if (!handleBeforeApproval(state, approval.comment.id, listedComment)) continue;
    const event = {
      ...approval,
      deliveryId: `thread-comment-${c.id}`,
      sender: author,
      comment: { id: c.id, body, author, createdAt: c.created_at },
    };
    // The facts its own webhook would have brought (never an approval's: those are not taken here).
    earlier.push({ event, facts: await issueEventFacts(w, event, state, config) });
  }
  return earlier;
}

/** The repository's reviewer precision, late overrules read in; none when it cannot be read. */
async function precisionFor(
  w: WorkflowContext,
  state: WorkflowState,
): Promise<{ ledger: PrecisionLedger; outcomes: RoundOutcome[] } | undefined> {
  let read: { ledger: PrecisionLedger; outcomes: RoundOutcome[] } | undefined;
  await recordPrecision(w, async () => {
    read = await refreshedLedger(w, state);
  });
  return read;
}

/** The recorded calls as `/triad log` shows them: what a model wrote (tool names, arguments) escaped. */
function callLogView(calls: CallRecord[]): CallLogView | undefined {
  const first = calls[0];
  if (!first) return undefined;
  return {
    step: stepOfJob(first.jobId),
    calls: calls.map((c) => ({
      role: c.role,
      model: modelInlineCode(`${c.vendor}:${c.model}`),
      toolCalls: c.toolCalls.map((t) => ({ name: modelInlineCode(t.name), args: modelInlineCode(t.args) })),
      inputTokens: c.inputTokens,
      cachedInputTokens: c.cachedInputTokens,
      outputTokens: c.outputTokens,
      costUsd: c.costUsd,
      durationMs: c.durationMs,
      stopReason: c.stopReason,
    })),
  };
}
