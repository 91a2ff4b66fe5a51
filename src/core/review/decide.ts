import { isBlocking } from "../schemas/review.js";
import { detectSpiral, type RoundChanges } from "../spiral.js";
import type { AggregatedFinding } from "./aggregate.js";

/**
 * What to do after a review round (ARCHITECTURE §2, §5.3), given the aggregated findings. Pure.
 *
 * First the findings that no longer count are set aside: those a maintainer overruled (`ignored`: any
 * of a finding's keys, from a 👎 or `/triad ignore`), and reviewer findings already raised in an
 * earlier round (`earlierFindingKeys`), so nothing is raised twice. Human and CI findings are never
 * set aside as repeats: a check that fails again on a new head is new evidence.
 *
 * Then, in this order (only blocker and major findings count; minor and nit never hold the PR back):
 * 1. none open → `ready`;
 * 2. the same file or component changed in the last three fix rounds → `spiral` (before the cap: with
 *    the default cap of three rounds the guard could otherwise never fire);
 * 3. `fixRound >= maxFixRounds` → `needs-human`, with a summary of what is still open;
 * 4. any open finding that only one of several reviewers holds at blocker/major, that contradicts
 *    another (where either side is blocker/major), or that says the plan is wrong → `escalate` to
 *    the architect: `findings` need a ruling, `agreed` go to the fix round whatever the ruling;
 * 5. otherwise → `fix` with every open finding (all agreed, inside the plan).
 */

export interface DecideContext {
  /** Fix rounds already run on this pull request (0 after the first review). */
  fixRound: number;
  maxFixRounds: number;
  /** Finding keys a maintainer overruled. */
  ignored?: readonly string[];
  /** Keys of findings raised in earlier rounds. */
  earlierFindingKeys?: readonly string[];
  /** What each fix round of this implementation changed, oldest first (see spiral.ts). */
  changes?: ReadonlyArray<RoundChanges>;
  /**
   * Send disputed findings to the architect (default true). False after the architect has ruled:
   * the ruled findings then go through the same ready / spiral / cap / fix order, nothing else.
   */
  escalate?: boolean;
}

export interface Dropped {
  /** Overruled by a maintainer. */
  ignored: AggregatedFinding[];
  /** Already raised in an earlier round. */
  repeated: AggregatedFinding[];
}

export type EscalationReason = "single" | "contradicting" | "plan_conflict";

export interface Escalation {
  key: string;
  reason: EscalationReason;
  detail: string;
}

export type ReviewDecision =
  | { kind: "ready"; dropped: Dropped; remaining: AggregatedFinding[] }
  | { kind: "fix"; findings: AggregatedFinding[]; dropped: Dropped }
  | {
      kind: "escalate";
      /** The findings the architect rules on (accept or reject, with a reason). */
      findings: AggregatedFinding[];
      /** Agreed blocker/major findings, fixed in the next round whatever the ruling. */
      agreed: AggregatedFinding[];
      reasons: Escalation[];
      dropped: Dropped;
    }
  | { kind: "needs-human"; findings: AggregatedFinding[]; dropped: Dropped }
  | {
      kind: "spiral";
      files: string[];
      components: string[];
      findings: AggregatedFinding[];
      dropped: Dropped;
    };

function where(f: AggregatedFinding): string {
  if (f.path === null) return "the pull request";
  return f.line === undefined ? `\`${f.path}\`` : `\`${f.path}:${f.line}\``;
}

export function decideReview(aggregated: readonly AggregatedFinding[], ctx: DecideContext): ReviewDecision {
  const ignoredKeys = new Set(ctx.ignored ?? []);
  const earlierKeys = new Set(ctx.earlierFindingKeys ?? []);
  const dropped: Dropped = { ignored: [], repeated: [] };
  const live: AggregatedFinding[] = [];
  for (const f of aggregated) {
    if (f.keys.some((k) => ignoredKeys.has(k)) || ignoredKeys.has(f.key)) dropped.ignored.push(f);
    else if (f.origin === "reviewer" && f.keys.some((k) => earlierKeys.has(k))) dropped.repeated.push(f);
    else live.push(f);
  }

  const open = live.filter((f) => isBlocking(f.severity));
  if (open.length === 0) return { kind: "ready", dropped, remaining: live };

  const spiral = detectSpiral(ctx.changes ?? []);
  if (spiral) return { kind: "spiral", ...spiral, findings: open, dropped };

  if (ctx.fixRound >= ctx.maxFixRounds) return { kind: "needs-human", findings: open, dropped };

  if (ctx.escalate === false) return { kind: "fix", findings: open, dropped };

  const byKey = new Map(live.map((f) => [f.key, f]));
  const reasons: Escalation[] = [];
  const toRule = new Set<AggregatedFinding>();
  for (const f of live) {
    const counterparts = f.contradicts.map((k) => byKey.get(k)).filter((c): c is AggregatedFinding => !!c);
    if (
      counterparts.length > 0 &&
      (isBlocking(f.severity) || counterparts.some((c) => isBlocking(c.severity)))
    ) {
      toRule.add(f);
      const others = counterparts.filter((c) => c !== f);
      reasons.push({
        key: f.key,
        reason: "contradicting",
        detail:
          others.length > 0
            ? `contradicts ${others.map((c) => `${c.raisedBy.join(", ")} at ${where(c)}`).join("; ")}`
            : `${f.raisedBy.join(" and ")} pull in opposite directions at ${where(f)}`,
      });
    }
    if (!isBlocking(f.severity)) continue;
    if (f.conflicts_with_plan) {
      toRule.add(f);
      reasons.push({
        key: f.key,
        reason: "plan_conflict",
        detail: `says the plan itself causes the problem at ${where(f)}`,
      });
    }
    if (f.consensus === "single") {
      toRule.add(f);
      reasons.push({
        key: f.key,
        reason: "single",
        detail: `only ${f.blockingBy.join(", ") || f.raisedBy.join(", ")} holds it at ${f.severity}`,
      });
    }
  }
  if (toRule.size > 0) {
    const findings = live.filter((f) => toRule.has(f));
    const agreed = open.filter((f) => !toRule.has(f));
    return { kind: "escalate", findings, agreed, reasons, dropped };
  }
  return { kind: "fix", findings: open, dropped };
}
