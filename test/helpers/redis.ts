import { randomBytes } from "node:crypto";

/** The shared Redis the tests use (the machine's, or the one .ci/run started). */
export const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A fresh key prefix per test, so tests running side by side never see each other's jobs. */
export function testPrefix(name: string): string {
  return `test-${name}-${randomBytes(4).toString("hex")}`;
}
