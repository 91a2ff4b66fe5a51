/**
 * Fault injection per endpoint, by explicit rule or by seed, for tests and the bench.
 *
 * - `error`: a 5xx before anything is written (default 500 `Server Error`).
 * - `lost-response`: the write is carried out (state changed, webhooks sent), then the answer is a
 *   502 — what a client sees when GitHub's front end loses the backend's answer. Octokit's retry
 *   plugin re-sends such a POST (triad issue 12, problem 3).
 * - `timeout`: GitHub works `delayMs` (default 10 s GitHub time), then answers 502 `Server Error`:
 *   "If GitHub takes more than 10 seconds to process an API request, GitHub will terminate the
 *   request and you will receive a timeout response and a "Server Error" message" (docs.github.com,
 *   Troubleshooting the REST API, Timeouts). `afterWrite` decides whether the write happened.
 * - `hang`: no answer at all until the client gives up or the simulator stops.
 * - `reset`: the connection is dropped (ECONNRESET) without an answer.
 */
import { endpointMatcher } from "./endpoints.js";

export type FaultKind = "error" | "lost-response" | "timeout" | "hang" | "reset";

export interface FaultRule {
  /** An endpoint spec (endpoints.ts): `*`, `POST`, or `POST /repos/{owner}/{repo}/issues`. Default `*`. */
  route?: string;
  /** Only requests by this actor: "installation", "app", "anonymous" or a user's login. */
  actor?: string;
  kind: FaultKind;
  /** The status of `error` (default 500), `lost-response` and `timeout` (default 502). */
  status?: number;
  /** Let this many matching requests through first. Default 0. */
  skip?: number;
  /** How many matching requests it hits after `skip`. Default 1; `Infinity` for every one. */
  times?: number;
  /** `timeout`: GitHub ms before the 502. Default 10 000. */
  delayMs?: number;
  /** `timeout`, `hang`, `reset`: carry the write out first. Default false. */
  afterWrite?: boolean;
}

export interface RandomFaults {
  seed: number;
  /** Chance per matching request, 0–1. */
  rate: number;
  kinds: FaultKind[];
  /** Endpoint specs that may fail (default: every request). */
  routes?: string[];
}

export interface FaultSettings {
  rules: FaultRule[];
  random: RandomFaults | false;
}

export interface FaultDecision {
  kind: FaultKind;
  status: number;
  delayMs: number;
  afterWrite: boolean;
}

export interface FaultRequest {
  method: string;
  template: string | undefined;
  path: string;
  actor: string;
}

/** A small seeded generator (mulberry32), so a seed replays the same faults. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ActiveRule {
  rule: FaultRule;
  matches: (r: FaultRequest) => boolean;
  seen: number;
  hits: number;
}

export interface FaultHandle {
  /** Requests this rule has failed so far. */
  readonly hits: number;
  remove(): void;
}

function decision(rule: Pick<FaultRule, "kind" | "status" | "delayMs" | "afterWrite">): FaultDecision {
  return {
    kind: rule.kind,
    status: rule.status ?? (rule.kind === "error" ? 500 : 502),
    delayMs: rule.delayMs ?? 10_000,
    afterWrite: rule.kind === "lost-response" ? true : (rule.afterWrite ?? false),
  };
}

export class FaultInjector {
  private active: ActiveRule[] = [];
  private random: RandomFaults | false = false;
  private rng: () => number = Math.random;
  private randomMatch: (r: FaultRequest) => boolean = () => true;
  /** Every fault injected so far, in order (for tests and the bench's figures). */
  readonly injected: Array<FaultDecision & { method: string; path: string }> = [];

  constructor(settings: FaultSettings) {
    this.configure(settings);
  }

  /** Replaces the rules and the random setting. */
  configure(settings: Partial<FaultSettings>): void {
    if (settings.rules) {
      this.active = [];
      for (const r of settings.rules) this.add(r);
    }
    if (settings.random !== undefined) {
      this.random = settings.random;
      if (settings.random) {
        this.rng = seededRandom(settings.random.seed);
        const specs = (settings.random.routes ?? ["*"]).map(endpointMatcher);
        this.randomMatch = (r) => specs.some((m) => m(r.method, r.template, r.path));
      }
    }
  }

  add(rule: FaultRule): FaultHandle {
    const m = endpointMatcher(rule.route ?? "*");
    const active: ActiveRule = {
      rule,
      matches: (r) => m(r.method, r.template, r.path) && (rule.actor === undefined || rule.actor === r.actor),
      seen: 0,
      hits: 0,
    };
    this.active.push(active);
    return {
      get hits() {
        return active.hits;
      },
      remove: () => {
        this.active = this.active.filter((a) => a !== active);
      },
    };
  }

  clear(): void {
    this.active = [];
    this.random = false;
  }

  /** The fault for this request, if any; the first matching rule with hits left wins. */
  pick(r: FaultRequest): FaultDecision | undefined {
    for (const a of this.active) {
      if (!a.matches(r)) continue;
      a.seen += 1;
      if (a.seen <= (a.rule.skip ?? 0)) continue;
      if (a.hits >= (a.rule.times ?? 1)) continue;
      a.hits += 1;
      return this.record(decision(a.rule), r);
    }
    const random = this.random;
    if (random && random.kinds.length > 0 && this.randomMatch(r) && this.rng() < random.rate) {
      const kind = random.kinds[Math.floor(this.rng() * random.kinds.length)] as FaultKind;
      return this.record(decision({ kind }), r);
    }
    return undefined;
  }

  private record(d: FaultDecision, r: FaultRequest): FaultDecision {
    this.injected.push({ ...d, method: r.method, path: r.path });
    return d;
  }
}
