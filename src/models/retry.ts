import { TriadError } from "../errors.js";
import type { ChatModel, ChatRequest, ChatResponse, ModelRef } from "./types.js";

/**
 * Retries for model calls live here, once, above the adapters (every SDK is built with
 * `maxRetries: 0`). Errors are classified into `TriadError` here and nowhere else.
 */
export interface RetryPolicy {
  /** Attempts including the first one. */
  maxAttempts: number;
  /** Fixed deadline for the whole call, all attempts and waits included. */
  deadlineMs: number;
  /** Time one attempt may take before it is aborted and counted as a timeout. */
  attemptTimeoutMs: number;
  /** First backoff step; doubles per attempt, with full jitter, capped at `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  deadlineMs: 15 * 60_000,
  attemptTimeoutMs: 10 * 60_000,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
};

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface RetryContext {
  ref: ModelRef;
  /** The environment variable that holds this vendor's key, named in auth errors. */
  apiKeyEnv: string;
  log?: Logger;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

const sleepMs = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `retry-after-ms` (OpenAI, Anthropic) wins over `retry-after` (seconds or an HTTP date). */
export function parseRetryAfter(headers: unknown, now = Date.now()): number | undefined {
  const get = (name: string): string | undefined => {
    if (!headers || typeof headers !== "object") return undefined;
    if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
    const value = (headers as Record<string, unknown>)[name];
    return typeof value === "string" ? value : undefined;
  };
  const ms = Number.parseFloat(get("retry-after-ms") ?? "");
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = get("retry-after");
  if (raw === undefined) return undefined;
  const seconds = Number.parseFloat(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/** Google puts the wait in the error body (`RetryInfo.retryDelay: "2s"`), not in a header. */
function parseGoogleRetryDelay(message: string): number | undefined {
  const match = /"retryDelay"\s*:\s*"([\d.]+)s"/.exec(message);
  return match?.[1] ? Number.parseFloat(match[1]) * 1000 : undefined;
}

function statusOf(error: unknown): number | undefined {
  if (!error || typeof error !== "object") return undefined;
  const status = (error as { status?: unknown }).status;
  return typeof status === "number" ? status : undefined;
}

function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (/ConnectionError|FetchError/.test(error.name) || /ConnectionError/.test(error.constructor.name))
    return true;
  const text = `${error.message} ${String((error as { cause?: unknown }).cause ?? "")}`;
  return /fetch failed|ECONNRESET|ECONNREFUSED|EPIPE|socket hang up|other side closed|terminated|network/i.test(
    text,
  );
}

/**
 * Classifies an error thrown by a vendor SDK (or by our own attempt timer) into a `TriadError`.
 * 401/403 → final `auth_failed` naming the env var; 400/404/413/422 → final `model_request_rejected`;
 * 408 → `timeout`; 409/429 → `rate_limited`; 5xx (529 included) → `server_error`; connection drops →
 * `network`; timeouts → `timeout`.
 */
export function classifyModelError(
  error: unknown,
  ctx: { ref: ModelRef; apiKeyEnv: string; timedOut?: boolean },
): TriadError {
  if (error instanceof TriadError) return error;
  const who = `${ctx.ref.vendor}:${ctx.ref.model}`;
  const message = error instanceof Error ? error.message : String(error);
  if (ctx.timedOut) return new TriadError("timeout", `${who} did not answer in time`, { cause: error });
  const status = statusOf(error);
  if (status === undefined) {
    if (error instanceof Error && /Timeout/i.test(`${error.name} ${error.constructor.name}`)) {
      return new TriadError("timeout", `${who} timed out: ${message}`, { cause: error });
    }
    if (isConnectionError(error)) {
      return new TriadError("network", `${who}: connection failed (${message})`, { cause: error });
    }
    return new TriadError("internal", `${who}: ${message}`, { cause: error });
  }
  const detail = `${who} answered ${status}: ${message}`;
  if (status === 401 || status === 403) {
    return new TriadError("auth_failed", `${ctx.apiKeyEnv} is missing or invalid (${detail})`, {
      cause: error,
    });
  }
  if (status === 408) return new TriadError("timeout", detail, { cause: error });
  if (status === 409 || status === 429) {
    const headers = (error as { headers?: unknown }).headers;
    const retryAfterMs = parseRetryAfter(headers) ?? parseGoogleRetryDelay(message);
    return new TriadError("rate_limited", detail, {
      cause: error,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  if (status >= 500) {
    const retryAfterMs = parseRetryAfter((error as { headers?: unknown }).headers);
    return new TriadError("server_error", detail, {
      cause: error,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  return new TriadError("model_request_rejected", detail, { cause: error });
}

/** Exponential backoff with full jitter: random in [base·2^(n-1)/2, base·2^(n-1)], capped. */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return ceiling / 2 + (random() * ceiling) / 2;
}

/**
 * Runs `attempt` with retries. Each attempt gets an AbortSignal that fires at the attempt timeout or
 * the call's deadline, whichever comes first (or when the caller's own signal aborts).
 */
export async function withRetry<T>(
  attempt: (signal: AbortSignal) => Promise<T>,
  policy: RetryPolicy,
  ctx: RetryContext & { signal?: AbortSignal | undefined },
): Promise<T> {
  const now = ctx.now ?? Date.now;
  const sleep = ctx.sleep ?? sleepMs;
  const started = now();
  const deadline = started + policy.deadlineMs;
  for (let n = 1; ; n++) {
    const remaining = deadline - now();
    if (remaining <= 0) {
      throw new TriadError(
        "timeout",
        `${ctx.ref.vendor}:${ctx.ref.model} passed its ${policy.deadlineMs} ms deadline`,
      );
    }
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        controller.abort(new Error("attempt timeout"));
      },
      Math.min(policy.attemptTimeoutMs, remaining),
    );
    const onCallerAbort = () => controller.abort(ctx.signal?.reason);
    ctx.signal?.addEventListener("abort", onCallerAbort, { once: true });
    let classified: TriadError;
    try {
      return await attempt(controller.signal);
    } catch (error) {
      if (ctx.signal?.aborted) throw error;
      classified = classifyModelError(error, { ref: ctx.ref, apiKeyEnv: ctx.apiKeyEnv, timedOut });
    } finally {
      clearTimeout(timer);
      ctx.signal?.removeEventListener("abort", onCallerAbort);
    }
    if (classified.kind === "final" || n >= policy.maxAttempts) throw classified;
    const wait = classified.retryAfterMs ?? backoffDelay(n, policy, ctx.random);
    if (now() + wait >= deadline) {
      // Waiting would pass the deadline: give up now and let the queue retry the job later.
      throw classified;
    }
    ctx.log?.warn(
      {
        model: `${ctx.ref.vendor}:${ctx.ref.model}`,
        code: classified.code,
        attempt: n,
        waitMs: Math.round(wait),
      },
      "model call failed, retrying",
    );
    await sleep(wait);
  }
}

/** A `ChatModel` whose calls are retried and classified. `createChatModel` returns one of these. */
export class RetryingChatModel implements ChatModel {
  readonly ref: ModelRef;

  constructor(
    private readonly inner: ChatModel,
    private readonly policy: RetryPolicy,
    private readonly ctx: Omit<RetryContext, "ref">,
  ) {
    this.ref = inner.ref;
  }

  chat(request: ChatRequest): Promise<ChatResponse> {
    return withRetry((signal) => this.inner.chat({ ...request, signal }), this.policy, {
      ...this.ctx,
      ref: this.ref,
      signal: request.signal,
    });
  }
}
