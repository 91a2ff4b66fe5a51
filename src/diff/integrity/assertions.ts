import { flag, type Hit, hunkFlags } from "./flags.js";
import { byHunk, type ChangedLine, type FileFacts, pairNearest } from "./lines.js";
import type { IntegrityFlag, LanguageRules, Weakening } from "./types.js";

/**
 * Assertions removed or weakened in test code.
 *
 * - An identical assertion added anywhere (after whitespace) is the same one, moved or re-indented.
 * - The rest pair nearest first: a removed assertion and an added one in the same run of changed lines
 *   replace each other (and are checked for weakening), then any two in the same file.
 * - A pair is weakened when the removed line matches a strong form of the language's table, the added
 *   line a weak one and no longer the strong one, and both are about the same thing (their tokens
 *   overlap by `SAME_SUBJECT`: a restructured test does not pair unrelated lines). A line that opens a
 *   bracket it does not close (`assert (`) is the start of a multi-line assertion, never weak.
 * - A removed assertion whose check moved into a stronger form of a neighbour in the same hunk
 *   (`pytest.raises(E)` + `assert "msg" in …` → `pytest.raises(E, match="msg")`) is not removed.
 * - What is left unpaired was removed. A deleted test file's assertions are reported with the file,
 *   unless they reappear elsewhere (the file moved, `MOVED_SHARE`).
 */

/** Token overlap (Jaccard) above which two assertion lines are about the same thing. */
export const SAME_SUBJECT = 0.3;
/** A deleted test file whose assertions reappear elsewhere at least this much moved. */
export const MOVED_SHARE = 0.8;

const normaliseCode = (s: string) => s.trim().replace(/\s+/g, " ").replace(/[;,]$/, "");

function tokenSet(s: string): Set<string> {
  return new Set(s.match(/[\p{L}_][\p{L}\p{N}_]*|\p{N}+/gu) ?? []);
}

function overlap(a: string, b: string): number {
  const A = tokenSet(a);
  const B = tokenSet(b);
  if (A.size === 0 && B.size === 0) return 0;
  let shared = 0;
  for (const t of A) if (B.has(t)) shared++;
  return shared / (A.size + B.size - shared);
}

/** More `(`, `[` or `{` opened than closed: the line goes on below. */
function opensBracket(code: string): boolean {
  let depth = 0;
  for (const ch of code) {
    if ("([{".includes(ch)) depth++;
    else if (")]}".includes(ch)) depth--;
  }
  return depth > 0;
}

function weakeningOf(lang: LanguageRules, d: ChangedLine, a: ChangedLine): Weakening | undefined {
  const w = lang.weakenings.find(
    (x) => x.from.test(d.code) && x.to.test(a.code) && !x.from.test(a.code) && !x.unless?.test(d.source),
  );
  if (!w || opensBracket(d.code) || opensBracket(a.code)) return undefined;
  const same = Math.max(overlap(d.code, a.code), overlap(d.source, a.source)) >= SAME_SUBJECT;
  return same ? w : undefined;
}

/** The pair made the assertion stronger (the reverse of a weakening). */
function strengthened(lang: LanguageRules, d: ChangedLine, a: ChangedLine): boolean {
  return lang.weakenings.some((w) => w.from.test(a.code) && w.to.test(d.code) && !w.from.test(d.code));
}

interface Moves {
  /** Removed assertions with no identical line added anywhere. */
  removed: Hit[];
  added: Hit[];
  moved: Set<number>;
}

function exactMoves(facts: readonly FileFacts[], dels: readonly Hit[], adds: readonly Hit[]): Moves {
  const pool = new Map<string, Hit[]>();
  for (const a of adds) {
    const k = normaliseCode(a.line.code);
    pool.set(k, [...(pool.get(k) ?? []), a]);
  }
  const matched = new Set<Hit>();
  const removed: Hit[] = [];
  for (const d of dels) {
    const match = pool.get(normaliseCode(d.line.code))?.shift();
    if (match) matched.add(match);
    else removed.push(d);
  }
  const moved = new Set<number>();
  facts.forEach((f, i) => {
    if (f.file.status !== "deleted" || !f.isTest) return;
    const total = dels.filter((d) => d.line.fileIndex === i).length;
    const left = removed.filter((d) => d.line.fileIndex === i).length;
    if (total > 0 && total - left >= total * MOVED_SHARE) moved.add(i);
  });
  return { removed, added: adds.filter((a) => !matched.has(a)), moved };
}

function weakenedFlags(facts: readonly FileFacts[], pairs: ReadonlyArray<[Hit, Hit]>): IntegrityFlag[] {
  const found = new Map<string, { source: string; hits: Hit[] }>();
  for (const [d, a] of pairs) {
    const lang = facts[a.line.fileIndex]?.lang;
    const w = lang && weakeningOf(lang, d.line, a.line);
    if (!w || !lang) continue;
    const entry = found.get(w.what) ?? { source: lang.name, hits: [] };
    entry.hits.push(d, a);
    found.set(w.what, entry);
  }
  return [...found.entries()].flatMap(([what, e]) =>
    byHunk(e.hits).map((group) => {
      const added = group.find((h) => h.line.kind === "add") as Hit;
      return flag(
        "assertion-weakened",
        facts[added.line.fileIndex]?.path ?? "",
        "RIGHT",
        `makes an assertion weaker: ${what}`,
        e.source,
        group.map((h) => `${h.line.kind === "add" ? "+" : "-"}${h.line.text}`),
        added.line.line,
      );
    }),
  );
}

/** Removed assertions whose check a strengthened neighbour in the same hunk took over. */
function foldedIntoStronger(
  facts: readonly FileFacts[],
  pairs: ReadonlyArray<[Hit, Hit]>,
  removed: readonly Hit[],
): Hit[] {
  const credits = new Map<string, number>();
  const hunkOf = (h: Hit) => `${h.line.fileIndex}:${h.line.hunkIndex}`;
  for (const [d, a] of pairs) {
    const lang = facts[a.line.fileIndex]?.lang;
    if (lang && strengthened(lang, d.line, a.line)) credits.set(hunkOf(a), (credits.get(hunkOf(a)) ?? 0) + 1);
  }
  return removed.filter((d) => {
    const left = credits.get(hunkOf(d)) ?? 0;
    if (left === 0) return true;
    credits.set(hunkOf(d), left - 1);
    return false;
  });
}

export function assertionFlags(
  facts: readonly FileFacts[],
  lines: readonly ChangedLine[],
): { flags: IntegrityFlag[]; moved: Set<number>; asserting: Set<number> } {
  const lang = (l: ChangedLine) => facts[l.fileIndex]?.lang;
  const isAssertion = (l: ChangedLine) => l.test && (lang(l)?.assertion.test(l.code) ?? false);
  // A weaker form that is no assertion at all (`t.Logf` for `t.Fatalf`) can only replace one in place.
  const isWeakForm = (l: ChangedLine) =>
    l.test && (lang(l)?.weakenings.some((w) => w.to.test(l.code)) ?? false);
  const hits = (pred: (l: ChangedLine) => boolean) => lines.filter(pred).map((line) => ({ line }));
  const dels = hits((l) => l.kind === "del" && isAssertion(l));
  const adds = hits((l) => l.kind === "add" && isAssertion(l));
  const weakForms = hits((l) => l.kind === "add" && !isAssertion(l) && isWeakForm(l));

  const moves = exactMoves(facts, dels, adds);
  const inPlace = pairNearest(moves.removed, [...moves.added, ...weakForms], ["block"]);
  const inFile = pairNearest(
    inPlace.removed,
    inPlace.added.filter((a) => !weakForms.includes(a)),
    ["file"],
  );
  const removed = foldedIntoStronger(facts, inPlace.pairs, inFile.removed).filter((d) => {
    // A deleted test file's assertions are reported with the file, unless the file moved.
    const f = facts[d.line.fileIndex] as FileFacts;
    return !(f.file.status === "deleted" && f.isTest && !moves.moved.has(d.line.fileIndex));
  });
  const byLang = new Map<string, Hit[]>();
  for (const d of removed) {
    const name = lang(d.line)?.name ?? "";
    byLang.set(name, [...(byLang.get(name) ?? []), d]);
  }
  const flags = [
    ...weakenedFlags(facts, inPlace.pairs),
    ...[...byLang].flatMap(([name, hs]) =>
      hunkFlags(facts, hs, "assertion-removed", "removes an assertion and puts none in its place", name),
    ),
  ];
  return { flags, moved: moves.moved, asserting: new Set(dels.map((d) => d.line.fileIndex)) };
}
