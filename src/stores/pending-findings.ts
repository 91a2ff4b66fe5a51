import type { FindingSet } from "../core/review/finding.js";
import type { WorkflowState } from "../core/state.js";
import type { PhaseDeps } from "../shell/context.js";

/**
 * Findings from humans (a review with changes requested, `/triad fix`) and from failed CI checks
 * that arrive while the reviewers work: kept in Redis until the next decision takes them, first.
 */
function key(deps: PhaseDeps, state: Pick<WorkflowState, "repo" | "issue">): string {
  return `${deps.prefix}:pending:${state.repo}#${state.issue}`;
}

export async function addPendingFindings(
  deps: PhaseDeps,
  state: Pick<WorkflowState, "repo" | "issue">,
  set: FindingSet,
): Promise<void> {
  await deps.redis.rpush(key(deps, state), JSON.stringify(set));
}

export async function takePendingFindings(
  deps: PhaseDeps,
  state: Pick<WorkflowState, "repo" | "issue">,
): Promise<FindingSet[]> {
  const [items] =
    (await deps.redis.multi().lrange(key(deps, state), 0, -1).del(key(deps, state)).exec()) ?? [];
  const list = (items?.[1] as string[] | undefined) ?? [];
  return list.map((s) => JSON.parse(s) as FindingSet);
}
