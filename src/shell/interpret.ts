import { pauseIfOverBudget } from "../core/budget-pause.js";
import type { Decision, Effect } from "../core/effects.js";
import {
  contentHash,
  isOwnComment,
  marker,
  markerKey,
  markerKeysIn,
  REVIEW_CHECK,
  replyMarker,
} from "../core/markers.js";
import { renderTrackingComment, stateFromTrackingComment } from "../core/render/tracking.js";
import { stepBase, type WorkflowState } from "../core/state.js";
import { ensureCheckRun } from "../github/checks.js";
import {
  ensureComment,
  findOwnMarked,
  type IssueComment,
  listComments,
  react,
  removeLabel,
} from "../github/comments.js";
import { ensureLabels, markReadyForReview } from "../github/pulls.js";
import { listReviewComments, type ReviewThreadComment, replyInThread } from "../github/reviews.js";
import { realGitHubTime } from "../github/time.js";
import type { PendingEffects } from "../ports/stores.js";
import { modelText } from "../text/sanitize.js";
import type { WorkflowContext } from "./context.js";
import { turnForQueued } from "./queued-turn.js";
import { supersedePlanComment } from "./supersede-plan.js";

/**
 * The one interpreter of decisions (ARCHITECTURE §7, §9), and the only code that writes the workflow
 * state. A decision's state and its effects are saved together first (an outbox); then the effects
 * run in order, each repeat-safe ("ensure"); then the tracking comment is rendered once from the
 * final state; then the state is saved and the outbox cleared. A job killed anywhere in between
 * leaves the outbox, and the next job of the workflow runs the rest before anything else — so a
 * decision is never half carried out, and a step queued by it always sees the state that queued it.
 */
export async function interpret(
  w: WorkflowContext,
  before: WorkflowState | undefined,
  decision: Decision,
): Promise<WorkflowState | undefined> {
  // Every decision that would start a model step past the plan's approved budget holds it instead.
  const d = pauseIfOverBudget(decision);
  if (d.ignored) w.log.debug({ reason: d.ignored }, "nothing to do");
  const state = d.state;
  if (!state || (state === before && d.effects.length === 0 && !d.tracking)) return before;
  const pending: PendingEffects = { id: w.jobId, effects: d.effects, tracking: d.tracking };
  await w.deps.stores.outbox.put(state, pending, w.fence);
  return carryOut(w, state, pending);
}

/** Finish a decision an earlier job started (its outbox), before this job does anything else. */
export async function finishPending(w: WorkflowContext): Promise<void> {
  const pending = await w.deps.stores.outbox.get(w.workflow);
  if (!pending) return;
  const state = await w.deps.stores.state.get(w.workflow);
  if (!state) return;
  w.log.info({ from: pending.id, effects: pending.effects.length }, "finishing an earlier job's decision");
  await carryOut(w, state, pending, true);
}

async function carryOut(
  w: WorkflowContext,
  state: WorkflowState,
  pending: PendingEffects,
  resumed = false,
): Promise<WorkflowState> {
  const run = new EffectRun(w, resumed);
  // A step this decision queues takes its installation turn now: the tracking comment then says
  // at once whether it waits (src/shell/admission.ts).
  let current = withPosted(w, await turnForQueued(w, state, pending.effects));
  // The first tracking comment is the workflow's first visible answer: it goes before the other
  // effects (writes are paced a second apart, so after the 👀 it would come a second late), and is
  // written again after them only if they changed what it shows.
  // (Compared without the comment's own id, which the state learns from posting it and which a
  // rebuild takes from the comment anyway.)
  const shown = (s: WorkflowState) =>
    renderTrackingComment({ ...s, trackingCommentId: undefined }, modelText);
  let posted: string | undefined;
  if (pending.tracking && current.trackingCommentId === undefined) {
    w.signal.throwIfAborted();
    posted = shown(current);
    current = await ensureTrackingComment(w, current, run);
    await w.deps.faults.at("after-tracking-comment");
  }
  for (const effect of pending.effects) {
    w.signal.throwIfAborted();
    current = await run.apply(current, effect);
  }
  const tracking = pending.tracking || current.trackingOwed === true;
  if (tracking && (posted === undefined || shown(current) !== posted)) {
    w.signal.throwIfAborted();
    // More events wait in this drain: the last of them writes what they all changed, in one edit.
    if (current.trackingCommentId !== undefined && (await w.moreEvents?.())) {
      current = { ...current, trackingOwed: true };
    } else {
      current = await ensureTrackingComment(w, current, run);
      await w.deps.faults.at("after-tracking-comment");
    }
  }
  await w.deps.stores.outbox.done(current, w.fence);
  return current;
}

/** A tracking edit left to a later decision of this drain, written now that no event waits. */
export async function flushTracking(w: WorkflowContext): Promise<void> {
  const state = await w.deps.stores.state.get(w.workflow);
  if (!state?.trackingOwed) return;
  await interpret(w, state, { state, effects: [], tracking: true });
}

/**
 * The state document, from Redis or — when Redis lost it — rebuilt from the tracking comment.
 * `beforeListing`: runs when Redis has none, before the thread is listed (it may say, through
 * `w.memo.comments`, that there is nothing to list).
 */
export async function loadState(
  w: WorkflowContext,
  o: { beforeListing?: () => Promise<void> } = {},
): Promise<WorkflowState | undefined> {
  const cached = await w.deps.stores.state.get(w.workflow);
  if (cached) return cached;
  await o.beforeListing?.();
  w.memo.comments ??= await listComments(w.gh, w.ref);
  const tracking = findOwnMarked(w.memo.comments, marker("tracking"), w.deps.botLogin);
  const parsed = tracking ? stateFromTrackingComment(tracking.body ?? "", tracking.id) : undefined;
  // What the thread holds now, not what the tracking comment last said (it may be older).
  const rebuilt = parsed && { ...parsed, posted: postedIn(w.memo.comments, w.deps.botLogin) };
  if (rebuilt) {
    w.log.info({ phase: rebuilt.phase }, "state rebuilt from the tracking comment");
    await w.deps.stores.state.save(rebuilt);
  }
  return rebuilt;
}

async function ensureTrackingComment(
  w: WorkflowContext,
  state: WorkflowState,
  run: EffectRun,
): Promise<WorkflowState> {
  const body = renderTrackingComment(state, modelText);
  // The body as last written (the hash is kept beside it, not in it): nothing a maintainer would see
  // changes, nor the state it carries, so no edit.
  const hash = contentHash(body);
  if (state.trackingCommentId !== undefined && state.trackingHash === hash)
    return state.trackingOwed ? { ...state, trackingOwed: undefined } : state;
  const known = run.knownComments ?? w.memo.comments;
  const comment = await ensureComment(w.gh, w.ref, {
    marker: marker("tracking"),
    body,
    botLogin: w.deps.botLogin,
    knownId: state.trackingCommentId,
    ...(known ? { comments: known } : {}),
  });
  if (known && !known.some((c) => c.id === comment.id)) known.push(comment);
  // The hash is of the body with the comment's id in the state: a first post's body lacks it.
  const written = state.trackingCommentId === comment.id ? hash : undefined;
  return { ...state, trackingCommentId: comment.id, trackingHash: written, trackingOwed: undefined };
}

/** The keys and ids of triad's own marked comments in a listing of the issue (`WorkflowState.posted`). */
export function postedIn(comments: IssueComment[], botLogin: string): Record<string, number> {
  const posted: Record<string, number> = {};
  for (const c of comments) {
    if (!isOwnComment(c.user, botLogin)) continue;
    for (const key of markerKeysIn(c.body ?? "")) posted[key] ??= c.id;
  }
  return posted;
}

/**
 * The state with what this job knows of triad's comments on the issue: what it wrote, and, when the
 * state knew nothing yet and the thread was listed in this job, everything the listing holds.
 */
function withPosted(w: WorkflowContext, state: WorkflowState): WorkflowState {
  const listed = w.memo.comments ? postedIn(w.memo.comments, w.deps.botLogin) : undefined;
  if (!state.posted && !listed) return state;
  return { ...state, posted: { ...state.posted, ...listed, ...w.memo.posted } };
}

/** One decision's effects, with what they read memoised (the issue's comments, the PR's threads). */
class EffectRun {
  knownComments: IssueComment[] | undefined;
  private threads: ReviewThreadComment[] | undefined;

  /**
   * `resumed`: these effects were begun by an earlier job, whose writes may have been made with their
   * answers lost, so every write looks for what it would make first (no "fresh commit" shortcut).
   */
  constructor(
    private readonly w: WorkflowContext,
    private readonly resumed = false,
  ) {}

  private async comments(): Promise<IssueComment[]> {
    this.w.memo.comments ??= await listComments(this.w.gh, this.w.ref);
    this.knownComments ??= this.w.memo.comments;
    return this.knownComments;
  }

  /**
   * triad's marked comment, made or updated. On the issue, the thread is listed first only when a
   * comment with that marker may exist unseen: in a decision begun by an earlier job (a write whose
   * answer was lost), or when the state does not know what triad has posted. Otherwise a marker the
   * state has is edited by its id, and one it has not is posted at once — nothing can have written it.
   * (Comments on the pull request are looked for as before.)
   */
  private async ownComment(
    state: WorkflowState,
    issue: number,
    markerText: string,
    body: string,
  ): Promise<{ state: WorkflowState; posted: IssueComment }> {
    const w = this.w;
    if (issue !== w.ref.issue_number) {
      const posted = await ensureComment(
        w.gh,
        { ...w.ref, issue_number: issue },
        { marker: markerText, body, botLogin: w.deps.botLogin },
      );
      return { state, posted };
    }
    const key = markerKey(markerText);
    const record = state.posted;
    // Only markers a listing would record are trusted to be absent from the record.
    const recordable = markerKeysIn(markerText).join() === key;
    const parts = Object.keys(record ?? {}).filter((k) => k.startsWith(`${key} part=`));
    const listed = this.knownComments ?? w.memo.comments;
    const lookFirst = this.resumed || record === undefined || !recordable || parts.length > 0;
    const how = lookFirst
      ? { comments: await this.comments() }
      : listed
        ? { comments: listed }
        : record[key] !== undefined
          ? { knownId: record[key] }
          : { fresh: true };
    const written: Record<string, number> = {};
    const posted = await ensureComment(w.gh, w.ref, {
      marker: markerText,
      body,
      botLogin: w.deps.botLogin,
      ...how,
      written: (m, c) => {
        written[markerKey(m)] = c.id;
      },
    });
    if (this.knownComments && !this.knownComments.some((c) => c.id === posted.id))
      this.knownComments.push(posted);
    w.memo.posted = { ...w.memo.posted, ...written };
    return { state: withPosted(w, state), posted };
  }

  async apply(state: WorkflowState, effect: Effect): Promise<WorkflowState> {
    const { w } = this;
    const { gh, ref, repo, deps } = w;
    switch (effect.type) {
      case "react":
        await react(gh, ref, effect.content, effect.commentId);
        return state;
      case "reply":
        return (
          await this.ownComment(state, effect.onPull ?? ref.issue_number, replyMarker(effect.to), effect.body)
        ).state;
      case "comment": {
        const { state: after, posted } = await this.ownComment(
          state,
          ref.issue_number,
          effect.marker,
          effect.body,
        );
        if (!effect.learn) return after;
        const links = { ...after.links, [effect.learn]: posted.html_url };
        if (effect.learn === "plan" && after.plan) {
          return {
            ...after,
            links,
            plan: {
              ...after.plan,
              commentId: posted.id,
              hash: contentHash(posted.body ?? ""),
              postedAt: posted.created_at,
            },
          };
        }
        return { ...after, links };
      }
      case "pr_ready_for_review": {
        const pull = state.pr?.number;
        if (pull !== undefined) await markReadyForReview(gh, repo, pull);
        return state;
      }
      case "supersede_plan":
        await supersedePlanComment(w, await this.comments(), effect, state.links.plan);
        return state;
      case "remove_issue_label":
        await removeLabel(gh, ref, effect.label);
        return state;
      case "pr_labels": {
        const pull = state.pr?.number;
        if (pull === undefined) return state;
        if (effect.add.length > 0) await ensureLabels(gh, repo, pull, effect.add);
        for (const label of effect.remove) await removeLabel(gh, { ...repo, issue_number: pull }, label);
        return state;
      }
      case "check": {
        // The run's id is kept once made, so later updates need no search.
        const key = `check-run-${w.workflow}-${effect.headSha}`;
        const knownId = await deps.stores.results.get<number>(key);
        const id = await ensureCheckRun(gh, repo, {
          name: REVIEW_CHECK,
          headSha: effect.headSha,
          state: effect.state,
          title: effect.title,
          summary: effect.summary,
          freshCommit: (effect.fresh ?? false) && !this.resumed,
          botLogin: deps.botLogin,
          detailsUrl: trackingUrl(state),
          ...(knownId === undefined ? {} : { knownId }),
        });
        if (id !== knownId) await deps.stores.results.set(key, id);
        return state;
      }
      case "thread_reply": {
        // A reply is marked with the comment it answers (`/triad ignore`): only a decision begun by an
        // earlier job (its answer maybe lost) can have posted it already, so only then is it looked for.
        if (this.resumed) this.threads ??= await listReviewComments(gh, repo, effect.pull);
        const done = (this.threads ?? []).some(
          (c) => c.inReplyTo === effect.commentId && c.body.includes(effect.marker),
        );
        if (!done)
          await replyInThread(gh, repo, effect.pull, effect.commentId, `${effect.marker}\n${effect.body}`);
        return state;
      }
      case "enqueue":
        await deps.queue.enqueue(effect.step, effect.jobId);
        return state;
      case "start_review":
        await deps.queue.startReview(effect.step, effect.jobId);
        return state;
      case "save_findings":
        await deps.stores.findings.saveOpen(w.workflow, effect.open);
        return state;
      case "add_pending":
        await deps.stores.findings.addPending(w.workflow, effect.set);
        return state;
      case "clear_pending":
        await deps.stores.findings.clearPending(w.workflow);
        return state;
      case "forget_result":
        await deps.stores.results.delete(effect.jobId);
        await deps.stores.spend.clear(effect.jobId);
        return state;
      case "ci_deadline":
        await deps.queue.ciDeadline?.(
          stepBase(state),
          effect.headSha,
          // GitHub's minutes: a simulator with a time scale passes them faster.
          (deps.githubTime ?? realGitHubTime).toRealMs(effect.minutes * 60_000),
        );
        return state;
      case "drop_ci_deadline":
        await deps.queue.dropCiDeadline?.(stepBase(state), effect.headSha);
        return state;
      case "request_stop":
        await deps.stores.stops?.request(w.workflow, state.runId);
        return state;
    }
  }
}

/**
 * Where a check run's "Details" link goes: the workflow's tracking comment on the issue (it says
 * where things stand and what to do), found from the pull request's address.
 */
export function trackingUrl(state: WorkflowState): string | undefined {
  const repoUrl = state.pr?.url.replace(/\/pull\/\d+$/, "");
  if (!repoUrl || repoUrl === state.pr?.url) return undefined;
  const anchor = state.trackingCommentId ? `#issuecomment-${state.trackingCommentId}` : "";
  return `${repoUrl}/issues/${state.issue}${anchor}`;
}
