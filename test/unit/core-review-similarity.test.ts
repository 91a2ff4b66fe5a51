import { describe, expect, it } from "vitest";
import { findingKey, gist, normaliseAnchor, normalisePath } from "../../src/core/review/finding.js";
import {
  DEFAULT_SIMILARITY,
  jaccard,
  opposite,
  polarity,
  similarity,
  tokens,
} from "../../src/core/review/similarity.js";

describe("gist similarity (review/similarity.ts)", () => {
  it("tokens are lower-cased words of two or more characters, without stop and severity words", () => {
    expect([...tokens("The Retry loop MUST wait: x, a_b 42 blocker nit")].sort()).toEqual([
      "42",
      "a_b",
      "loop",
      "retry",
      "wait",
    ]);
    expect([...tokens("Ünïcode wörds")]).toEqual(["ünïcode", "wörds"]);
    expect(tokens("a I . ,").size).toBe(0);
  });

  it("jaccard is shared over all; nothing in either is 0", () => {
    expect(jaccard(new Set(["a", "b"]), new Set(["b", "c"]))).toBeCloseTo(1 / 3);
    expect(jaccard(new Set(["a"]), new Set(["a"]))).toBe(1);
    expect(jaccard(new Set(), new Set())).toBe(0);
    expect(jaccard(new Set(["a"]), new Set())).toBe(0);
    expect(
      similarity("retry loop never waits", "The loop never waits between retries"),
    ).toBeGreaterThanOrEqual(DEFAULT_SIMILARITY);
    expect(DEFAULT_SIMILARITY).toBe(0.3);
  });
});

describe("polarity", () => {
  it.each([
    ["Remove this unused import", "remove"],
    ["This check is redundant", "remove"],
    ["Delete the fallback", "remove"],
    ["Get rid of the global", "remove"],
    ["Do not add a cache here", "remove"],
    ["No need to keep the flag", "remove"],
    ["Add a timeout", "add"],
    ["A null check is missing", "add"],
    ["Keep the old name", "add"],
    ["Don’t remove the guard", "add"],
    ["do not delete this", "add"],
    ["The name is unclear", "neutral"],
    ["Add a test and remove the log", "neutral"],
  ])("%s → %s", (message, expected) => {
    expect(polarity(message)).toBe(expected);
  });

  it("only remove against add is a contradiction", () => {
    expect(opposite("remove", "add")).toBe(true);
    expect(opposite("add", "remove")).toBe(true);
    expect(opposite("add", "add")).toBe(false);
    expect(opposite("remove", "remove")).toBe(false);
    expect(opposite("neutral", "add")).toBe(false);
    expect(opposite("remove", "neutral")).toBe(false);
  });
});

describe("finding keys (review/finding.ts)", () => {
  it("anchors are compared without indentation, blank lines or a copied diff prefix", () => {
    expect(normaliseAnchor("  12 +  return   fn();\n\n   next()  ")).toBe("return fn();\nnext()");
    expect(normaliseAnchor("+ x\r\n y")).toBe("+ x\ny");
    expect(normaliseAnchor(null)).toBe("");
    expect(normaliseAnchor(undefined)).toBe("");
  });

  it("paths are compared without ./ or a leading slash", () => {
    expect(normalisePath(" ./src/a.ts ")).toBe("src/a.ts");
    expect(normalisePath("//src/a.ts")).toBe("src/a.ts");
    expect(normalisePath(null)).toBe("");
  });

  it("the gist ignores word order and case", () => {
    expect(gist("Loop never WAITS retry")).toBe(gist("retry: waits never loop"));
    expect(gist("the loop")).toBe("loop");
  });

  it("a key survives rewording the severity, spacing and word order, not other words", () => {
    const f = { path: "src/retry.ts", anchor: "return fn();", message: "The retry loop never waits" };
    const key = findingKey(f);
    expect(key).toMatch(/^[0-9a-f]{16}$/);
    expect(
      findingKey({
        ...f,
        path: "./src/retry.ts",
        anchor: "  return   fn();",
        message: "never waits: the retry loop",
      }),
    ).toBe(key);
    expect(findingKey({ ...f, message: "The retry loop never sleeps" })).not.toBe(key);
    expect(findingKey({ ...f, path: "src/other.ts" })).not.toBe(key);
    expect(findingKey({ ...f, anchor: "return g();" })).not.toBe(key);
  });
});
