import { z } from "zod";
import { stepJobSchema } from "./steps.js";

/**
 * The CI gate of one head (ARCHITECTURE §5): the repository's own checks run before triad's reviewers,
 * so no reviewer tokens are spent on code its CI already rejects. Kept in the workflow state (small:
 * check names only) while the gate waits.
 */
export const ciGateSchema = z.object({
  /** The head sha the gate waits on (the round just published). */
  headSha: z.string(),
  /** Names of the checks awaited: those that ran on the default branch's head, and any seen on this head. */
  expected: z.array(z.string()),
  /** Of those, the ones that completed on this head without failing. */
  done: z.array(z.string()),
  /** The names are the configured `ci_checks`: checks of other names are not waited for. */
  fixed: z.boolean().default(false),
  /** How long the gate waits before the reviewers start anyway (the config as it was at publish). */
  timeoutMinutes: z.number(),
  /** The review waiting behind the gate: queued as it is when CI passes or the deadline comes. */
  review: z.object({ jobId: z.string(), label: z.string(), step: stepJobSchema }),
});
export type CiGate = z.infer<typeof ciGateSchema>;

/**
 * Conclusions that fail a check on the code (GitHub's check run conclusions:
 * docs.github.com/rest/checks/runs). `cancelled`, `skipped`, `neutral`, `stale` say nothing against
 * it, and `action_required` asks a person (an approval, a deployment), not the developer: they count
 * as done.
 */
const FAILING = new Set(["failure", "timed_out", "startup_failure"]);

export function isFailingConclusion(conclusion: string | null | undefined): boolean {
  return FAILING.has(String(conclusion));
}

/** Check runs that are triad's own (`triad/review`, …): never part of the repository's CI. */
export function isTriadCheck(name: string | null | undefined): boolean {
  return String(name ?? "").startsWith("triad/");
}

/** How far CI got on the gated head: "3 of 5 checks done" (the tracking comment's "waiting for CI (…)"). */
export function ciProgress(gate: Pick<CiGate, "expected" | "done">): string {
  const done = gate.expected.filter((name) => gate.done.includes(name)).length;
  return `${done} of ${gate.expected.length} check${gate.expected.length === 1 ? "" : "s"} done`;
}
