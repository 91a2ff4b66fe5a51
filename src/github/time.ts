/**
 * GitHub time as a client sees it. Everything GitHub tells a client about waiting — `retry-after`,
 * `x-ratelimit-reset` minus `date`, "wait at least one second between mutative requests", "at least
 * one minute" after a secondary limit — is a duration on GitHub's clock. Against GitHub that is the
 * machine's clock; against the simulator with a time scale k (src/sim/github/clock.ts) a GitHub
 * second lasts 1/k real seconds, so a client that waits what GitHub asks must convert. The pacer and
 * the retry budgets take this and nothing else, so tests and the bench run GitHub's windows of an
 * hour in seconds while triad's code keeps GitHub's own numbers.
 */
export interface GitHubTime {
  /** Real milliseconds that `githubMs` of GitHub time take. */
  toRealMs(githubMs: number): number;
}

/** GitHub itself: its clock is the machine's. */
export const realGitHubTime: GitHubTime = { toRealMs: (githubMs) => githubMs };

/** Sleep `ms` real milliseconds, or until the signal aborts (then reject with its reason). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return signal?.aborted ? Promise.reject(signal.reason) : Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** A duration for people: "45 s", "12 min", "1.5 h". */
export function formatGitHubDuration(githubMs: number): string {
  if (githubMs < 60_000) return `${Math.max(1, Math.round(githubMs / 1000))} s`;
  if (githubMs < 3_600_000) return `${Math.round(githubMs / 60_000)} min`;
  return `${(githubMs / 3_600_000).toFixed(1)} h`;
}
