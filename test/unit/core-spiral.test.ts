import { describe, expect, it } from "vitest";
import { detectSpiral, SPIRAL_ROUNDS } from "../../src/core/spiral.js";

const round = (files: string[], components?: string[]) => ({ files, ...(components ? { components } : {}) });

describe("the confidence-spiral guard (core/spiral.ts)", () => {
  it("fires when the same file changed in each of the last three fix rounds", () => {
    const rounds = [round(["src/a.ts", "src/b.ts"]), round(["src/b.ts", "src/a.ts"]), round(["src/a.ts"])];
    expect(SPIRAL_ROUNDS).toBe(3);
    expect(detectSpiral(rounds)).toEqual({ files: ["src/a.ts"], components: [] });
  });

  it("does not fire before there are enough rounds", () => {
    expect(detectSpiral([round(["src/a.ts"]), round(["src/a.ts"])])).toBeUndefined();
    expect(detectSpiral([])).toBeUndefined();
  });

  it("fires on exactly `streak` rounds, counting only the trailing ones", () => {
    expect(detectSpiral([round(["x"]), round(["x"])], 2)).toEqual({ files: ["x"], components: [] });
    // An old streak broken by a round that touched something else does not count.
    const broken = [round(["x"]), round(["x"]), round(["y"]), round(["x"]), round(["x"])];
    expect(detectSpiral(broken)).toBeUndefined();
    expect(detectSpiral(broken, 2)).toEqual({ files: ["x"], components: [] });
  });

  it("a file changed in only some of the trailing rounds is not a spiral", () => {
    expect(detectSpiral([round(["a", "b"]), round(["a", "c"]), round(["b", "c"])])).toBeUndefined();
  });

  it("fires on a component glob shared by every trailing round even when the files differ", () => {
    const rounds = [
      round(["src/net/a.ts"], ["src/net/**", "src/x/**"]),
      round(["src/net/b.ts"], ["src/net/**"]),
      round(["src/net/c.ts"], ["src/x/**", "src/net/**"]),
    ];
    expect(detectSpiral(rounds)).toEqual({ files: [], components: ["src/net/**"] });
  });

  it("reports the common files and components sorted", () => {
    const rounds = [round(["z", "a", "m"], ["q/**", "b/**"]), round(["m", "z", "a"], ["b/**", "q/**"])];
    expect(detectSpiral(rounds, 2)).toEqual({ files: ["a", "m", "z"], components: ["b/**", "q/**"] });
  });

  it("a streak under one never fires", () => {
    expect(detectSpiral([round(["a"])], 0)).toBeUndefined();
    expect(detectSpiral([round(["a"])], -1)).toBeUndefined();
    expect(detectSpiral([round(["a"])], 1)).toEqual({ files: ["a"], components: [] });
  });
});
