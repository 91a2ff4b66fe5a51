import type { DecideContext } from "../context.js";
import { type Decision, decided, ignore } from "../effects.js";
import { canWrite, type Permission } from "../permissions.js";
import { isResting, type WorkflowState } from "../state.js";
import { aggregateFindings } from "./aggregate.js";
import type { FindingSet } from "./finding.js";
import { afterFindings } from "./outcome.js";

/**
 * Findings from a human (a review with changes requested, `/triad fix`): they count only from a
 * write+ user (anyone may review a public repository's PR — GitHub's docs); anyone else's are noted
 * in the tracking comment as "not acted on" and never reach a model.
 */
export function onHumanFindings(
  state: WorkflowState,
  set: FindingSet | undefined,
  permission: Permission | undefined,
  ctx: DecideContext,
): Decision {
  if (!set) return ignore(state, "no findings");
  if (!canWrite(permission ?? "none")) {
    const entry = { by: set.reviewer, what: "a review or `/triad fix`", at: ctx.now };
    return decided({ ...state, updatedAt: ctx.now, notActedOn: [...state.notActedOn, entry].slice(-10) }, []);
  }
  return takeFindings(state, set, ctx);
}

/**
 * Findings from a human or CI, first in line. On a resting PR (ready, needs a human) they start a fix
 * round — through the same cap and spiral guard as every other round; while reviews or a round run,
 * they wait for the next decision.
 */
/** The tracking comment's finding counts (by severity, by who raised them) with one set's findings added. */
export function countedFindings(
  stats: Readonly<Record<string, number>>,
  set: FindingSet,
): Record<string, number> {
  const out = { ...stats };
  for (const f of set.findings) {
    out[`severity:${f.severity}`] = (out[`severity:${f.severity}`] ?? 0) + 1;
    out[`by:${set.reviewer}`] = (out[`by:${set.reviewer}`] ?? 0) + 1;
  }
  return out;
}

export function takeFindings(state: WorkflowState, set: FindingSet, ctx: DecideContext): Decision {
  const pr = state.pr;
  if (!pr || set.findings.length === 0) return ignore(state, "no finding in the event");
  const findings = aggregateFindings([set]);
  const keys = findings.flatMap((f) => f.keys);
  // The same failure reported twice (GitHub can send a check's creation and its completion) is one.
  if (keys.every((k) => state.raisedKeys.includes(k)))
    return ignore(state, "these findings were raised already");
  const stats = countedFindings(state.findingStats, set);
  const next: WorkflowState = {
    ...state,
    updatedAt: ctx.now,
    raisedKeys: [...state.raisedKeys, ...keys],
    findingStats: stats,
  };
  if (isResting(state.phase))
    return afterFindings(next, findings, { headSha: pr.headSha, comments: {}, escalate: false }, ctx);
  if (state.phase === "reviewing" || state.phase === "fixing")
    return decided(next, [{ type: "add_pending", set }], false);
  return ignore(state, `findings are not taken while ${state.phase}`);
}
