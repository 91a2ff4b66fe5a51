/**
 * HTTP expectations over the simulator's call log, in the spirit of renovate's test/http-mock.ts: a
 * test declares the requests it expects (method + @octokit/openapi route template, how many) and
 * `verify()` fails on any request nobody declared and on any declared one that did not happen the
 * right number of times.
 *
 *   const http = expectHttp(sim, { actor: "installation" })
 *     .expect("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { status: 502 })
 *     .expect("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}")
 *     .allowReads();
 *   await retriedStep();
 *   http.verify(); // fails on a second POST
 *
 * Routes are endpoint specs (src/sim/github/endpoints.ts): `{param}` matches one path segment, and
 * the simulator logs each call's template, so greedy parameters (refs, paths) match too.
 */
import { endpointMatcher } from "../../src/sim/github/endpoints.js";
import type { CallRecord } from "../../src/sim/github/index.js";

export interface Count {
  /** Exactly this many (default 1 when neither min nor max is given). */
  times?: number;
  min?: number;
  max?: number;
  /** Only calls answered with this status count for this declaration. */
  status?: number;
}

interface Declaration {
  spec: string;
  kind: "expect" | "allow";
  matches: (c: CallRecord) => boolean;
  min: number;
  max: number;
  seen: CallRecord[];
}

export interface HttpExpectations {
  /** This request must happen `times` times (default once), or between `min` and `max`. */
  expect(route: string, count?: number | Count): HttpExpectations;
  /** This request may happen any number of times, including none. */
  allow(route: string, o?: { status?: number }): HttpExpectations;
  /** Every GET and HEAD may happen. */
  allowReads(): HttpExpectations;
  /** The calls made since the expectations were created (after the actor filter). */
  calls(): CallRecord[];
  /** Throws a report of unexpected and missing requests; returns the calls when all is as declared. */
  verify(): CallRecord[];
}

export interface ExpectHttpOptions {
  /** Only calls by this actor ("installation", "app", "anonymous", a login) or matching this test. */
  actor?: string | ((c: CallRecord) => boolean);
}

function describeCall(c: CallRecord): string {
  return `${c.method} ${c.path} → ${c.status || "no answer"}${c.fault ? ` (${c.fault})` : ""} [${c.actor}]`;
}

export function expectHttp(
  sim: { readonly calls: ReadonlyArray<CallRecord> },
  o: ExpectHttpOptions = {},
): HttpExpectations {
  const from = sim.calls.length;
  const declarations: Declaration[] = [];
  const byActor =
    o.actor === undefined
      ? () => true
      : typeof o.actor === "function"
        ? o.actor
        : (c: CallRecord) => c.actor === o.actor;

  const declare = (spec: string, kind: Declaration["kind"], count: Count) => {
    const m = endpointMatcher(spec);
    const exact = count.times ?? (count.min === undefined && count.max === undefined ? 1 : undefined);
    declarations.push({
      spec: count.status === undefined ? spec : `${spec} → ${count.status}`,
      kind,
      matches: (c) =>
        m(c.method, c.route, c.path) && (count.status === undefined || c.status === count.status),
      min: exact ?? count.min ?? 0,
      max: exact ?? count.max ?? Number.POSITIVE_INFINITY,
      seen: [],
    });
  };

  const api: HttpExpectations = {
    expect(route, count = {}) {
      declare(route, "expect", typeof count === "number" ? { times: count } : count);
      return api;
    },
    allow(route, a = {}) {
      declare(route, "allow", { min: 0, ...(a.status === undefined ? {} : { status: a.status }) });
      return api;
    },
    allowReads() {
      declare("GET", "allow", { min: 0 });
      declare("HEAD", "allow", { min: 0 });
      return api;
    },
    calls: () => sim.calls.slice(from).filter(byActor),
    verify() {
      for (const d of declarations) d.seen = [];
      const unexpected: CallRecord[] = [];
      const calls = api.calls();
      for (const c of calls) {
        const candidates = declarations.filter((d) => d.matches(c));
        // An expectation with room first, then any allowance, then the first match (counted as too many).
        const d =
          candidates.find((x) => x.kind === "expect" && x.seen.length < x.max) ??
          candidates.find((x) => x.kind === "allow") ??
          candidates[0];
        if (d) d.seen.push(c);
        else unexpected.push(c);
      }
      const wrong = declarations.filter((d) => d.seen.length < d.min || d.seen.length > d.max);
      if (unexpected.length === 0 && wrong.length === 0) return calls;
      const range = (d: Declaration) =>
        d.min === d.max
          ? `${d.min}`
          : d.max === Number.POSITIVE_INFINITY
            ? `≥ ${d.min}`
            : `${d.min}–${d.max}`;
      const lines = [
        ...unexpected.map((c) => `  unexpected: ${describeCall(c)}`),
        ...wrong.map(
          (d) =>
            `  ${d.seen.length < d.min ? "missing" : "too many"}: ${d.spec} — expected ${range(d)}, got ${d.seen.length}`,
        ),
        "all calls:",
        ...calls.map((c) => `  ${describeCall(c)}`),
      ];
      throw new Error(`HTTP expectations not met:\n${lines.join("\n")}`);
    },
  };
  return api;
}
