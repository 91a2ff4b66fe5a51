import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests share one Redis; each uses its own queue prefix, so files may run in parallel.
    pool: "forks",
    // Most files wait on simulated GitHub time, sockets and child processes rather than the CPU: two at
    // a time on CI's two cores (Vitest's default there is one) keeps the suite well under ten minutes.
    maxWorkers: 2,
  },
});
