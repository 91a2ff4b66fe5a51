import type { GitHubClient } from "../ports/github.js";

/**
 * A GitHub client that refuses every request once `signal` is aborted (the workflow lock was lost,
 * or a maintainer stopped the workflow): a step that lost its lock never writes again. `beforeCall`
 * runs before each request and may refuse it too (a `/triad stop` that came while the step ran).
 */
export function abortable(
  gh: GitHubClient,
  signal: AbortSignal,
  beforeCall?: () => Promise<void>,
): GitHubClient {
  // biome-ignore lint/suspicious/noExplicitAny: wraps Octokit's functions whatever their signature.
  const guard = <F extends (...args: any[]) => any>(fn: F, self: unknown): F => {
    // biome-ignore lint/suspicious/noExplicitAny: see above.
    const wrapped = ((...args: any[]) => {
      signal.throwIfAborted();
      if (!beforeCall) return fn.apply(self, args);
      return beforeCall().then(() => {
        signal.throwIfAborted();
        return fn.apply(self, args);
      });
    }) as F;
    // Keep `endpoint`, `defaults` and the like: `paginate` reads `method.endpoint`.
    return Object.assign(wrapped, fn);
  };
  const rest = new Proxy(gh.rest, {
    get(target, namespace) {
      const scope = Reflect.get(target, namespace);
      if (typeof scope !== "object" || scope === null) return scope;
      return new Proxy(scope, {
        get(s, name) {
          const method = Reflect.get(s, name);
          return typeof method === "function" ? guard(method, s) : method;
        },
      });
    },
  });
  return { rest, request: guard(gh.request, gh), paginate: gh.paginate } as GitHubClient;
}
