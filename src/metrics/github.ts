import type { TriadMetrics } from "./metrics.js";

/** The part of an Octokit this needs: its request hook (before-after-hook, as @octokit/core has it). */
export interface HookableOctokit {
  hook: {
    wrap(
      name: "request",
      // biome-ignore lint/suspicious/noExplicitAny: Octokit's request options and response types
      wrapper: (request: (options: any) => Promise<any>, options: any) => Promise<any>,
    ): void;
  };
}

type Headers = Record<string, string | number | undefined>;

/**
 * Counts every request a GitHub client makes, and reads GitHub's rate-limit headers from every answer
 * (docs.github.com, "Rate limits for the REST API": `x-ratelimit-remaining`, `x-ratelimit-resource`;
 * a limit is a 403 or 429 with `x-ratelimit-remaining: 0` (primary) or with `retry-after` or a
 * "secondary rate limit" message (secondary)). `installation` is the installation id, or "app".
 */
export function meterGitHub(octokit: HookableOctokit, installation: string, metrics: TriadMetrics): void {
  octokit.hook.wrap("request", async (request, options) => {
    try {
      const response = await request(options);
      observe(metrics, installation, response?.status, response?.headers);
      return response;
    } catch (error) {
      const e = error as { status?: number; response?: { headers?: Headers; data?: unknown } };
      observe(metrics, installation, e.status, e.response?.headers);
      const kind = limitKind(e.status, e.response?.headers, e.response?.data);
      if (kind) metrics.githubLimitErrors.inc({ installation, kind });
      throw error;
    }
  });
}

function observe(
  metrics: TriadMetrics,
  installation: string,
  status: number | undefined,
  headers: Headers | undefined,
): void {
  metrics.githubRequests.inc({ installation, status: status ? `${Math.floor(status / 100)}xx` : "error" });
  const remaining = Number(headers?.["x-ratelimit-remaining"]);
  if (headers?.["x-ratelimit-remaining"] !== undefined && Number.isFinite(remaining)) {
    const resource = String(headers["x-ratelimit-resource"] ?? "core");
    metrics.githubRemaining.set({ installation, resource }, remaining);
  }
}

export function limitKind(
  status: number | undefined,
  headers: Headers | undefined,
  data: unknown,
): "primary" | "secondary" | undefined {
  if (status !== 403 && status !== 429) return undefined;
  const message = String((data as { message?: unknown } | undefined)?.message ?? "");
  if (headers?.["retry-after"] !== undefined || /secondary rate limit|abuse/i.test(message))
    return "secondary";
  if (String(headers?.["x-ratelimit-remaining"]) === "0") return "primary";
  return undefined;
}
