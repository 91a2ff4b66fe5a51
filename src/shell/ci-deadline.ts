import { onCiDeadline } from "../core/ci-gate.js";
import { loadRepoConfig } from "../github/repo-config.js";
import type { WorkflowAt } from "../ports/queue.js";
import { decideContext, type ShellDeps, workflowContext } from "./context.js";
import { finishPending, interpret, loadState } from "./interpret.js";

/**
 * The CI gate's deadline job (queued delayed by the decision that closed the gate): under the
 * workflow's lock, the reviewers start unless the gate opened meanwhile (src/core/ci-gate.ts decides).
 */
export async function runCiDeadline(
  deps: ShellDeps,
  data: WorkflowAt & { headSha: string },
  job: { jobId: string; signal: AbortSignal },
): Promise<void> {
  const w = await workflowContext(deps, data, job);
  await finishPending(w);
  const state = await loadState(w);
  if (!state?.ci) return;
  const { config } = await loadRepoConfig(w.gh, w.repo, { cache: deps.repoConfig });
  await interpret(w, state, onCiDeadline(state, data.headSha, decideContext(w, config)));
}
