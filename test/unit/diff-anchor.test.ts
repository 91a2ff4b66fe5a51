import { describe, expect, it } from "vitest";
import { type AnchorQuery, linesInDiff, mapAnchor, parseUnifiedDiff } from "../../src/diff/index.js";
import { expectJsonGolden, fixture } from "../fixtures/diff/golden.js";

const files = parseUnifiedDiff(fixture("all.diff"));
const queries = JSON.parse(fixture("anchors.input.json")) as Array<AnchorQuery & { note: string }>;

describe("mapAnchor on a real git diff", () => {
  it("matches the golden", () => {
    expectJsonGolden(
      "anchors.golden.json",
      queries.map(({ note, ...query }) => ({ note, query, result: mapAnchor(files, query) })),
    );
  });

  it("maps an added line to its new line number (RIGHT)", () => {
    expect(mapAnchor(files, { path: "src/util.ts", anchor: "  if (min > max) return null;" })).toEqual({
      line: 2,
      side: "RIGHT",
    });
    expect(mapAnchor(files, { path: "src/util.ts", anchor: "  return items.at(-1);" })).toEqual({
      line: 37,
      side: "RIGHT",
    });
  });

  it("prefers the exact match over a whitespace-insensitive one", () => {
    const text = ["@@ -1,0 +1,2 @@", "+  x = 1;", "+x = 1;"].join("\n");
    const diff = parseUnifiedDiff(`--- a/f\n+++ b/f\n${text}\n`);
    expect(mapAnchor(diff, { path: "f", anchor: "x = 1;" })).toEqual({ line: 2, side: "RIGHT" });
    expect(mapAnchor(diff, { path: "f", anchor: "x   =   1;" })).toMatchObject({ unresolved: "ambiguous" });
  });

  it("calls an anchor that occurs twice ambiguous, unless near_line picks one", () => {
    const twice = { path: "src/new-feature.ts", anchor: "      return count;" };
    expect(mapAnchor(files, twice)).toEqual({
      unresolved: "ambiguous",
      candidates: [
        { line: 6, side: "RIGHT" },
        { line: 11, side: "RIGHT" },
      ],
    });
    expect(mapAnchor(files, { ...twice, near_line: 12 })).toEqual({ line: 11, side: "RIGHT" });
    expect(mapAnchor(files, { ...twice, near_line: 5 })).toEqual({ line: 6, side: "RIGHT" });
    // Equally near to two candidates: still ambiguous.
    expect(
      mapAnchor(files, { path: "src/new-feature.ts", anchor: "count += 1;", near_line: 7 }),
    ).toMatchObject({
      unresolved: "ambiguous",
    });
  });

  it("leaves lines outside every hunk unresolved", () => {
    expect(mapAnchor(files, { path: "src/util.ts", anchor: "// filler line 5" })).toEqual({
      unresolved: "not in diff",
    });
    expect(mapAnchor(files, { path: "src/missing.ts", anchor: "x" })).toEqual({ unresolved: "unknown path" });
  });

  it("maps a removed line to the LEFT side", () => {
    expect(mapAnchor(files, { path: "src/util.ts", anchor: "  return items[items.length - 1];" })).toEqual({
      line: 35,
      side: "LEFT",
    });
  });
});

describe("linesInDiff", () => {
  it("lists the RIGHT lines GitHub accepts comments on", () => {
    const util = files.find((f) => f.newPath === "src/util.ts");
    if (!util) throw new Error("no util.ts");
    expect([...linesInDiff(util)]).toEqual([1, 2, 3, 4, 5, 17, 18, 19, 20, 21, 22, 23, 34, 35, 36, 37, 38]);
    expect([...linesInDiff(util, "LEFT")]).toContain(35);
  });

  it("is empty for a deleted file on the RIGHT and for a binary file", () => {
    const legacy = files.find((f) => f.newPath === "src/legacy.ts");
    const logo = files.find((f) => f.newPath === "assets/logo.bin");
    expect(legacy && linesInDiff(legacy).size).toBe(0);
    expect(logo && linesInDiff(logo).size).toBe(0);
  });

  it("agrees with mapAnchor: every resolved RIGHT line is commentable", () => {
    for (const { note: _note, ...query } of queries) {
      const result = mapAnchor(files, query);
      if (!("line" in result) || result.side !== "RIGHT") continue;
      const file = files.find(
        (f) => f.newPath === query.path.replace(/^\.\//, "") || f.oldPath === query.path,
      );
      expect(file && linesInDiff(file).has(result.line)).toBe(true);
    }
  });
});
