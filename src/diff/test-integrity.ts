import type { FindingInput } from "../core/review/finding.js";
import type { Side } from "./anchor.js";
import {
  CONFIG_PATTERNS,
  type ConfigPattern,
  KEYED_RULES,
  type KeyedRule,
  LIST_RULES,
  type ListRule,
} from "./integrity/config-rules.js";
import { keyValues, type ListItem, ListTracker } from "./integrity/config-scan.js";
import { isCollectedTest } from "./integrity/languages.js";
import {
  byHunk,
  type ChangedLine,
  changedLines,
  type FileFacts,
  fileFacts,
  pairNearest,
} from "./integrity/lines.js";
import type { IntegrityFlag, IntegrityRule, LinePattern } from "./integrity/types.js";
import type { DiffFile } from "./types.js";

export { INTEGRITY_RULES, type IntegrityFlag, type IntegrityRule } from "./integrity/types.js";

/**
 * The test-integrity guard (issue [12/12] item 3): code, not a model, reads the developer's diff for
 * the ways a change can make the suite pass without the code being right — test files deleted or
 * renamed where the runner no longer finds them, tests newly skipped or focused, assertions removed or
 * made weaker, coverage gates lowered, lint and type checks relaxed, snapshot files rewritten wholesale.
 * Agents are known to do each of these to get a green run, and a reviewer model reading a long diff
 * (often clipped to its budget) misses them; a table of rules does not. Every flag is a blocker, unless
 * a plan step names the change (`planned`).
 *
 * The rules are tables (integrity/languages.ts per language: JavaScript/TypeScript, Python, Go, Rust,
 * Java/Kotlin, Ruby, C#, PHP; integrity/config-rules.ts per tool). Pure: a parsed diff in, flags out.
 *
 * How a change counts, so ordinary edits pass: an added skip or suppression counts only beyond the
 * ones the same file lost (an edited line that already had it is no new skip); an assertion counts as
 * removed only when no assertion took its place (nearest first: the same run of changed lines, the
 * same file, then an identical line anywhere, so moving a test between files is no removal); an
 * assertion is weakened when the line that replaced it matches a weaker form from the table and no
 * longer the strong one; a setting is relaxed when it moves down its strictness order, disappears
 * where the default is laxer, or is newly written at its laxest value.
 */

export interface IntegrityOptions {
  /** The plan names this change (the caller builds it from the plan's steps; see `plannedBySteps`). */
  planned?: (path: string, rule: IntegrityRule) => boolean;
}

/** At most this many offending lines per flag; the rest are counted. */
export const MAX_FLAG_LINES = 12;
/** A snapshot file counts as rewritten wholesale when at least this share of its lines changed … */
export const SNAPSHOT_REWRITE_SHARE = 0.5;
/** … and at least this many lines (a two-line snapshot with one line changed is an ordinary update). */
export const SNAPSHOT_REWRITE_MIN_LINES = 5;

const TITLE: Record<IntegrityRule, string> = {
  "test-file-deleted": "Test file deleted",
  "test-file-renamed-away": "Test file renamed away",
  "test-skipped": "Tests skipped",
  "assertion-removed": "Assertion removed",
  "assertion-weakened": "Assertion weakened",
  "coverage-lowered": "Coverage gate lowered",
  "lint-relaxed": "Lint relaxed",
  "type-check-relaxed": "Type check relaxed",
  "snapshot-rewritten": "Snapshot rewritten",
};

interface Hit {
  line: ChangedLine;
}

function flag(
  rule: IntegrityRule,
  path: string,
  side: Side,
  what: string,
  source: string,
  lines: readonly string[],
  line?: number,
): IntegrityFlag {
  const f: IntegrityFlag = {
    rule,
    path,
    side,
    lines: [...lines],
    message: `${TITLE[rule]}: this change ${what} (${source}).`,
    severity: "blocker",
    source,
  };
  if (line !== undefined) f.line = line;
  return f;
}

/** One flag per hunk for a run of offending lines. */
function hunkFlags(
  facts: readonly FileFacts[],
  hits: readonly Hit[],
  rule: IntegrityRule,
  what: string,
  source: string,
): IntegrityFlag[] {
  return byHunk(hits).map((group) => {
    const first = group[0] as Hit;
    const seen = new Set<number>();
    const lines = group
      .filter((h) => !seen.has(h.line.line) && seen.add(h.line.line))
      .map((h) => h.line.text);
    const side: Side = first.line.kind === "add" ? "RIGHT" : "LEFT";
    const path = facts[first.line.fileIndex]?.path ?? "";
    return flag(rule, path, side, what, source, lines, first.line.line);
  });
}

/** Added lines matching a pattern, beyond the matching lines the same file lost. */
function patternFlags(facts: readonly FileFacts[], lines: readonly ChangedLine[]): IntegrityFlag[] {
  const found = new Map<string, { pattern: LinePattern; source: string; dels: Hit[]; adds: Hit[] }>();
  for (const line of lines) {
    const f = facts[line.fileIndex] as FileFacts;
    const patterns: Array<LinePattern & { source: string }> = [
      ...(f.lang?.patterns ?? [])
        .filter((p) => !p.testOnly || line.test)
        .map((p) => ({ ...p, source: f.lang?.name ?? "" })),
      ...CONFIG_PATTERNS.filter((p: ConfigPattern) => p.files.test(f.path)),
    ];
    for (const p of patterns) {
      if (!p.pattern.test(line.text)) continue;
      const k = `${line.fileIndex}\u0000${p.id}`;
      const entry = found.get(k) ?? { pattern: p, source: p.source, dels: [], adds: [] };
      (line.kind === "add" ? entry.adds : entry.dels).push({ line });
      found.set(k, entry);
    }
  }
  return [...found.values()].flatMap((e) => {
    const net = pairNearest(e.dels, e.adds, ["block", "file"]).added;
    return hunkFlags(facts, net, e.pattern.rule, e.pattern.what, e.source);
  });
}

const normaliseCode = (s: string) => s.trim().replace(/\s+/g, " ").replace(/[;,]$/, "");

/**
 * Assertions removed or weakened in test code. Returns the flags and the deleted test files whose
 * assertions reappear elsewhere (moved, not deleted).
 */
function assertionFlags(
  facts: readonly FileFacts[],
  lines: readonly ChangedLine[],
): { flags: IntegrityFlag[]; moved: Set<number> } {
  const isAssertion = (l: ChangedLine) =>
    l.test && (facts[l.fileIndex]?.lang?.assertion.test(l.text) ?? false);
  // A weaker form that is no assertion at all (`t.Logf` for `t.Fatalf`) can only replace one in place.
  const isWeakForm = (l: ChangedLine) =>
    l.test && (facts[l.fileIndex]?.lang?.weakenings.some((w) => w.to.test(l.text)) ?? false);
  const dels: Hit[] = lines.filter((l) => l.kind === "del" && isAssertion(l)).map((line) => ({ line }));
  const adds: Hit[] = lines.filter((l) => l.kind === "add" && isAssertion(l)).map((line) => ({ line }));
  const weakForms: Hit[] = lines
    .filter((l) => l.kind === "add" && !isAssertion(l) && isWeakForm(l))
    .map((line) => ({ line }));

  // An identical assertion anywhere else is the same assertion, moved or re-indented.
  const pool = new Map<string, Hit[]>();
  for (const a of adds) {
    const k = normaliseCode(a.line.text);
    pool.set(k, [...(pool.get(k) ?? []), a]);
  }
  const exact = new Set<Hit>();
  const removedLeft: Hit[] = [];
  for (const d of dels) {
    const same = pool.get(normaliseCode(d.line.text));
    const match = same?.shift();
    if (match) exact.add(match);
    else removedLeft.push(d);
  }
  const addsLeft = adds.filter((a) => !exact.has(a));

  const moved = new Set<number>();
  facts.forEach((f, i) => {
    if (f.file.status !== "deleted" || !f.isTest) return;
    const total = dels.filter((d) => d.line.fileIndex === i).length;
    const unmatched = removedLeft.filter((d) => d.line.fileIndex === i).length;
    if (total > 0 && unmatched <= total * 0.2) moved.add(i);
  });

  const inPlace = pairNearest(removedLeft, [...addsLeft, ...weakForms], ["block"]);
  const inFile = pairNearest(
    inPlace.removed,
    inPlace.added.filter((a) => !weakForms.includes(a)),
    ["file"],
  );
  const pairs = inPlace.pairs;
  const removed = inFile.removed;
  const out: IntegrityFlag[] = [];
  const weakened = new Map<string, { what: string; source: string; hits: Hit[] }>();
  for (const [d, a] of pairs) {
    const lang = facts[a.line.fileIndex]?.lang;
    const w = lang?.weakenings.find(
      (x) => x.from.test(d.line.text) && x.to.test(a.line.text) && !x.from.test(a.line.text),
    );
    if (!w || !lang) continue;
    const entry = weakened.get(w.what) ?? { what: w.what, source: lang.name, hits: [] };
    entry.hits.push(d, a);
    weakened.set(w.what, entry);
  }
  for (const e of weakened.values()) {
    for (const group of byHunk(e.hits)) {
      const firstAdded = group.find((h) => h.line.kind === "add") as Hit;
      const f = flag(
        "assertion-weakened",
        facts[firstAdded.line.fileIndex]?.path ?? "",
        "RIGHT",
        `makes an assertion weaker: ${e.what}`,
        e.source,
        group.map((h) => `${h.line.kind === "add" ? "+" : "-"}${h.line.text}`),
        firstAdded.line.line,
      );
      out.push(f);
    }
  }
  // Assertions of a deleted test file are reported with the file, unless the file moved.
  const gone = removed.filter((d) => {
    const f = facts[d.line.fileIndex] as FileFacts;
    return !(f.file.status === "deleted" && f.isTest && !moved.has(d.line.fileIndex));
  });
  const byLang = new Map<string, Hit[]>();
  for (const d of gone) {
    const name = facts[d.line.fileIndex]?.lang?.name ?? "";
    byLang.set(name, [...(byLang.get(name) ?? []), d]);
  }
  for (const [name, hits] of byLang)
    out.push(
      ...hunkFlags(facts, hits, "assertion-removed", "removes an assertion and puts none in its place", name),
    );
  return { flags: out, moved };
}

/** Deleted and renamed-away test files, snapshot files rewritten wholesale. */
function fileFlags(facts: readonly FileFacts[], moved: ReadonlySet<number>): IntegrityFlag[] {
  const out: IntegrityFlag[] = [];
  facts.forEach((f, i) => {
    const { file } = f;
    const source = f.lang?.name ?? "snapshot";
    if (file.status === "deleted" && f.isTest && !moved.has(i)) {
      out.push(flag("test-file-deleted", file.oldPath, "LEFT", "deletes a test file", source, []));
    } else if (file.status === "deleted" && f.isSnapshot) {
      out.push(flag("test-file-deleted", file.oldPath, "LEFT", "deletes a snapshot file", "snapshot", []));
    } else if (file.status === "renamed" && isCollectedTest(file.oldPath) && !isCollectedTest(file.newPath)) {
      const what = `renames a test file to a path the test runner does not pick up (was \`${file.oldPath}\`)`;
      out.push({
        ...flag("test-file-renamed-away", file.newPath, "RIGHT", what, source, []),
        oldPath: file.oldPath,
      });
    } else if (f.isSnapshot && (file.status === "modified" || file.status === "renamed") && !file.binary) {
      out.push(...snapshotFlag(f));
    }
  });
  return out;
}

function snapshotFlag(f: FileFacts): IntegrityFlag[] {
  const removed = f.file.hunks.flatMap((h) => h.lines.filter((l) => l.kind === "del"));
  const known = Math.max(1, ...f.file.hunks.map((h) => h.oldStart + h.oldLines - 1));
  if (removed.length < SNAPSHOT_REWRITE_MIN_LINES || removed.length / known < SNAPSHOT_REWRITE_SHARE)
    return [];
  const first = f.file.hunks[0]?.lines.find((l) => l.kind === "add")?.newLine;
  const share = Math.round((removed.length / known) * 100);
  const what = `rewrites ${removed.length} of its ${known} lines (${share}%) instead of updating the snapshots a change explains`;
  const sample = removed.map((l) => `-${l.text}`);
  return [flag("snapshot-rewritten", f.path, "RIGHT", what, "snapshot", sample, first)];
}

interface Setting extends Hit {
  rule: KeyedRule;
  key: string;
  value: string;
  strictness: number;
}

/** Settings moved down their strictness order, removed where the default is laxer, or newly lax. */
function settingFlags(facts: readonly FileFacts[], lines: readonly ChangedLine[]): IntegrityFlag[] {
  const groups = new Map<string, { olds: Setting[]; news: Setting[] }>();
  for (const line of lines) {
    const path = facts[line.fileIndex]?.path ?? "";
    const rules = KEYED_RULES.filter((r) => r.files.test(path));
    if (rules.length === 0) continue;
    for (const kv of keyValues(line.text)) {
      for (const rule of rules) {
        if (!rule.key.test(kv.key)) continue;
        const strictness = rule.strictness(kv.value);
        if (strictness === undefined) continue;
        const k = `${rule.id}\u0000${kv.key}`;
        const g = groups.get(k) ?? { olds: [], news: [] };
        (line.kind === "add" ? g.news : g.olds).push({
          line,
          rule,
          key: kv.key,
          value: kv.value,
          strictness,
        });
        groups.set(k, g);
      }
    }
  }
  const relaxed = new Map<string, { rule: KeyedRule; hits: Setting[] }>();
  const note = (s: Setting) => {
    const e = relaxed.get(s.rule.id) ?? { rule: s.rule, hits: [] };
    e.hits.push(s);
    relaxed.set(s.rule.id, e);
  };
  for (const { olds, news } of groups.values()) {
    const { pairs, removed, added } = pairNearest(olds, news, ["block", "file", "diff"]);
    for (const [o, n] of pairs) if (n.strictness < o.strictness) note(n);
    for (const o of removed) if (o.rule.absent !== undefined && o.strictness > o.rule.absent) note(o);
    for (const n of added) {
      const status = facts[n.line.fileIndex]?.file.status;
      if (n.rule.laxNew?.(n.value) && !(n.rule.laxNewOnlyIfModified && status === "added")) note(n);
    }
  }
  return [...relaxed.values()].flatMap((e) => {
    const sorted = [...e.hits].sort(
      (a, b) => a.line.fileIndex - b.line.fileIndex || a.line.line - b.line.line,
    );
    return hunkFlags(facts, sorted, e.rule.rule, e.rule.what, e.rule.source);
  });
}

interface Item extends Hit {
  rule: ListRule;
  item: string;
}

/** Items added to ignore lists, or removed from select lists. */
function listFlags(facts: readonly FileFacts[], lines: readonly ChangedLine[]): IntegrityFlag[] {
  const items: Item[] = [];
  facts.forEach((f, fileIndex) => {
    const rules = LIST_RULES.filter((r) => r.files.test(f.path));
    if (rules.length === 0 || f.file.binary) return;
    f.file.hunks.forEach((hunk, hunkIndex) => {
      const sides = { old: new ListTracker(), new: new ListTracker() };
      if (hunk.section) {
        sides.old.feed(hunk.section);
        sides.new.feed(hunk.section);
      }
      const changed = lines.filter((l) => l.fileIndex === fileIndex && l.hunkIndex === hunkIndex);
      let next = 0;
      const take = (line: ChangedLine, found: readonly ListItem[]) => {
        for (const it of found) {
          const rule = rules.find((r) => r.path.test(it.path));
          if (rule) items.push({ line, rule, item: it.item });
        }
      };
      for (const l of hunk.lines) {
        if (l.kind !== "context") {
          const line = changed[next++] as ChangedLine;
          take(line, (l.kind === "add" ? sides.new : sides.old).feed(l.text));
          continue;
        }
        // An unchanged line can still change lists: removing `enable:` above it moves it to `disable:`.
        const before = sides.old.feed(l.text);
        const after = sides.new.feed(l.text);
        if (before.map((i) => i.path).join("\n") === after.map((i) => i.path).join("\n")) continue;
        const at = { fileIndex, hunkIndex, block: -1, text: l.text, test: false };
        take({ ...at, kind: "del", line: l.oldLine ?? 0 }, before);
        take({ ...at, kind: "add", line: l.newLine ?? 0 }, after);
      }
    });
  });
  const byKey = new Map<string, { dels: Item[]; adds: Item[] }>();
  for (const it of items) {
    const k = `${it.rule.id}\u0000${it.item}`;
    const g = byKey.get(k) ?? { dels: [], adds: [] };
    (it.line.kind === "add" ? g.adds : g.dels).push(it);
    byKey.set(k, g);
  }
  const relaxed = new Map<string, { rule: ListRule; hits: Item[] }>();
  for (const { dels, adds } of byKey.values()) {
    const { removed, added } = pairNearest(dels, adds, ["block", "file", "diff"]);
    const bad =
      (dels[0] ?? adds[0])?.rule.relaxes === "added"
        ? added.filter((a) => facts[a.line.fileIndex]?.file.status !== "added")
        : removed;
    for (const b of bad) {
      const e = relaxed.get(b.rule.id) ?? { rule: b.rule, hits: [] };
      e.hits.push(b);
      relaxed.set(b.rule.id, e);
    }
  }
  return [...relaxed.values()].flatMap((e) => {
    const sorted = [...e.hits].sort(
      (a, b) => a.line.fileIndex - b.line.fileIndex || a.line.line - b.line.line,
    );
    return hunkFlags(facts, sorted, e.rule.rule, e.rule.what, e.rule.source);
  });
}

function capLines(f: IntegrityFlag): IntegrityFlag {
  if (f.lines.length <= MAX_FLAG_LINES) return f;
  const more = f.lines.length - MAX_FLAG_LINES;
  return {
    ...f,
    lines: [...f.lines.slice(0, MAX_FLAG_LINES), `… and ${more} more line${more === 1 ? "" : "s"}`],
  };
}

/** Everything the guard finds in a diff, by path and line, minus what a plan step names. */
export function checkTestIntegrity(files: readonly DiffFile[], o: IntegrityOptions = {}): IntegrityFlag[] {
  const facts = files.map(fileFacts);
  const lines = changedLines(facts);
  const assertions = assertionFlags(facts, lines);
  const flags = [
    ...fileFlags(facts, assertions.moved),
    ...patternFlags(facts, lines),
    ...assertions.flags,
    ...settingFlags(facts, lines),
    ...listFlags(facts, lines),
  ];
  const planned = o.planned;
  return flags
    .filter(
      (f) =>
        !planned || !(planned(f.path, f.rule) || (f.oldPath !== undefined && planned(f.oldPath, f.rule))),
    )
    .map(capLines)
    .sort(
      (a, b) => a.path.localeCompare(b.path) || (a.line ?? 0) - (b.line ?? 0) || a.rule.localeCompare(b.rule),
    );
}

/** A fenced block no backtick run inside can close. */
function fence(lines: readonly string[]): string {
  const text = lines.join("\n");
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const ticks = "`".repeat(Math.max(3, longest + 1));
  return `${ticks}\n${text}\n${ticks}`;
}

/**
 * The flags as findings for aggregation: blockers that go to the architect (`conflicts_with_plan`:
 * the change is not in the plan, so a ruling decides, not a fix round), each with its lines. A flag on
 * added lines is anchored on its first line; one on removed lines or a whole file carries its position
 * or only its path (it then goes into the review body). The caller wraps them in a `FindingSet` with
 * its own `reviewer` and `origin`.
 */
export function integrityFindings(flags: readonly IntegrityFlag[]): FindingInput[] {
  return flags.map((f) => {
    const body = f.lines.length > 0 ? `\n\n${fence(f.lines)}` : "";
    const finding: FindingInput = {
      path: f.path,
      anchor: f.side === "RIGHT" && f.line !== undefined ? (f.lines[0] ?? null) : null,
      severity: "blocker",
      message: `${f.message} Found by triad's test-integrity guard, not a model; only a plan step that names this change allows it.${body}`,
      conflicts_with_plan: true,
    };
    if (f.line !== undefined) {
      finding.line = f.line;
      finding.side = f.side;
    }
    return finding;
  });
}

/** What a plan step carries that can allow a change (`Plan["steps"][number]` fits). */
export interface PlanStepLike {
  title: string;
  details: string;
  files: ReadonlyArray<{ path: string; action: string }>;
}

/** Words a step's title or details must use for it to allow a rule's change on a file it names. */
const PLAN_WORDS: Record<IntegrityRule, RegExp> = {
  "test-file-deleted": /\b(?:delet|remov|drop|retir)/i,
  "test-file-renamed-away": /\b(?:renam|mov)/i,
  "test-skipped": /\b(?:skip|disabl|ignor|quarantin|xfail|focus|exclud)/i,
  "assertion-removed": /\b(?:assert|expectation|loosen|weaken|relax)/i,
  "assertion-weakened": /\b(?:assert|expectation|loosen|weaken|relax)/i,
  "coverage-lowered": /\b(?:coverage|threshold)/i,
  "lint-relaxed":
    /\b(?:lint|eslint|ruff|flake8|pylint|clippy|golangci|rubocop|checkstyle|pmd|biome|suppress|noqa|nolint|analy[sz]er)/i,
  "type-check-relaxed":
    /\b(?:type[- ]?check|strict|mypy|pyright|tsconfig|ts-ignore|ts-expect-error|type:\s*ignore|nullable|phpstan|psalm|noImplicitAny)/i,
  "snapshot-rewritten": /\b(?:snapshot|golden|approved)/i,
};

function names(stepPath: string, path: string): boolean {
  const p = stepPath.replace(/^\.\//, "");
  return p === path || (p.endsWith("/") && path.startsWith(p));
}

/**
 * The `planned` callback from the approved plan's steps: a step allows a flagged change when it names
 * the file and says what it does to it — a `delete` action for a deleted test file, or, for any rule,
 * the rule's words in its title or details ("skip the flaky upload test", "lower the coverage
 * threshold to 80"). Naming the file alone is not enough: a step that changes a test file does not
 * thereby allow skipping its tests.
 */
export function plannedBySteps(
  steps: readonly PlanStepLike[],
): (path: string, rule: IntegrityRule) => boolean {
  return (path, rule) =>
    steps.some((s) =>
      s.files.some(
        (f) =>
          names(f.path, path) &&
          ((rule === "test-file-deleted" && f.action === "delete") ||
            PLAN_WORDS[rule].test(`${s.title}\n${s.details}`)),
      ),
    );
}
