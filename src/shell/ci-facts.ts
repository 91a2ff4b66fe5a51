import type { CiFacts } from "../core/ci-gate.js";
import { isFailingConclusion } from "../core/ci-gate-state.js";
import { type CiCheckRun, listCiCheckRuns } from "../github/ci-checks.js";
import type { WorkflowContext } from "./context.js";
import { fromCheckFailure } from "./review/human-findings.js";

/**
 * The repository's CI as a published round meets it (src/core/ci-gate.ts): the checks that ran on the
 * default branch's head are the ones to wait for — a CI registers its runs a moment after the push,
 * so the new head alone would often look check-free — together with those already on the new head.
 * Two reads per round; a repository without CI answers both with nothing, and is reviewed at once.
 */
export async function ciFactsForRound(
  w: WorkflowContext,
  o: { defaultBranch: string; headSha: string },
): Promise<CiFacts> {
  const onBase = await listCiCheckRuns(w.gh, w.repo, o.defaultBranch);
  const onHead = await listCiCheckRuns(w.gh, w.repo, o.headSha);
  const completed = onHead.filter((r) => r.status === "completed");
  const failed = completed.find((r) => isFailingConclusion(r.conclusion));
  return {
    expected: [...new Set([...onBase, ...onHead].map((r) => r.name))],
    done: completed.filter((r) => !isFailingConclusion(r.conclusion)).map((r) => r.name),
    ...(failed ? { failed: checkOutput(failed) } : {}),
  };
}

/** A failed run's output (title, summary, text) as the developer's finding, as a webhook's would be. */
function checkOutput(run: CiCheckRun) {
  const text = [run.output.title, run.output.summary, run.output.text].filter(Boolean).join("\n\n");
  return fromCheckFailure(run.name, text || `${run.name} ended with ${run.conclusion}`);
}
