import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests share one Redis; each uses its own queue prefix, so files may run in parallel.
    pool: "forks",
  },
});
