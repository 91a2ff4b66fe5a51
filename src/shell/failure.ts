import { defaultRepoConfig } from "../config/repo-config.js";
import type { StepRef } from "../core/state.js";
import { onStepFailed } from "../core/step-results.js";
import { modelText } from "../text/sanitize.js";
import { type ShellDeps, workflowContext } from "./context.js";
import { finishPending, interpret, loadState } from "./interpret.js";
import type { StepJobContext } from "./step.js";
import { snapshotOf, spentByJob } from "./usage.js";

/**
 * A step failed for good: recorded in the workflow state first (Redis, before any GitHub call), then
 * the one failure comment and the tracking comment. This job is retried for a long time, so a
 * GitHub that rate-limits or is down only delays the report; a retry finds the recorded failure in
 * the outbox and finishes posting it.
 */
export async function recordStepFailure(
  deps: ShellDeps,
  failed: {
    ref: StepRef;
    error: string;
    installationId: number;
    repo: { owner: string; name: string };
    issue: number;
  },
  job: StepJobContext,
): Promise<void> {
  const w = await workflowContext(deps, failed, job);
  await finishPending(w);
  const state = await loadState(w);
  if (!state) return;
  // What the failed job spent is the workflow's spend too.
  const spent = snapshotOf(await spentByJob(w, failed.ref.jobId));
  const d = onStepFailed(state, failed.ref, failed.error, spent, {
    config: defaultRepoConfig,
    now: deps.clock.now().toISOString(),
    text: modelText,
  });
  await interpret(w, state, d);
}
