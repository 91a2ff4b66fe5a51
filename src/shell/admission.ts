import { isActive, isResting, type WorkflowState, workflowKey } from "../core/state.js";
import { onTurn, onWaitingTurn } from "../core/step-results.js";
import { STEP_KINDS, type StepJob, type StepKind } from "../core/steps.js";
import { TriadError } from "../errors.js";
import type { ShellDeps, WorkflowContext } from "./context.js";
import { interpret } from "./interpret.js";

/**
 * A step's turn in its installation (src/github/admission.ts). Admitted: the state stops showing it
 * as waiting. Not admitted: the tracking comment says how many workflows are ahead, and the step
 * is thrown back as `waiting_turn` — the queue delays it without spending an attempt.
 */
export async function takeTurn(
  w: WorkflowContext,
  state: WorkflowState,
  step: StepJob,
): Promise<WorkflowState> {
  const admission = w.deps.admission;
  if (!admission) return state;
  const now = () => w.deps.clock.now().toISOString();
  const entry = await admission.enter(w.installationId, w.workflow, `${step.kind}|${w.jobId}`);
  if (entry.admitted) return (await interpret(w, state, onTurn(state, now()))) ?? state;
  await interpret(w, state, onWaitingTurn(state, entry.ahead, now()));
  throw new TriadError(
    "waiting_turn",
    `${entry.ahead} workflow(s) ahead in installation ${w.installationId} (at most ${admission.cap} at a time)`,
    // Asked again by itself now and then; usually the workflow that gives its place up wakes it.
    { retryAfterMs: admission.recheckMs + Math.floor(Math.random() * Math.min(1000, admission.recheckMs)) },
  );
}

/**
 * After any job of a workflow: a workflow with a step still queued keeps its place; one that asked a
 * human keeps it a little while (`restMs`); one that is ready, needs a human or ended gives it up,
 * and the workflows next in line are woken.
 */
export async function releaseTurnIfIdle(
  deps: ShellDeps,
  at: { installationId: number; repo: { owner: string; name: string }; issue: number },
): Promise<void> {
  const admission = deps.admission;
  if (!admission) return;
  const workflow = workflowKey(`${at.repo.owner}/${at.repo.name}`, at.issue);
  const state = await deps.stores.state.get(workflow);
  if (state?.queued && isActive(state.phase)) {
    await admission.renew(at.installationId, workflow);
    return;
  }
  // Asked a question or posted a plan: a quick answer goes on in the same turn.
  if (state && isActive(state.phase) && !isResting(state.phase)) {
    if (await admission.rest(at.installationId, workflow)) return;
  }
  const woken = await admission.leave(at.installationId, workflow);
  for (const ref of woken) {
    const [kind, jobId] = ref.split("|") as [string, string];
    if (!(STEP_KINDS as readonly string[]).includes(kind)) continue;
    await deps.queue.wake?.(kind as StepKind, jobId);
  }
}
