import type { LanguageRules, LinePattern, Weakening } from "./types.js";

/**
 * Per-language rules of the test-integrity guard, one row per language: where tests live, what an
 * assertion looks like, which assertion changes make it weaker, and which added lines skip a test or
 * silence a checker. Sources are each framework's own API names (Jest/Vitest `it.skip`, `it.only`,
 * `test.todo`; node:test `{ skip }`; Mocha `this.skip()`; pytest `mark.skip`/`skipif`/`xfail`,
 * `pytest.skip()`; unittest `skip*`, `skipTest`, `SkipTest`; Go `t.Skip`/`Skipf`/`SkipNow`, build
 * constraints; Rust `#[ignore]`, `#[should_panic(expected)]`; JUnit 5 `@Disabled*`, JUnit 4 `@Ignore`,
 * TestNG `enabled = false`; RSpec `xit`/`skip`/`pending`; xUnit `Skip =`, NUnit/MSTest `[Ignore]`;
 * PHPUnit `markTestSkipped`), and each checker's suppression syntax (ESLint, Biome, TypeScript, mypy,
 * pyright, Ruff/flake8 `noqa`, pylint, golangci `nolint`, staticcheck, rustc/Clippy `allow`, javac /
 * SpotBugs / PMD / Checkstyle, RuboCop, Sorbet, Roslyn, PHPStan, Psalm, PHP_CodeSniffer) and
 * coverage-exclusion comments (istanbul/c8/v8, coverage.py `pragma: no cover`, SimpleCov `:nocov:`,
 * `ExcludeFromCodeCoverage`, `@codeCoverageIgnore`).
 *
 * Why these matter: agents are known to weaken or delete tests to get a green run (issue [12/12]);
 * each entry is a way to do it that a reviewer model reading a large diff can miss, and code cannot.
 */

type PatternFlag = "test-only" | "in-comment" | "with-strings";

/**
 * A line pattern; `test-only`: only in test code; `in-comment`: matched in the line's comment, not
 * its code; `with-strings`: in its code with string literals kept (`@SuppressWarnings("unchecked")`).
 */
const p = (
  id: string,
  rule: LinePattern["rule"],
  pattern: RegExp,
  what: string,
  ...flags: PatternFlag[]
): LinePattern => ({
  id,
  rule,
  pattern,
  what,
  ...(flags.includes("test-only") ? { testOnly: true } : {}),
  ...(flags.includes("in-comment") ? { inComment: true } : {}),
  ...(flags.includes("with-strings") ? { withStrings: true } : {}),
});

const w = (from: RegExp, to: RegExp, what: string, unless?: RegExp): Weakening =>
  unless ? { from, to, what, unless } : { from, to, what };

const JS_STRONG =
  /\.(?:toBe|toEqual|toStrictEqual|toMatchObject|toHaveLength|toHaveProperty|toContain|toContainEqual|toMatch|toHaveBeenCalledWith|toHaveBeenCalledTimes|toHaveBeenLastCalledWith|toHaveBeenNthCalledWith|toBeCloseTo|toMatchSnapshot|toMatchInlineSnapshot)\s*\(|\.toThrow(?:Error)?\s*\(\s*[^)\s]|\.to\.(?:deep\.)?(?:equal|eql|include|have\.(?:length|property|been\.calledWith))\b|\bassert\.(?:strictEqual|deepStrictEqual|deepEqual|equal|match|throws\s*\([^,]+,|rejects\s*\([^,]+,)/;
const JS_WEAK =
  /\.(?:toBeDefined|toBeTruthy|toBeFalsy|not\.toBeNull|not\.toBeUndefined)\s*\(\s*\)|\.toHaveBeenCalled\s*\(\s*\)|\.toThrow(?:Error)?\s*\(\s*\)|expect\.any(?:thing)?\s*\(|\.to\.(?:exist|be\.ok|not\.be\.(?:null|undefined))\b|\bassert(?:\.ok)?\s*\(/;

const JS: LanguageRules = {
  name: "JavaScript/TypeScript",
  lineComments: ["//"],
  blockComments: true,
  quotes: "\"'`",
  extensions: /\.(?:[cm]?[jt]sx?)$/,
  testPaths: [
    /\.(?:test|spec|e2e|bench)\.[cm]?[jt]sx?$/,
    /(?:^|\/)__tests__\//,
    /(?:^|\/)(?:test|tests|spec|e2e)\//,
  ],
  // Jest/Vitest `*.test.*`, `__tests__/`; Mocha and AVA `test/*` (AVA with TypeScript: `test/*.ts`).
  collected: [
    /\.(?:test|spec)\.[cm]?[jt]sx?$/,
    /(?:^|\/)__tests__\//,
    /(?:^|\/)tests?\/[^/]+\.[cm]?[jt]sx?$/,
  ],
  assertion:
    /\bexpect(?:Type(?:Of)?)?\s*\(|\bassert(?:\.\w+)?\s*\(|\.should\b|\bt\.(?:is|not|deepEqual|notDeepEqual|like|true|false|truthy|falsy|throws|throwsAsync|notThrows|regex|snapshot|equal|ok|same|match)\s*\(/,
  weakenings: [
    w(/\.toStrictEqual\s*\(/, /\.toEqual\s*\(/, "`toStrictEqual` became the looser `toEqual`"),
    w(
      /\bassert\.strictEqual\s*\(/,
      /\bassert\.equal\s*\(/,
      "`assert.strictEqual` became the looser `assert.equal`",
    ),
    w(
      /\bassert\.deepStrictEqual\s*\(/,
      /\bassert\.deepEqual\s*\(/,
      "`deepStrictEqual` became the looser `deepEqual`",
    ),
    w(
      JS_STRONG,
      JS_WEAK,
      "an exact expectation became one that only checks that something exists or is truthy",
    ),
  ],
  patterns: [
    p(
      "js.skip",
      "test-skipped",
      /\b(?:describe|it|test|context|suite|specify|bench)\.(?:skip|todo)\b/,
      "skips a test (`.skip` / `.todo`)",
    ),
    p(
      "js.skip-if",
      "test-skipped",
      /\b(?:describe|it|test|suite)\.(?:skipIf\s*\(\s*(?:true\b|!?\s*(?:process\.env|import\.meta\.env|isCI\b|CI\b))|runIf\s*\(\s*(?:false\b|!\s*(?:process\.env|import\.meta\.env|isCI\b|CI\b)))/,
      "skips a test always or on CI (`skipIf(process.env.CI)` / `runIf(!process.env.CI)`)",
    ),
    p(
      "js.xit",
      "test-skipped",
      /(?<![\w.])(?:xit|xdescribe|xtest|xcontext|xspecify)\s*\(/,
      "skips a test (`xit` / `xdescribe`)",
    ),
    p(
      "js.only",
      "test-skipped",
      /\b(?:describe|it|test|context|suite)\.only\b|(?<![\w.])(?:fit|fdescribe|ftest)\s*\(/,
      "focuses a test (`.only` / `fit`): every other test in its file is skipped",
    ),
    p(
      "js.skip-call",
      "test-skipped",
      /\bthis\.skip\s*\(\s*\)|\b(?:t|ctx|context)\.(?:skip|todo)\s*\(/,
      "skips a test from inside it (`this.skip()` / `t.skip()`)",
      "test-only",
    ),
    p(
      "js.skip-option",
      "test-skipped",
      /\b(?:test|it|describe|suite)\s*\([^,]+,\s*\{[^}]*\b(?:skip|todo)\s*:\s*(?:true|["'`])/,
      "skips a test (`{ skip: true }`)",
      "test-only",
    ),
    p(
      "js.tautology",
      "assertion-weakened",
      /\bexpect\s*\(\s*(true|false|null|undefined|\d+)\s*\)\s*\.(?:toBe|toEqual|toStrictEqual)\s*\(\s*\1\s*\)|\bexpect\s*\(\s*true\s*\)\s*\.toBeTruthy\s*\(\s*\)|\bassert(?:\.ok)?\s*\(\s*true\s*\)|\bassert\.(?:strictEqual|equal|deepStrictEqual)\s*\(\s*(true|\d+|null)\s*,\s*\2\s*\)/,
      "asserts something that is always true",
      "test-only",
    ),
    p(
      "ts.ignore",
      "type-check-relaxed",
      /@ts-(?:ignore|expect-error|nocheck)\b/,
      "silences the TypeScript checker (`@ts-ignore` / `@ts-expect-error` / `@ts-nocheck`)",
      "in-comment",
    ),
    p(
      "js.eslint-disable",
      "lint-relaxed",
      /\beslint-disable(?:-next-line|-line)?\b/,
      "turns ESLint off for some code (`eslint-disable`)",
      "in-comment",
    ),
    p(
      "js.other-lint-disable",
      "lint-relaxed",
      /\bbiome-ignore\b|\boxlint-disable\b|\btslint:disable\b|\bjshint\s+ignore\b/,
      "turns a linter off for some code (`biome-ignore` / `oxlint-disable` / `tslint:disable`)",
      "in-comment",
    ),
    p(
      "js.coverage-ignore",
      "coverage-lowered",
      /\/\*\s*(?:istanbul|c8|v8|node:coverage)\s+ignore\b/,
      "excludes code from coverage (`istanbul ignore` / `c8 ignore`)",
      "in-comment",
    ),
  ],
};

const PY_STRONG_UNITTEST =
  /\bself\.assert(?:Equal|Equals|ListEqual|DictEqual|TupleEqual|SetEqual|SequenceEqual|CountEqual|MultiLineEqual|AlmostEqual|Is|IsNone|In|NotIn|Raises(?:Regex|RegExp)|Warns(?:Regex)?|Regex|Greater|GreaterEqual|Less|LessEqual|IsInstance)\s*\(/;
const PY_STRONG_PLAIN = /^\s*assert\b.*(?:==|!=|<|>|\bin\b|\bis\s+(?!not\s+None\b))/;

const PYTHON: LanguageRules = {
  name: "Python",
  lineComments: ["#"],
  blockComments: false,
  quotes: "\"'",
  extensions: /\.pyi?$/,
  testPaths: [/(?:^|\/)test_[^/]*\.py$/, /_tests?\.py$/, /(?:^|\/)tests?\//, /(?:^|\/)conftest\.py$/],
  collected: [/(?:^|\/)test_[^/]*\.py$/, /_test\.py$/, /(?:^|\/)conftest\.py$/],
  assertion:
    /^\s*assert\b|\bself\.(?:assert\w*|fail\w*)\s*\(|\bassert_\w+\s*\(|\bpytest\.(?:raises|warns|approx|fail)\b|\bnp\.testing\.assert_\w+|\.assert_(?:called|has_calls|any_call|not_called)\w*\s*\(/,
  weakenings: [
    w(
      PY_STRONG_UNITTEST,
      /\bself\.assert(?:True|False|IsNotNone|Raises|Warns)\s*\(/,
      "an exact `assertEqual`-style check became `assertTrue` / `assertIsNotNone`",
    ),
    w(
      PY_STRONG_PLAIN,
      /^\s*assert\b/,
      "a comparison in an `assert` became a check that only needs a truthy value",
      // pylint's own advice: `assert not x` for `x == []`, `assert x` for `x is True`.
      /(?:==|\bis)\s*(?:\[\]|\{\}|\(\)|""|''|None|False|True|0)\s*(?:,.*)?$/,
    ),
    w(
      /\bpytest\.raises\s*\([^)]*\bmatch\s*=/,
      /\bpytest\.raises\s*\(/,
      "`pytest.raises(…, match=…)` no longer checks the message",
    ),
    w(
      /\b(?:pytest\.raises|self\.assertRaises\w*)\s*\(\s*(?!(?:Base)?Exception\b)\w/,
      /\b(?:pytest\.raises|self\.assertRaises\w*)\s*\(\s*(?:Base)?Exception\b/,
      "a specific exception became any `Exception`",
    ),
  ],
  patterns: [
    p(
      "py.mark-skip",
      "test-skipped",
      /@pytest\.mark\.(?:skip|skipif|xfail)\b/,
      "skips a test (`@pytest.mark.skip` / `skipif` / `xfail`)",
    ),
    p(
      "py.skip-call",
      "test-skipped",
      /\bpytest\.(?:skip|xfail|importorskip)\s*\(/,
      "skips a test (`pytest.skip(…)`)",
    ),
    p(
      "py.unittest-skip",
      "test-skipped",
      /@(?:unittest\.)?(?:skip|skipIf|skipUnless|expectedFailure)\b/,
      "skips a test (`@unittest.skip`)",
    ),
    p(
      "py.skip-test",
      "test-skipped",
      /\bself\.skipTest\s*\(|\braise\s+(?:unittest\.)?SkipTest\b/,
      "skips a test (`skipTest` / `SkipTest`)",
    ),
    p(
      "py.tautology",
      "assertion-weakened",
      /^\s*assert\s+(?:True|1|not\s+(?:False|None|0))\s*(?:,.*)?$|\bself\.assertTrue\s*\(\s*True\s*\)|\bself\.assertEqual\s*\(\s*(\w+)\s*,\s*\1\s*\)/,
      "asserts something that is always true",
      "test-only",
    ),
    p(
      "py.type-ignore",
      "type-check-relaxed",
      /#\s*type:\s*ignore\b|#\s*pyright:\s*(?:ignore|basic)\b|#\s*mypy:\s*(?:ignore-errors|disable-error-code)\b/,
      "silences the type checker (`# type: ignore` / `# pyright: ignore`)",
      "in-comment",
    ),
    p(
      "py.noqa",
      "lint-relaxed",
      /#\s*(?:ruff:\s*)?noqa\b|#\s*pylint:\s*disable\b|#\s*nosec\b|#\s*flake8:\s*noqa\b/i,
      "turns a linter off for some code (`# noqa` / `# pylint: disable`)",
      "in-comment",
    ),
    p(
      "py.no-cover",
      "coverage-lowered",
      /#\s*pragma:\s*no\s*(?:cover|branch)\b/,
      "excludes code from coverage (`# pragma: no cover`)",
      "in-comment",
    ),
  ],
};

const GO: LanguageRules = {
  name: "Go",
  lineComments: ["//"],
  blockComments: true,
  quotes: "\"`'",
  extensions: /\.go$/,
  testPaths: [/_test\.go$/],
  assertion:
    /\b(?:t|b|tb|f)\.(?:Error|Errorf|Fatal|Fatalf|Fail|FailNow)\s*\(|\b(?:assert|require)\.\w+\s*\(|\bs\.(?:Equal|NoError|Require\(\)|Assert\(\)|True|False|Nil|NotNil|Error|Len|Contains)\w*\s*\(|\bcmp\.Diff\s*\(|\breflect\.DeepEqual\s*\(|\bqt\.(?:Assert|Check)\s*\(|\bc\.(?:Assert|Check)\s*\(|\bExpect\s*\(|\bΩ\s*\(/,
  weakenings: [
    w(
      /\b(?:t|b|tb)\.(?:Error|Errorf|Fatal|Fatalf)\s*\(/,
      /\b(?:t|b|tb)\.(?:Log|Logf)\s*\(/,
      "a failing check (`t.Error` / `t.Fatal`) became a log line that never fails",
    ),
    w(
      /\b(?:assert|require|s)\.(?:Equal|EqualValues|Exactly|EqualError|ErrorIs|ErrorAs|ErrorContains|JSONEq|YAMLEq|Len|Contains|ElementsMatch|Subset|InDelta|InEpsilon|Same|Regexp|PanicsWithValue|PanicsWithError)\w*\s*\(/,
      /\b(?:assert|require|s)\.(?:NotNil|NotEmpty|True|False|NoError|Error|Nil|NotZero|Panics)\s*\(/,
      "an exact testify check became one that only checks that something is set or no error occurred",
    ),
  ],
  patterns: [
    p("go.skip", "test-skipped", /\b(?:t|b|tb|f|s\.T\(\))\.Skip(?:f|Now)?\s*\(/, "skips a test (`t.Skip`)"),
    p(
      "go.build-ignore",
      "test-skipped",
      /^\s*\/\/\s*(?:go:build|\+build)\s+ignore\b/,
      "excludes the file from the build (`//go:build ignore`): its tests no longer run",
      "test-only",
      "in-comment",
    ),
    p(
      "go.tautology",
      "assertion-weakened",
      /\b(?:assert|require)\.True\s*\(\s*\w+\s*,\s*true\s*[,)]|\b(?:assert|require)\.Equal\s*\(\s*\w+\s*,\s*(\w+)\s*,\s*\1\s*[,)]/,
      "asserts something that is always true",
      "test-only",
    ),
    p(
      "go.nolint",
      "lint-relaxed",
      /\/\/\s*nolint\b|\/\/\s*lint:(?:ignore|file-ignore)\b|#nosec\b/,
      "turns a linter off for some code (`//nolint` / `//lint:ignore` / `#nosec`)",
      "in-comment",
    ),
  ],
};

const RUST: LanguageRules = {
  name: "Rust",
  lineComments: ["//"],
  blockComments: true,
  quotes: '"',
  extensions: /\.rs$/,
  testPaths: [/(?:^|\/)tests\//, /(?:^|\/)tests?\.rs$/, /_tests?\.rs$/],
  collected: [/(?:^|\/)tests\/[^/]+\.rs$/, /(?:^|\/)tests\/[^/]+\/main\.rs$/],
  inlineTests: /#\[cfg\(test\)\]|\bmod\s+tests?\b|#\[(?:tokio::|async_std::)?test\b|#\[rstest\b/,
  assertion:
    /\b(?:assert|assert_eq|assert_ne|debug_assert|debug_assert_eq|debug_assert_ne|assert_matches|prop_assert|prop_assert_eq|prop_assert_ne|assert_\w*snapshot)!\s*[([{]|#\[should_panic\b/,
  weakenings: [
    w(
      /\b(?:assert_eq|assert_ne|prop_assert_eq|prop_assert_ne|assert_matches)!/,
      /\b(?:assert|prop_assert)!\s*\(/,
      "`assert_eq!` became a bare `assert!`",
    ),
    w(
      /#\[should_panic\s*\(\s*expected/,
      /#\[should_panic\s*\]/,
      "`#[should_panic(expected = …)]` no longer checks the panic message",
    ),
  ],
  patterns: [
    p("rs.ignore", "test-skipped", /#\[ignore\b/, "skips a test (`#[ignore]`)"),
    p(
      "rs.tautology",
      "assertion-weakened",
      /\bassert!\s*\(\s*true\s*\)|\bassert_eq!\s*\(\s*(\w+)\s*,\s*\1\s*\)/,
      "asserts something that is always true",
      "test-only",
    ),
    p(
      "rs.allow",
      "lint-relaxed",
      /#!?\[(?:allow|expect)\s*\(|#!?\[cfg_attr\s*\([^\]]*\ballow\s*\(/,
      "turns a rustc or Clippy lint off (`#[allow(…)]`)",
    ),
    p(
      "rs.coverage-off",
      "coverage-lowered",
      /#!?\[(?:coverage|no_coverage)\b|#!?\[cfg_attr\s*\(\s*coverage\w*\s*,\s*coverage\s*\(\s*off/,
      "excludes code from coverage (`#[coverage(off)]`)",
    ),
  ],
};

const JAVA: LanguageRules = {
  name: "Java/Kotlin",
  lineComments: ["//"],
  blockComments: true,
  quotes: "\"'",
  extensions: /\.(?:java|kt)$/,
  testPaths: [
    /(?:^|\/)src\/(?:test|androidTest|integrationTest|testFixtures)\//,
    /(?:Test|Tests|IT|TestCase|Spec)\.(?:java|kt)$/,
  ],
  collected: [
    /(?:^|\/)src\/(?:test|androidTest|integrationTest)\/.*(?:\/Test[^/]*|Test|Tests|TestCase|IT)\.(?:java|kt)$/,
  ],
  assertion:
    /\bassert(?:Equals|NotEquals|Same|NotSame|True|False|Null|NotNull|ArrayEquals|IterableEquals|LinesMatch|Throws|ThrowsExactly|DoesNotThrow|All|Timeout|That|InstanceOf)\s*\(|\bAssertions\.\w+\s*\(|\bverify\s*\(|\bfail\s*\(|^\s*assert\s+/,
  weakenings: [
    w(
      /\bassertThrows\s*\(\s*(?!(?:Exception|Throwable|RuntimeException)(?:::class|\.class))\w+(?:::class|\.class)/,
      /\bassertThrows\s*\(\s*(?:Exception|Throwable|RuntimeException)(?:::class|\.class)/,
      "a specific exception became any `Exception`",
    ),
    w(
      /\bassert(?:Equals|Same|ArrayEquals|IterableEquals|LinesMatch|Throws|ThrowsExactly|InstanceOf)\s*\(/,
      /\bassert(?:NotNull|True|False|DoesNotThrow)\s*\(/,
      "an exact `assertEquals`-style check became `assertNotNull` / `assertTrue`",
    ),
    w(
      /\.(?:isEqualTo|isSameAs|containsExactly|containsExactlyInAnyOrder|hasSize|isEqualByComparingTo|hasMessage|hasMessageContaining|isInstanceOf|contains|matches|startsWith|endsWith)\s*\(|\b(?:equalTo|sameInstance|hasSize|hasItems?|containsString)\s*\(/,
      /\.(?:isNotNull|isNotEmpty|isTrue|isFalse|isNotBlank)\s*\(\s*\)|\b(?:notNullValue|anything)\s*\(/,
      "an exact AssertJ/Hamcrest check became one that only checks that something is set",
    ),
  ],
  patterns: [
    p("java.disabled", "test-skipped", /@(?:Disabled\w*|Ignore)\b/, "skips a test (`@Disabled` / `@Ignore`)"),
    p(
      "java.testng-disabled",
      "test-skipped",
      /@Test\s*\([^)]*\benabled\s*=\s*false/,
      "skips a test (`@Test(enabled = false)`)",
    ),
    p(
      "java.assume-false",
      "test-skipped",
      /\bassume(?:True\s*\(\s*false|False\s*\(\s*true)\s*\)/,
      "skips a test (`assumeTrue(false)`)",
      "test-only",
    ),
    p(
      "java.tautology",
      "assertion-weakened",
      /\bassertTrue\s*\(\s*true\s*\)|\bassertEquals\s*\(\s*(\w+)\s*,\s*\1\s*\)|\bassertThat\s*\(\s*true\s*\)\s*\.isTrue\s*\(\s*\)/,
      "asserts something that is always true",
      "test-only",
    ),
    p(
      "java.suppress-unchecked",
      "type-check-relaxed",
      /@Suppress(?:Warnings)?\s*\(\s*(?:\{\s*)?"(?:unchecked|rawtypes|cast|UNCHECKED_CAST|NullAway)"/,
      'silences the compiler\'s type checks (`@SuppressWarnings("unchecked")`)',
      "with-strings",
    ),
    p(
      "java.suppress",
      "lint-relaxed",
      /@Suppress(?:Warnings|FBWarnings)?\s*\((?!\s*(?:\{\s*)?"(?:unchecked|rawtypes|cast|UNCHECKED_CAST|NullAway)")/,
      "turns a linter or compiler warning off (`@SuppressWarnings`)",
      "with-strings",
    ),
    p(
      "java.suppress-comment",
      "lint-relaxed",
      /\/\/\s*NOPMD\b|CHECKSTYLE[:.]?OFF|\/\/\s*noinspection\b/i,
      "turns a linter off for some code (`NOPMD` / `CHECKSTYLE:OFF` / `noinspection`)",
      "in-comment",
    ),
    p(
      "java.coverage-ignore",
      "coverage-lowered",
      /@(?:ExcludeFromJacocoGeneratedReport|Generated)\b/,
      "excludes code from JaCoCo coverage (`@Generated`)",
    ),
  ],
};

const RUBY: LanguageRules = {
  name: "Ruby",
  lineComments: ["#"],
  blockComments: false,
  quotes: "\"'",
  extensions: /\.rb$/,
  testPaths: [/_spec\.rb$/, /_test\.rb$/, /(?:^|\/)(?:spec|test)\//],
  collected: [/(?:^|\/)spec\/.*_spec\.rb$/, /(?:^|\/)test\/.*_test\.rb$/],
  assertion:
    /\bexpect\s*[({]|\bassert(?:_\w+)?\b|\brefute(?:_\w+)?\b|\.to(?:_not|\s*\.not)?\s+(?:be|eq|eql|equal|match|include|raise_error|change|contain_exactly|match_array)\b|\.not_to\b|\.should\b|\bmust_\w+|\bwont_\w+/,
  weakenings: [
    w(
      /\.to\s+(?:eq|eql|equal|match|contain_exactly|match_array|include|raise_error\s*\(\s*\w)|\bassert_(?:equal|same|match|includes|in_delta|raises\s*\(\s*\w)\b/,
      /\.to\s+(?:be_truthy|be_present|be_a|be_kind_of)\b|\.(?:not_to|to_not)\s+be_nil\b|\.to\s+raise_error\s*(?:$|\{|do\b)|\bassert\s*\(?(?!_)|\brefute_nil\b|\bassert_raises\s*(?:$|\{|do\b)/,
      "an exact expectation became one that only checks that something is truthy or present",
    ),
  ],
  patterns: [
    p(
      "rb.xit",
      "test-skipped",
      /^\s*(?:xit|xdescribe|xcontext|xspecify|xexample|xscenario)\b/,
      "skips a test (`xit` / `xdescribe`)",
      "test-only",
    ),
    p(
      "rb.skip",
      "test-skipped",
      /^\s*(?:skip|pending)\b|,\s*(?::skip|skip:\s*true)\b/,
      "skips a test (`skip` / `pending`)",
      "test-only",
    ),
    p(
      "rb.focus",
      "test-skipped",
      /^\s*(?:fit|fdescribe|fcontext)\b|focus:\s*true/,
      "focuses a test: every other test is skipped",
      "test-only",
    ),
    p(
      "rb.tautology",
      "assertion-weakened",
      /\bexpect\s*\(\s*true\s*\)\s*\.to\s+(?:be|eq)\s*\(?\s*true|\bassert\s*\(?\s*true\s*\)?\s*$/,
      "asserts something that is always true",
      "test-only",
    ),
    p(
      "rb.rubocop",
      "lint-relaxed",
      /#\s*rubocop:\s*(?:disable|todo)\b/,
      "turns RuboCop off for some code (`# rubocop:disable`)",
      "in-comment",
    ),
    p(
      "rb.sorbet",
      "type-check-relaxed",
      /#\s*typed:\s*(?:false|ignore)\b|#\s*steep:ignore\b/,
      "switches type checking off for the file (`# typed: false`)",
      "in-comment",
    ),
    p(
      "rb.nocov",
      "coverage-lowered",
      /#\s*:nocov:/,
      "excludes code from coverage (`# :nocov:`)",
      "in-comment",
    ),
  ],
};

const CSHARP: LanguageRules = {
  name: "C#",
  lineComments: ["//"],
  blockComments: true,
  quotes: "\"'",
  extensions: /\.cs$/,
  testPaths: [
    /(?:Tests?|Specs?)\.cs$/,
    /(?:^|\/)[^/]*\.(?:Tests?|UnitTests|IntegrationTests|Specs)\//,
    /(?:^|\/)tests?\//i,
  ],
  assertion: /\bAssert\.\w+\s*[(<]|\.Should\(\)|\b(?:CollectionAssert|StringAssert)\.\w+\s*\(/,
  weakenings: [
    w(
      /\bAssert\.(?:Equal|AreEqual|Same|AreSame|StrictEqual|Equivalent|Contains|Matches|Single|InRange)\b|\bAssert\.Throws(?:Async)?\s*<(?!Exception>)|\.Should\(\)\.(?:Be|Equal|BeEquivalentTo|HaveCount|Contain|Match)\b|\.Should\(\)\.Throw\s*<(?!Exception>)|\bIs\.EqualTo\b/,
      /\bAssert\.(?:NotNull|IsNotNull|True|IsTrue|False|IsFalse|NotEmpty|ThrowsAny)\b|\.Should\(\)\.(?:NotBeNull|NotBeEmpty|BeTrue|BeFalse)\b|\.Should\(\)\.Throw\s*(?:<Exception>|\(\))|\bIs\.Not\.Null\b/,
      "an exact assertion became one that only checks that something is set",
    ),
  ],
  patterns: [
    p(
      "cs.skip",
      "test-skipped",
      /\[(?:Fact|Theory|Test|TestMethod)\s*\([^)]*\bSkip\s*=|\[(?:Ignore|Explicit)\b|\bAssert\.(?:Ignore|Inconclusive)\s*\(/,
      "skips a test (`Skip =` / `[Ignore]` / `[Explicit]`)",
    ),
    p(
      "cs.tautology",
      "assertion-weakened",
      /\bAssert\.(?:True|IsTrue)\s*\(\s*true\s*\)/,
      "asserts something that is always true",
      "test-only",
    ),
    p(
      "cs.nullable-disable",
      "type-check-relaxed",
      /#nullable\s+disable\b/,
      "switches nullable reference checks off (`#nullable disable`)",
    ),
    p(
      "cs.suppress",
      "lint-relaxed",
      /#pragma\s+warning\s+disable\b|\[(?:assembly:\s*)?SuppressMessage\s*\(/,
      "turns an analyzer warning off (`#pragma warning disable` / `[SuppressMessage]`)",
    ),
    p(
      "cs.resharper",
      "lint-relaxed",
      /\/\/\s*ReSharper\s+disable\b/,
      "turns a ReSharper inspection off (`// ReSharper disable`)",
      "in-comment",
    ),
    p(
      "cs.coverage-ignore",
      "coverage-lowered",
      /\[ExcludeFromCodeCoverage\b/,
      "excludes code from coverage (`[ExcludeFromCodeCoverage]`)",
    ),
  ],
};

const PHP: LanguageRules = {
  name: "PHP",
  lineComments: ["//", "#"],
  blockComments: true,
  quotes: "\"'",
  extensions: /\.php$/,
  testPaths: [/Test\.php$/, /(?:^|\/)tests?\//i],
  collected: [/(?:^|\/)tests?\/.*Test\.php$/i],
  assertion: /(?:\$this->|self::|static::|Assert::)assert\w+\s*\(|\bexpect\s*\(|->expectException\w*\s*\(/,
  weakenings: [
    w(
      /(?:->|::)assertSame\s*\(/,
      /(?:->|::)assertEquals\s*\(/,
      "`assertSame` became the looser `assertEquals`",
    ),
    w(
      /(?:->|::)assert(?:Same|Equals|Identical|Count|ArrayHasKey|StringContainsString|MatchesRegularExpression|InstanceOf|JsonStringEqualsJsonString|EqualsCanonicalizing)\s*\(/,
      /(?:->|::)assert(?:NotNull|NotEmpty|True|False|IsArray|IsString|IsObject|IsBool|NotFalse)\s*\(/,
      "an exact assertion became one that only checks that something is set",
    ),
  ],
  patterns: [
    p(
      "php.skip",
      "test-skipped",
      /->markTest(?:Skipped|Incomplete)\s*\(|->(?:skip|todo)\s*\(/,
      "skips a test (`markTestSkipped` / `->skip()`)",
      "test-only",
    ),
    p(
      "php.tautology",
      "assertion-weakened",
      /(?:->|::)assertTrue\s*\(\s*true\s*\)/,
      "asserts something that is always true",
      "test-only",
    ),
    p(
      "php.static-analysis",
      "type-check-relaxed",
      /@phpstan-ignore(?:-line|-next-line)?\b|@psalm-suppress\b/,
      "silences PHPStan or Psalm (`@phpstan-ignore` / `@psalm-suppress`)",
      "in-comment",
    ),
    p(
      "php.phpcs",
      "lint-relaxed",
      /phpcs:(?:ignore|disable)\b|@codingStandardsIgnore/,
      "turns PHP_CodeSniffer off for some code (`phpcs:ignore`)",
      "in-comment",
    ),
    p(
      "php.coverage-ignore",
      "coverage-lowered",
      /@codeCoverageIgnore/,
      "excludes code from coverage (`@codeCoverageIgnore`)",
      "in-comment",
    ),
  ],
};

export const LANGUAGES: readonly LanguageRules[] = [JS, PYTHON, GO, RUST, JAVA, RUBY, CSHARP, PHP];

/** Fixtures, test data and mocks are data for tests, not tests: deleting one is no test deleted. */
export const NOT_TEST_CODE =
  /(?:^|\/)(?:fixtures?|__fixtures__|testdata|test-data|__mocks__|__snapshots__|snapshots)\//;

export function languageOf(path: string): LanguageRules | undefined {
  return LANGUAGES.find((l) => l.extensions.test(path));
}

/** A file of tests in its language (by path); data beside the tests does not count. */
export function isTestPath(path: string): boolean {
  const lang = languageOf(path);
  if (!lang || NOT_TEST_CODE.test(path)) return false;
  return lang.testPaths.some((re) => re.test(path));
}

/** A test file the runner finds by default (a rename away from these stops it running). */
export function isCollectedTest(path: string): boolean {
  const lang = languageOf(path);
  if (!lang || NOT_TEST_CODE.test(path)) return false;
  return (lang.collected ?? lang.testPaths).some((re) => re.test(path));
}

/**
 * Snapshot and golden files: Jest/Vitest `__snapshots__/*.snap`, insta (Rust) `snapshots/*.snap`,
 * syrupy (Python) `__snapshots__/*.ambr`, Go's `testdata/*.golden`, ApprovalTests `*.approved.*`.
 */
export const SNAPSHOT_PATH =
  /\.snap$|(?:^|\/)__snapshots__\/|\.ambr$|\.golden$|(?:^|\/)testdata\/.*\.golden\b|\.approved\.\w+$/;
