import type { FindingInput } from "../core/review/finding.js";
import { assertionFlags } from "./integrity/assertions.js";
import { CONFIG_PATTERNS, type ConfigPattern } from "./integrity/config-rules.js";
import { isCommentLine } from "./integrity/config-scan.js";
import { flag, type Hit, hunkFlags } from "./integrity/flags.js";
import { isCollectedTest } from "./integrity/languages.js";
import {
  type ChangedLine,
  changedLines,
  type FileFacts,
  fileFacts,
  inCommentDirective,
  pairNearest,
} from "./integrity/lines.js";
import { listFlags, settingFlags } from "./integrity/settings.js";
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
  /**
   * Flag suppressions written in the code (`// eslint-disable-next-line`, `# type: ignore`,
   * `#[allow(…)]`, `@SuppressWarnings`, `# pragma: no cover`); default true. Mature repositories add
   * them routinely (google/gson: 64 in its last 300 commits, each with a reason), so a repository may
   * keep only the configuration-level rules with false.
   */
  inlineSuppressions?: boolean;
}

const SUPPRESSION_RULES: ReadonlySet<IntegrityRule> = new Set([
  "lint-relaxed",
  "type-check-relaxed",
  "coverage-lowered",
]);

/** At most this many offending lines per flag; the rest are counted. */
export const MAX_FLAG_LINES = 12;
/** A snapshot file counts as rewritten wholesale when at least this share of its lines changed … */
export const SNAPSHOT_REWRITE_SHARE = 0.5;
/** … and at least this many lines (a two-line snapshot with one line changed is an ordinary update). */
export const SNAPSHOT_REWRITE_MIN_LINES = 5;

/** Added lines matching a pattern, beyond the matching lines the same file lost. */
function patternFlags(
  facts: readonly FileFacts[],
  lines: readonly ChangedLine[],
  inlineSuppressions: boolean,
): IntegrityFlag[] {
  const found = new Map<string, { pattern: LinePattern; source: string; dels: Hit[]; adds: Hit[] }>();
  const configOf = facts.map((f) => CONFIG_PATTERNS.filter((p: ConfigPattern) => p.files.test(f.path)));
  const languageOf = facts.map((f) =>
    (f.lang?.patterns ?? [])
      .filter((p) => inlineSuppressions || !SUPPRESSION_RULES.has(p.rule))
      .map((p) => ({ ...p, source: f.lang?.name ?? "" })),
  );
  for (const line of lines) {
    const patterns: Array<LinePattern & { source: string }> = [
      ...(languageOf[line.fileIndex] ?? []).filter((p) => !p.testOnly || line.test),
      ...(configOf[line.fileIndex] ?? []),
    ];
    for (const p of patterns) {
      const where =
        "files" in p
          ? isCommentLine(line.text)
            ? ""
            : line.text
          : p.inComment
            ? ""
            : p.withStrings
              ? line.source
              : line.code;
      const hit =
        "files" in p || !p.inComment ? p.pattern.test(where) : inCommentDirective(p.pattern, line.comments);
      if (!hit) continue;
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

/**
 * Deleted and renamed-away test files, snapshot files rewritten wholesale. A deleted file counts as
 * a test file when the runner would have collected it, or when it held assertions (a helper under
 * `test/` without any is support code), or when the diff does not show its content.
 */
function fileFlags(
  facts: readonly FileFacts[],
  moved: ReadonlySet<number>,
  asserting: ReadonlySet<number>,
): IntegrityFlag[] {
  const out: IntegrityFlag[] = [];
  facts.forEach((f, i) => {
    const { file } = f;
    const source = f.lang?.name ?? "snapshot";
    const heldTests = isCollectedTest(file.oldPath) || asserting.has(i) || file.hunks.length === 0;
    if (file.status === "deleted" && f.isTest && heldTests && !moved.has(i)) {
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
    ...fileFlags(facts, assertions.moved, assertions.asserting),
    ...patternFlags(facts, lines, o.inlineSuppressions ?? true),
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
