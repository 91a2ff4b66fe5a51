import { defineConfig } from "vitest/config";

/** The tests of src/core (pure, no I/O), for mutation testing (stryker.config.json). */
export default defineConfig({
  test: {
    include: [
      "test/unit/core-*.test.ts",
      "test/unit/review-aggregate.test.ts",
      "test/unit/review-decide.test.ts",
      "test/unit/review-schema.test.ts",
    ],
    testTimeout: 20_000,
  },
});
