import { createHash } from "node:crypto";
import { defaultRepoConfig, type RepoConfig } from "../config/repo-config.js";
import type { DecideContext } from "../core/context.js";
import { decided } from "../core/effects.js";
import type { IssueEvent } from "../core/event-facts.js";
import { issueFromBranch, type WorkflowEvent } from "../core/events.js";
import { decideIssueEvent } from "../core/issue-events.js";
import { marker } from "../core/markers.js";
import { decidePullEvent, isPullEvent, type PullEvent } from "../core/pr-events.js";
import { isActive, type WorkflowState } from "../core/state.js";
import { errorMessage, isRetryable, TriadError } from "../errors.js";
import { ensureComment } from "../github/comments.js";
import { github } from "../github/errors.js";
import { loadRepoConfig } from "../github/repo-config.js";
import { resolveRoleModels } from "../models/config.js";
import type { Fence } from "../ports/stores.js";
import { modelText } from "../text/sanitize.js";
import { type ShellDeps, type WorkflowContext, workflowContext } from "./context.js";
import { issueEventFacts, pullEventFacts } from "./facts.js";
import { finishPending, flushTracking, interpret, loadState } from "./interpret.js";

type WorkflowAt = { installationId: number; repo: { owner: string; name: string }; issue: number };
type Job = { jobId: string; signal: AbortSignal; fence?: Fence };

/**
 * A workflow's inbox, drained under its lock: the oldest event first, each handled to the end
 * (facts → decision → effects) before the next is looked at. A retryable failure leaves the event at
 * the head (the job retries, the order holds); one that can never succeed is reported and dropped.
 */
export async function drainInbox(deps: ShellDeps, at: WorkflowAt, job: Job): Promise<void> {
  const w = await workflowContext(deps, at, job);
  await finishPending(w);
  // A burst of events: the tracking comment is edited once, by the last of them (src/shell/interpret.ts).
  const inbox = deps.inbox;
  if (inbox.waiting) w.moreEvents = async () => ((await inbox.waiting?.(w.workflow)) ?? []).length > 1;
  for (;;) {
    const entry = await deps.inbox.head(w.workflow);
    if (!entry) {
      await flushTracking(w);
      return;
    }
    try {
      await handleEvent(w, entry.event);
    } catch (error) {
      if (isRetryable(error)) throw error;
      await reportEventFailure(w, entry.event, errorMessage(error));
    }
    await deps.inbox.remove(w.workflow, entry.member);
  }
}

/** The drain failed for good (its retries used up): the event at the head is reported and dropped. */
export async function dropFailedEvent(
  deps: ShellDeps,
  at: WorkflowAt,
  job: Job,
  error: string,
): Promise<void> {
  const w = await workflowContext(deps, at, job);
  await finishPending(w);
  const entry = await deps.inbox.head(w.workflow);
  if (entry) {
    await reportEventFailure(w, entry.event, error);
    await deps.inbox.remove(w.workflow, entry.member);
  }
  await drainInbox(deps, at, job);
}

async function reportEventFailure(w: WorkflowContext, event: WorkflowEvent, error: string): Promise<void> {
  w.log.error({ event: event.kind, err: error }, "an event could not be handled");
  const state = await loadState(w);
  if (!state || !isActive(state.phase)) return;
  await interpret(
    w,
    state,
    decided(
      state,
      [
        {
          type: "comment",
          marker: marker("error", `event-${event.deliveryId}`),
          body: `⚠️ **triad could not handle an event** (${event.kind.replace(/_/g, " ")} by @${event.sender.login}): ${error}`,
        },
      ],
      false,
    ),
  );
}

/**
 * A comment on a pull request arrives with the PR's number; its workflow is the issue the PR's triad
 * branch was made for. Routed into that workflow's inbox, with the time the webhook arrived.
 */
export async function routePullRequestComment(
  deps: ShellDeps,
  data: { event: WorkflowEvent; receivedAt: number },
): Promise<void> {
  const event = data.event;
  const gh = await deps.github(event.installationId);
  const { data: pr } = await github("read the pull request", () =>
    gh.rest.pulls.get({ owner: event.repo.owner, repo: event.repo.name, pull_number: event.issue }),
  );
  const issue = issueFromBranch(pr.head.ref);
  if (issue === undefined) return;
  await deps.accept({ ...event, issue, pullNumber: event.issue } as WorkflowEvent, data.receivedAt);
}

/** One event: config and state, the facts, the decision, its effects. */
async function handleEvent(w: WorkflowContext, event: WorkflowEvent): Promise<void> {
  try {
    await decideEvent(w, event);
  } finally {
    w.memo.issue = undefined; // this event's read: a later event of the drain reads the issue again
  }
}

async function decideEvent(w: WorkflowContext, event: WorkflowEvent): Promise<void> {
  const state = await loadState(w, {
    ...(event.kind === "issue_labeled" ? { beforeListing: () => readIssueBeforeState(w, event.label) } : {}),
  });
  const config = await readConfig(w, event, state);
  if (!config) return;
  const ctx: DecideContext = { config, now: w.deps.clock.now().toISOString(), text: modelText };
  if (isPullEvent(event)) {
    if (!state?.pr) return;
    const facts = await pullEventFacts(w, event as PullEvent, state, config);
    await interpret(w, state, decidePullEvent(state, event as PullEvent, facts, ctx));
    return;
  }
  const issueEvent = event as IssueEvent;
  if (
    event.kind === "issue_labeled" &&
    event.label === config.trigger_label &&
    !(state && isActive(state.phase))
  ) {
    // Refuse to start with a reviewer of the developer's vendor: no model reviews its own vendor's work.
    try {
      resolveRoleModels(w.deps.modelEnv, config.models);
    } catch (error) {
      if (!(error instanceof TriadError)) throw error;
      await postConfigError(w, error.message);
      return;
    }
  }
  const facts = await issueEventFacts(w, issueEvent, state, config);
  const d = decideIssueEvent(state, issueEvent, facts, ctx);
  await interpret(w, state, d);
  if (!d.ignored) w.log.info({ event: event.kind, phase: d.state?.phase }, "workflow updated");
}

/**
 * The trigger label on an issue whose state is not in Redis (`loadState` is about to list the thread
 * to rebuild one): the start reads the issue anyway (is
 * the label still on it?), so it is read first — and an issue with no comments has no tracking
 * comment to rebuild a state from, nor any comment of triad's, so its thread is not listed
 * (`loadState`, and a first post that need not look for itself). The count is GitHub's now, not the
 * webhook's: a replayed delivery after triad had commented still finds the thread.
 */
async function readIssueBeforeState(w: WorkflowContext, label: string): Promise<void> {
  let trigger: string;
  try {
    trigger = (await loadRepoConfig(w.gh, w.repo, { cache: w.deps.repoConfig })).config.trigger_label;
  } catch {
    return; // said where the config is read for the event
  }
  if (label !== trigger) return;
  const { data } = await github("read the issue", () => w.gh.rest.issues.get(w.ref));
  w.memo.issue = data;
  if (data.comments === 0) w.memo.comments ??= [];
}

/** The repository config; an invalid file is said once on the issue where triad would have acted. */
async function readConfig(
  w: WorkflowContext,
  event: WorkflowEvent,
  state: WorkflowState | undefined,
): Promise<RepoConfig | undefined> {
  try {
    return (await loadRepoConfig(w.gh, w.repo, { cache: w.deps.repoConfig })).config;
  } catch (error) {
    if (!(error instanceof TriadError) || error.code !== "config_invalid") throw error;
    const relevant =
      state !== undefined ||
      (event.kind === "issue_labeled" && event.label === defaultRepoConfig.trigger_label);
    if (relevant) await postConfigError(w, error.message);
    w.log.warn({ reason: error.message }, "repository config is invalid");
    return undefined;
  }
}

/**
 * One comment per distinct configuration problem (relabelling with the same broken file does not
 * repeat it). Written directly: there may be no workflow yet, and it changes no state.
 */
async function postConfigError(w: WorkflowContext, message: string): Promise<void> {
  const id = `config-${createHash("sha256").update(message).digest("hex").slice(0, 12)}`;
  await ensureComment(w.gh, w.ref, {
    marker: marker("error", id),
    botLogin: w.deps.botLogin,
    body: `⚠️ **triad cannot start:** ${message}\n\nFix \`.github/triad.yml\` on the default branch, then remove and add the label again. The JSON schema in triad's \`schema/triad.schema.json\` lets editors check the file as you type.`,
  });
}
