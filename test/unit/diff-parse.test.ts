import { describe, expect, it } from "vitest";
import { fromPullRequestFiles, parseHunks, parseUnifiedDiff } from "../../src/diff/index.js";
import { expectJsonGolden, fixture } from "../fixtures/diff/golden.js";

const diff = fixture("all.diff");
const files = parseUnifiedDiff(diff);
const byPath = (path: string) => {
  const file = files.find((f) => f.newPath === path);
  if (!file) throw new Error(`no ${path}`);
  return file;
};

describe("parseUnifiedDiff on a real git diff", () => {
  it("matches the golden", () => {
    expectJsonGolden("all.parsed.golden.json", files);
  });

  it("finds every file with its status", () => {
    expect(files.map((f) => [f.status, f.oldPath, f.newPath, f.binary])).toEqual([
      ["modified", "assets/logo.bin", "assets/logo.bin", true],
      ["added", "assets/new.bin", "assets/new.bin", true],
      ["added", "docs/café.md", "docs/café.md", false],
      ["renamed", "docs/guide.md", "docs/manual.md", false],
      ["modified", "docs/with space.md", "docs/with space.md", false],
      ["modified", "notes/add-eol.txt", "notes/add-eol.txt", false],
      ["modified", "notes/no-eol.txt", "notes/no-eol.txt", false],
      ["modified", "package-lock.json", "package-lock.json", false],
      ["added", "src/empty.ts", "src/empty.ts", false],
      ["deleted", "src/legacy.ts", "src/legacy.ts", false],
      ["added", "src/new-feature.ts", "src/new-feature.ts", false],
      ["renamed", "src/old-name.ts", "src/retry.ts", false],
      ["modified", "src/util.ts", "src/util.ts", false],
      ["modified", "win/crlf.txt", "win/crlf.txt", false],
    ]);
  });

  it("reads renames with their similarity", () => {
    expect(byPath("docs/manual.md")).toMatchObject({ similarity: 100, hunks: [] });
    const retry = byPath("src/retry.ts");
    expect(retry.similarity).toBe(86);
    expect(retry.hunks[0]?.lines[1]).toEqual({ kind: "add", newLine: 1, text: "export const retries = 5;" });
  });

  it("numbers lines across several hunks", () => {
    const util = byPath("src/util.ts");
    expect(util.hunks.map((h) => [h.oldStart, h.oldLines, h.newStart, h.newLines])).toEqual([
      [1, 4, 1, 5],
      [16, 6, 17, 7],
      [32, 5, 34, 5],
    ]);
    expect(util.hunks[1]?.section).toBe(
      "export function clamp(value: number, min: number, max: number): number {",
    );
    expect(util.hunks[2]?.lines.filter((l) => l.kind !== "context")).toEqual([
      { kind: "del", oldLine: 35, text: "  return items[items.length - 1];" },
      { kind: "add", newLine: 37, text: "  return items.at(-1);" },
    ]);
  });

  it("keeps CRLF out of the text and marks it", () => {
    const lines = byPath("win/crlf.txt").hunks[0]?.lines;
    expect(lines?.map((l) => [l.kind, l.text, l.crlf])).toEqual([
      ["context", "line one", true],
      ["del", "line two", true],
      ["add", "line 2", true],
      ["context", "line three", true],
    ]);
  });

  it("marks lines without a trailing newline", () => {
    const noEol = byPath("notes/no-eol.txt").hunks[0]?.lines ?? [];
    expect(noEol.filter((l) => l.noNewline).map((l) => [l.kind, l.text])).toEqual([
      ["del", "gamma"],
      ["add", "delta"],
    ]);
    const addEol = byPath("notes/add-eol.txt").hunks[0]?.lines ?? [];
    expect(addEol.filter((l) => l.noNewline).map((l) => [l.kind, l.text])).toEqual([["del", "second"]]);
  });

  it("reads deletions and new files, empty ones included", () => {
    expect(byPath("src/legacy.ts").hunks[0]).toMatchObject({
      oldStart: 1,
      oldLines: 4,
      newStart: 0,
      newLines: 0,
    });
    expect(byPath("src/new-feature.ts").hunks[0]?.lines).toHaveLength(14);
    expect(byPath("src/empty.ts")).toMatchObject({ status: "added", newMode: "100644", hunks: [] });
  });

  it("does not take a removed '-- ' line for a file header", () => {
    const text = [
      "--- a/x.sql",
      "+++ b/x.sql",
      "@@ -1,2 +1,1 @@",
      "--- a comment",
      " select 1;",
      "--- a/y.txt",
      "+++ b/y.txt",
      "@@ -1 +1 @@",
      "-a",
      "+b",
    ].join("\n");
    const parsed = parseUnifiedDiff(text);
    expect(parsed.map((f) => f.newPath)).toEqual(["x.sql", "y.txt"]);
    expect(parsed[0]?.hunks[0]?.lines[0]).toEqual({ kind: "del", oldLine: 1, text: "-- a comment" });
  });
});

describe("GitHub pulls.listFiles patches (hunks only)", () => {
  /** The `patch` field GitHub returns: the file's hunks, no headers, no final newline. */
  function patchOf(path: string): string {
    const sections = diff.split(/^(?=diff --git )/m);
    const section = sections.find((s) => s.includes(`+++ b/${path}`)) ?? "";
    return section.slice(section.indexOf("@@ ")).replace(/\n$/, "");
  }

  it("parses to the same hunks as the full diff", () => {
    for (const path of ["src/util.ts", "win/crlf.txt", "notes/no-eol.txt", "src/new-feature.ts"]) {
      expect(parseHunks(patchOf(path))).toEqual(files.find((f) => f.newPath === path)?.hunks);
    }
  });

  it("maps listFiles entries to files", () => {
    const parsed = fromPullRequestFiles([
      { filename: "src/util.ts", status: "modified", patch: patchOf("src/util.ts") },
      {
        filename: "src/retry.ts",
        previous_filename: "src/old-name.ts",
        status: "renamed",
        patch: patchOf("src/retry.ts"),
      },
      { filename: "src/legacy.ts", status: "removed", patch: "@@ -1 +0,0 @@\n-x" },
      { filename: "assets/logo.bin", status: "modified", changes: 0 },
      { filename: "assets/new.bin", status: "added" },
    ]);
    expect(parsed.map((f) => [f.status, f.oldPath, f.newPath, f.binary, f.hunks.length])).toEqual([
      ["modified", "src/util.ts", "src/util.ts", false, 3],
      ["renamed", "src/old-name.ts", "src/retry.ts", false, 1],
      ["deleted", "src/legacy.ts", "src/legacy.ts", false, 1],
      ["modified", "assets/logo.bin", "assets/logo.bin", false, 0],
      ["added", "assets/new.bin", "assets/new.bin", true, 0],
    ]);
    expect(parsed[1]?.hunks).toEqual(byPath("src/retry.ts").hunks);
  });
});
