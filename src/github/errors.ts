import { TriadError } from "../errors.js";

type Headers = Record<string, string | number | undefined>;

interface ErrorLike {
  status?: number;
  message?: string;
  response?: { headers?: Headers; data?: unknown };
}

/** A rate-limit answer and how long GitHub asks the client to wait (GitHub ms). */
export interface LimitAnswer {
  kind: "primary" | "secondary";
  waitMs: number;
  /** Where the wait came from, in GitHub's order of precedence. */
  from: "retry-after" | "reset" | "at-least-a-minute";
}

/** "wait for at least one minute before retrying" when GitHub says neither (docs.github.com, Rate limits). */
export const DEFAULT_LIMIT_WAIT_MS = 60_000;

const LIMIT_MESSAGE = /rate limit|abuse detection/i;

/**
 * Whether an answer is a rate limit, and the wait, as docs.github.com ("Rate limits for the REST
 * API", Handling rate limit errors) orders it: "If the `retry-after` response header is present, you
 * should not retry your request until after that many seconds has elapsed. If the
 * `x-ratelimit-remaining` header is `0`, you should not retry your request until after the time, in
 * UTC epoch seconds, specified by the `x-ratelimit-reset` header. Otherwise, wait for at least one
 * minute before retrying." Primary limits answer 403 or 429 with `x-ratelimit-remaining: 0`;
 * secondary limits 403 or 429 with "You have exceeded a secondary rate limit", or, from older GitHub
 * versions, "You have triggered an abuse detection mechanism" (jcabi/jcabi-github#1325). A 403 that
 * says neither (no access) is not a limit.
 */
export function limitAnswer(error: unknown): LimitAnswer | undefined {
  const e = error as ErrorLike;
  if (e.status !== 403 && e.status !== 429) return undefined;
  const headers = e.response?.headers ?? {};
  const dataMessage = (e.response?.data as { message?: unknown } | undefined)?.message;
  const message = `${e.message ?? ""} ${typeof dataMessage === "string" ? dataMessage : ""}`;
  const remaining = headers["x-ratelimit-remaining"];
  const exhausted = remaining !== undefined && Number(remaining) === 0;
  const retryAfter = Number(headers["retry-after"]);
  if (!exhausted && !LIMIT_MESSAGE.test(message) && !Number.isFinite(retryAfter) && e.status !== 429)
    return undefined;
  const kind = exhausted && !/secondary|abuse/i.test(message) ? "primary" : "secondary";
  if (Number.isFinite(retryAfter) && retryAfter >= 0)
    return { kind, waitMs: Math.max(1, retryAfter) * 1000, from: "retry-after" };
  const reset = Number(headers["x-ratelimit-reset"]);
  if (exhausted && Number.isFinite(reset)) {
    // `reset - date` is GitHub seconds whatever the client's clock says.
    const date = Date.parse(String(headers.date ?? ""));
    const now = Number.isFinite(date) ? date : Date.now();
    return { kind, waitMs: Math.max(1000, reset * 1000 - now + 1000), from: "reset" };
  }
  return { kind, waitMs: DEFAULT_LIMIT_WAIT_MS, from: "at-least-a-minute" };
}

/**
 * Classify an Octokit error once (ARCHITECTURE §7). Rate limits (primary and secondary, the legacy
 * abuse message too) are retryable and carry the wait GitHub asked for; other 403s are not.
 */
export function classifyGitHubError(error: unknown, what: string): TriadError {
  if (error instanceof TriadError) return error;
  const e = error as ErrorLike;
  const status = typeof e.status === "number" ? e.status : undefined;
  const message = `${what}: ${e.message ?? String(error)}`;
  if (status === undefined) return new TriadError("network", message, { cause: error });
  const limit = limitAnswer(error);
  if (limit) return new TriadError("rate_limited", message, { cause: error, retryAfterMs: limit.waitMs });
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
