import type { Side } from "../anchor.js";

/**
 * The test-integrity guard's vocabulary (issue [12/12] item 3). Each rule names one way a change can
 * make a test suite pass without the code being right; see ../test-integrity.ts for how each is found.
 */
export const INTEGRITY_RULES = [
  "test-file-deleted",
  "test-file-renamed-away",
  "test-skipped",
  "assertion-removed",
  "assertion-weakened",
  "coverage-lowered",
  "lint-relaxed",
  "type-check-relaxed",
  "snapshot-rewritten",
] as const;

export type IntegrityRule = (typeof INTEGRITY_RULES)[number];

export interface IntegrityFlag {
  rule: IntegrityRule;
  /** The file's new path (its old path for a deleted file). */
  path: string;
  /** For a renamed file: where it was. */
  oldPath?: string;
  /** The first offending line, on `side`; absent for a whole-file flag (a deleted or renamed file). */
  line?: number;
  /** RIGHT for added lines (and whole-file flags on the new tree), LEFT for removed lines and deleted files. */
  side: Side;
  /** The offending lines as they are in the file (at most `MAX_FLAG_LINES`, then a count). */
  lines: string[];
  /** One sentence a maintainer reads first, then the detail. */
  message: string;
  severity: "blocker";
  /** The language or tool whose rule fired (`JavaScript/TypeScript`, `pytest-cov`, …), for the message. */
  source: string;
}

/** One pattern over single lines: a skip marker, a suppression comment, a tautological assertion. */
export interface LinePattern {
  /** Unique across the tables; added and removed lines net out per pattern id within a file. */
  id: string;
  rule: IntegrityRule;
  pattern: RegExp;
  /** What the line does, completing "This change …": "skips a test (`it.skip`)". */
  what: string;
  /** Only in test code (a test file, or a hunk of inline tests); default: in any file of the language. */
  testOnly?: boolean;
  /**
   * Matched against the line's comment (suppression directives live there); default: against its
   * code, with string literals and comments removed, so a test's name or a doc comment that mentions
   * `it.skip` is no skip.
   */
  inComment?: boolean;
  /** Matched against the code with string literals kept (`@SuppressWarnings("unchecked")`). */
  withStrings?: boolean;
}

/** An assertion made weaker: the removed line matched `from`, the line that replaced it matches `to`. */
export interface Weakening {
  from: RegExp;
  to: RegExp;
  what: string;
  /** Not a weakening when the removed line (strings kept) matches this: an idiom the linters ask for. */
  unless?: RegExp;
}

export interface LanguageRules {
  name: string;
  /** Line comment markers (`//`, `#`); `blockComments`: C-style block comments too. */
  lineComments: readonly string[];
  blockComments: boolean;
  /** Quote characters that open a string (Rust's `'` is a lifetime as often as a char, so not there). */
  quotes: string;
  /** File extensions (by new path, or old path for a deleted file). */
  extensions: RegExp;
  /** Paths that hold tests (fixtures and test data never count, see `NOT_TEST_CODE`). */
  testPaths: readonly RegExp[];
  /**
   * The test files the runner finds by default (Jest/Vitest `*.test.*`, pytest `test_*.py`, Go
   * `*_test.go`, Cargo `tests/*.rs`, Surefire `*Test.java`, …); a test file renamed to a path outside
   * these is no longer run. Default: `testPaths`.
   */
  collected?: readonly RegExp[];
  /** Tests that live inside source files (Rust's `#[cfg(test)]`): a hunk showing one of these is test code. */
  inlineTests?: RegExp;
  /** A line that asserts something. */
  assertion: RegExp;
  weakenings: readonly Weakening[];
  /** Added lines that skip, focus or exclude tests, or silence a checker in code. */
  patterns: readonly LinePattern[];
}
