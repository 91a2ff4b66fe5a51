import { defineConfig } from "vitest/config";

/** The tests that exercise src/core without I/O, for mutation testing (stryker.config.json). */
export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts"],
    testTimeout: 20_000,
  },
});
