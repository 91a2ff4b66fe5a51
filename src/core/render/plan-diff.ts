import type { ModelText } from "../model-text.js";
import { similarity } from "../review/similarity.js";
import type { Plan } from "../schemas/architect.js";

/**
 * What changed between two plan versions (issue [12/12] item 8): a maintainer who approved v1, or
 * read it, should not have to diff v2 by eye. Steps and decisions are matched by title (decision
 * text) — exactly first, after case, spacing and punctuation are ignored — then by similarity, so a
 * reworded step is "changed", not "removed and added":
 *
 * - steps: the larger of title similarity and the mean of title, files and details similarity, at
 *   least `STEP_MATCH` (token Jaccard, src/core/review/similarity.ts; files by Jaccard of their paths);
 * - decisions: the larger of decision similarity and its mean with the reason's, at least `DECISION_MATCH`;
 * - tests, out of scope, risks: an entry at least `ITEM_MATCH` similar to one of the other version is
 *   "reworded", otherwise added or removed.
 * Pairs are taken best first. A matched step that changed place relative to the other matched steps
 * (not in the longest run that kept its order) is "moved"; a step that only shifted because another
 * was inserted is not.
 */

export const STEP_MATCH = 0.45;
export const DECISION_MATCH = 0.5;
export const ITEM_MATCH = 0.6;

type Step = Plan["steps"][number];
type Decision = Plan["decisions"][number];

export interface StepRef {
  /** 1-based, in its own version. */
  index: number;
  title: string;
}

export type StepChangeKind = "title" | "files" | "signatures" | "details" | "moved";

export interface ChangedStep {
  before: StepRef;
  after: StepRef;
  what: StepChangeKind[];
  /** `path (action)` entries new in the step, and gone from it. */
  filesAdded: string[];
  filesRemoved: string[];
}

export interface DecisionRef {
  index: number;
  decision: string;
}

export type DecisionChangeKind = "decision" | "why" | "alternatives";

export interface ChangedDecision {
  before: DecisionRef;
  after: DecisionRef;
  what: DecisionChangeKind[];
}

export interface ListChanges {
  added: string[];
  removed: string[];
  reworded: Array<{ before: string; after: string }>;
}

export interface PlanChanges {
  goal?: { before: string; after: string };
  steps: { added: StepRef[]; removed: StepRef[]; changed: ChangedStep[] };
  decisions: { added: DecisionRef[]; removed: DecisionRef[]; changed: ChangedDecision[] };
  tests: ListChanges;
  out_of_scope: ListChanges;
  risks: ListChanges;
}

const norm = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();

/** Whitespace-insensitive: re-wrapped text is not a change. */
const squash = (s: string) => s.replace(/\s+/g, " ").trim();

function jaccardOf(a: readonly string[], b: readonly string[]): number {
  const A = new Set(a);
  const B = new Set(b);
  if (A.size === 0 && B.size === 0) return 1;
  let shared = 0;
  for (const x of A) if (B.has(x)) shared++;
  return shared / (A.size + B.size - shared);
}

/** Index pairs [previous, next]: exact keys first (in order), then the best-scoring pairs above `min`. */
function match<T>(
  prev: readonly T[],
  next: readonly T[],
  key: (t: T) => string,
  score: (a: T, b: T) => number,
  min: number,
): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  const usedPrev = new Set<number>();
  const usedNext = new Set<number>();
  prev.forEach((p, i) => {
    const j = next.findIndex((n, k) => !usedNext.has(k) && key(n) === key(p));
    if (j < 0) return;
    pairs.push([i, j]);
    usedPrev.add(i);
    usedNext.add(j);
  });
  const candidates: Array<{ i: number; j: number; s: number }> = [];
  prev.forEach((p, i) => {
    if (usedPrev.has(i)) return;
    next.forEach((n, j) => {
      if (usedNext.has(j)) return;
      const s = score(p, n);
      if (s >= min) candidates.push({ i, j, s });
    });
  });
  candidates.sort((a, b) => b.s - a.s || a.i - b.i || a.j - b.j);
  for (const c of candidates) {
    if (usedPrev.has(c.i) || usedNext.has(c.j)) continue;
    pairs.push([c.i, c.j]);
    usedPrev.add(c.i);
    usedNext.add(c.j);
  }
  return pairs.sort((a, b) => a[0] - b[0]);
}

/** Positions (into `seq`) of one longest strictly increasing subsequence. */
function longestIncreasing(seq: readonly number[]): Set<number> {
  const best: number[] = seq.map(() => 1);
  const from: number[] = seq.map(() => -1);
  for (let i = 0; i < seq.length; i++)
    for (let j = 0; j < i; j++)
      if ((seq[j] ?? 0) < (seq[i] ?? 0) && (best[j] ?? 0) + 1 > (best[i] ?? 0)) {
        best[i] = (best[j] ?? 0) + 1;
        from[i] = j;
      }
  let end = best.indexOf(Math.max(0, ...best));
  const keep = new Set<number>();
  while (end >= 0) {
    keep.add(end);
    end = from[end] ?? -1;
  }
  return keep;
}

const fileEntries = (s: Step) => s.files.map((f) => `${f.path} (${f.action})`);

function stepScore(a: Step, b: Step): number {
  const title = similarity(a.title, b.title);
  const files = jaccardOf(
    a.files.map((f) => f.path),
    b.files.map((f) => f.path),
  );
  return Math.max(title, (title + files + similarity(a.details, b.details)) / 3);
}

function stepChanges(prev: readonly Step[], next: readonly Step[]): PlanChanges["steps"] {
  const pairs = match(prev, next, (s) => norm(s.title), stepScore, STEP_MATCH);
  const inOrder = longestIncreasing(pairs.map(([, j]) => j));
  const changed: ChangedStep[] = [];
  pairs.forEach(([i, j], k) => {
    const a = prev[i] as Step;
    const b = next[j] as Step;
    const before = fileEntries(a);
    const after = fileEntries(b);
    const what: StepChangeKind[] = [];
    if (norm(a.title) !== norm(b.title)) what.push("title");
    if (jaccardOf(before, after) < 1) what.push("files");
    if (jaccardOf(a.signatures, b.signatures) < 1) what.push("signatures");
    if (squash(a.details) !== squash(b.details)) what.push("details");
    if (!inOrder.has(k)) what.push("moved");
    if (what.length === 0) return;
    changed.push({
      before: { index: i + 1, title: a.title },
      after: { index: j + 1, title: b.title },
      what,
      filesAdded: after.filter((f) => !before.includes(f)),
      filesRemoved: before.filter((f) => !after.includes(f)),
    });
  });
  const matchedPrev = new Set(pairs.map(([i]) => i));
  const matchedNext = new Set(pairs.map(([, j]) => j));
  return {
    added: next.flatMap((s, j) => (matchedNext.has(j) ? [] : [{ index: j + 1, title: s.title }])),
    removed: prev.flatMap((s, i) => (matchedPrev.has(i) ? [] : [{ index: i + 1, title: s.title }])),
    changed,
  };
}

const alternatives = (d: Decision) => d.alternatives.map((a) => `${norm(a.option)}\n${norm(a.why_rejected)}`);

function decisionChanges(prev: readonly Decision[], next: readonly Decision[]): PlanChanges["decisions"] {
  const score = (a: Decision, b: Decision) => {
    const d = similarity(a.decision, b.decision);
    return Math.max(d, (d + similarity(a.why, b.why)) / 2);
  };
  const pairs = match(prev, next, (d) => norm(d.decision), score, DECISION_MATCH);
  const changed: ChangedDecision[] = [];
  for (const [i, j] of pairs) {
    const a = prev[i] as Decision;
    const b = next[j] as Decision;
    const what: DecisionChangeKind[] = [];
    if (squash(a.decision) !== squash(b.decision)) what.push("decision");
    if (squash(a.why) !== squash(b.why)) what.push("why");
    if (jaccardOf(alternatives(a), alternatives(b)) < 1) what.push("alternatives");
    if (what.length > 0)
      changed.push({
        before: { index: i + 1, decision: a.decision },
        after: { index: j + 1, decision: b.decision },
        what,
      });
  }
  const matchedPrev = new Set(pairs.map(([i]) => i));
  const matchedNext = new Set(pairs.map(([, j]) => j));
  return {
    added: next.flatMap((d, j) => (matchedNext.has(j) ? [] : [{ index: j + 1, decision: d.decision }])),
    removed: prev.flatMap((d, i) => (matchedPrev.has(i) ? [] : [{ index: i + 1, decision: d.decision }])),
    changed,
  };
}

function listChanges(prev: readonly string[], next: readonly string[]): ListChanges {
  const pairs = match(prev, next, norm, similarity, ITEM_MATCH);
  const matchedPrev = new Set(pairs.map(([i]) => i));
  const matchedNext = new Set(pairs.map(([, j]) => j));
  return {
    added: next.filter((_, j) => !matchedNext.has(j)),
    removed: prev.filter((_, i) => !matchedPrev.has(i)),
    reworded: pairs
      .filter(([i, j]) => squash(prev[i] ?? "") !== squash(next[j] ?? ""))
      .map(([i, j]) => ({ before: prev[i] ?? "", after: next[j] ?? "" })),
  };
}

export function planChanges(previous: Plan, next: Plan): PlanChanges {
  const out: PlanChanges = {
    steps: stepChanges(previous.steps, next.steps),
    decisions: decisionChanges(previous.decisions, next.decisions),
    tests: listChanges(previous.tests, next.tests),
    out_of_scope: listChanges(previous.out_of_scope, next.out_of_scope),
    risks: listChanges(previous.risks, next.risks),
  };
  if (squash(previous.goal) !== squash(next.goal)) out.goal = { before: previous.goal, after: next.goal };
  return out;
}

const listEmpty = (l: ListChanges) => l.added.length + l.removed.length + l.reworded.length === 0;

export function hasPlanChanges(c: PlanChanges): boolean {
  return (
    c.goal !== undefined ||
    c.steps.added.length + c.steps.removed.length + c.steps.changed.length > 0 ||
    c.decisions.added.length + c.decisions.removed.length + c.decisions.changed.length > 0 ||
    !listEmpty(c.tests) ||
    !listEmpty(c.out_of_scope) ||
    !listEmpty(c.risks)
  );
}

function counts(parts: Array<[number, string]>): string {
  return parts
    .filter(([n]) => n > 0)
    .map(([n, w]) => `${n} ${w}`)
    .join(", ");
}

const STEP_WHAT: Record<StepChangeKind, string> = {
  title: "title",
  files: "files",
  signatures: "signatures",
  details: "details",
  moved: "moved",
};

function stepLines(c: PlanChanges["steps"], text: ModelText): string[] {
  const head = counts([
    [c.added.length, "added"],
    [c.removed.length, "removed"],
    [c.changed.length, "changed"],
  ]);
  if (head === "") return [];
  const out = [`- **Steps:** ${head}`];
  for (const s of c.added) out.push(`  - Added: step ${s.index}, **${text.line(s.title)}**`);
  for (const s of c.removed) out.push(`  - Removed: **${text.line(s.title)}** (was step ${s.index})`);
  for (const s of c.changed) {
    const parts = s.what.map((w) => {
      if (w === "title") return `title (was **${text.line(s.before.title)}**)`;
      if (w === "moved") return `moved (was step ${s.before.index})`;
      if (w !== "files") return STEP_WHAT[w];
      const plus = s.filesAdded.map((f) => `+ ${text.code(f)}`);
      const minus = s.filesRemoved.map((f) => `− ${text.code(f)}`);
      return `files (${[...plus, ...minus].join(", ")})`;
    });
    out.push(`  - Changed: step ${s.after.index}, **${text.line(s.after.title)}** — ${parts.join("; ")}`);
  }
  return out;
}

function decisionLines(c: PlanChanges["decisions"], text: ModelText): string[] {
  const head = counts([
    [c.added.length, "added"],
    [c.removed.length, "removed"],
    [c.changed.length, "changed"],
  ]);
  if (head === "") return [];
  const out = [`- **Decisions:** ${head}`];
  for (const d of c.added) out.push(`  - Added: **${text.line(d.decision)}**`);
  for (const d of c.removed) out.push(`  - Removed: **${text.line(d.decision)}**`);
  for (const d of c.changed) {
    const what = d.what.map((w) =>
      w === "decision" ? `reworded (was **${text.line(d.before.decision)}**)` : w,
    );
    out.push(`  - Changed: **${text.line(d.after.decision)}** — ${what.join("; ")}`);
  }
  return out;
}

function listLines(label: string, l: ListChanges, text: ModelText): string[] {
  const head = counts([
    [l.added.length, "added"],
    [l.removed.length, "removed"],
    [l.reworded.length, "reworded"],
  ]);
  if (head === "") return [];
  return [
    `- **${label}:** ${head}`,
    ...l.added.map((t) => `  - Added: ${text.line(t)}`),
    ...l.removed.map((t) => `  - Removed: ${text.line(t)}`),
    ...l.reworded.map((r) => `  - Reworded: ${text.line(r.after)} (was: ${text.line(r.before)})`),
  ];
}

/**
 * The "What changed since vN" section for a revised plan comment. Every model-written field goes
 * through `text`; `since` names the earlier version (default: "the previous plan").
 */
export function renderPlanChanges(changes: PlanChanges, text: ModelText, since?: number): string {
  const heading = `### What changed since ${since === undefined ? "the previous plan" : `v${since}`}`;
  if (!hasPlanChanges(changes))
    return `${heading}\n\nNothing in substance: the steps, decisions, tests and risks are as before.`;
  const lines = [heading, ""];
  if (changes.goal) lines.push(`- **Goal:** reworded (was: ${text.line(changes.goal.before)})`);
  lines.push(
    ...stepLines(changes.steps, text),
    ...decisionLines(changes.decisions, text),
    ...listLines("Tests", changes.tests, text),
    ...listLines("Out of scope", changes.out_of_scope, text),
    ...listLines("Risks", changes.risks, text),
  );
  return lines.join("\n");
}
