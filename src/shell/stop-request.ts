import { canWrite } from "../core/permissions.js";
import { isActive, workflowKey } from "../core/state.js";
import { getPermission } from "../github/permissions.js";
import { loadRepoConfig } from "../github/repo-config.js";
import { classifyComment } from "../text/comment-intent.js";
import type { ShellDeps } from "./context.js";

/** Deliveries already looked at (a busy drain comes back every two seconds). */
const seen = new Set<string>();
const SEEN_MAX = 10_000;

/**
 * A drain found its workflow busy: a step holds the lock, possibly for a long time (a model turn, a
 * call that hangs until its timeout). A `/triad stop` from a write+ user waiting in the inbox cannot
 * be decided until the lock is free, so it is honoured now as a request: the run's stop flag is set,
 * the step ends at its next GitHub call, and the drain then decides the stop as usual.
 */
export async function requestStopIfAsked(
  deps: ShellDeps,
  at: { installationId: number; repo: { owner: string; name: string }; issue: number },
): Promise<void> {
  const stops = deps.stores.stops;
  if (!stops || !deps.inbox.waiting) return;
  const workflow = workflowKey(`${at.repo.owner}/${at.repo.name}`, at.issue);
  const events = await deps.inbox.waiting(workflow);
  const candidates = events.filter(
    (e) => e.kind === "comment_created" && !seen.has(e.deliveryId) && /\/triad\s+stop/i.test(e.comment.body),
  );
  if (candidates.length === 0) return;
  const state = await deps.stores.state.get(workflow);
  if (!state || !isActive(state.phase) || (await stops.requested(workflow, state.runId))) return;
  const gh = await deps.github(at.installationId);
  const repo = { owner: at.repo.owner, repo: at.repo.name };
  const { config } = await loadRepoConfig(gh, repo, { cache: deps.repoConfig });
  for (const event of candidates) {
    if (event.kind !== "comment_created") continue;
    if (seen.size > SEEN_MAX) seen.clear();
    seen.add(event.deliveryId);
    const intent = classifyComment(event.comment.body, config.approval_words);
    if (intent.type !== "command" || intent.name !== "stop") continue;
    if (!canWrite(await getPermission(gh, repo, event.comment.author.login))) continue;
    deps.log.info({ workflow, by: event.comment.author.login }, "stop requested while a step runs");
    await stops.request(workflow, state.runId);
    return;
  }
}
