import { describe, expect, it } from "vitest";
import { keyValues, ListTracker } from "../../src/diff/integrity/config-scan.js";
import { LANGUAGES } from "../../src/diff/integrity/languages.js";
import { splitLine } from "../../src/diff/integrity/lines.js";
import {
  checkTestIntegrity,
  INTEGRITY_RULES,
  type IntegrityRule,
  integrityFindings,
  plannedBySteps,
} from "../../src/diff/test-integrity.js";
import { diffOf, type FileChange } from "../helpers/git-diff.js";

const lines = (...l: string[]) => `${l.join("\n")}\n`;
const check = (changes: FileChange[], o = {}) => checkTestIntegrity(diffOf(changes), o);

// ---------------------------------------------------------------- fixtures per language

const JS_TEST = lines(
  'import { add } from "./math";',
  "",
  'describe("add", () => {',
  '  it("adds two numbers", () => {',
  "    expect(add(1, 2)).toBe(3);",
  "    expect(add(2, 2)).toBe(4);",
  "  });",
  "",
  '  it("adds negatives", () => {',
  "    expect(add(-1, -2)).toBe(-3);",
  "  });",
  "});",
);
const PY_TEST = lines(
  "import unittest",
  "from app.math import add",
  "",
  "",
  "def test_add():",
  "    assert add(1, 2) == 3",
  "    assert add(2, 2) == 4",
  "",
  "",
  "class AddTest(unittest.TestCase):",
  "    def test_negative(self):",
  "        self.assertEqual(add(-1, -2), -3)",
);
const GO_TEST = lines(
  "package math",
  "",
  'import "testing"',
  "",
  "func TestAdd(t *testing.T) {",
  "\tif got := Add(1, 2); got != 3 {",
  '\t\tt.Fatalf("Add(1, 2) = %d, want 3", got)',
  "\t}",
  "\tif got := Add(2, 2); got != 4 {",
  '\t\tt.Errorf("Add(2, 2) = %d, want 4", got)',
  "\t}",
  "}",
);
const RS_LIB = lines(
  "pub fn parse(s: &str) -> Result<i64, String> {",
  '    s.parse().map_err(|e| format!("{e}"))',
  "}",
  "",
  "#[cfg(test)]",
  "mod tests {",
  "    use super::*;",
  "",
  "    #[test]",
  "    fn parses_one() {",
  '        assert_eq!(parse("1"), Ok(1));',
  '        assert_eq!(parse("2"), Ok(2));',
  "    }",
  "}",
);
const RS_INTEGRATION = lines(
  "use mylib::parse;",
  "",
  "#[test]",
  "fn parses() {",
  '    assert_eq!(parse("3"), Ok(3));',
  "}",
);
const JAVA_TEST = lines(
  "package com.example;",
  "",
  "import static org.junit.jupiter.api.Assertions.*;",
  "import org.junit.jupiter.api.Test;",
  "",
  "class MathUtilTest {",
  "    @Test",
  "    void adds() {",
  "        assertEquals(3, MathUtil.add(1, 2));",
  "        assertEquals(4, MathUtil.add(2, 2));",
  "    }",
  "}",
);
const JAVA_PATH = "src/test/java/com/example/MathUtilTest.java";

const snapshot = (n: number, tag: string) =>
  lines(
    ...Array.from({ length: n }, (_, i) => `exports[\`view ${i}\`] = \`<div class="${tag}">${i}</div>\`;`),
  );

/** `also`: a rule the same change rightly raises too (a test replaced by a todo also loses its assertion). */
type Case = {
  lang: string;
  rule: IntegrityRule;
  name: string;
  changes: FileChange[];
  shows?: string;
  also?: IntegrityRule;
};

const CASES: Case[] = [
  // JavaScript / TypeScript
  {
    lang: "js",
    rule: "test-file-deleted",
    name: "a deleted *.test.ts",
    changes: [{ path: "src/math.test.ts", before: JS_TEST }],
  },
  {
    lang: "js",
    rule: "test-file-renamed-away",
    name: "*.test.ts renamed to a name Vitest does not collect",
    changes: [{ path: "src/math.cases.ts", from: "src/math.test.ts", before: JS_TEST, after: JS_TEST }],
  },
  {
    lang: "js",
    rule: "test-skipped",
    name: "it.skip",
    changes: [
      {
        path: "src/math.test.ts",
        before: JS_TEST,
        after: JS_TEST.replace('it("adds negatives"', 'it.skip("adds negatives"'),
      },
    ],
    shows: 'it.skip("adds negatives"',
  },
  {
    lang: "js",
    rule: "test-skipped",
    name: "xit",
    changes: [
      {
        path: "src/math.test.ts",
        before: JS_TEST,
        after: JS_TEST.replace('it("adds negatives"', 'xit("adds negatives"'),
      },
    ],
  },
  {
    lang: "js",
    rule: "test-skipped",
    name: "it.only (every other test is skipped)",
    changes: [
      {
        path: "src/math.test.ts",
        before: JS_TEST,
        after: JS_TEST.replace('it("adds two numbers"', 'it.only("adds two numbers"'),
      },
    ],
  },
  {
    lang: "js",
    rule: "test-skipped",
    name: "test.todo replacing a test",
    changes: [
      {
        path: "src/math.test.ts",
        before: JS_TEST,
        after: JS_TEST.replace(
          '  it("adds negatives", () => {\n    expect(add(-1, -2)).toBe(-3);\n  });',
          '  it.todo("adds negatives");',
        ),
      },
    ],
    also: "assertion-removed",
  },
  {
    lang: "js",
    rule: "test-skipped",
    name: "node:test { skip: true }",
    changes: [
      {
        path: "test/upload.test.mjs",
        before: lines('test("uploads", async () => {', "  assert.equal(await upload(), 200);", "});"),
        after: lines(
          'test("uploads", { skip: true }, async () => {',
          "  assert.equal(await upload(), 200);",
          "});",
        ),
      },
    ],
  },
  // spf13/cobra c8289c1: "add some exclusion presets … to avoid cropping up new findings".
  {
    lang: "go",
    rule: "lint-relaxed",
    name: "golangci exclusion presets added",
    changes: [
      {
        path: ".golangci.yml",
        section: "linters:",
        before: lines("    #- unparam", "    - unused", "    #- whitespace"),
        after: lines(
          "    #- unparam",
          "    - unused",
          "    #- whitespace",
          "  exclusions:",
          "    presets:",
          "      - common-false-positives",
          "      - legacy",
        ),
      },
    ],
  },
  {
    lang: "js",
    rule: "coverage-lowered",
    name: "nyc told not to measure some code",
    changes: [
      {
        path: "package.json",
        before: lines("{", '  "nyc": {', '    "exclude": ["**/test/**"]', "  }", "}"),
        after: lines("{", '  "nyc": {', '    "exclude": ["**/test/**", "source/legacy/**"]', "  }", "}"),
      },
    ],
    shows: '"exclude": ["**/test/**", "source/legacy/**"]',
  },
  {
    lang: "js",
    rule: "assertion-removed",
    name: "an assertion commented out",
    changes: [
      {
        path: "src/math.test.ts",
        before: JS_TEST,
        after: JS_TEST.replace("    expect(add(2, 2)).toBe(4);", "    // expect(add(2, 2)).toBe(4);"),
      },
    ],
  },
  {
    lang: "js",
    rule: "test-skipped",
    name: "skipIf on CI",
    changes: [
      {
        path: "src/upload.test.ts",
        before: lines('describe("upload", () => {', '  it("uploads", () => expect(up()).toBe(1));', "});"),
        after: lines(
          'describe.skipIf(process.env.CI)("upload", () => {',
          '  it("uploads", () => expect(up()).toBe(1));',
          "});",
        ),
      },
    ],
  },
  {
    lang: "js",
    rule: "type-check-relaxed",
    name: "noImplicitAny written false under strict",
    changes: [
      {
        path: "tsconfig.json",
        before: lines("{", '  "compilerOptions": {', '    "strict": true', "  }", "}"),
        after: lines(
          "{",
          '  "compilerOptions": {',
          '    "strict": true,',
          '    "noImplicitAny": false',
          "  }",
          "}",
        ),
      },
    ],
  },
  {
    lang: "py",
    rule: "test-file-deleted",
    name: "a deleted test module under tests/ that held assertions",
    changes: [{ path: "tests/checks.py", before: lines("def check_add():", "    assert add(1, 2) == 3") }],
  },
  {
    lang: "js",
    rule: "assertion-removed",
    name: "an expect line dropped",
    changes: [
      {
        path: "src/math.test.ts",
        before: JS_TEST,
        after: JS_TEST.replace("    expect(add(2, 2)).toBe(4);\n", ""),
      },
    ],
    shows: "expect(add(2, 2)).toBe(4);",
  },
  {
    lang: "js",
    rule: "assertion-weakened",
    name: "toBe → toBeDefined",
    changes: [
      {
        path: "src/math.test.ts",
        before: JS_TEST,
        after: JS_TEST.replace("expect(add(1, 2)).toBe(3)", "expect(add(1, 2)).toBeDefined()"),
      },
    ],
    shows: "+    expect(add(1, 2)).toBeDefined();",
  },
  {
    lang: "js",
    rule: "assertion-weakened",
    name: "toStrictEqual → toEqual",
    changes: [
      {
        path: "src/a.spec.ts",
        before: lines('it("x", () => {', "  expect(f()).toStrictEqual({ a: 1 });", "});"),
        after: lines('it("x", () => {', "  expect(f()).toEqual({ a: 1 });", "});"),
      },
    ],
  },
  {
    lang: "js",
    rule: "assertion-weakened",
    name: "expect(true).toBe(true) in place of a real check",
    changes: [
      {
        path: "src/math.test.ts",
        before: JS_TEST,
        after: JS_TEST.replace("expect(add(-1, -2)).toBe(-3)", "expect(true).toBe(true)"),
      },
    ],
  },
  {
    lang: "js",
    rule: "coverage-lowered",
    name: "Jest coverageThreshold lowered",
    changes: [
      {
        path: "jest.config.js",
        before: lines(
          "module.exports = {",
          "  coverageThreshold: {",
          "    global: { branches: 90, lines: 90 },",
          "  },",
          "};",
        ),
        after: lines(
          "module.exports = {",
          "  coverageThreshold: {",
          "    global: { branches: 90, lines: 70 },",
          "  },",
          "};",
        ),
      },
    ],
    shows: "global: { branches: 90, lines: 70 },",
  },
  {
    lang: "js",
    rule: "coverage-lowered",
    name: "Vitest thresholds removed",
    changes: [
      {
        path: "vitest.config.ts",
        before: lines(
          "export default defineConfig({",
          "  test: {",
          "    coverage: {",
          "      thresholds: {",
          "        lines: 95,",
          "        functions: 95,",
          "      },",
          "    },",
          "  },",
          "});",
        ),
        after: lines(
          "export default defineConfig({",
          "  test: {",
          "    coverage: {",
          "    },",
          "  },",
          "});",
        ),
      },
    ],
  },
  {
    lang: "js",
    rule: "coverage-lowered",
    name: "c8 --lines lowered in package.json",
    changes: [
      {
        path: "package.json",
        before: lines(
          "{",
          '  "scripts": {',
          '    "test": "c8 --check-coverage --lines 95 vitest run"',
          "  }",
          "}",
        ),
        after: lines(
          "{",
          '  "scripts": {',
          '    "test": "c8 --check-coverage --lines 60 vitest run"',
          "  }",
          "}",
        ),
      },
    ],
  },
  {
    lang: "js",
    rule: "coverage-lowered",
    name: "istanbul ignore added",
    changes: [
      {
        path: "src/math.ts",
        before: lines("export function add(a, b) {", "  return a + b;", "}"),
        after: lines("/* istanbul ignore next */", "export function add(a, b) {", "  return a + b;", "}"),
      },
    ],
  },
  {
    lang: "js",
    rule: "lint-relaxed",
    name: "eslint-disable-next-line added",
    changes: [
      {
        path: "src/app.ts",
        before: lines("export function run() {", "  console.log(1);", "}"),
        after: lines(
          "export function run() {",
          "  // eslint-disable-next-line no-console",
          "  console.log(1);",
          "}",
        ),
      },
    ],
    shows: "// eslint-disable-next-line no-console",
  },
  {
    lang: "js",
    rule: "lint-relaxed",
    name: "an ESLint rule turned from error to off",
    changes: [
      {
        path: ".eslintrc.json",
        before: lines(
          "{",
          '  "rules": {',
          '    "no-console": "error",',
          '    "eqeqeq": ["error", "always"]',
          "  }",
          "}",
        ),
        after: lines(
          "{",
          '  "rules": {',
          '    "no-console": "off",',
          '    "eqeqeq": ["error", "always"]',
          "  }",
          "}",
        ),
      },
    ],
  },
  {
    lang: "js",
    rule: "lint-relaxed",
    name: "an ESLint rule lowered to warn in a flat config",
    changes: [
      {
        path: "eslint.config.js",
        before: lines(
          "export default [",
          "  {",
          "    rules: {",
          '      "@typescript-eslint/no-explicit-any": "error",',
          "    },",
          "  },",
          "];",
        ),
        after: lines(
          "export default [",
          "  {",
          "    rules: {",
          '      "@typescript-eslint/no-explicit-any": "warn",',
          "    },",
          "  },",
          "];",
        ),
      },
    ],
  },
  {
    lang: "js",
    rule: "lint-relaxed",
    name: "lint failure ignored with || true",
    changes: [
      {
        path: "package.json",
        before: lines("{", '  "scripts": {', '    "lint": "eslint ."', "  }", "}"),
        after: lines("{", '  "scripts": {', '    "lint": "eslint . || true"', "  }", "}"),
      },
    ],
  },
  {
    lang: "js",
    rule: "type-check-relaxed",
    name: "tsconfig strict turned off",
    changes: [
      {
        path: "tsconfig.json",
        before: lines(
          "{",
          '  "compilerOptions": {',
          '    "strict": true,',
          '    "noImplicitAny": true',
          "  }",
          "}",
        ),
        after: lines(
          "{",
          '  "compilerOptions": {',
          '    "strict": false,',
          '    "noImplicitAny": true',
          "  }",
          "}",
        ),
      },
    ],
    shows: '"strict": false,',
  },
  {
    lang: "js",
    rule: "type-check-relaxed",
    name: "noImplicitAny removed from tsconfig",
    changes: [
      {
        path: "tsconfig.build.json",
        before: lines(
          "{",
          '  "compilerOptions": {',
          '    "target": "es2022",',
          '    "noImplicitAny": true',
          "  }",
          "}",
        ),
        after: lines("{", '  "compilerOptions": {', '    "target": "es2022"', "  }", "}"),
      },
    ],
  },
  {
    lang: "js",
    rule: "type-check-relaxed",
    name: "@ts-expect-error added",
    changes: [
      {
        path: "src/app.ts",
        before: lines("const n: number = parse(s);"),
        after: lines("// @ts-expect-error the parser returns a string", "const n: number = parse(s);"),
      },
    ],
  },
  {
    lang: "js",
    rule: "snapshot-rewritten",
    name: "a Jest snapshot rewritten",
    changes: [
      {
        path: "src/__snapshots__/view.test.ts.snap",
        before: snapshot(10, "old"),
        after: snapshot(10, "new"),
      },
    ],
  },
  {
    lang: "js",
    rule: "test-skipped",
    name: "--passWithNoTests added",
    changes: [
      {
        path: "package.json",
        before: lines("{", '  "scripts": { "test": "jest" }', "}"),
        after: lines("{", '  "scripts": { "test": "jest --passWithNoTests" }', "}"),
      },
    ],
  },
  {
    lang: "js",
    rule: "test-skipped",
    name: "a Vitest exclude widened",
    changes: [
      {
        path: "vitest.config.ts",
        before: lines(
          "export default defineConfig({",
          "  test: {",
          '    exclude: ["node_modules"],',
          "  },",
          "});",
        ),
        after: lines(
          "export default defineConfig({",
          "  test: {",
          '    exclude: ["node_modules", "test/upload.test.ts"],',
          "  },",
          "});",
        ),
      },
    ],
  },

  // Python
  {
    lang: "py",
    rule: "test-file-deleted",
    name: "a deleted test_*.py",
    changes: [{ path: "tests/test_math.py", before: PY_TEST }],
  },
  {
    lang: "py",
    rule: "test-file-renamed-away",
    name: "test_math.py renamed to a name pytest does not collect",
    changes: [{ path: "tests/math_cases.py", from: "tests/test_math.py", before: PY_TEST, after: PY_TEST }],
  },
  {
    lang: "py",
    rule: "test-skipped",
    name: "@pytest.mark.skip",
    changes: [
      {
        path: "tests/test_math.py",
        before: PY_TEST,
        after: PY_TEST.replace("def test_add():", '@pytest.mark.skip(reason="flaky")\ndef test_add():'),
      },
    ],
    shows: '@pytest.mark.skip(reason="flaky")',
  },
  {
    lang: "py",
    rule: "test-skipped",
    name: "pytest.skip() inside a test",
    changes: [
      {
        path: "tests/test_math.py",
        before: PY_TEST,
        after: PY_TEST.replace(
          "    assert add(1, 2) == 3",
          '    pytest.skip("later")\n    assert add(1, 2) == 3',
        ),
      },
    ],
  },
  {
    lang: "py",
    rule: "test-skipped",
    name: "@unittest.skip",
    changes: [
      {
        path: "tests/test_math.py",
        before: PY_TEST,
        after: PY_TEST.replace(
          "    def test_negative(self):",
          '    @unittest.skip("flaky")\n    def test_negative(self):',
        ),
      },
    ],
  },
  {
    lang: "py",
    rule: "assertion-removed",
    name: "an assert line dropped",
    changes: [
      {
        path: "tests/test_math.py",
        before: PY_TEST,
        after: PY_TEST.replace("    assert add(2, 2) == 4\n", ""),
      },
    ],
    shows: "    assert add(2, 2) == 4",
  },
  {
    lang: "py",
    rule: "assertion-weakened",
    name: "assertEqual → assertTrue",
    changes: [
      {
        path: "tests/test_math.py",
        before: PY_TEST,
        after: PY_TEST.replace("self.assertEqual(add(-1, -2), -3)", "self.assertTrue(add(-1, -2))"),
      },
    ],
  },
  {
    lang: "py",
    rule: "assertion-weakened",
    name: "assert x == y → assert x",
    changes: [
      {
        path: "tests/test_math.py",
        before: PY_TEST,
        after: PY_TEST.replace("assert add(1, 2) == 3", "assert add(1, 2)"),
      },
    ],
  },
  {
    lang: "py",
    rule: "assertion-weakened",
    name: "pytest.raises(match=…) → pytest.raises(Exception)",
    changes: [
      {
        path: "tests/test_parse.py",
        before: lines(
          "def test_bad():",
          '    with pytest.raises(ValueError, match="not a number"):',
          '        parse("x")',
        ),
        after: lines("def test_bad():", "    with pytest.raises(Exception):", '        parse("x")'),
      },
    ],
  },
  {
    lang: "py",
    rule: "coverage-lowered",
    name: "coverage.py fail_under lowered",
    changes: [
      {
        path: "pyproject.toml",
        before: lines("[tool.coverage.report]", "fail_under = 90", "show_missing = true"),
        after: lines("[tool.coverage.report]", "fail_under = 60", "show_missing = true"),
      },
    ],
    shows: "fail_under = 60",
  },
  {
    lang: "py",
    rule: "coverage-lowered",
    name: "pytest-cov --cov-fail-under lowered",
    changes: [
      {
        path: "pytest.ini",
        before: lines("[pytest]", "addopts = --cov=app --cov-fail-under=90"),
        after: lines("[pytest]", "addopts = --cov=app --cov-fail-under=50"),
      },
    ],
  },
  {
    lang: "py",
    rule: "coverage-lowered",
    name: "coverage.py omit widened",
    changes: [
      {
        path: ".coveragerc",
        before: lines("[run]", "omit =", "    */migrations/*"),
        after: lines("[run]", "omit =", "    */migrations/*", "    app/upload.py"),
      },
    ],
  },
  {
    lang: "py",
    rule: "lint-relaxed",
    name: "# noqa added",
    changes: [
      {
        path: "app/math.py",
        before: lines("def add(a, b):", "    return a+b"),
        after: lines("def add(a, b):", "    return a+b  # noqa: E226"),
      },
    ],
  },
  {
    lang: "py",
    rule: "lint-relaxed",
    name: "Ruff ignore list widened",
    changes: [
      {
        path: "pyproject.toml",
        before: lines("[tool.ruff.lint]", 'select = ["E", "F"]', 'ignore = ["E501"]'),
        after: lines("[tool.ruff.lint]", 'select = ["E", "F"]', 'ignore = ["E501", "F401"]'),
      },
    ],
    shows: 'ignore = ["E501", "F401"]',
  },
  {
    lang: "py",
    rule: "lint-relaxed",
    name: "Ruff select narrowed",
    changes: [
      {
        path: "ruff.toml",
        before: lines("[lint]", 'select = ["E", "F", "B"]'),
        after: lines("[lint]", 'select = ["E", "F"]'),
      },
    ],
  },
  {
    lang: "py",
    rule: "type-check-relaxed",
    name: "# type: ignore added",
    changes: [
      {
        path: "app/math.py",
        before: lines("total: int = parse(s)"),
        after: lines("total: int = parse(s)  # type: ignore[assignment]"),
      },
    ],
  },
  {
    lang: "py",
    rule: "type-check-relaxed",
    name: "mypy strict turned off",
    changes: [
      {
        path: "pyproject.toml",
        before: lines("[tool.mypy]", "strict = true", 'python_version = "3.12"'),
        after: lines("[tool.mypy]", "strict = false", 'python_version = "3.12"'),
      },
    ],
  },
  {
    lang: "py",
    rule: "type-check-relaxed",
    name: "mypy ignore_missing_imports added to an existing config",
    changes: [
      {
        path: "mypy.ini",
        before: lines("[mypy]", "strict = True"),
        after: lines("[mypy]", "strict = True", "ignore_missing_imports = True"),
      },
    ],
  },
  {
    lang: "py",
    rule: "snapshot-rewritten",
    name: "a syrupy snapshot rewritten",
    changes: [
      { path: "tests/__snapshots__/test_view.ambr", before: snapshot(8, "a"), after: snapshot(8, "b") },
    ],
  },

  // Go
  {
    lang: "go",
    rule: "test-file-deleted",
    name: "a deleted *_test.go",
    changes: [{ path: "pkg/math/add_test.go", before: GO_TEST }],
  },
  {
    lang: "go",
    rule: "test-file-renamed-away",
    name: "add_test.go renamed to add_cases.go",
    changes: [
      { path: "pkg/math/add_cases.go", from: "pkg/math/add_test.go", before: GO_TEST, after: GO_TEST },
    ],
  },
  {
    lang: "go",
    rule: "test-skipped",
    name: "t.Skip",
    changes: [
      {
        path: "pkg/math/add_test.go",
        before: GO_TEST,
        after: GO_TEST.replace(
          "func TestAdd(t *testing.T) {",
          'func TestAdd(t *testing.T) {\n\tt.Skip("flaky on CI")',
        ),
      },
    ],
    shows: '\tt.Skip("flaky on CI")',
  },
  {
    lang: "go",
    rule: "assertion-removed",
    name: "an if-got-want check dropped",
    changes: [
      {
        path: "pkg/math/add_test.go",
        before: GO_TEST,
        after: GO_TEST.replace(
          '\tif got := Add(2, 2); got != 4 {\n\t\tt.Errorf("Add(2, 2) = %d, want 4", got)\n\t}\n',
          "",
        ),
      },
    ],
    shows: 't.Errorf("Add(2, 2) = %d, want 4", got)',
  },
  {
    lang: "go",
    rule: "assertion-weakened",
    name: "t.Fatalf → t.Logf",
    changes: [
      { path: "pkg/math/add_test.go", before: GO_TEST, after: GO_TEST.replace("t.Fatalf(", "t.Logf(") },
    ],
  },
  {
    lang: "go",
    rule: "assertion-weakened",
    name: "assert.Equal → assert.NotNil",
    changes: [
      {
        path: "pkg/math/sum_test.go",
        before: lines("func TestSum(t *testing.T) {", "\tassert.Equal(t, 6, Sum(1, 2, 3))", "}"),
        after: lines("func TestSum(t *testing.T) {", "\tassert.NotNil(t, Sum(1, 2, 3))", "}"),
      },
    ],
  },
  {
    lang: "go",
    rule: "coverage-lowered",
    name: "go-test-coverage total lowered",
    changes: [
      {
        path: ".testcoverage.yml",
        before: lines("threshold:", "  file: 70", "  total: 90"),
        after: lines("threshold:", "  file: 70", "  total: 60"),
      },
    ],
  },
  {
    lang: "go",
    rule: "lint-relaxed",
    name: "//nolint added",
    changes: [
      {
        path: "pkg/math/io.go",
        before: lines("func save() {", "\tf.Close()", "}"),
        after: lines("func save() {", "\tf.Close() //nolint:errcheck", "}"),
      },
    ],
  },
  {
    lang: "go",
    rule: "lint-relaxed",
    name: "golangci disable list widened",
    changes: [
      {
        path: ".golangci.yml",
        before: lines("linters:", "  disable:", "    - gocyclo", "  enable:", "    - errcheck"),
        after: lines("linters:", "  disable:", "    - gocyclo", "    - errcheck"),
      },
    ],
  },
  {
    lang: "go",
    rule: "lint-relaxed",
    name: "go test -vet=off",
    changes: [
      {
        path: "Makefile",
        before: lines("test:", "\tgo test ./..."),
        after: lines("test:", "\tgo test -vet=off ./..."),
      },
    ],
  },
  {
    lang: "go",
    rule: "snapshot-rewritten",
    name: "a golden file rewritten",
    changes: [
      { path: "pkg/render/testdata/page.golden", before: snapshot(12, "x"), after: snapshot(12, "y") },
    ],
  },

  // Rust
  {
    lang: "rs",
    rule: "test-file-deleted",
    name: "a deleted integration test",
    changes: [{ path: "tests/parse.rs", before: RS_INTEGRATION }],
  },
  {
    lang: "rs",
    rule: "test-file-renamed-away",
    name: "tests/parse.rs moved to examples/",
    changes: [
      { path: "examples/parse.rs", from: "tests/parse.rs", before: RS_INTEGRATION, after: RS_INTEGRATION },
    ],
  },
  {
    lang: "rs",
    rule: "test-skipped",
    name: "#[ignore]",
    changes: [
      {
        path: "src/lib.rs",
        before: RS_LIB,
        after: RS_LIB.replace("    #[test]\n", "    #[test]\n    #[ignore]\n"),
      },
    ],
    shows: "    #[ignore]",
  },
  {
    lang: "rs",
    rule: "assertion-removed",
    name: "assert_eq! dropped from inline tests",
    changes: [
      {
        path: "src/lib.rs",
        before: RS_LIB,
        after: RS_LIB.replace('        assert_eq!(parse("2"), Ok(2));\n', ""),
      },
    ],
    shows: 'assert_eq!(parse("2"), Ok(2));',
  },
  {
    lang: "rs",
    rule: "assertion-weakened",
    name: "assert_eq! → assert!(…is_ok())",
    changes: [
      {
        path: "src/lib.rs",
        before: RS_LIB,
        after: RS_LIB.replace('assert_eq!(parse("1"), Ok(1));', 'assert!(parse("1").is_ok());'),
      },
    ],
  },
  {
    lang: "rs",
    rule: "assertion-weakened",
    name: "should_panic loses its expected message",
    changes: [
      {
        path: "tests/panics.rs",
        before: lines(
          "#[test]",
          '#[should_panic(expected = "empty input")]',
          "fn empty() {",
          '    parse("").unwrap();',
          "}",
        ),
        after: lines("#[test]", "#[should_panic]", "fn empty() {", '    parse("").unwrap();', "}"),
      },
    ],
  },
  {
    lang: "rs",
    rule: "coverage-lowered",
    name: "tarpaulin fail-under lowered",
    changes: [
      {
        path: ".tarpaulin.toml",
        before: lines("[report]", "fail-under = 90"),
        after: lines("[report]", "fail-under = 50"),
      },
    ],
  },
  {
    lang: "rs",
    rule: "coverage-lowered",
    name: "cargo llvm-cov --fail-under-lines lowered",
    changes: [
      {
        path: "Makefile",
        before: lines("cover:", "\tcargo llvm-cov --fail-under-lines 90"),
        after: lines("cover:", "\tcargo llvm-cov --fail-under-lines 70"),
      },
    ],
  },
  {
    lang: "rs",
    rule: "lint-relaxed",
    name: "#[allow(clippy::…)] added",
    changes: [
      {
        path: "src/lib.rs",
        before: lines("pub fn first(v: &[i64]) -> i64 {", "    *v.first().unwrap()", "}"),
        after: lines(
          "#[allow(clippy::unwrap_used)]",
          "pub fn first(v: &[i64]) -> i64 {",
          "    *v.first().unwrap()",
          "}",
        ),
      },
    ],
  },
  {
    lang: "rs",
    rule: "lint-relaxed",
    name: "a Cargo [lints] level lowered to allow",
    changes: [
      {
        path: "Cargo.toml",
        before: lines("[lints.clippy]", 'unwrap_used = "deny"', 'expect_used = "warn"'),
        after: lines("[lints.clippy]", 'unwrap_used = "allow"', 'expect_used = "warn"'),
      },
    ],
  },
  {
    lang: "rs",
    rule: "snapshot-rewritten",
    name: "an insta snapshot rewritten",
    changes: [
      { path: "src/snapshots/mylib__render.snap", before: snapshot(9, "p"), after: snapshot(9, "q") },
    ],
  },

  // Java
  {
    lang: "java",
    rule: "test-file-deleted",
    name: "a deleted *Test.java",
    changes: [{ path: JAVA_PATH, before: JAVA_TEST }],
  },
  {
    lang: "java",
    rule: "test-file-renamed-away",
    name: "a test class moved out of src/test",
    changes: [
      {
        path: "src/main/java/com/example/MathUtilCases.java",
        from: JAVA_PATH,
        before: JAVA_TEST,
        after: JAVA_TEST,
      },
    ],
  },
  {
    lang: "java",
    rule: "test-skipped",
    name: "@Disabled",
    changes: [
      {
        path: JAVA_PATH,
        before: JAVA_TEST,
        after: JAVA_TEST.replace("    @Test\n", '    @Test\n    @Disabled("flaky")\n'),
      },
    ],
    shows: '@Disabled("flaky")',
  },
  {
    lang: "java",
    rule: "test-skipped",
    name: "JUnit 4 @Ignore",
    changes: [
      {
        path: JAVA_PATH,
        before: JAVA_TEST,
        after: JAVA_TEST.replace("    @Test\n", "    @Ignore\n    @Test\n"),
      },
    ],
  },
  {
    lang: "java",
    rule: "test-skipped",
    name: "Maven skipTests",
    changes: [
      {
        path: "pom.xml",
        before: lines("<properties>", "  <java.version>21</java.version>", "</properties>"),
        after: lines(
          "<properties>",
          "  <java.version>21</java.version>",
          "  <skipTests>true</skipTests>",
          "</properties>",
        ),
      },
    ],
  },
  {
    lang: "java",
    rule: "assertion-removed",
    name: "an assertEquals dropped",
    changes: [
      {
        path: JAVA_PATH,
        before: JAVA_TEST,
        after: JAVA_TEST.replace("        assertEquals(4, MathUtil.add(2, 2));\n", ""),
      },
    ],
    shows: "assertEquals(4, MathUtil.add(2, 2));",
  },
  {
    lang: "java",
    rule: "assertion-weakened",
    name: "assertEquals → assertNotNull",
    changes: [
      {
        path: JAVA_PATH,
        before: JAVA_TEST,
        after: JAVA_TEST.replace(
          "assertEquals(3, MathUtil.add(1, 2));",
          "assertNotNull(MathUtil.add(1, 2));",
        ),
      },
    ],
  },
  {
    lang: "java",
    rule: "assertion-weakened",
    name: "assertThrows of a specific exception → Exception",
    changes: [
      {
        path: "src/test/java/com/example/ParseTest.java",
        before: lines(
          "    @Test",
          "    void bad() {",
          '        assertThrows(NumberFormatException.class, () -> Parse.of("x"));',
          "    }",
        ),
        after: lines(
          "    @Test",
          "    void bad() {",
          '        assertThrows(Exception.class, () -> Parse.of("x"));',
          "    }",
        ),
      },
    ],
  },
  {
    lang: "java",
    rule: "coverage-lowered",
    name: "JaCoCo minimum lowered",
    changes: [
      {
        path: "pom.xml",
        before: lines(
          "<limit>",
          "  <counter>LINE</counter>",
          "  <value>COVEREDRATIO</value>",
          "  <minimum>0.80</minimum>",
          "</limit>",
        ),
        after: lines(
          "<limit>",
          "  <counter>LINE</counter>",
          "  <value>COVEREDRATIO</value>",
          "  <minimum>0.50</minimum>",
          "</limit>",
        ),
      },
    ],
    shows: "<minimum>0.50</minimum>",
  },
  {
    lang: "java",
    rule: "lint-relaxed",
    name: "@SuppressWarnings added",
    changes: [
      {
        path: "src/main/java/com/example/Legacy.java",
        before: lines("public class Legacy {", "    public void old() {}", "}"),
        after: lines(
          '@SuppressWarnings("deprecation")',
          "public class Legacy {",
          "    public void old() {}",
          "}",
        ),
      },
    ],
  },
  {
    lang: "java",
    rule: "lint-relaxed",
    name: "Gradle checkstyle ignoreFailures",
    changes: [
      {
        path: "build.gradle",
        before: lines("checkstyle {", "    toolVersion = '10.12.0'", "}"),
        after: lines("checkstyle {", "    toolVersion = '10.12.0'", "    ignoreFailures = true", "}"),
      },
    ],
  },
  {
    lang: "java",
    rule: "type-check-relaxed",
    name: '@SuppressWarnings("unchecked") added',
    changes: [
      {
        path: "src/main/java/com/example/Box.java",
        before: lines("    List<String> items() {", "        return (List<String>) raw;", "    }"),
        after: lines(
          '    @SuppressWarnings("unchecked")',
          "    List<String> items() {",
          "        return (List<String>) raw;",
          "    }",
        ),
      },
    ],
  },
  {
    lang: "java",
    rule: "snapshot-rewritten",
    name: "an ApprovalTests file rewritten",
    changes: [
      {
        path: "src/test/java/com/example/ReportTest.render.approved.txt",
        before: snapshot(6, "r"),
        after: snapshot(6, "s"),
      },
    ],
  },

  // Ruby, C#, PHP
  {
    lang: "rb",
    rule: "test-skipped",
    name: "RSpec xit",
    changes: [
      {
        path: "spec/math_spec.rb",
        before: lines("describe Math do", "  it 'adds' do", "    expect(add(1, 2)).to eq(3)", "  end", "end"),
        after: lines("describe Math do", "  xit 'adds' do", "    expect(add(1, 2)).to eq(3)", "  end", "end"),
      },
    ],
  },
  {
    lang: "rb",
    rule: "assertion-weakened",
    name: "eq → be_truthy",
    changes: [
      {
        path: "spec/math_spec.rb",
        before: lines("describe Math do", "  it 'adds' do", "    expect(add(1, 2)).to eq(3)", "  end", "end"),
        after: lines(
          "describe Math do",
          "  it 'adds' do",
          "    expect(add(1, 2)).to be_truthy",
          "  end",
          "end",
        ),
      },
    ],
  },
  {
    lang: "rb",
    rule: "lint-relaxed",
    name: "rubocop:disable added",
    changes: [
      {
        path: "lib/math.rb",
        before: lines("def add(a, b)", "  a + b", "end"),
        after: lines("def add(a, b) # rubocop:disable Naming/MethodParameterName", "  a + b", "end"),
      },
    ],
  },
  {
    lang: "cs",
    rule: "test-skipped",
    name: "xUnit Skip =",
    changes: [
      {
        path: "Math.Tests/AddTests.cs",
        before: lines("    [Fact]", "    public void Adds() => Assert.Equal(3, Add(1, 2));"),
        after: lines('    [Fact(Skip = "flaky")]', "    public void Adds() => Assert.Equal(3, Add(1, 2));"),
      },
    ],
  },
  {
    lang: "cs",
    rule: "assertion-weakened",
    name: "Assert.Equal → Assert.NotNull",
    changes: [
      {
        path: "Math.Tests/AddTests.cs",
        before: lines(
          "    [Fact]",
          "    public void Adds() {",
          "        Assert.Equal(3, Add(1, 2));",
          "    }",
        ),
        after: lines("    [Fact]", "    public void Adds() {", "        Assert.NotNull(Add(1, 2));", "    }"),
      },
    ],
  },
  {
    lang: "cs",
    rule: "type-check-relaxed",
    name: "<Nullable> disabled",
    changes: [
      {
        path: "src/App/App.csproj",
        before: lines("<PropertyGroup>", "  <Nullable>enable</Nullable>", "</PropertyGroup>"),
        after: lines("<PropertyGroup>", "  <Nullable>disable</Nullable>", "</PropertyGroup>"),
      },
    ],
  },
  {
    lang: "php",
    rule: "test-skipped",
    name: "markTestSkipped",
    changes: [
      {
        path: "tests/MathTest.php",
        before: lines(
          "    public function testAdd(): void {",
          "        $this->assertSame(3, add(1, 2));",
          "    }",
        ),
        after: lines(
          "    public function testAdd(): void {",
          "        $this->markTestSkipped('later');",
          "        $this->assertSame(3, add(1, 2));",
          "    }",
        ),
      },
    ],
  },
  {
    lang: "php",
    rule: "assertion-weakened",
    name: "assertSame → assertEquals",
    changes: [
      {
        path: "tests/MathTest.php",
        before: lines(
          "    public function testAdd(): void {",
          "        $this->assertSame(3, add(1, 2));",
          "    }",
        ),
        after: lines(
          "    public function testAdd(): void {",
          "        $this->assertEquals(3, add(1, 2));",
          "    }",
        ),
      },
    ],
  },
  {
    lang: "php",
    rule: "type-check-relaxed",
    name: "PHPStan level lowered",
    changes: [
      {
        path: "phpstan.neon",
        before: lines("parameters:", "    level: 8", "    paths:", "        - src"),
        after: lines("parameters:", "    level: 5", "    paths:", "        - src"),
      },
    ],
  },
];

describe("checkTestIntegrity: one rule per case, nothing else", () => {
  it.each(CASES.map((c) => [`${c.lang} · ${c.rule} · ${c.name}`, c] as const))("%s", (_, c) => {
    const flags = check(c.changes);
    expect([...new Set(flags.map((f) => f.rule))].sort()).toEqual(
      [c.rule, ...(c.also ? [c.also] : [])].sort(),
    );
    for (const f of flags) {
      expect(f.severity).toBe("blocker");
      expect(f.message.length).toBeGreaterThan(20);
    }
    if (c.shows) expect(flags.flatMap((f) => f.lines).join("\n")).toContain(c.shows);
  });

  it("covers every rule in each of JS/TS, Python, Go, Rust and Java (Go and Rust have no type checker to relax)", () => {
    const missing: string[] = [];
    for (const lang of ["js", "py", "go", "rs", "java"])
      for (const rule of INTEGRITY_RULES) {
        if (rule === "type-check-relaxed" && (lang === "go" || lang === "rs")) continue;
        if (!CASES.some((c) => c.lang === lang && c.rule === rule)) missing.push(`${lang}:${rule}`);
      }
    expect(missing).toEqual([]);
  });
});

describe("checkTestIntegrity: where each flag points", () => {
  it("points a skip at its new line and a removed assertion at its old line", () => {
    const [skip] = check([CASES.find((c) => c.name === "it.skip")?.changes[0] as FileChange]);
    expect(skip).toMatchObject({
      path: "src/math.test.ts",
      side: "RIGHT",
      line: 9,
      lines: ['  it.skip("adds negatives", () => {'],
    });
    const [removed] = check([
      CASES.find((c) => c.name === "an expect line dropped")?.changes[0] as FileChange,
    ]);
    expect(removed).toMatchObject({ rule: "assertion-removed", side: "LEFT", line: 6 });
  });

  it("reports a deleted test file once, not once more per assertion in it", () => {
    const flags = check([{ path: "src/math.test.ts", before: JS_TEST }]);
    expect(flags).toEqual([
      expect.objectContaining({ rule: "test-file-deleted", path: "src/math.test.ts", side: "LEFT" }),
    ]);
    expect(flags[0]?.line).toBeUndefined();
  });

  it("names where a renamed-away test file came from", () => {
    const [f] = check([
      { path: "tests/math_cases.py", from: "tests/test_math.py", before: PY_TEST, after: PY_TEST },
    ]);
    expect(f).toMatchObject({ path: "tests/math_cases.py", oldPath: "tests/test_math.py" });
    expect(f?.message).toContain("tests/test_math.py");
  });

  it("groups the assertions a removed test took with it into one flag", () => {
    const after = JS_TEST.replace(
      '\n  it("adds negatives", () => {\n    expect(add(-1, -2)).toBe(-3);\n  });',
      "",
    );
    const flags = check([{ path: "src/math.test.ts", before: JS_TEST, after }]);
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({
      rule: "assertion-removed",
      lines: ["    expect(add(-1, -2)).toBe(-3);"],
    });
  });

  it("shows both the removed and the weaker line for a weakened assertion", () => {
    const [f] = check([CASES.find((c) => c.name === "toBe → toBeDefined")?.changes[0] as FileChange]);
    expect(f?.lines).toEqual(["-    expect(add(1, 2)).toBe(3);", "+    expect(add(1, 2)).toBeDefined();"]);
  });

  it("caps the lines of one flag and counts the rest", () => {
    const many = Array.from({ length: 20 }, (_, i) => `  it.skip("case ${i}", () => {});`);
    const flags = check([
      { path: "a.test.js", before: lines("// cases"), after: lines("// cases", ...many) },
    ]);
    expect(flags).toHaveLength(1);
    expect(flags[0]?.lines).toHaveLength(13);
    expect(flags[0]?.lines.at(-1)).toBe("… and 8 more lines");
  });
});

describe("checkTestIntegrity: ordinary changes to tests pass", () => {
  const clean = (name: string, changes: FileChange[]) =>
    it(name, () => {
      expect(check(changes)).toEqual([]);
    });

  clean("adding a test", [
    {
      path: "src/math.test.ts",
      before: JS_TEST,
      after: JS_TEST.replace("});\n", '});\n\nit("adds zero", () => {\n  expect(add(0, 0)).toBe(0);\n});\n'),
    },
  ]);
  clean("adding a new test file", [{ path: "tests/test_upload.py", after: PY_TEST }]);
  clean("changing an assertion's expected value (JS)", [
    { path: "src/math.test.ts", before: JS_TEST, after: JS_TEST.replace("toBe(3)", "toBe(4)") },
  ]);
  clean("changing an assertion's expected value (Python)", [
    {
      path: "tests/test_math.py",
      before: PY_TEST,
      after: PY_TEST.replace("assertEqual(add(-1, -2), -3)", "assertEqual(add(-1, -2), -4)"),
    },
  ]);
  clean("changing an assertion's expected value (Go)", [
    {
      path: "pkg/math/add_test.go",
      before: GO_TEST,
      after: GO_TEST.replace("got != 3", "got != 5").replace("want 3", "want 5"),
    },
  ]);
  clean("changing an assertion's expected value (Rust)", [
    { path: "src/lib.rs", before: RS_LIB, after: RS_LIB.replace("Ok(1));", "Ok(10));") },
  ]);
  clean("changing an assertion's expected value (Java)", [
    { path: JAVA_PATH, before: JAVA_TEST, after: JAVA_TEST.replace("assertEquals(3,", "assertEquals(30,") },
  ]);
  clean("one exact matcher for another (toBe → toEqual)", [
    { path: "src/math.test.ts", before: JS_TEST, after: JS_TEST.replace("toBe(3)", "toEqual(3)") },
  ]);
  clean("re-indenting assertions", [
    {
      path: "src/math.test.ts",
      before: JS_TEST,
      after: JS_TEST.replace("    expect(add(1, 2)).toBe(3);", "      expect(add(1, 2)).toBe(3);"),
    },
  ]);
  clean("moving a test to another file", [
    {
      path: "src/math.test.ts",
      before: JS_TEST,
      after: JS_TEST.replace(
        '\n  it("adds negatives", () => {\n    expect(add(-1, -2)).toBe(-3);\n  });',
        "",
      ),
    },
    {
      path: "src/negatives.test.ts",
      after: lines('it("adds negatives", () => {', "  expect(add(-1, -2)).toBe(-3);", "});"),
    },
  ]);
  clean("a test file split in two without git seeing a rename", [
    { path: "src/math.test.ts", before: JS_TEST },
    {
      path: "src/add.test.ts",
      after: lines(
        'describe("add", () => {',
        '  it("adds two numbers", () => {',
        "    expect(add(1, 2)).toBe(3);",
        "    expect(add(2, 2)).toBe(4);",
        "  });",
        "});",
      ),
    },
    {
      path: "src/negatives.test.ts",
      after: lines('it("adds negatives", () => {', "  expect(add(-1, -2)).toBe(-3);", "});"),
    },
  ]);
  clean("renaming a test within the runner's reach", [
    { path: "src/add.test.ts", from: "src/math.test.ts", before: JS_TEST, after: JS_TEST },
  ]);
  clean("retitling a test that was already skipped", [
    {
      path: "a.test.js",
      before: lines('it.skip("old title", () => {});'),
      after: lines('it.skip("new title", () => {});'),
    },
  ]);
  clean("removing a skip", [
    {
      path: "src/math.test.ts",
      before: JS_TEST.replace('it("adds negatives"', 'it.skip("adds negatives"'),
      after: JS_TEST,
    },
  ]);
  clean("an assert removed from application code", [
    {
      path: "app/math.py",
      before: lines("def add(a, b):", "    assert isinstance(a, int)", "    return a + b"),
      after: lines("def add(a, b):", "    return a + b"),
    },
  ]);
  clean("raising a coverage threshold", [
    {
      path: "pyproject.toml",
      before: lines("[tool.coverage.report]", "fail_under = 80"),
      after: lines("[tool.coverage.report]", "fail_under = 90"),
    },
  ]);
  clean("turning strict on", [
    {
      path: "tsconfig.json",
      before: lines("{", '  "compilerOptions": {', '    "strict": false', "  }", "}"),
      after: lines("{", '  "compilerOptions": {', '    "strict": true', "  }", "}"),
    },
  ]);
  clean("a new tsconfig with skipLibCheck (routine, nothing relaxed)", [
    {
      path: "packages/ui/tsconfig.json",
      after: lines("{", '  "compilerOptions": { "strict": true, "skipLibCheck": true }', "}"),
    },
  ]);
  clean("selecting more Ruff rules and ignoring fewer", [
    {
      path: "pyproject.toml",
      before: lines("[tool.ruff.lint]", 'select = ["E", "F"]', 'ignore = ["E501", "F401"]'),
      after: lines("[tool.ruff.lint]", 'select = ["E", "F", "B"]', 'ignore = ["E501"]'),
    },
  ]);
  clean("reformatting an ignore list onto several lines", [
    {
      path: "pyproject.toml",
      before: lines("[tool.ruff.lint]", 'ignore = ["E501", "F401"]'),
      after: lines("[tool.ruff.lint]", "ignore = [", '    "E501",', '    "F401",', "]"),
    },
  ]);
  clean("an ESLint rule made stricter", [
    {
      path: ".eslintrc.json",
      before: lines("{", '  "rules": { "no-console": "warn" }', "}"),
      after: lines("{", '  "rules": { "no-console": "error" }', "}"),
    },
  ]);
  clean("a new ESLint rule at warn", [
    {
      path: ".eslintrc.json",
      before: lines("{", '  "rules": {', '    "eqeqeq": "error"', "  }", "}"),
      after: lines("{", '  "rules": {', '    "eqeqeq": "error",', '    "no-console": "warn"', "  }", "}"),
    },
  ]);
  clean("a snapshot with one entry updated", [
    {
      path: "src/__snapshots__/view.test.ts.snap",
      before: snapshot(20, "a"),
      after: snapshot(20, "a").replace('"a">7<', '"b">7<'),
    },
  ]);
  clean("a new snapshot file", [{ path: "src/__snapshots__/new.test.ts.snap", after: snapshot(20, "a") }]);
  clean("a fixture deleted", [{ path: "test/fixtures/sample.json", before: lines("{}") }]);
  clean("`test -f` (the shell builtin) with `|| true` in a script", [
    {
      path: "scripts/setup.sh",
      before: lines("#!/bin/sh", "mkdir -p out"),
      after: lines("#!/bin/sh", "mkdir -p out", "test -f out/.keep || true"),
    },
  ]);
  clean("a Maven plugin's own <skip> (deploy), not the tests", [
    {
      path: "pom.xml",
      before: lines("<configuration>", "</configuration>"),
      after: lines("<configuration>", "  <skip>true</skip>", "</configuration>"),
    },
  ]);
  clean("@JsonIgnore and [JsonIgnore] are no test skips", [
    {
      path: "src/test/java/com/example/DtoTest.java",
      before: lines("class Dto {", "  String secret;", "}"),
      after: lines("class Dto {", "  @JsonIgnore", "  String secret;", "}"),
    },
    {
      path: "Api.Tests/Dto.cs",
      before: lines("class Dto {", "  string Secret;", "}"),
      after: lines("class Dto {", "  [JsonIgnore]", "  string Secret;", "}"),
    },
  ]);
  clean("test data with a skip field", [
    {
      path: "src/page.test.ts",
      before: lines("const page = { take: 10 };"),
      after: lines("const page = { take: 10, skip: 20 };", "const opts = { skip: true };"),
    },
  ]);
  clean("a doc comment and a test title that mention skips", [
    {
      path: "src/rules.ts",
      before: lines("export const A = 1;"),
      after: lines("/** Flags `it.skip` and `@pytest.mark.skip`. */", "export const A = 1;"),
    },
    {
      path: "src/rules.test.ts",
      before: lines("// tests"),
      after: lines(
        "// tests",
        'it("flags it.skip and xit(", () => {',
        '  expect(flag("it.skip(")).toBe(true);',
        "});",
      ),
    },
  ]);
  clean("a doc comment that names a directive in the middle", [
    {
      path: "src/lines.ts",
      before: lines("export const A = 1;"),
      after: lines(
        "/** The comments, markers included (`// eslint-disable-line`, `# type: ignore`). */",
        "export const A = 1;",
      ),
    },
  ]);
  clean("a string that names a suppression", [
    {
      path: "src/messages.ts",
      before: lines("export const M = {};"),
      after: lines('export const M = { hint: "add // eslint-disable-next-line to silence it" };'),
    },
  ]);
  clean("an environment-conditional describe.skipIf in a new browser test", [
    {
      path: "test/browser/demo.test.ts",
      after: lines(
        'describe.skipIf(!HAVE_CHROMIUM)("demo", () => {',
        '  it("opens", () => expect(open()).toBe(true));',
        "});",
      ),
    },
  ]);
  clean("a test helper without assertions deleted", [
    {
      path: "test/helpers/worker-entry.ts",
      before: lines("export function start() {", "  return spawn();", "}"),
    },
  ]);
  clean("a check strict does not imply, written false (its default)", [
    {
      path: "tsconfig.json",
      before: lines("{", '  "compilerOptions": {', '    "strict": true', "  }", "}"),
      after: lines(
        "{",
        '  "compilerOptions": {',
        '    "strict": true,',
        '    "exactOptionalPropertyTypes": false',
        "  }",
        "}",
      ),
    },
  ]);
  clean("an existing eslint-disable line edited", [
    {
      path: "src/app.ts",
      before: lines("// eslint-disable-next-line no-console", "console.log(1);"),
      after: lines("// eslint-disable-next-line no-console", "console.log(2);"),
    },
  ]);
});

/** Real commits of public repositories the guard misread once; each is a regression test now. */
describe("checkTestIntegrity: ordinary changes seen in real repositories", () => {
  const clean = (name: string, changes: FileChange[]) =>
    it(name, () => {
      expect(check(changes)).toEqual([]);
    });

  // pallets/flask d614d6bf: a pytest filterwarnings entry with colons is no `ignore:` key.
  clean("a pytest filterwarnings entry reworded", [
    {
      path: "pyproject.toml",
      section: 'version = {attr = "flask.__version__"}',
      before: lines(
        'testpaths = ["tests"]',
        "filterwarnings = [",
        '    "error",',
        '    "ignore:onerror argument:DeprecationWarning",',
        "]",
      ),
      after: lines(
        'testpaths = ["tests"]',
        "filterwarnings = [",
        '    "error",',
        '    "ignore:ast:DeprecationWarning",',
        "]",
      ),
    },
  ]);
  // pallets/flask 0a00e1b6: the message check moved into pytest.raises(match=…).
  clean("an assert on the message folded into pytest.raises(match=…)", [
    {
      path: "tests/test_instance_config.py",
      before: lines(
        "def test_explicit_instance_paths(modules_tmpdir):",
        "    with pytest.raises(ValueError) as excinfo:",
        '        flask.Flask(__name__, instance_path="instance")',
        '    assert "must be absolute" in str(excinfo.value)',
        "",
        "    app = flask.Flask(__name__)",
      ),
      after: lines(
        "def test_explicit_instance_paths(modules_tmp_path):",
        '    with pytest.raises(ValueError, match=".*must be absolute"):',
        '        flask.Flask(__name__, instance_path="instance")',
        "",
        "    app = flask.Flask(__name__)",
      ),
    },
  ]);
  // pallets/flask fbb6f0bc: a long assert wrapped by the formatter.
  clean("a one-line assert wrapped over three lines", [
    {
      path: "tests/test_basic.py",
      before: lines(
        "    with app.test_request_context():",
        '        assert flask.url_for("static", filename="index.html") == "/static/index.html"',
      ),
      after: lines(
        "    with app.test_request_context():",
        "        assert (",
        '            flask.url_for("static", filename="index.html") == "/static/index.html"',
        "        )",
      ),
    },
  ]);
  // sindresorhus/ky 2d8d68a: test code left out of coverage, and AVA tests moved from .js to .ts.
  clean("nyc told not to measure the tests themselves", [
    {
      path: "package.json",
      before: lines("{", '  "nyc": {', '    "reporter": ["text"]', "  }", "}"),
      after: lines(
        "{",
        '  "nyc": {',
        '    "reporter": ["text"],',
        '    "exclude": [',
        '      "**/test/**"',
        "    ]",
        "  }",
        "}",
      ),
    },
  ]);
  clean("AVA tests renamed from .js to .ts", [
    { path: "test/main.ts", from: "test/main.js", before: JS_TEST, after: JS_TEST },
  ]);
  // pallets/flask c2705ffd: pylint's own advice.
  clean("assert leaks == [] → assert not leaks", [
    {
      path: "tests/conftest.py",
      before: lines("    leaks = collect()", "    assert leaks == []"),
      after: lines("    leaks = collect_all()", "    assert not leaks"),
    },
  ]);
});

describe("checkTestIntegrity: a plan step can allow a change", () => {
  const skipChange: FileChange = {
    path: "tests/test_math.py",
    before: PY_TEST,
    after: PY_TEST.replace("def test_add():", '@pytest.mark.skip(reason="flaky")\ndef test_add():'),
  };

  it("no flag when the caller's planned() names the path and rule", () => {
    const calls: string[] = [];
    const flags = check([skipChange], {
      planned: (path: string, rule: IntegrityRule) => {
        calls.push(`${path} ${rule}`);
        return path === "tests/test_math.py" && rule === "test-skipped";
      },
    });
    expect(flags).toEqual([]);
    expect(calls).toEqual(["tests/test_math.py test-skipped"]);
  });

  it("plannedBySteps: a step naming the file and the skip allows it", () => {
    const planned = plannedBySteps([
      {
        title: "Quarantine the flaky addition test",
        details: "Skip test_add until #12 is fixed.",
        files: [{ path: "tests/test_math.py", action: "change" }],
      },
    ]);
    expect(check([skipChange], { planned })).toEqual([]);
  });

  it("plannedBySteps: naming the file without saying so does not allow a skip", () => {
    const planned = plannedBySteps([
      {
        title: "Cover negative numbers",
        details: "Add a test for add(-1, -2).",
        files: [{ path: "tests/test_math.py", action: "change" }],
      },
    ]);
    expect(check([skipChange], { planned }).map((f) => f.rule)).toEqual(["test-skipped"]);
  });

  it("plannedBySteps: saying so for another file does not allow it here", () => {
    const planned = plannedBySteps([
      {
        title: "Skip the slow test",
        details: "Skip it.",
        files: [{ path: "tests/test_slow.py", action: "change" }],
      },
    ]);
    expect(check([skipChange], { planned })).toHaveLength(1);
  });

  it("plannedBySteps: a delete action allows deleting that test file, and a renamed file is allowed by its old path", () => {
    const planned = plannedBySteps([
      {
        title: "Drop the legacy parser",
        details: "It is replaced by parse2.",
        files: [{ path: "src/legacy.test.ts", action: "delete" }],
      },
      {
        title: "Rename the math tests",
        details: "Move them under cases/.",
        files: [{ path: "tests/test_math.py", action: "change" }],
      },
    ]);
    expect(check([{ path: "src/legacy.test.ts", before: JS_TEST }], { planned })).toEqual([]);
    expect(
      check([{ path: "tests/math_cases.py", from: "tests/test_math.py", before: PY_TEST, after: PY_TEST }], {
        planned,
      }),
    ).toEqual([]);
  });

  it("plannedBySteps: a directory in a step covers the files below it", () => {
    const planned = plannedBySteps([
      {
        title: "Regenerate the snapshots",
        details: "The markup changed everywhere.",
        files: [{ path: "src/__snapshots__/", action: "change" }],
      },
    ]);
    const changes = [
      {
        path: "src/__snapshots__/view.test.ts.snap",
        before: snapshot(10, "old"),
        after: snapshot(10, "new"),
      },
    ];
    expect(check(changes, { planned })).toEqual([]);
  });
});

describe("checkTestIntegrity: inlineSuppressions", () => {
  it("false keeps configuration rules and skips, and drops suppressions written in the code", () => {
    const changes: FileChange[] = [
      {
        path: "src/app.ts",
        before: lines("run();"),
        after: lines("// eslint-disable-next-line no-console", "run();"),
      },
      { path: "app/x.py", before: lines("x = f()"), after: lines("x = f()  # type: ignore") },
      {
        path: "tsconfig.json",
        before: lines("{", '  "compilerOptions": { "strict": true }', "}"),
        after: lines("{", '  "compilerOptions": { "strict": false }', "}"),
      },
      { path: "src/a.test.ts", before: lines('it("a", () => {});'), after: lines('it.skip("a", () => {});') },
    ];
    expect(checkTestIntegrity(diffOf(changes)).map((f) => f.path)).toEqual([
      "app/x.py",
      "src/a.test.ts",
      "src/app.ts",
      "tsconfig.json",
    ]);
    expect(
      checkTestIntegrity(diffOf(changes), { inlineSuppressions: false }).map((f) => [f.path, f.rule]),
    ).toEqual([
      ["src/a.test.ts", "test-skipped"],
      ["tsconfig.json", "type-check-relaxed"],
    ]);
  });
});

describe("integrityFindings", () => {
  it("turns flags into blocker findings for the architect, with the lines in a code block", () => {
    const flags = check([
      CASES.find((c) => c.name === "it.skip")?.changes[0] as FileChange,
      { path: "tests/test_old.py", before: PY_TEST },
    ]);
    const findings = integrityFindings(flags);
    expect(findings).toHaveLength(2);
    const [skip, deleted] = findings;
    expect(skip).toMatchObject({
      path: "src/math.test.ts",
      anchor: '  it.skip("adds negatives", () => {',
      line: 9,
      side: "RIGHT",
      severity: "blocker",
      conflicts_with_plan: true,
    });
    expect(skip?.message.split("\n")[0]).toMatch(/^Tests skipped: this change skips a test/);
    expect(skip?.message).toContain('```\n  it.skip("adds negatives", () => {\n```');
    expect(deleted).toMatchObject({ path: "tests/test_old.py", anchor: null, severity: "blocker" });
    expect(deleted?.line).toBeUndefined();
  });

  it("fences lines that hold backticks so they cannot close the block", () => {
    const flags = check([
      { path: "a.test.js", before: lines("// x"), after: lines("// x", "it.skip(`a ``` b`, () => {});") },
    ]);
    const [f] = integrityFindings(flags);
    expect(f?.message).toContain("````\nit.skip(`a ``` b`, () => {});\n````");
  });
});

describe("config-scan: settings out of single lines", () => {
  it.each([
    ['    "strict": true,', [{ key: "strict", value: "true" }]],
    [
      "    global: { branches: 90, lines: 70 },",
      [
        { key: "branches", value: "90" },
        { key: "lines", value: "70" },
      ],
    ],
    ['    "no-console": ["error", { "allow": ["warn"] }],', [{ key: "no-console", value: "error" }]],
    ["fail_under = 90", [{ key: "fail_under", value: "90" }]],
    ["  total: 80 # percent", [{ key: "total", value: "80" }]],
    ["  <minimum>0.80</minimum>", [{ key: "minimum", value: "0.80" }]],
    ['<psalm errorLevel="3" resolveFromConfigFile="true">', [{ key: "errorLevel", value: "3" }]],
    ["addopts = --cov=app --cov-fail-under=90", [{ key: "--cov-fail-under", value: "90" }]],
    ["COVERAGE_MIN := 85", [{ key: "COVERAGE_MIN", value: "85" }]],
    [
      "dotnet_diagnostic.CA1822.severity = none",
      [{ key: "dotnet_diagnostic.CA1822.severity", value: "none" }],
    ],
  ])("%s", (line, expected) => {
    expect(keyValues(line)).toEqual(expect.arrayContaining(expected));
  });

  it("reads nothing from a comment line", () => {
    expect(keyValues("# strict = true")).toEqual([]);
    expect(keyValues('// "strict": true')).toEqual([]);
  });

  const feed = (text: string) => {
    const t = new ListTracker();
    return text.split("\n").flatMap((l) => t.feed(l).map((i) => `${i.path} ${i.item}`));
  };

  it("follows YAML blocks by indentation, items at the key's own indentation too", () => {
    expect(feed("linters:\n  disable:\n    - gocyclo\n  enable:\n  - errcheck\nrun:\n  timeout: 5m")).toEqual(
      [
        " linters",
        "linters disable",
        "linters.disable gocyclo",
        "linters enable",
        "linters.enable errcheck",
        " run",
        "run timeout",
        "run.timeout 5m",
      ],
    );
  });

  it("follows TOML sections, inline and multi-line arrays, and tables of lists", () => {
    expect(feed('[tool.ruff.lint]\nignore = ["E501", "F401"]\nselect = [\n  "E",\n  "B",\n]')).toEqual([
      "tool.ruff.lint ignore",
      "tool.ruff.lint.ignore E501",
      "tool.ruff.lint.ignore F401",
      "tool.ruff.lint select",
      "tool.ruff.lint.select E",
      "tool.ruff.lint.select B",
    ]);
    expect(feed('[tool.ruff.lint.per-file-ignores]\n"tests/*" = ["S101"]')).toEqual([
      "tool.ruff.lint.per-file-ignores tests/*",
      "tool.ruff.lint.per-file-ignores.tests/* S101",
    ]);
  });

  it("follows JavaScript object literals by brackets", () => {
    const config = [
      "export default defineConfig({",
      "  test: {",
      "    coverage: {",
      "      exclude: [",
      '        "dist/**",',
      "      ],",
      "    },",
      '    exclude: ["e2e/**"],',
      "  },",
      "});",
    ].join("\n");
    expect(feed(config)).toEqual([
      " test",
      "test coverage",
      "test.coverage exclude",
      "test.coverage.exclude dist/**",
      "test exclude",
      "test.exclude e2e/**",
    ]);
  });

  it("reads INI continuation lines and XML lists", () => {
    expect(feed("[flake8]\nextend-ignore =\n    E203,\n    W503")).toEqual([
      "flake8 extend-ignore",
      "flake8.extend-ignore E203",
      "flake8.extend-ignore W503",
    ]);
    expect(feed("<PropertyGroup>\n  <NoWarn>$(NoWarn);CS1591</NoWarn>\n</PropertyGroup>")).toEqual([
      "PropertyGroup.NoWarn $(NoWarn)",
      "PropertyGroup.NoWarn CS1591",
    ]);
  });
});

describe("splitLine: code, strings and comments", () => {
  const lang = (name: string) => LANGUAGES.find((l) => l.name === name);
  it.each([
    [
      "JavaScript/TypeScript",
      'it("uses it.skip", () => {}); // eslint-disable-line',
      'it("", () => {}); ',
      "// eslint-disable-line",
    ],
    [
      "JavaScript/TypeScript",
      "const a = `x y` /* c8 ignore next */ + 1;",
      "const a = ``  + 1;",
      "/* c8 ignore next */",
    ],
    ["JavaScript/TypeScript", " * @ts-ignore in a doc block", "", " * @ts-ignore in a doc block"],
    ["Python", "x = f('#not a comment')  # type: ignore", "x = f('')  ", "# type: ignore"],
    ["Rust", "fn f<'a>(s: &'a str) {} // note", "fn f<'a>(s: &'a str) {} ", "// note"],
    ["PHP", "#[Test] $this->assertSame(1, 2); # done", "#[Test] $this->assertSame(1, 2); ", "# done"],
    ["Go", 'fmt.Println("a\\"b") //nolint', 'fmt.Println("") ', "//nolint"],
  ])("%s: %s", (name, text, code, comment) => {
    const split = splitLine(text, lang(name));
    expect(split.code).toBe(code);
    expect(split.comment).toBe(comment);
  });

  it("reads stacked # pragmas as separate comments, each a directive", () => {
    const flags = check([
      {
        path: "app/a.py",
        before: lines("x = f()"),
        after: lines("x = f()  # type: ignore[call-arg]  # noqa: E501"),
      },
    ]);
    expect(flags.map((f) => f.rule).sort()).toEqual(["lint-relaxed", "type-check-relaxed"]);
  });

  it("keeps the strings in the source form", () => {
    expect(splitLine('@SuppressWarnings("unchecked") // why', lang("Java/Kotlin")).source).toBe(
      '@SuppressWarnings("unchecked") ',
    );
  });
});
