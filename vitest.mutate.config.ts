import { defineConfig } from "vitest/config";

/**
 * The tests of src/core (pure, no I/O), for mutation testing (stryker.config.json): the core-* unit
 * tests and the other unit tests of core modules (review, coverage, plan diff, body limits, budget estimate and pause).
 */
export default defineConfig({
  test: {
    include: [
      "test/unit/core-*.test.ts",
      "test/unit/body-limits.test.ts",
      "test/unit/budget-estimate.test.ts",
      "test/unit/budget-pause.test.ts",
      "test/unit/plan-diff.test.ts",
      "test/unit/review-aggregate.test.ts",
      "test/unit/review-confirmation.test.ts",
      "test/unit/review-coverage.test.ts",
      "test/unit/review-decide.test.ts",
      "test/unit/review-precision.test.ts",
      "test/unit/review-render.test.ts",
      "test/unit/review-schema.test.ts",
    ],
    testTimeout: 20_000,
  },
});
