import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { defaultRepoConfig, type RepoConfig } from "../config/repo-config.js";
import { classifyComment } from "../core/commands.js";
import { issueFromBranch, type WorkflowEvent } from "../core/events.js";
import { type DecideFacts, decide } from "../core/issue-events.js";
import { contentHash, marker } from "../core/markers.js";
import type { WorkflowState } from "../core/state.js";
import { isActive } from "../core/state.js";
import { TriadError } from "../errors.js";
import type { GitHubClient, IssueRef } from "../github/client.js";
import { ensureComment } from "../github/comments.js";
import { github } from "../github/errors.js";
import { getPermission } from "../github/permissions.js";
import { loadRepoConfig } from "../github/repo-config.js";
import { resolveRoleModels } from "../models/config.js";
import type { Queues } from "../queue/queues.js";
import { enqueueEvent } from "../queue/queues.js";
import type { StateStore } from "../stores/state-store.js";
import type { PhaseDeps } from "./context.js";
import { runEffects } from "./interpret.js";
import { handlePullRequestEvent } from "./review/pr-events.js";

export interface HandlerDeps {
  redis: Redis;
  store: StateStore;
  queues: Queues;
  /** An installation client for the event's installation. */
  github(installationId: number): Promise<GitHubClient>;
  botLogin: string;
  log: Logger;
  now(): Date;
  /** The Redis key prefix, for a step's own keys. */
  prefix: string;
  /** The deployment's model variables, to check the repository's model choice at start. */
  modelEnv: NodeJS.ProcessEnv;
}

/**
 * One event job: read config and state, gather the facts the decision needs, decide (pure), carry
 * out the effects, save the state. Runs under the workflow's lock, so two events of one workflow
 * never interleave.
 */
export async function handleEvent(deps: PhaseDeps, event: WorkflowEvent): Promise<void> {
  const gh = await deps.github(event.installationId);
  if (event.kind === "comment_created" && event.onPullRequest && event.pullNumber === undefined) {
    await routePullRequestComment(deps, gh, event);
    return;
  }
  const ref: IssueRef = { owner: event.repo.owner, repo: event.repo.name, issue_number: event.issue };
  const log = deps.log.child({ workflow: `${ref.owner}/${ref.repo}#${ref.issue_number}`, event: event.kind });

  const state = await deps.store.load(gh, ref, deps.botLogin);
  let config = defaultRepoConfig;
  try {
    config = (await loadRepoConfig(gh, { owner: ref.owner, repo: ref.repo })).config;
  } catch (error) {
    if (!(error instanceof TriadError) || error.code !== "config_invalid") throw error;
    // Only speak up where triad would have acted: the default trigger label or a running workflow.
    const relevant =
      state !== undefined || (event.kind === "issue_labeled" && event.label === config.trigger_label);
    if (relevant) await postConfigError(gh, ref, deps.botLogin, error.message);
    log.warn({ reason: error.message }, "repository config is invalid");
    return;
  }

  if (
    event.kind === "issue_labeled" &&
    event.label === config.trigger_label &&
    !(state && isActive(state.phase))
  ) {
    // Refuse to start with a reviewer of the developer's vendor: no model reviews its own vendor's work.
    try {
      resolveRoleModels(deps.modelEnv, config.models);
    } catch (error) {
      if (!(error instanceof TriadError)) throw error;
      await postConfigError(gh, ref, deps.botLogin, error.message);
      log.warn({ reason: error.message }, "model configuration refused");
      return;
    }
  }
  if (state && isPullRequestEvent(event)) {
    await handlePullRequestEvent(deps, gh, ref, event, state, config);
    return;
  }
  const facts = await gatherFacts(gh, ref, event, state, config);
  const decision = decide(state, event, { config, now: deps.now().toISOString(), facts });
  if (decision.ignored) log.debug({ reason: decision.ignored }, "event ignored");
  if (!decision.state || (decision.effects.length === 0 && decision.state === state)) return;
  const next = await runEffects(
    { gh, ref, botLogin: deps.botLogin, queues: deps.queues, installationId: event.installationId },
    decision.state,
    decision.effects,
  );
  await deps.store.save(next);
  log.info({ phase: next.phase, effects: decision.effects.map((e) => e.type) }, "workflow updated");
}

type PullEvent = Parameters<typeof handlePullRequestEvent>[3];

function isPullRequestEvent(event: WorkflowEvent): event is PullEvent {
  return (
    event.kind === "pr_closed" ||
    event.kind === "pr_review_submitted" ||
    event.kind === "check_completed" ||
    event.kind === "review_comment_created" ||
    (event.kind === "comment_created" && event.onPullRequest)
  );
}

/**
 * A comment on a pull request arrives with the PR's number; the workflow is the issue its triad
 * branch was made for. Queue it again under that issue, so it runs under that workflow's lock.
 */
async function routePullRequestComment(
  deps: PhaseDeps,
  gh: GitHubClient,
  event: Extract<WorkflowEvent, { kind: "comment_created" }>,
): Promise<void> {
  const { data: pr } = await github("read the pull request", () =>
    gh.rest.pulls.get({ owner: event.repo.owner, repo: event.repo.name, pull_number: event.issue }),
  );
  const issue = issueFromBranch(pr.head.ref);
  if (issue === undefined) return;
  await enqueueEvent(deps.queues, {
    ...event,
    issue,
    pullNumber: event.issue,
    deliveryId: `${event.deliveryId}-routed`,
  });
}

/** Read what `decide` needs to know from GitHub: the commenter's role, the plan comment as it is. */
async function gatherFacts(
  gh: GitHubClient,
  ref: IssueRef,
  event: WorkflowEvent,
  state: WorkflowState | undefined,
  config: RepoConfig,
): Promise<DecideFacts> {
  if (event.kind !== "comment_created" || !state) return {};
  const repo = { owner: ref.owner, repo: ref.repo };
  const facts: DecideFacts = { permission: await getPermission(gh, repo, event.comment.author.login) };
  if (classifyComment(event.comment.body, config.approval_words).type === "approval" && state.plan) {
    facts.planCommentHash = await github("read the plan comment", async () => {
      try {
        const { data } = await gh.rest.issues.getComment({
          ...repo,
          comment_id: state.plan?.commentId as number,
        });
        return contentHash(data.body ?? "");
      } catch (error) {
        if ((error as { status?: number }).status === 404) return "missing";
        throw error;
      }
    });
  }
  return facts;
}

async function postConfigError(
  gh: GitHubClient,
  ref: IssueRef,
  botLogin: string,
  message: string,
): Promise<void> {
  // One comment per distinct problem: relabelling with the same broken file does not repeat it.
  const id = `config-${createHash("sha256").update(message).digest("hex").slice(0, 12)}`;
  await ensureComment(gh, ref, {
    marker: marker("error", id),
    botLogin,
    body: `⚠️ **triad cannot start:** ${message}\n\nFix \`.github/triad.yml\` on the default branch, then remove and add the label again. The JSON schema in triad's \`schema/triad.schema.json\` lets editors check the file as you type.`,
  });
}
