import type { IntegrityRule, LinePattern } from "./types.js";

/**
 * Configuration rules of the test-integrity guard: settings whose change lets a weaker suite or a
 * laxer checker pass. Three kinds, each a table:
 *
 * - `KEYED_RULES`: a setting with a strictness order (a coverage threshold, `"strict": true`, an ESLint
 *   rule's level, a Clippy lint level). A setting that moves down the order, disappears when its default
 *   is laxer, or appears at its laxest value relaxes the gate.
 * - `LIST_RULES`: lists whose growth (ignore, exclude, disable) or shrinking (select, enable) relaxes it.
 * - `CONFIG_PATTERNS`: lines in build scripts and configs that skip tests or silence a checker
 *   (`-DskipTests`, `--passWithNoTests`, `|| true`, `-vet=off`, an ignore file's entries).
 *
 * Setting names are each tool's documented ones: Jest `coverageThreshold` (a negative value is the
 * number of uncovered entities allowed), Vitest `coverage.thresholds`, nyc/c8 `lines|branches|…` and
 * `check-coverage`, pytest-cov `--cov-fail-under`, coverage.py `fail_under` and `omit`/`exclude_lines`,
 * go-test-coverage `.testcoverage.yml` `threshold.{file,package,total}`, Codecov `target`/`threshold`
 * (a threshold is the drop allowed, so higher is laxer), cargo-tarpaulin `fail-under`, cargo-llvm-cov
 * `--fail-under-lines`, JaCoCo `minimum`, SimpleCov `minimum_coverage`, coverlet `Threshold`; tsconfig
 * `strict` and the flags it implies, `skipLibCheck`, `noCheck`; mypy's `strict`, `disallow_*`,
 * `ignore_missing_imports`, `follow_imports`; pyright `typeCheckingMode` and `report*`; ESLint levels
 * (`off`/0, `warn`/1, `error`/2); Biome levels; Cargo `[lints]` and Clippy levels
 * (`allow` < `warn` < `deny` < `forbid`); golangci-lint `disable`, `enable`, `exclusions`, `default`;
 * Ruff/flake8/pylint `select`/`ignore`/`per-file-ignores`/`disable`; RuboCop `Enabled`/`Max`/`Exclude`;
 * MSBuild `TreatWarningsAsErrors`, `Nullable`, `NoWarn`, `.editorconfig` diagnostic severities;
 * Gradle/Maven `ignoreFailures`, `skipTests`; PHPStan `level`, `ignoreErrors`; Psalm `errorLevel`
 * (1 is strictest).
 */

/** Settings files for test coverage, by name. */
const COVERAGE_FILES =
  /(?:^|\/)(?:package\.json|(?:jest|vitest|vite|karma)\.config\.[cm]?[jt]s|jest\.config\.json|vitest\.workspace\.[cm]?[jt]s|\.nycrc(?:\.json|\.ya?ml)?|\.c8rc(?:\.json)?|pyproject\.toml|setup\.cfg|tox\.ini|pytest\.ini|\.coveragerc|Makefile|GNUmakefile|[^/]*\.mk|[Jj]ustfile|Taskfile\.ya?ml|\.?tarpaulin\.toml|Cargo\.toml|\.cargo\/config(?:\.toml)?|\.simplecov|[^/]*\.csproj|Directory\.Build\.props|[^/]*\.runsettings)$/;
const CODECOV = /(?:^|\/)\.?codecov\.ya?ml$/;
const GO_TEST_COVERAGE = /(?:^|\/)\.testcoverage\.ya?ml$/;
const JVM_BUILD = /(?:^|\/)(?:pom\.xml|build\.gradle(?:\.kts)?)$/;
const TSCONFIG = /(?:^|\/)[jt]sconfig(?:\.[\w.-]+)?\.json$/;
const MYPY = /(?:^|\/)(?:\.?mypy\.ini|setup\.cfg|pyproject\.toml|tox\.ini)$/;
const PYRIGHT = /(?:^|\/)(?:pyrightconfig\.json|pyproject\.toml)$/;
const PY_LINT = /(?:^|\/)(?:pyproject\.toml|setup\.cfg|tox\.ini|\.flake8|\.?ruff\.toml|\.?pylintrc)$/;
const ESLINT = /(?:^|\/)(?:\.eslintrc(?:\.[cm]?js|\.json|\.ya?ml)?|eslint\.config\.[cm]?[jt]s)$/;
const BIOME = /(?:^|\/)biome\.jsonc?$/;
const JS_TEST_CONFIG =
  /(?:^|\/)(?:package\.json|(?:jest|vitest|vite)\.config\.[cm]?[jt]s|jest\.config\.json|vitest\.workspace\.[cm]?[jt]s)$/;
const VITEST_CONFIG = /(?:^|\/)(?:vitest|vite)\.(?:config|workspace)\.[cm]?[jt]s$/;
const NYC = /(?:^|\/)(?:\.nycrc(?:\.json|\.ya?ml)?|\.c8rc(?:\.json)?)$/;
const CARGO_LINTS = /(?:^|\/)(?:Cargo\.toml|\.?clippy\.toml|\.cargo\/config(?:\.toml)?)$/;
const CLIPPY = /(?:^|\/)\.?clippy\.toml$/;
const GOLANGCI = /(?:^|\/)\.golangci\.(?:ya?ml|toml|json)$/;
const RUBOCOP = /(?:^|\/)\.rubocop(?:_todo)?\.ya?ml$/;
const MSBUILD = /(?:^|\/)(?:[^/]*\.csproj|Directory\.Build\.props|[^/]*\.props)$/;
const EDITORCONFIG = /(?:^|\/)(?:\.editorconfig|[^/]*\.globalconfig)$/;
const PHPSTAN = /(?:^|\/)phpstan(?:\.dist)?\.neon(?:\.dist)?$/;
const PSALM = /(?:^|\/)psalm\.xml(?:\.dist)?$/;
/** Files that run commands: scripts, task runners, build files. */
const SCRIPTS =
  /(?:^|\/)(?:package\.json|composer\.json|Makefile|GNUmakefile|[^/]*\.mk|[Jj]ustfile|Taskfile\.ya?ml|[^/]*\.sh|tox\.ini|noxfile\.py|pyproject\.toml|setup\.cfg|pytest\.ini|Cargo\.toml|\.cargo\/config(?:\.toml)?|build\.gradle(?:\.kts)?|pom\.xml|Rakefile|[^/]*\.csproj|Directory\.Build\.props|lefthook\.ya?ml|\.pre-commit-config\.yaml|\.husky\/[^/]+)$/;
const PYTEST_CONFIG = /(?:^|\/)(?:pytest\.ini|pyproject\.toml|setup\.cfg|tox\.ini)$/;

/** A strictness scale: higher is stricter; undefined for a value the scale does not know. */
export type Strictness = (value: string) => number | undefined;

const num: Strictness = (v) => {
  const m = /-?\d+(?:\.\d+)?/.exec(v);
  return m ? Number(m[0]) : undefined;
};
const bool: Strictness = (v) =>
  /^(?:true|yes|on)$/i.test(v) ? 1 : /^(?:false|no|off)$/i.test(v) ? 0 : undefined;
const inverse =
  (s: Strictness): Strictness =>
  (v) => {
    const x = s(v);
    return x === undefined ? undefined : -x;
  };
const levels =
  (scale: Record<string, number>): Strictness =>
  (v) =>
    scale[v.toLowerCase()];
const eslintLevel = levels({ error: 2, "2": 2, warn: 1, "1": 1, off: 0, "0": 0 });
const lintLevel = levels({ forbid: 3, deny: 2, warn: 1, allow: 0 });

export interface KeyedRule {
  id: string;
  rule: IntegrityRule;
  /** The tool, for the message. */
  source: string;
  files: RegExp;
  /** The setting's name (a whole key; CLI flags keep their dashes). */
  key: RegExp;
  strictness: Strictness;
  /**
   * How strict the tool is when the setting is absent: removing a setting stricter than this relaxes
   * the gate. Undefined: removing it says nothing (the default is unknown or as strict).
   */
  absent?: number;
  /** A setting newly written with a value this lax relaxes the gate (e.g. `"no-console": "off"`). */
  laxNew?: (value: string) => boolean;
  /** `laxNew` only in files that existed before (a new tsconfig with `skipLibCheck` is routine). */
  laxNewOnlyIfModified?: true;
  /** Completes "This change …", e.g. "lowers a coverage threshold". */
  what: string;
}

/** `strict` and the flags it turns on (TypeScript's tsconfig reference): setting one false overrides it. */
const TS_STRICT_FAMILY =
  /^(?:strict|strictNullChecks|noImplicitAny|noImplicitThis|strictFunctionTypes|strictBindCallApply|strictPropertyInitialization|strictBuiltinIteratorReturn|useUnknownInCatchVariables|alwaysStrict)$/;
/** Checks `strict` does not turn on: false is their default, so writing false changes nothing by itself. */
const TS_EXTRA_CHECKS =
  /^(?:noImplicitReturns|noImplicitOverride|noUncheckedIndexedAccess|exactOptionalPropertyTypes|noPropertyAccessFromIndexSignature|noFallthroughCasesInSwitch|noUnusedLocals|noUnusedParameters|checkJs|noUncheckedSideEffectImports)$/;
const TS_LAX_FLAGS =
  /^(?:skipLibCheck|skipDefaultLibCheck|noCheck|suppressImplicitAnyIndexErrors|suppressExcessPropertyErrors|allowUnreachableCode|allowUnusedLabels|noStrictGenericChecks|keyofStringsOnly)$/;
const MYPY_STRICT_FLAGS =
  /^(?:strict|disallow_untyped_defs|disallow_incomplete_defs|disallow_untyped_calls|disallow_any_generics|disallow_untyped_decorators|disallow_subclassing_any|disallow_any_unimported|disallow_any_explicit|check_untyped_defs|no_implicit_optional|warn_return_any|warn_unused_ignores|strict_optional|strict_equality|warn_unreachable|no_implicit_reexport|extra_checks)$/;
const MYPY_LAX_FLAGS =
  /^(?:ignore_missing_imports|ignore_errors|allow_untyped_defs|allow_untyped_calls|allow_incomplete_defs|allow_any_generics|allow_untyped_globals|allow_redefinition|implicit_optional|implicit_reexport)$/;

export const KEYED_RULES: readonly KeyedRule[] = [
  {
    id: "cov.threshold",
    rule: "coverage-lowered",
    source:
      "coverage settings (Jest, Vitest, nyc, c8, pytest-cov, coverage.py, tarpaulin, cargo-llvm-cov, SimpleCov)",
    files: COVERAGE_FILES,
    key: /^(?:lines|branches|functions|statements|fail_under|fail-under|--cov-fail-under|--fail-under(?:-[a-z]+)?|--lines|--branches|--functions|--statements|minimum_coverage(?:_by_file)?|[A-Za-z_]*COVER(?:AGE)?_?(?:MIN|MINIMUM|THRESHOLD)[A-Za-z_]*)$/i,
    strictness: num,
    absent: 0,
    what: "lowers a coverage threshold",
  },
  {
    id: "cov.coverlet",
    rule: "coverage-lowered",
    source: "coverlet",
    files: /(?:^|\/)(?:[^/]*\.csproj|Directory\.Build\.props|[^/]*\.runsettings)$/,
    key: /^Threshold$/,
    strictness: num,
    absent: 0,
    what: "lowers a coverage threshold",
  },
  {
    id: "cov.check",
    rule: "coverage-lowered",
    source: "nyc / c8",
    files: COVERAGE_FILES,
    key: /^(?:check-coverage|checkCoverage)$/,
    strictness: bool,
    laxNew: (v) => bool(v) === 0,
    what: "turns the coverage check off",
  },
  {
    id: "cov.codecov-target",
    rule: "coverage-lowered",
    source: "Codecov",
    files: CODECOV,
    key: /^target$/,
    strictness: num,
    what: "lowers Codecov's coverage target",
  },
  {
    id: "cov.codecov-threshold",
    rule: "coverage-lowered",
    source: "Codecov",
    files: CODECOV,
    key: /^threshold$/,
    strictness: inverse(num),
    what: "raises the coverage drop Codecov allows",
  },
  {
    id: "cov.go-test-coverage",
    rule: "coverage-lowered",
    source: "go-test-coverage",
    files: GO_TEST_COVERAGE,
    key: /^(?:file|package|total)$/,
    strictness: num,
    absent: 0,
    what: "lowers a coverage threshold",
  },
  {
    id: "cov.jacoco",
    rule: "coverage-lowered",
    source: "JaCoCo",
    files: JVM_BUILD,
    key: /^(?:minimum|coveredRatio)$/,
    strictness: num,
    absent: 0,
    what: "lowers a coverage threshold",
  },
  {
    id: "ts.strict",
    rule: "type-check-relaxed",
    source: "tsconfig",
    files: TSCONFIG,
    key: TS_STRICT_FAMILY,
    strictness: bool,
    absent: 0,
    laxNew: (v) => bool(v) === 0,
    what: "turns a TypeScript strictness flag off",
  },
  {
    id: "ts.extra-checks",
    rule: "type-check-relaxed",
    source: "tsconfig",
    files: TSCONFIG,
    key: TS_EXTRA_CHECKS,
    strictness: bool,
    absent: 0,
    what: "turns a TypeScript check off",
  },
  {
    id: "ts.lax",
    rule: "type-check-relaxed",
    source: "tsconfig",
    files: TSCONFIG,
    key: TS_LAX_FLAGS,
    strictness: inverse(bool),
    laxNew: (v) => bool(v) === 1,
    laxNewOnlyIfModified: true,
    what: "turns off part of TypeScript's checking",
  },
  {
    id: "ts.extends-strict",
    rule: "type-check-relaxed",
    source: "tsconfig",
    files: TSCONFIG,
    key: /^extends$/,
    strictness: (v) => (/strict/i.test(v) ? 1 : 0),
    absent: 0,
    what: "stops extending a strict TypeScript base configuration",
  },
  {
    id: "py.mypy-strict",
    rule: "type-check-relaxed",
    source: "mypy",
    files: MYPY,
    key: MYPY_STRICT_FLAGS,
    strictness: bool,
    absent: 0,
    laxNew: (v) => bool(v) === 0,
    what: "turns a mypy strictness option off",
  },
  {
    id: "py.mypy-lax",
    rule: "type-check-relaxed",
    source: "mypy",
    files: MYPY,
    key: MYPY_LAX_FLAGS,
    strictness: inverse(bool),
    laxNew: (v) => bool(v) === 1,
    laxNewOnlyIfModified: true,
    what: "tells mypy to ignore errors or missing types",
  },
  {
    id: "py.mypy-follow-imports",
    rule: "type-check-relaxed",
    source: "mypy",
    files: MYPY,
    key: /^follow_imports$/,
    strictness: levels({ error: 3, normal: 2, silent: 1, skip: 0 }),
    absent: 2,
    laxNew: (v) => /^(?:silent|skip)$/i.test(v),
    laxNewOnlyIfModified: true,
    what: "tells mypy to stop checking imported modules",
  },
  {
    id: "py.pyright-mode",
    rule: "type-check-relaxed",
    source: "pyright",
    files: PYRIGHT,
    key: /^typeCheckingMode$/,
    strictness: levels({ strict: 3, standard: 2, basic: 1, off: 0 }),
    absent: 2,
    laxNew: (v) => /^(?:basic|off)$/i.test(v),
    what: "lowers pyright's type-checking mode",
  },
  {
    id: "py.pyright-report",
    rule: "type-check-relaxed",
    source: "pyright",
    files: PYRIGHT,
    key: /^report\w+$/,
    strictness: levels({ error: 3, true: 3, warning: 2, information: 1, none: 0, false: 0 }),
    laxNew: (v) => /^(?:none|false)$/i.test(v),
    what: "turns a pyright check off",
  },
  {
    id: "py.lint-max",
    rule: "lint-relaxed",
    source: "flake8 / Ruff / pylint",
    files: PY_LINT,
    key: /^max[-_](?:line[-_]length|complexity|args|branches|statements|returns|locals|attributes|nested[-_]blocks|doc[-_]length)$/,
    strictness: inverse(num),
    what: "raises a lint limit",
  },
  {
    id: "js.eslint-level",
    rule: "lint-relaxed",
    source: "ESLint",
    files: ESLINT,
    key: /^(?:@[\w.-]+\/)?[\w.-]+(?:\/[\w.-]+)*$/,
    strictness: eslintLevel,
    laxNew: (v) => eslintLevel(v) === 0,
    what: "lowers or turns off an ESLint rule",
  },
  {
    id: "js.eslint-max-warnings",
    rule: "lint-relaxed",
    source: "ESLint",
    files: SCRIPTS,
    key: /^--max-warnings$/,
    strictness: inverse(num),
    absent: -Infinity,
    what: "allows more ESLint warnings",
  },
  {
    id: "js.biome-level",
    rule: "lint-relaxed",
    source: "Biome",
    files: BIOME,
    key: /^[\w-]+$/,
    strictness: levels({ error: 3, warn: 2, on: 2, info: 1, off: 0 }),
    laxNew: (v) => v.toLowerCase() === "off",
    what: "lowers or turns off a Biome rule",
  },
  {
    id: "js.biome-recommended",
    rule: "lint-relaxed",
    source: "Biome",
    files: BIOME,
    key: /^recommended$/,
    strictness: bool,
    laxNew: (v) => bool(v) === 0,
    what: "turns Biome's recommended rules off",
  },
  {
    id: "rs.lint-level",
    rule: "lint-relaxed",
    source: "Cargo [lints] / Clippy",
    files: CARGO_LINTS,
    key: /^[\w-]+(?:::[\w-]+)*$/,
    strictness: lintLevel,
    absent: 1,
    laxNew: (v) => lintLevel(v) === 0,
    what: "lowers a rustc or Clippy lint level",
  },
  {
    id: "rs.clippy-threshold",
    rule: "lint-relaxed",
    source: "Clippy",
    files: CLIPPY,
    key: /^(?:[\w-]+-threshold|max-[\w-]+|too-many-[\w-]+)$/,
    strictness: inverse(num),
    what: "raises a Clippy limit",
  },
  {
    id: "go.golangci-default",
    rule: "lint-relaxed",
    source: "golangci-lint",
    files: GOLANGCI,
    key: /^default$/,
    strictness: levels({ all: 3, standard: 2, fast: 1, none: 0 }),
    absent: 2,
    laxNew: (v) => /^(?:none|fast)$/i.test(v),
    what: "turns golangci-lint's default linters off",
  },
  {
    id: "go.golangci-disable-all",
    rule: "lint-relaxed",
    source: "golangci-lint",
    files: GOLANGCI,
    key: /^(?:disable-all|new)$/,
    strictness: inverse(bool),
    laxNew: (v) => bool(v) === 1,
    laxNewOnlyIfModified: true,
    what: "turns golangci-lint's linters off or limits it to new code",
  },
  {
    id: "rb.rubocop-enabled",
    rule: "lint-relaxed",
    source: "RuboCop",
    files: RUBOCOP,
    key: /^Enabled$/,
    strictness: bool,
    laxNew: (v) => bool(v) === 0,
    what: "turns a RuboCop cop off",
  },
  {
    id: "rb.rubocop-max",
    rule: "lint-relaxed",
    source: "RuboCop",
    files: RUBOCOP,
    key: /^Max$/,
    strictness: inverse(num),
    what: "raises a RuboCop limit",
  },
  {
    id: "cs.warnings-as-errors",
    rule: "lint-relaxed",
    source: "MSBuild",
    files: MSBUILD,
    key: /^(?:TreatWarningsAsErrors|EnforceCodeStyleInBuild|RunAnalyzers)$/,
    strictness: bool,
    absent: 0,
    laxNew: (v) => bool(v) === 0,
    what: "stops treating warnings as errors or running analyzers",
  },
  {
    id: "cs.nullable",
    rule: "type-check-relaxed",
    source: "MSBuild",
    files: MSBUILD,
    key: /^Nullable$/,
    strictness: levels({ enable: 2, warnings: 1, annotations: 1, disable: 0 }),
    absent: 0,
    laxNew: (v) => v.toLowerCase() === "disable",
    what: "turns nullable reference checks off",
  },
  {
    id: "cs.editorconfig-severity",
    rule: "lint-relaxed",
    source: ".editorconfig analyzers",
    files: EDITORCONFIG,
    key: /^dotnet_(?:analyzer_)?diagnostic\.[\w.-]*severity$/,
    strictness: levels({ error: 4, warning: 3, suggestion: 2, silent: 1, none: 0 }),
    laxNew: (v) => /^(?:none|silent)$/i.test(v),
    what: "lowers an analyzer's severity",
  },
  {
    id: "jvm.fail-on",
    rule: "lint-relaxed",
    source: "Maven / Gradle checks",
    files: JVM_BUILD,
    key: /^(?:failOnViolation|failsOnError|failOnError|failOnWarning|haltOnFailure)$/,
    strictness: bool,
    laxNew: (v) => bool(v) === 0,
    what: "lets a check fail without failing the build",
  },
  {
    id: "jvm.ignore-failures",
    rule: "lint-relaxed",
    source: "Gradle checks",
    files: JVM_BUILD,
    key: /^ignoreFailures$/,
    strictness: inverse(bool),
    laxNew: (v) => bool(v) === 1,
    what: "lets a check fail without failing the build (`ignoreFailures`)",
  },
  {
    id: "jvm.max-violations",
    rule: "lint-relaxed",
    source: "Maven / Gradle checks",
    files: JVM_BUILD,
    key: /^(?:maxWarnings|maxErrors|maxAllowedViolations|maxViolations)$/,
    strictness: inverse(num),
    what: "allows more check violations",
  },
  {
    id: "jvm.skip-tests",
    rule: "test-skipped",
    source: "Gradle / Maven",
    files: JVM_BUILD,
    key: /^(?:skipTests|maven\.test\.skip|skipITs|skipUTs)$/,
    strictness: inverse(bool),
    laxNew: (v) => bool(v) === 1,
    what: "skips the tests (`skipTests`)",
  },
  {
    id: "php.phpstan-level",
    rule: "type-check-relaxed",
    source: "PHPStan",
    files: PHPSTAN,
    key: /^level$/,
    strictness: (v) => (v.toLowerCase() === "max" ? 10 : num(v)),
    absent: 0,
    what: "lowers PHPStan's level",
  },
  {
    id: "php.psalm-level",
    rule: "type-check-relaxed",
    source: "Psalm",
    files: PSALM,
    key: /^errorLevel$/,
    strictness: inverse(num),
    what: "raises Psalm's error level (1 is strictest)",
  },
];

/** Lists whose change relaxes a gate: items added to an ignore list, or removed from a select list. */
export interface ListRule {
  id: string;
  rule: IntegrityRule;
  source: string;
  files: RegExp;
  /** Tested against the list's dotted path (`tool.ruff.lint.ignore`, `test.coverage.exclude`). */
  path: RegExp;
  /** Which change relaxes: items `added` (ignore lists) or `removed` (select lists). */
  relaxes: "added" | "removed";
  what: string;
  /** Items that relax nothing (tests and fixtures left out of coverage lower no one's coverage). */
  benign?: RegExp;
}

/** Test code, fixtures and mocks: excluding them from coverage measures the code under test the same. */
const TEST_CODE_ITEM =
  /(?:^|[/*])(?:tests?|spec|__tests__|__mocks__|__fixtures__|fixtures?|e2e|testdata)(?:[/*.]|$)|[._-](?:test|spec)s?[./*]/;

const seg = (names: string) => new RegExp(String.raw`(?:^|\.)(?:${names})(?:\.|$)`);

/** First match wins: the more specific rows come first. */
export const LIST_RULES: readonly ListRule[] = [
  {
    id: "cov.js-exclude",
    rule: "coverage-lowered",
    source: "Jest / Vitest",
    files: JS_TEST_CONFIG,
    path: seg(
      String.raw`coveragePathIgnorePatterns|coverage\.(?:exclude|excludeAfterRemap)|(?:nyc|c8)\.exclude`,
    ),
    relaxes: "added",
    what: "excludes more code from coverage",
    benign: TEST_CODE_ITEM,
  },
  {
    id: "test.js-ignore",
    rule: "test-skipped",
    source: "Jest / Vitest / Playwright",
    files: JS_TEST_CONFIG,
    path: seg("testPathIgnorePatterns|testIgnore"),
    relaxes: "added",
    what: "excludes tests from the run",
  },
  {
    id: "test.vitest-exclude",
    rule: "test-skipped",
    source: "Vitest",
    files: VITEST_CONFIG,
    path: seg("exclude"),
    relaxes: "added",
    what: "excludes tests from the run",
  },
  {
    id: "cov.nyc-exclude",
    rule: "coverage-lowered",
    source: "nyc / c8",
    files: NYC,
    path: seg("exclude"),
    relaxes: "added",
    what: "excludes more code from coverage",
    benign: TEST_CODE_ITEM,
  },
  {
    id: "cov.py-omit",
    rule: "coverage-lowered",
    source: "coverage.py",
    files: /(?:^|\/)(?:\.coveragerc|pyproject\.toml|setup\.cfg|tox\.ini)$/,
    path: seg("omit|exclude_lines|exclude_also|partial_branches"),
    relaxes: "added",
    what: "excludes more code from coverage",
    benign: TEST_CODE_ITEM,
  },
  {
    id: "cov.codecov-ignore",
    rule: "coverage-lowered",
    source: "Codecov",
    files: CODECOV,
    path: seg("ignore"),
    relaxes: "added",
    what: "excludes more code from coverage",
    benign: TEST_CODE_ITEM,
  },
  {
    id: "cov.go-test-coverage-exclude",
    rule: "coverage-lowered",
    source: "go-test-coverage",
    files: GO_TEST_COVERAGE,
    path: seg("exclude"),
    relaxes: "added",
    what: "excludes more code from coverage",
    benign: TEST_CODE_ITEM,
  },
  {
    id: "py.lint-ignore",
    rule: "lint-relaxed",
    source: "Ruff / flake8 / pylint / mypy",
    files: PY_LINT,
    path: seg(
      "ignore|extend-ignore|extend_ignore|per-file-ignores|per_file_ignores|extend-per-file-ignores|disable|exclude|extend-exclude|force-exclude",
    ),
    relaxes: "added",
    what: "makes the linter ignore more rules or files",
  },
  {
    id: "py.lint-select",
    rule: "lint-relaxed",
    source: "Ruff / flake8 / pylint",
    files: PY_LINT,
    path: seg("select|extend-select|enable"),
    relaxes: "removed",
    what: "selects fewer lint rules",
  },
  {
    id: "go.golangci-disable",
    rule: "lint-relaxed",
    source: "golangci-lint",
    files: GOLANGCI,
    path: seg("disable|exclude|exclude-rules|exclude-dirs|exclude-files|skip-dirs|skip-files|exclusions"),
    relaxes: "added",
    what: "disables linters or excludes code from them",
  },
  {
    id: "go.golangci-enable",
    rule: "lint-relaxed",
    source: "golangci-lint",
    files: GOLANGCI,
    path: seg("enable"),
    relaxes: "removed",
    what: "enables fewer linters",
  },
  {
    id: "js.eslint-ignores",
    rule: "lint-relaxed",
    source: "ESLint",
    files: ESLINT,
    path: seg("ignores|ignorePatterns"),
    relaxes: "added",
    what: "makes ESLint ignore more files",
  },
  {
    id: "rb.rubocop-exclude",
    rule: "lint-relaxed",
    source: "RuboCop",
    files: RUBOCOP,
    path: seg("Exclude"),
    relaxes: "added",
    what: "excludes more files from RuboCop",
  },
  {
    id: "cs.nowarn",
    rule: "lint-relaxed",
    source: "MSBuild",
    files: MSBUILD,
    path: seg("NoWarn"),
    relaxes: "added",
    what: "silences more compiler warnings (`NoWarn`)",
  },
  {
    id: "php.phpstan-ignore",
    rule: "type-check-relaxed",
    source: "PHPStan",
    files: PHPSTAN,
    path: seg("ignoreErrors|excludePaths|excludes_analyse"),
    relaxes: "added",
    what: "makes PHPStan ignore more errors or files",
  },
];

export interface ConfigPattern extends LinePattern {
  files: RegExp;
  source: string;
}

/** `test` alone is the shell's builtin (`test -f x || true`), so only runners and `npm test`-style calls count. */
const TEST_COMMANDS = String.raw`(?:\b(?:npm|yarn|pnpm|bun)\s+(?:run\s+)?test\b|\bmake\s+test\b|\b(?:jest|vitest|mocha|ava|pytest|tox|nox|go\s+test|cargo\s+test|cargo\s+nextest|mvn|gradlew?|rspec|rake\s+test|phpunit|pest|dotnet\s+test)\b)`;
const CHECK_COMMANDS = String.raw`(?:\b(?:npm|yarn|pnpm|bun)\s+(?:run\s+)?(?:lint|typecheck|type-check)\b|\bmake\s+lint\b|\b(?:eslint|biome|tsc|mypy|pyright|ruff|flake8|pylint|go\s+vet|golangci-lint|staticcheck|cargo\s+clippy|rubocop|phpstan|psalm|phpcs)\b)`;
const IGNORED_FAILURE = String.raw`[^|&;\n]*\|\|\s*(?:true|exit\s+0|:)(?=\s|$|["'\`;)])`;

export const CONFIG_PATTERNS: readonly ConfigPattern[] = [
  {
    id: "cfg.pass-with-no-tests",
    rule: "test-skipped",
    source: "test runner",
    files: SCRIPTS,
    pattern: /--passWithNoTests\b|--pass-with-no-tests\b/,
    what: "lets a run with no tests pass (`--passWithNoTests`)",
  },
  {
    id: "cfg.skip-tests",
    rule: "test-skipped",
    source: "Maven / Gradle",
    files: SCRIPTS,
    pattern: /-DskipTests\b|-Dmaven\.test\.skip=true|\s-x\s+:?test\b|--exclude-task\s+:?test\b/,
    what: "skips the tests (`-DskipTests` / `-x test`)",
  },
  {
    id: "cfg.deselect",
    rule: "test-skipped",
    source: "test runner",
    files: SCRIPTS,
    pattern:
      /--deselect\b|--ignore(?:-glob)?[= ]|\s-k\s+["']?not\b|\s--skip\b|\s-skip[= ]|--testPathIgnorePatterns\b/,
    what: "leaves tests out of the run (`--ignore` / `--deselect` / `-k not` / `--skip`)",
  },
  {
    id: "cfg.pytest-ignore",
    rule: "test-skipped",
    source: "pytest",
    files: PYTEST_CONFIG,
    pattern: /\bnorecursedirs\b|\bcollect_ignore\b/,
    what: "leaves tests out of pytest's collection",
  },
  {
    id: "cfg.test-failure-ignored",
    rule: "test-skipped",
    source: "scripts",
    files: SCRIPTS,
    pattern: new RegExp(TEST_COMMANDS + IGNORED_FAILURE),
    what: "ignores a failing test run (`|| true`)",
  },
  {
    id: "cfg.check-failure-ignored",
    rule: "lint-relaxed",
    source: "scripts",
    files: SCRIPTS,
    pattern: new RegExp(CHECK_COMMANDS + IGNORED_FAILURE),
    what: "ignores a failing lint or type check (`|| true`)",
  },
  {
    id: "cfg.go-vet-off",
    rule: "lint-relaxed",
    source: "go test",
    files: SCRIPTS,
    pattern: /-vet=off\b/,
    what: "turns `go vet` off during `go test` (`-vet=off`)",
  },
  {
    id: "cfg.cap-lints",
    rule: "lint-relaxed",
    source: "rustc / Clippy",
    files: SCRIPTS,
    pattern: /--cap-lints\b|(?:^|[\s"'[,])-A\s*(?:warnings|clippy::)/,
    what: "turns rustc or Clippy lints off (`-A` / `--cap-lints`)",
  },
  {
    id: "cfg.type-check-flags",
    rule: "type-check-relaxed",
    source: "type checker",
    files: SCRIPTS,
    pattern:
      /--(?:skipLibCheck|noCheck|ignore-missing-imports|allow-untyped-[\w-]+|no-strict-optional|follow-imports[= ](?:skip|silent))\b|--typeCheckingMode[= ](?:off|basic)\b|-Xlint:(?:none|-\w+)|(?:^|\s)-nowarn\b/,
    what: "turns part of the type checker off from the command line",
  },
  {
    id: "cfg.lint-ignore-file",
    rule: "lint-relaxed",
    source: "linter ignore file",
    files:
      /(?:^|\/)(?:\.eslintignore|\.stylelintignore|\.jshintignore|\.markdownlintignore|\.rubocop_todo\.ya?ml)$/,
    pattern: /^\s*[^#\s]/,
    what: "adds paths the linter ignores",
  },
];
