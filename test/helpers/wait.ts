/** Poll until `check` returns a truthy value or the time is up (then throw with `what`). */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | false | undefined | null | 0 | ""> | T | false | undefined | null | 0 | "",
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
