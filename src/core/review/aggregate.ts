import { isBlocking, type Severity, severityRank } from "../schemas/review.js";
import type { Side } from "../types.js";
import {
  type FindingInput,
  type FindingOrigin,
  type FindingSet,
  findingKey,
  normaliseAnchor,
  normalisePath,
} from "./finding.js";
import { DEFAULT_SIMILARITY, jaccard, opposite, type Polarity, polarity, tokens } from "./similarity.js";

/**
 * Aggregation across reviewers (ARCHITECTURE §5.2): one list of findings, duplicates merged, each
 * classified by how far the reviewers agree on it. Pure: where an anchor sits in the diff is found
 * before (`FindingInput.at`, set by the shell's `locateFindings`); without it, positions compare by
 * anchor text only.
 *
 * **Same finding.** Two findings from different sources are merged when they are on the same path,
 * at the same spot, and have the same gist:
 * - same spot: both anchors resolve (or carry a known line) on the same side and their line ranges
 *   are at most `lineWindow` (default 3) lines apart; when either position is unknown, the normalised
 *   anchor texts are identical;
 * - same gist: token Jaccard of the messages ≥ `similarity` (default 0.3, see similarity.ts), or
 *   identical normalised anchor text (two reviewers who pick the very same line are taken to mean the
 *   same thing; both messages are kept in the merged one).
 * Findings without a path (about the whole pull request) merge on the gist alone. Findings with the
 * same key always merge (an exact repeat). Clustering is greedy in input order — humans first, then CI
 * checks, then reviewers, worst severity first — and a cluster never takes two findings of one source
 * unless they are exact repeats.
 *
 * **Agreement** (`consensus`): human and CI findings are always `agreed`. With one reviewer configured
 * every finding is `agreed`. With several, a finding is `agreed` when every configured reviewer raised
 * it — and, when it is at blocker or major, every one of them rated it blocker or major; otherwise it
 * is `single` (only one reviewer says it must hold the pull request back).
 *
 * **Contradiction.** Two reviewers' findings on the same path and the same spot (the rule above)
 * whose messages have opposite polarity (one asks to remove, the other to add or keep; see
 * similarity.ts) contradict each other, whether or not they were merged. Human and CI findings are
 * never in a contradiction: the maintainer has the last word.
 *
 * `agreement` is the one label, in this order of precedence: `plan_conflict` (any merged finding has
 * `conflicts_with_plan`), `contradicting`, then the consensus.
 */

export interface AggregateOptions {
  /** How many lines apart two anchors may be and still be the same spot (default 3). */
  lineWindow?: number;
  /** Token-Jaccard threshold for "the same gist" (default 0.3). */
  similarity?: number;
  /** Reviewers configured for this round (default: the number of reviewer sets passed). */
  reviewerCount?: number;
}

export type Consensus = "agreed" | "single";
export type Agreement = "agreed" | "single" | "contradicting" | "plan_conflict";

/** One source's finding inside an aggregated one. */
export interface RaisedFinding {
  reviewer: string;
  origin: FindingOrigin;
  key: string;
  finding: FindingInput;
}

export interface AggregatedFinding {
  /** The key of its first (worst, highest-priority) member; unique within one aggregation. */
  key: string;
  /** Every member's key: a maintainer's ignore or an earlier round naming any of them covers it. */
  keys: string[];
  /** The file's new path; null for a finding about the whole pull request. */
  path: string | null;
  anchor: string | null;
  /** Where the anchor resolved (absent when it did not). */
  line?: number;
  side?: Side;
  startLine?: number;
  /** The worst severity any member gave it. */
  severity: Severity;
  /** The members' messages: one, or each prefixed by who raised it. */
  message: string;
  suggestion?: string;
  plan_step?: number;
  conflicts_with_plan: boolean;
  /** `human` beats `check` beats `reviewer`. */
  origin: FindingOrigin;
  raisedBy: string[];
  /** The reviewers (reviewer origin only) who rated it blocker or major. */
  blockingBy: string[];
  consensus: Consensus;
  /** Keys of the findings this one contradicts (its own key when its members pull apart). */
  contradicts: string[];
  agreement: Agreement;
  members: RaisedFinding[];
}

const ORIGIN_PRIORITY: Record<FindingOrigin, number> = { human: 0, check: 1, reviewer: 2 };

interface Item extends RaisedFinding {
  path: string | null;
  anchorNorm: string;
  pos?: { side: Side; start: number; end: number; line: number; startLine?: number };
  tokens: Set<string>;
  polarity: Polarity;
  order: number;
}

function position(f: FindingInput): { path: string | null; pos?: Item["pos"] } {
  if (!f.path) return { path: null };
  const path = f.at?.path ?? normalisePath(f.path);
  const line = f.at?.line ?? f.line;
  if (line === undefined) return { path };
  const startLine = f.at?.line !== undefined ? f.at.startLine : undefined;
  const pos: NonNullable<Item["pos"]> = {
    side: f.at?.side ?? f.side ?? "RIGHT",
    start: startLine ?? line,
    end: line,
    line,
  };
  if (startLine !== undefined) pos.startLine = startLine;
  return { path, pos };
}

function sameSpot(a: Item, b: Item, window: number): boolean {
  if (a.path !== b.path) return false;
  if (a.path === null) return true;
  if (a.pos && b.pos) {
    if (a.pos.side !== b.pos.side) return false;
    const gap = Math.max(a.pos.start, b.pos.start) - Math.min(a.pos.end, b.pos.end);
    return gap <= window;
  }
  return a.anchorNorm !== "" && a.anchorNorm === b.anchorNorm;
}

function sameFinding(a: Item, b: Item, window: number, threshold: number): boolean {
  if (a.key === b.key) return true;
  if (!sameSpot(a, b, window)) return false;
  const sameAnchor = a.path !== null && a.anchorNorm !== "" && a.anchorNorm === b.anchorNorm;
  return sameAnchor || jaccard(a.tokens, b.tokens) >= threshold;
}

function mergedMessage(members: readonly Item[]): string {
  const distinct = [...new Set(members.map((m) => m.finding.message.trim()))];
  if (distinct.length === 1) return distinct[0] ?? "";
  return members
    .map((m) => `**${m.reviewer}** (${m.finding.severity}): ${m.finding.message.trim()}`)
    .join("\n\n");
}

export function aggregateFindings(
  sets: readonly FindingSet[],
  opts: AggregateOptions = {},
): AggregatedFinding[] {
  const window = opts.lineWindow ?? 3;
  const threshold = opts.similarity ?? DEFAULT_SIMILARITY;
  const reviewerSets = sets.filter((s) => (s.origin ?? "reviewer") === "reviewer");
  const reviewerCount = opts.reviewerCount ?? new Set(reviewerSets.map((s) => s.reviewer)).size;

  // Flatten, then order: humans, checks, reviewers; worst severity first; otherwise input order.
  const items: Item[] = [];
  for (const set of sets) {
    const origin = set.origin ?? "reviewer";
    for (const finding of set.findings) {
      const { path, pos } = position(finding);
      const item: Item = {
        reviewer: set.reviewer,
        origin,
        key: findingKey(finding),
        finding,
        path,
        anchorNorm: normaliseAnchor(finding.anchor),
        tokens: tokens(finding.message),
        polarity: polarity(finding.message),
        order: items.length,
      };
      if (pos) item.pos = pos;
      items.push(item);
    }
  }
  items.sort(
    (a, b) =>
      ORIGIN_PRIORITY[a.origin] - ORIGIN_PRIORITY[b.origin] ||
      severityRank(b.finding.severity) - severityRank(a.finding.severity) ||
      a.order - b.order,
  );

  // Greedy clustering.
  const clusters: Item[][] = [];
  for (const item of items) {
    const home =
      clusters.find((c) => c.some((m) => m.key === item.key)) ??
      clusters.find(
        (c) =>
          !c.some((m) => m.reviewer === item.reviewer) &&
          c.some((m) => sameFinding(m, item, window, threshold)),
      );
    if (home) home.push(item);
    else clusters.push([item]);
  }

  // Unique cluster keys (two clusters can share a primary key only through a hash collision).
  const clusterKeys: string[] = [];
  for (const c of clusters) {
    const base = c[0]?.key ?? "";
    let key = base;
    for (let n = 2; clusterKeys.includes(key); n++) key = `${base}-${n}`;
    clusterKeys.push(key);
  }

  // Contradictions: pairs of reviewers' findings at the same spot with opposite polarity.
  const contradicts = clusters.map(() => new Set<string>());
  const clusterOf = new Map<Item, number>();
  clusters.forEach((c, i) => {
    for (const m of c) clusterOf.set(m, i);
  });
  const reviewerItems = items.filter((i) => i.origin === "reviewer");
  for (let x = 0; x < reviewerItems.length; x++) {
    for (let y = x + 1; y < reviewerItems.length; y++) {
      const a = reviewerItems[x] as Item;
      const b = reviewerItems[y] as Item;
      if (a.reviewer === b.reviewer || !opposite(a.polarity, b.polarity) || !sameSpot(a, b, window)) continue;
      const ca = clusterOf.get(a) ?? 0;
      const cb = clusterOf.get(b) ?? 0;
      contradicts[ca]?.add(clusterKeys[cb] ?? "");
      contradicts[cb]?.add(clusterKeys[ca] ?? "");
    }
  }

  const out = clusters.map((members, i): AggregatedFinding => {
    const first = members[0] as Item;
    const raisedBy = [...new Set(members.map((m) => m.reviewer))];
    const blockingBy = [
      ...new Set(
        members
          .filter((m) => m.origin === "reviewer" && isBlocking(m.finding.severity))
          .map((m) => m.reviewer),
      ),
    ];
    const reviewersIn = new Set(members.filter((m) => m.origin === "reviewer").map((m) => m.reviewer));
    const worst = members.reduce<Severity>(
      (w, m) => (severityRank(m.finding.severity) > severityRank(w) ? m.finding.severity : w),
      first.finding.severity,
    );
    const humanOrCheck = members.some((m) => m.origin !== "reviewer");
    const everyone = isBlocking(worst)
      ? blockingBy.length >= reviewerCount
      : reviewersIn.size >= reviewerCount;
    const consensus: Consensus = humanOrCheck || reviewerCount <= 1 || everyone ? "agreed" : "single";
    const conflicts = members.some((m) => m.finding.conflicts_with_plan === true);
    const contra = [...(contradicts[i] ?? [])].sort();
    const agreement: Agreement = conflicts
      ? "plan_conflict"
      : contra.length > 0
        ? "contradicting"
        : consensus;
    const result: AggregatedFinding = {
      key: clusterKeys[i] ?? first.key,
      keys: [...new Set(members.map((m) => m.key))],
      path: first.path,
      anchor: first.finding.anchor ?? null,
      severity: worst,
      message: mergedMessage(members),
      conflicts_with_plan: conflicts,
      origin: first.origin,
      raisedBy,
      blockingBy,
      consensus,
      contradicts: contra,
      agreement,
      members: members.map(({ reviewer, origin, key, finding }) => ({ reviewer, origin, key, finding })),
    };
    if (first.pos) {
      result.line = first.pos.line;
      result.side = first.pos.side;
      if (first.pos.startLine !== undefined) result.startLine = first.pos.startLine;
    }
    const suggestion = members.find((m) => m.finding.suggestion?.trim())?.finding.suggestion;
    if (suggestion != null) result.suggestion = suggestion;
    const step = members.find((m) => m.finding.plan_step != null)?.finding.plan_step;
    if (step != null) result.plan_step = step;
    return result;
  });

  return out.sort(
    (a, b) =>
      ORIGIN_PRIORITY[a.origin] - ORIGIN_PRIORITY[b.origin] ||
      severityRank(b.severity) - severityRank(a.severity) ||
      (a.path ?? "").localeCompare(b.path ?? "") ||
      (a.line ?? 0) - (b.line ?? 0),
  );
}
