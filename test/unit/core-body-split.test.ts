import { describe, expect, it } from "vitest";
import { embedData, marker } from "../../src/core/markers.js";
import { BODY_MAX, clip, clipLine, codePoints, fits, splitBody } from "../../src/core/render/limits.js";

describe("GitHub's size limits (render/limits.ts)", () => {
  it("characters are code points: an emoji is one", () => {
    expect(codePoints("a😀b")).toBe(3);
    expect(fits("😀".repeat(10), 10)).toBe(true);
    expect(fits("😀".repeat(11), 10)).toBe(false);
    expect(fits("x".repeat(10), 10)).toBe(true);
    expect(fits("x".repeat(11), 10)).toBe(false);
    expect(fits("x".repeat(BODY_MAX))).toBe(true);
    expect(fits("x".repeat(BODY_MAX + 1))).toBe(false);
  });

  it("clip: unchanged when it fits; else cut to the limit with the note, at a late line end", () => {
    expect(clip("short", 10)).toBe("short");
    const clipped = clip("x".repeat(200), 100);
    expect(codePoints(clipped)).toBe(100);
    expect(clipped.endsWith("\n\n… (clipped to fit GitHub's size limit)")).toBe(true);
    const lines = `${"a".repeat(90)}\n${"b".repeat(100)}`;
    expect(clip(lines, 100, "…")).toBe(`${"a".repeat(90)}…`);
    // a line end early in the text is not worth losing the rest for
    const early = `${"a".repeat(10)}\n${"b".repeat(200)}`;
    expect(clip(early, 100, "…")).toBe(`${"a".repeat(10)}\n${"b".repeat(88)}…`);
    expect(clip("😀".repeat(20), 10, "!")).toBe(`${"😀".repeat(9)}!`);
    expect(clip("abcdef", 2, "long note")).toBe("long note");
  });

  it("clipLine: the first line only, cut with an ellipsis", () => {
    expect(clipLine("title\nbody", 10)).toBe("title");
    expect(clipLine("x".repeat(12), 10)).toBe(`${"x".repeat(9)}…`);
    expect(clipLine("x".repeat(10), 10)).toBe("x".repeat(10));
  });
});

describe("splitting a body that is too long", () => {
  const para = (c: string, n: number) => c.repeat(n);

  it("a body that fits is one part", () => {
    expect(splitBody("hello", { max: 100 })).toEqual({ parts: ["hello"], droppedData: false });
  });

  it("leading markers and the trailing data stay in part one; every part fits and says it continues", () => {
    const data = embedData("plan", { v: 1 });
    const body = [
      marker("architect", "j"),
      marker("plan", "v1"),
      para("a", 300),
      "",
      para("b", 300),
      "",
      para("c", 300),
      "",
      data,
    ].join("\n");
    const { parts, droppedData } = splitBody(body, { max: 800 });
    expect(droppedData).toBe(false);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(codePoints(p)).toBeLessThanOrEqual(800);
    expect(parts[0]?.startsWith(`${marker("architect", "j")}\n${marker("plan", "v1")}\n`)).toBe(true);
    expect(parts[0]?.endsWith(data)).toBe(true);
    expect(parts[0]).toContain("_… continued in the next comment._");
    expect(parts[1]?.startsWith(`_… continued (part 2 of ${parts.length})._\n\n`)).toBe(true);
    expect(parts.at(-1)).not.toContain("continued in the next comment");
    // nothing of the text is lost, and paragraphs are cut between, not inside
    const text = parts.join("\n");
    for (const c of ["a", "b", "c"]) expect(text).toContain(para(c, 300));
  });

  it("custom continuation lines", () => {
    const { parts } = splitBody(`${para("a", 300)}\n\n${para("b", 300)}`, {
      max: 400,
      continued: "(more)",
      continuation: (n, total) => `[${n}/${total}]`,
    });
    expect(parts).toHaveLength(2);
    expect(parts[0]).toBe(`${para("a", 300)}\n\n(more)`);
    expect(parts[1]).toBe(`[2/2]\n\n${para("b", 300)}`);
  });

  it("cuts at a line end when there is no paragraph end in the second half", () => {
    const body = `${para("a", 200)}\n${para("b", 200)}\n${para("c", 200)}`;
    const { parts } = splitBody(body, { max: 500, continued: "+", continuation: () => "~" });
    expect(parts[0]).toBe(`${para("a", 200)}\n${para("b", 200)}\n\n+`);
    expect(parts[1]).toBe(`~\n\n${para("c", 200)}`);
  });

  it("a text without line ends is cut where the room ends", () => {
    const { parts } = splitBody(para("x", 1000), { max: 300, continued: "+", continuation: () => "~" });
    for (const p of parts) expect(codePoints(p)).toBeLessThanOrEqual(300);
    expect(parts.join("").replace(/[+~\n]/g, "")).toBe(para("x", 1000));
  });

  it("a code block open at a cut is closed there and opened again in the next part", () => {
    const code = Array.from({ length: 60 }, (_, i) => `line ${i} of the code`).join("\n");
    const { parts } = splitBody(`Intro\n\n\`\`\`ts\n${code}\n\`\`\`\n\nAfter`, { max: 600 });
    expect(parts.length).toBeGreaterThan(1);
    expect(parts[0]).toMatch(/\n```\n\n_… continued in the next comment._$/);
    expect(parts[1]).toMatch(/^_… continued \(part 2 of \d\)._\n\n```ts\n/);
    // every part has balanced fences
    for (const p of parts) expect((p.match(/^```/gm) ?? []).length % 2).toBe(0);
  });

  it("a closing fence must be of the same kind and at least as long", () => {
    const code = Array.from({ length: 40 }, (_, i) => `row ${i} of text`).join("\n");
    const body = `~~~~\n~~~\n${code}\n\`\`\`\`\`\nmore ${code}\n~~~~\n\nend`;
    const { parts } = splitBody(body, { max: 500 });
    expect(parts[0]).toMatch(/\n~~~~\n\n_… continued/);
    expect(parts[1]).toMatch(/_\n\n~~~~\n/);
  });

  it("data that cannot fit even alone is left out, and said so", () => {
    const big = embedData("state", { junk: Array.from({ length: 400 }, (_, i) => `${i}-${Math.sin(i)}`) });
    const { parts, droppedData } = splitBody(`${para("a", 300)}\n\n${big}`, { max: 1000 });
    expect(droppedData).toBe(true);
    expect(parts.join("")).not.toContain("state-data");
  });
});
