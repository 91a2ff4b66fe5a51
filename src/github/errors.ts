import { TriadError } from "../errors.js";

/**
 * Classify an Octokit error once (ARCHITECTURE §7). Secondary rate limits arrive as 403 with a
 * message or a retry-after header; they are retryable, other 403s are not.
 */
export function classifyGitHubError(error: unknown, what: string): TriadError {
  if (error instanceof TriadError) return error;
  const e = error as { status?: number; message?: string; response?: { headers?: Record<string, string> } };
  const status = typeof e.status === "number" ? e.status : undefined;
  const message = `${what}: ${e.message ?? String(error)}`;
  const headers = e.response?.headers ?? {};
  const retryAfter = Number(headers["retry-after"]);
  const retryAfterMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined;
  if (status === undefined) return new TriadError("network", message, { cause: error });
  if (status === 429 || (status === 403 && (/rate limit/i.test(message) || retryAfterMs !== undefined))) {
    return new TriadError("rate_limited", message, { cause: error, retryAfterMs });
  }
  if (status >= 500) return new TriadError("server_error", message, { cause: error });
  if (status === 401) return new TriadError("auth_failed", message, { cause: error });
  if (status === 403) return new TriadError("permission_denied", message, { cause: error });
  if (status === 404) return new TriadError("not_found", message, { cause: error });
  return new TriadError("github_rejected", message, { cause: error });
}

/** Run a GitHub call and classify its failure. */
export async function github<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw classifyGitHubError(error, what);
  }
}
