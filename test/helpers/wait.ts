/**
 * Poll until `check` returns a truthy value or the time is up (then throw with `what`, and what
 * `explain` says about the state at that moment, so a rare timeout in CI can be understood).
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | false | undefined | null | 0 | ""> | T | false | undefined | null | 0 | "",
  timeoutMs = 20_000,
  explain?: () => string | Promise<string>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as T;
    if (Date.now() > deadline) {
      const why = explain
        ? `\n${await Promise.resolve(explain()).catch((e) => `(explain failed: ${e})`)}`
        : "";
      throw new Error(`timed out waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
