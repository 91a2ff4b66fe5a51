/**
 * The one error taxonomy (ARCHITECTURE §7). Errors are classified once, at the edge where they are
 * caught (an SDK call, a GitHub request, a config parse); everything above only asks `isRetryable`.
 *
 * - retryable: network, 429, 5xx, timeouts, lock busy. The queue retries with backoff.
 * - final: config invalid, permission denied, budget exceeded, model output unrepairable. The worker
 *   posts one clear comment (with `/triad retry`) and stops the step.
 */
export type ErrorKind = "retryable" | "final";

export type ErrorCode =
  | "network"
  | "rate_limited"
  | "server_error"
  | "timeout"
  | "lock_busy"
  /** The workflow lock expired or was taken while the step ran: stop writing; the step runs again. */
  | "lock_lost"
  /** A maintainer stopped the workflow while the step ran. */
  | "stopped"
  /**
   * The installation runs as many workflows as it may (GitHub's limits): the step waits its turn. The
   * queue delays it without spending an attempt.
   */
  | "waiting_turn"
  | "config_invalid"
  | "auth_failed"
  | "permission_denied"
  | "not_found"
  | "budget_exceeded"
  | "model_output_invalid"
  /** The vendor refused the request itself (400/413/422: a parameter or schema it does not take). */
  | "model_request_rejected"
  /** The vendor does not serve this model id (404: unknown or retired). */
  | "model_not_found"
  /** A valid key without access to this model or workspace (Anthropic 403 `permission_error`). */
  | "model_access_denied"
  /** The vendor does not serve this country or region (OpenAI 403 `unsupported_country_region_territory`). */
  | "region_unsupported"
  /** The account has no credit or quota left (OpenAI 429 `insufficient_quota`): waiting does not help. */
  | "quota_exhausted"
  /** The answer stopped at its output budget, also after the one larger retry. */
  | "model_output_truncated"
  /** The model declined to answer (Anthropic `refusal`, a Responses refusal). */
  | "model_refused"
  /** The conversation outgrew the model's context window. */
  | "context_overflow"
  /** A vendor safety or content filter stopped the answer (Gemini `SAFETY`, `content_filter`). */
  | "model_safety_stop"
  /** The vendor could not parse the model's function call (Gemini `MALFORMED_FUNCTION_CALL`). */
  | "model_malformed_call"
  | "github_rejected"
  | "internal";

const RETRYABLE: ReadonlySet<ErrorCode> = new Set([
  "network",
  "rate_limited",
  "server_error",
  "timeout",
  "lock_busy",
  "lock_lost",
  "waiting_turn",
]);

export class TriadError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  /** Milliseconds the remote asked us to wait (retry-after), when it said so. */
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; retryAfterMs?: number } = {}) {
    super(message, { cause: options.cause });
    this.name = "TriadError";
    this.code = code;
    this.kind = RETRYABLE.has(code) ? "retryable" : "final";
    this.retryAfterMs = options.retryAfterMs;
  }
}

export function isRetryable(error: unknown): boolean {
  if (error instanceof TriadError) return error.kind === "retryable";
  // Unclassified errors are treated as transient once more by the queue; the queue's attempt limit
  // bounds the cost, and the final attempt reports them.
  return true;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
