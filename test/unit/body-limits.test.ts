import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { embedData, extractData, marker } from "../../src/core/markers.js";
import { BODY_MAX, clip, clipLine, codePoints, fits, splitBody } from "../../src/core/render/limits.js";

describe("GitHub's body limits (core/render/limits.ts)", () => {
  it("counts code points, as GitHub counts characters", () => {
    expect(codePoints("a😀b")).toBe(3);
    expect("a😀b".length).toBe(4);
    expect(fits("😀".repeat(BODY_MAX))).toBe(true);
    expect(fits("😀".repeat(BODY_MAX + 1))).toBe(false);
  });

  it("clips at a line end with a note, and leaves what fits alone", () => {
    expect(clip("short", 100)).toBe("short");
    const long = Array.from({ length: 100 }, (_, i) => `line ${i}`).join("\n");
    const clipped = clip(long, 200, "\n…");
    expect(codePoints(clipped)).toBeLessThanOrEqual(200);
    expect(clipped.endsWith("\n…")).toBe(true);
    expect(
      clipped
        .split("\n")
        .slice(0, -1)
        .every((l) => /^line \d+$/.test(l)),
    ).toBe(true);
    expect(clipLine("first line that is long\nsecond", 10)).toBe("first lin…");
  });

  it("a body that fits is one part", () => {
    expect(splitBody("hello")).toEqual({ parts: ["hello"], droppedData: false });
  });

  it("splits a long body: markers and hidden data stay in part 1, every part fits, nothing is lost", () => {
    const head = `${marker("architect", "job-1")}\n${marker("plan", "v1")}`;
    const paragraphs = Array.from({ length: 400 }, (_, i) => `Paragraph ${i}. ${"word ".repeat(60)}`);
    const data = embedData("plan", { version: 1, big: "x".repeat(20_000) });
    const body = `${head}\n## Plan v1\n\n${paragraphs.join("\n\n")}\n\n${data}`;
    expect(fits(body)).toBe(false);
    const { parts, droppedData } = splitBody(body);
    expect(droppedData).toBe(false);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(codePoints(p)).toBeLessThanOrEqual(BODY_MAX);
    expect(parts[0]?.startsWith(head)).toBe(true);
    expect(extractData(parts[0], "plan")).toEqual({ version: 1, big: "x".repeat(20_000) });
    for (const p of parts.slice(1)) expect(p).not.toContain("triad:plan-data");
    for (let i = 0; i < 400; i++) expect(parts.filter((p) => p.includes(`Paragraph ${i}.`))).toHaveLength(1);
    expect(parts[0]).toMatch(/continued in the next comment/);
    expect(parts[1]).toMatch(new RegExp(`^_… continued \\(part 2 of ${parts.length}\\)\\._`));
  });

  it("a code block cut between two parts is closed in one and opened again in the next", () => {
    const code = Array.from({ length: 20_000 }, (_, i) => `const v${i} = ${i};`).join("\n");
    const body = `Intro.\n\n\`\`\`ts\n${code}\n\`\`\`\n\nAfter.`;
    const { parts } = splitBody(body);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(codePoints(p)).toBeLessThanOrEqual(BODY_MAX);
      // Every part has balanced fences.
      expect((p.match(/^```/gm) ?? []).length % 2).toBe(0);
    }
    expect(parts[1]).toMatch(/^_… continued \(part 2 of \d+\)\._\n\n```ts\n/);
  });

  it("hidden data that cannot fit even alone is left out, and says so", () => {
    const body = `${marker("review", "0-abc")}\nvisible\n\n${embedData("review", { x: randomBytes(70_000).toString("base64") }) /* incompressible */}`;
    const { parts, droppedData } = splitBody(body);
    expect(droppedData).toBe(true);
    expect(parts).toHaveLength(1);
    expect(parts[0]).toBe(`${marker("review", "0-abc")}\nvisible`);
  });
});
