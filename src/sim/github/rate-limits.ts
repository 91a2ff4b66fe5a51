/**
 * GitHub's rate limits, per token (an installation, a user, the app's JWT, or anonymous callers),
 * from docs.github.com "Rate limits for the REST API" unless noted:
 *
 * - Primary: a budget per hour and resource (`core`, `graphql`), reported on every response as
 *   `x-ratelimit-limit`, `-remaining`, `-used`, `-reset` (UTC epoch seconds) and `-resource`. Over
 *   budget: 403 (or 429) with `x-ratelimit-remaining: 0` and
 *   `{"message":"API rate limit exceeded for installation ID 1.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api","status":"403"}`
 *   (message as quoted in upptime/upptime#786, fountainhead/action-wait-for-check#29).
 * - Secondary: at most `concurrent` requests in flight, `pointsPerMinutePerEndpoint` points a minute
 *   to one endpoint, `contentPerMinute`/`contentPerHour` content-creating requests. Tripped, every
 *   request of the token is refused for `penaltyMs` with 403 and
 *   `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you
 *   reach out to GitHub Support for help, please include the request ID …` (quoted in
 *   github-changelog-generator#993, integrations/terraform-provider-github#2329), with or without
 *   `retry-after`; `x-ratelimit-remaining` stays what the primary budget says.
 *
 * Refused requests do not count against any budget. Times are GitHub time (clock.ts).
 */
import type { Limits, PrimaryLimits, SecondaryLimits } from "./behaviour.js";
import type { SimClock } from "./clock.js";
import type { Endpoint } from "./endpoints.js";

export type Resource = "core" | "graphql";

export interface LimitRequest {
  /** `installation:<id>`, `user:<login>`, `app:<id>` or `anonymous`. */
  key: string;
  /** Who the primary message names: "installation ID 12", "user ID 7", "127.0.0.1". */
  subject: string;
  kind: "installation" | "user" | "app" | "anonymous";
  resource: Resource;
  endpoint: Endpoint;
  /** Secondary-limit points (endpoints.ts). */
  points: number;
  contentCreating: boolean;
  requestId: string;
}

export interface Refusal {
  kind: "primary" | "secondary";
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

export interface Admission {
  refusal?: Refusal;
  /** The `x-ratelimit-*` headers for this response. */
  headers: Record<string, string>;
  /** Call when the response has been sent (frees a concurrency slot). */
  release(): void;
}

/** A limit forced on a token by a test, whether or not the counted limits are on. */
export interface ForcedLimit {
  kind: "primary" | "secondary";
  /** GitHub ms from now. */
  forMs: number;
  status?: 403 | 429;
  /** secondary: send `retry-after` (seconds left). */
  retryAfter?: boolean;
  /** secondary: the legacy abuse-detection message. */
  legacyMessage?: boolean;
}

const HOUR = 3600_000;
const MINUTE = 60_000;
const PRIMARY_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api";
const SECONDARY_DOCS =
  "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits";
const ABUSE_DOCS = "https://developer.github.com/v3/#abuse-rate-limits";

interface Window {
  resetAt: number;
  used: number;
}

interface SecondaryState {
  inFlight: number;
  /** endpoint → [GitHub ms, points] in the last minute. */
  points: Map<Endpoint, Array<[number, number]>>;
  /** GitHub ms of content-creating requests in the last hour. */
  content: number[];
  blockedUntil: number;
  retryAfter: boolean;
  legacyMessage: boolean;
  status: number;
}

interface Forced {
  kind: "primary" | "secondary";
  until: number;
  status: number;
  retryAfter: boolean;
  legacyMessage: boolean;
}

export class RateLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly secondary = new Map<string, SecondaryState>();
  private readonly forced = new Map<string, Forced>();
  /** Limit answers given so far (the bench's `limit_errors`). */
  readonly refusals = { primary: 0, secondary: 0 };

  constructor(
    private readonly clock: SimClock,
    private readonly limits: () => Limits,
  ) {}

  /** Forces a primary or secondary limit on a token for a while (tests). */
  force(key: string, f: ForcedLimit): void {
    this.forced.set(key, {
      kind: f.kind,
      until: this.clock.now() + f.forMs,
      status: f.status ?? 403,
      retryAfter: f.retryAfter ?? false,
      legacyMessage: f.legacyMessage ?? false,
    });
  }

  lift(key: string): void {
    this.forced.delete(key);
    const s = this.secondary.get(key);
    if (s) s.blockedUntil = 0;
  }

  /** The primary budget of a token as the headers would show it now. */
  usage(key: string, kind: LimitRequest["kind"], resource: Resource = "core") {
    const primary = this.limits().primary;
    const limit = primary ? budgetOf(primary, kind, resource) : 5000;
    const w = this.window(key, resource, false);
    const forced = this.activeForced(key);
    if (forced?.kind === "primary") return { limit, used: limit, remaining: 0, resetMs: forced.until };
    return { limit, used: w?.used ?? 0, remaining: Math.max(0, limit - (w?.used ?? 0)), resetMs: w?.resetAt };
  }

  admit(r: LimitRequest): Admission {
    const now = this.clock.now();
    const limits = this.limits();
    const forced = this.activeForced(r.key);
    // App JWTs: the docs give no primary budget for them; they are not counted (an assumption).
    const primary = r.kind === "app" ? false : limits.primary;
    const budget = primary ? budgetOf(primary, r.kind, r.resource) : 5000;
    const w = primary ? this.window(r.key, r.resource, true) : undefined;
    const headers = (used: number, resetAt: number) => rateHeaders(budget, used, resetAt, r.resource);
    const current = () => (w ? headers(w.used, w.resetAt) : headers(1, now + HOUR));
    const noop = () => undefined;

    if (forced?.kind === "primary") {
      this.refusals.primary += 1;
      return {
        refusal: this.primaryRefusal(r, forced.status, headers(budget, forced.until)),
        headers: {},
        release: noop,
      };
    }
    if (forced?.kind === "secondary") {
      this.refusals.secondary += 1;
      const refusal = this.secondaryRefusal(r, forced, forced.until - now, current());
      return { refusal, headers: {}, release: noop };
    }
    if (primary && w && w.used + 1 > budget) {
      this.refusals.primary += 1;
      return {
        refusal: this.primaryRefusal(r, primary.status, headers(w.used, w.resetAt)),
        headers: {},
        release: noop,
      };
    }
    const secondary = limits.secondary;
    let state: SecondaryState | undefined;
    if (secondary) {
      state = this.secondaryState(r.key, secondary);
      const tripped = state.blockedUntil > now || this.trips(state, secondary, r, now);
      if (tripped) {
        if (state.blockedUntil <= now) {
          state.blockedUntil = now + secondary.penaltyMs;
          state.retryAfter = secondary.retryAfter;
          state.legacyMessage = secondary.legacyMessage;
          state.status = secondary.status;
        }
        this.refusals.secondary += 1;
        const refusal = this.secondaryRefusal(r, state, state.blockedUntil - now, current());
        return { refusal, headers: {}, release: noop };
      }
    }
    if (w) w.used += 1;
    if (state) {
      const s = state;
      s.inFlight += 1;
      const list = s.points.get(r.endpoint) ?? [];
      list.push([now, r.points]);
      s.points.set(r.endpoint, list);
      if (r.contentCreating) s.content.push(now);
      let released = false;
      return {
        headers: current(),
        release: () => {
          if (released) return;
          released = true;
          s.inFlight -= 1;
        },
      };
    }
    return { headers: current(), release: noop };
  }

  private activeForced(key: string): Forced | undefined {
    const f = this.forced.get(key);
    if (!f) return undefined;
    if (f.until <= this.clock.now()) {
      this.forced.delete(key);
      return undefined;
    }
    return f;
  }

  private window(key: string, resource: Resource, create: boolean): Window | undefined {
    const id = `${key}|${resource}`;
    const now = this.clock.now();
    let w = this.windows.get(id);
    if (w && w.resetAt <= now) w = undefined;
    if (!w && create) {
      // The window starts with the first request and lasts an hour.
      w = { resetAt: now + HOUR, used: 0 };
      this.windows.set(id, w);
    }
    return w;
  }

  private secondaryState(key: string, s: SecondaryLimits): SecondaryState {
    let state = this.secondary.get(key);
    if (!state) {
      state = {
        inFlight: 0,
        points: new Map(),
        content: [],
        blockedUntil: 0,
        retryAfter: s.retryAfter,
        legacyMessage: s.legacyMessage,
        status: s.status,
      };
      this.secondary.set(key, state);
    }
    return state;
  }

  /** Whether admitting this request would exceed a secondary limit. */
  private trips(state: SecondaryState, s: SecondaryLimits, r: LimitRequest, now: number): boolean {
    if (state.inFlight + 1 > s.concurrent) return true;
    const recent = (state.points.get(r.endpoint) ?? []).filter(([t]) => t > now - MINUTE);
    state.points.set(r.endpoint, recent);
    const cap = r.resource === "graphql" ? s.graphqlPointsPerMinute : s.pointsPerMinutePerEndpoint;
    if (recent.reduce((n, [, p]) => n + p, 0) + r.points > cap) return true;
    if (!r.contentCreating) return false;
    state.content = state.content.filter((t) => t > now - HOUR);
    const lastMinute = state.content.filter((t) => t > now - MINUTE).length;
    return lastMinute + 1 > s.contentPerMinute || state.content.length + 1 > s.contentPerHour;
  }

  private primaryRefusal(r: LimitRequest, status: number, headers: Record<string, string>): Refusal {
    return {
      kind: "primary",
      status,
      headers: { ...headers, "x-ratelimit-remaining": "0" },
      body: {
        message: `API rate limit exceeded for ${r.subject}.`,
        documentation_url: PRIMARY_DOCS,
        status: String(status),
      },
    };
  }

  private secondaryRefusal(
    r: LimitRequest,
    s: { retryAfter: boolean; legacyMessage: boolean; status: number },
    leftMs: number,
    headers: Record<string, string>,
  ): Refusal {
    const body = s.legacyMessage
      ? {
          message:
            "You have triggered an abuse detection mechanism. Please wait a few minutes before you try again.",
          documentation_url: ABUSE_DOCS,
        }
      : {
          message: `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${r.requestId}.`,
          documentation_url: SECONDARY_DOCS,
        };
    const retry: Record<string, string> = s.retryAfter
      ? { "retry-after": String(Math.max(1, Math.ceil(leftMs / 1000))) }
      : {};
    return { kind: "secondary", status: s.status, body, headers: { ...headers, ...retry } };
  }
}

function budgetOf(p: PrimaryLimits, kind: LimitRequest["kind"], resource: Resource): number {
  if (resource === "graphql") return p.graphqlPointsPerHour;
  if (kind === "user") return p.userPerHour;
  if (kind === "anonymous") return p.anonymousPerHour;
  // JWT requests: the docs give no separate figure; they get an installation's budget of their own.
  return p.installationPerHour;
}

function rateHeaders(
  limit: number,
  used: number,
  resetAt: number,
  resource: Resource,
): Record<string, string> {
  return {
    "x-ratelimit-limit": String(limit),
    "x-ratelimit-remaining": String(Math.max(0, limit - used)),
    "x-ratelimit-reset": String(Math.ceil(resetAt / 1000)),
    "x-ratelimit-used": String(used),
    "x-ratelimit-resource": resource,
  };
}
