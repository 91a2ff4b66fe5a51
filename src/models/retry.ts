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

/** The vendor's error body, however the SDK exposes it (`error.error`, or JSON in the message). */
function vendorError(error: unknown): { type?: string; code?: string; status?: string; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  const body = (error as { error?: unknown })?.error as Record<string, unknown> | undefined;
  const inner = (body?.error as Record<string, unknown> | undefined) ?? body;
  const pick = (key: string) => {
    const value = inner?.[key];
    return typeof value === "string" ? value : undefined;
  };
  let type = pick("type");
  let code = pick("code");
  let status = pick("status");
  // @google/genai puts the JSON body in the message.
  if (!type && !code && !status) {
    const reason = /"reason"\s*:\s*"([A-Z_]+)"/.exec(message)?.[1];
    status = /"status"\s*:\s*"([A-Z_]+)"/.exec(message)?.[1];
    code = reason;
    type = /"type"\s*:\s*"([a-z_]+)"/.exec(message)?.[1];
  }
  return { ...(type ? { type } : {}), ...(code ? { code } : {}), ...(status ? { status } : {}), message };
}

/** A prompt longer than the model's window, in each vendor's words. */
const CONTEXT_OVERFLOW =
  /context_length_exceeded|prompt is too long|maximum context length|exceeds the maximum number of tokens|context window/i;

/**
 * Classifies an error thrown by a vendor SDK (or by our own attempt timer) into a `TriadError`, once.
 * Each case a user acts on differently has its own code and says what to change:
 * - 401, Gemini 400 `API_KEY_INVALID` → final `auth_failed` naming the key's variable;
 * - 403 `permission_error` (Anthropic) → `model_access_denied`; 403 region (OpenAI) → `region_unsupported`;
 * - 404 → `model_not_found`; context overflow (400/413) → `context_overflow`;
 * - 429 `insufficient_quota` → final `quota_exhausted`; other 409/429 → retryable `rate_limited`;
 * - other 400/413/422 → final `model_request_rejected`; 408 → `timeout`; 5xx → `server_error`;
 *   connection drops → `network`; timeouts → `timeout`.
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
  const body = vendorError(error);
  const final = (code: ConstructorParameters<typeof TriadError>[0], text: string) =>
    new TriadError(code, text, { cause: error });
  if (status === 401 || (status === 400 && /API_KEY_INVALID|API key not valid/i.test(message))) {
    return final("auth_failed", `${ctx.apiKeyEnv} is missing or invalid: set it to a valid key (${detail})`);
  }
  if (status === 403) {
    if (/unsupported_country_region_territory|country, region, or territory not supported/i.test(message)) {
      return final(
        "region_unsupported",
        `${who} is not served where this deployment runs (${body.code ?? "region refused"}): run triad from a supported region, or set another reviewer/developer model in .github/triad.yml (models.*) or TRIAD_*_MODEL (${detail})`,
      );
    }
    if (body.type === "permission_error" || body.status === "PERMISSION_DENIED") {
      return final(
        "model_access_denied",
        `${ctx.apiKeyEnv} is valid but may not use ${ctx.ref.model} (${body.type ?? body.status}): give the key's workspace or project access to the model, or choose another model (${detail})`,
      );
    }
    return final(
      "auth_failed",
      `${ctx.apiKeyEnv} was refused (403): check the key and its permissions (${detail})`,
    );
  }
  if (status === 404) {
    return final(
      "model_not_found",
      `${who} is not served (404: unknown or retired model id): choose a current model, see \`npx triad models list\` (${detail})`,
    );
  }
  if ((status === 400 || status === 413) && CONTEXT_OVERFLOW.test(message)) {
    return final(
      "context_overflow",
      `the conversation no longer fits ${who}'s context window: choose a model with a larger window or split the issue (${detail})`,
    );
  }
  if (status === 408) return new TriadError("timeout", detail, { cause: error });
  if (status === 429 && (body.code === "insufficient_quota" || body.type === "insufficient_quota")) {
    return final(
      "quota_exhausted",
      `the account behind ${ctx.apiKeyEnv} has no quota left (insufficient_quota): add credit or raise its limit with the vendor, then /triad retry; not retried, since waiting does not help (${detail})`,
    );
  }
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

  get configuredOutputTokens(): number | undefined {
    return this.inner.configuredOutputTokens;
  }

  chat(request: ChatRequest): Promise<ChatResponse> {
    return withRetry((signal) => this.inner.chat({ ...request, signal }), this.policy, {
      ...this.ctx,
      ref: this.ref,
      signal: request.signal,
    });
  }
}
