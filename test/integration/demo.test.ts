import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { runDemo } from "../../src/demo/run-demo.js";
import { REDIS_URL } from "../helpers/redis.js";

describe("triad demo on a Redis it did not start", () => {
  it("plays to the end and leaves no key of its own behind", { timeout: 120_000 }, async () => {
    const lines: string[] = [];
    const code = await runDemo({ print: (l) => lines.push(l), env: { REDIS_URL } });
    expect(code, lines.join("\n")).toBe(0);
    const prefix = lines.map((l) => /Redis keys under ([\w.-]+):/.exec(l)?.[1]).find(Boolean);
    expect(prefix).toMatch(/^triad-[0-9a-f]+$/);
    const redis = new Redis(REDIS_URL);
    try {
      expect(await redis.keys(`*${prefix}*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });
});
