import { AsyncLocalStorage } from "node:async_hooks";
import { TriadError } from "../errors.js";
import { limitAnswer } from "./errors.js";
import { isMutative, type Pacer } from "./pacer.js";
import { formatGitHubDuration, type GitHubTime, realGitHubTime, sleep } from "./time.js";

/**
 * The one request layer under every installation client (ARCHITECTURE §6, §7), as an Octokit
 * `request` hook:
 *
 * - **paced**: the installation's pacer (pacer.ts) admits each request; a short wait is waited here,
 *   a long one (an hour's primary reset) is thrown as `rate_limited` with the real wait, so the queue
 *   delays the step instead of holding a worker;
 * - **a limit is waited out, never failed**: a 403/429 rate limit blocks the installation for as long
 *   as GitHub asked (`retry-after`, else `x-ratelimit-reset`, else at least a minute) and the request
 *   goes again after — GitHub did not carry it out, so sending it again is safe even for a POST;
 * - **no blind re-send of a write**: a POST whose answer was lost (5xx, a dropped connection, a
 *   timeout) is never sent again here; the error goes up and the step's retry re-finds what the
 *   write made (marker, head sha, branch) before making it again. Reads and idempotent writes (PUT,
 *   PATCH, DELETE) are tried up to twice more;
 * - **eventual consistency**: the two 422s GitHub gives while a new branch or pull request settles
 *   (a new ref is no valid PR head yet; a new PR is no label target yet) are tried again shortly;
 * - **a timeout** on every request, so a call that never answers ends and the step can retry.
 *
 * Probot's own retry plugin is off (app-auth.ts): it re-sends a POST after a 502 that GitHub had
 * carried out, which duplicated comments, reviews, check runs and replies.
 */
export interface RequestLayerOptions {
  installationId: number;
  /** Undefined: no pacing (TRIAD_GITHUB_PACING=off); limits still wait, through the queue. */
  pacer: Pacer | undefined;
  time?: GitHubTime;
  /** Real ms before a request is abandoned. */
  timeoutMs: number;
  /** Real ms a request may wait here for the pacer before the wait goes to the queue. */
  maxInlineWaitMs?: number;
}

type AnyRequest = (options: RequestOptions) => Promise<{ headers: Record<string, unknown> }>;

interface RequestOptions {
  method?: string;
  url?: string;
  request?: { signal?: AbortSignal } & Record<string, unknown>;
  [key: string]: unknown;
}

export interface HookableOctokit {
  hook: {
    wrap(name: "request", hook: (request: AnyRequest, options: RequestOptions) => Promise<unknown>): void;
  };
}

const priority = new AsyncLocalStorage<boolean>();

/**
 * Runs `work` with its requests allowed into the primary budget's reserve: a failure report must be
 * able to say that the workflow failed, also when the budget is nearly spent.
 */
export function withPriority<T>(work: () => Promise<T>): Promise<T> {
  return priority.run(true, work);
}

/** Retries after transient failures of idempotent requests (real ms). */
const TRANSIENT_DELAYS_MS = [300, 1200];
/** Retries while GitHub settles a new branch or pull request (GitHub ms). */
const SETTLE_DELAYS_MS = [500, 1000, 2000, 4000];
const MAX_INLINE_WAIT_MS = 15_000;

function statusOf(error: unknown): number | undefined {
  const s = (error as { status?: unknown }).status;
  return typeof s === "number" ? s : undefined;
}

function errorText(error: unknown): string {
  const e = error as { message?: unknown; response?: { data?: unknown } };
  return `${String(e.message ?? "")} ${JSON.stringify(e.response?.data ?? "")}`;
}

/**
 * The 422s of eventual consistency. `POST /pulls` right after `createRef`: `{"resource":"PullRequest",
 * "field":"head","code":"invalid"}` (gitbutlerapp/gitbutler#4904, reenhanced/gitreflow#226); labels
 * right after `POST /pulls`: "Could not resolve to a node with the global id of …"
 * (peter-evans/create-pull-request#4322). Both mean "not done", so sending again is safe.
 */
export function isSettling(method: string, route: string, error: unknown): boolean {
  if (statusOf(error) !== 422) return false;
  const text = errorText(error);
  if (method === "POST" && /\/pulls$/.test(route))
    return /"field":"head","code":"invalid"|head.{0,20}invalid/i.test(text);
  if (/\/labels$/.test(route)) return /Could not resolve to a node/i.test(text);
  return false;
}

/**
 * A repository archive is a download, not an API answer (the tarball route redirects to codeload and
 * the body is the whole repository): it gets ten times the request timeout.
 */
function timeoutFor(route: string, timeoutMs: number): number {
  return /\/(tarball|zipball)\//.test(route) ? timeoutMs * 10 : timeoutMs;
}

/** Requests of the app itself (JWT), not of the installation: not its budget, never paced. */
function isAppRoute(route: string): boolean {
  return /^\/app(\/|$)/.test(route);
}

/**
 * GitHub time a new branch or pull request is given to settle before triad uses it (a PR from the
 * branch, labels on the PR): the lags seen in the threads cited at `isSettling` are "the same
 * second" to a few seconds. A request that still meets the lag is tried again (SETTLE_DELAYS_MS).
 */
const SETTLE_MS = 2_000;

/** What this client made a moment ago: `ref:<owner>/<repo>:<branch>`, `pull:<owner>/<repo>#<n>` → real ms. */
type Made = Map<string, number>;

function madeKey(method: string, route: string, options: RequestOptions, data?: unknown): string | undefined {
  const repo = `${String(options.owner)}/${String(options.repo)}`;
  if (method !== "POST") return undefined;
  if (/\/git\/refs$/.test(route) && typeof options.ref === "string")
    return `ref:${repo}:${options.ref.replace(/^refs\/heads\//, "")}`;
  const number = (data as { number?: unknown } | undefined)?.number;
  if (/\/pulls$/.test(route) && typeof number === "number") return `pull:${repo}#${number}`;
  return undefined;
}

/** The thing this request uses that may still be settling. */
function usesKey(method: string, route: string, options: RequestOptions): string | undefined {
  const repo = `${String(options.owner)}/${String(options.repo)}`;
  if (method !== "POST") return undefined;
  if (/\/pulls$/.test(route) && typeof options.head === "string")
    return `ref:${repo}:${options.head.replace(/^[^:]*:/, "")}`;
  if (/\/labels$/.test(route) && options.issue_number !== undefined)
    return `pull:${repo}#${String(options.issue_number)}`;
  return undefined;
}

export function installRequestLayer(octokit: HookableOctokit, o: RequestLayerOptions): void {
  const time = o.time ?? realGitHubTime;
  const maxInline = o.maxInlineWaitMs ?? MAX_INLINE_WAIT_MS;
  const made: Made = new Map();
  octokit.hook.wrap("request", async (request, options) => {
    const method = String(options.method ?? "GET").toUpperCase();
    const route = String(options.url ?? "");
    const outer = options.request?.signal;
    const uses = usesKey(method, route, options);
    const madeAt = uses === undefined ? undefined : made.get(uses);
    if (madeAt !== undefined) await sleep(madeAt + time.toRealMs(SETTLE_MS) - Date.now(), outer);
    const paced = o.pacer && !isAppRoute(route) ? o.pacer : undefined;
    const idempotent = method !== "POST";
    let transient = 0;
    let settling = 0;
    for (;;) {
      const release = paced ? await admit(paced, o.installationId, method, route, maxInline, outer) : noop;
      const timeout = AbortSignal.timeout(timeoutFor(route, o.timeoutMs));
      const signal = outer ? AbortSignal.any([outer, timeout]) : timeout;
      // before-after-hook binds the inner hooks to this very object: change it, do not copy it.
      options.request = { ...options.request, signal };
      try {
        const response = await request(options);
        if (paced) await paced.observe(o.installationId, response.headers).catch(noop);
        const key = madeKey(method, route, options, (response as { data?: unknown }).data);
        if (key !== undefined) {
          made.set(key, Date.now());
          if (made.size > 100) made.delete(made.keys().next().value as string);
        }
        return response;
      } catch (error) {
        if (outer?.aborted) throw outer.reason;
        const headers = (error as { response?: { headers?: Record<string, unknown> } }).response?.headers;
        if (paced && headers) await paced.observe(o.installationId, headers).catch(noop);
        if (timeout.aborted) {
          if (idempotent && transient < TRANSIENT_DELAYS_MS.length) {
            await sleep(TRANSIENT_DELAYS_MS[transient++] as number, outer);
            continue;
          }
          throw new TriadError(
            "timeout",
            `GitHub did not answer ${method} ${route} within ${Math.round(timeoutFor(route, o.timeoutMs) / 100) / 10} s`,
            { cause: error },
          );
        }
        const limit = limitAnswer(error);
        if (limit) {
          if (paced) {
            await paced.block(o.installationId, limit.waitMs);
            continue;
          }
          throw new TriadError(
            "rate_limited",
            `GitHub's ${limit.kind} rate limit: waiting ${formatGitHubDuration(limit.waitMs)} (${limit.from})`,
            { cause: error, retryAfterMs: time.toRealMs(limit.waitMs) },
          );
        }
        if (isSettling(method, route, error) && settling < SETTLE_DELAYS_MS.length) {
          await sleep(time.toRealMs(SETTLE_DELAYS_MS[settling++] as number), outer);
          continue;
        }
        const status = statusOf(error);
        const transientError = status === undefined || status >= 500;
        if (transientError && idempotent && transient < TRANSIENT_DELAYS_MS.length) {
          await sleep(TRANSIENT_DELAYS_MS[transient++] as number, outer);
          continue;
        }
        throw error;
      } finally {
        await release();
      }
    }
  });

  async function admit(
    pacer: Pacer,
    installationId: number,
    method: string,
    route: string,
    maxInlineWaitMs: number,
    signal: AbortSignal | undefined,
  ): Promise<() => Promise<void>> {
    let waited = 0;
    for (;;) {
      const answer = await pacer.ask(installationId, {
        method,
        route,
        priority: priority.getStore() === true,
      });
      if (answer.go) {
        await sleep(answer.slotMs, signal);
        return isMutative(method) ? pacer.takeWriteTurn(installationId, signal) : noop;
      }
      if (waited + answer.waitMs > maxInlineWaitMs) {
        throw new TriadError(
          "rate_limited",
          `GitHub's limits for installation ${installationId} (${answer.why}): waiting ${Math.ceil(answer.waitMs / 1000)} s before the next request`,
          { retryAfterMs: answer.waitMs },
        );
      }
      waited += answer.waitMs;
      await sleep(answer.waitMs, signal);
    }
  }
}

const noop = async () => undefined;
