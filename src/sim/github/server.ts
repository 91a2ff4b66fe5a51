/**
 * The HTTP front. Each request goes: authenticate → route → rate limits (rate-limits.ts) → faults
 * (faults.ts) → handler → headers → call log; its webhooks are handed off once the answer is sent
 * (or, for a lost answer, once the write is done).
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { actorName, authenticate } from "./auth.js";
import type { SimClock } from "./clock.js";
import { CONTENT_CREATING, endpointOf, pointsOf } from "./endpoints.js";
import type { FaultDecision, FaultInjector, FaultKind } from "./faults.js";
import {
  type Actor,
  HttpError,
  matchRoute,
  type Reply,
  type Request,
  type Route,
  type SimContext,
} from "./http.js";
import { bodyRepresentation, markdownContext, rendersBodies, representBodies } from "./media-types.js";
import type { LimitRequest, RateLimiter } from "./rate-limits.js";
import { serveCodeload, serveRaw } from "./routes/repos.js";

export interface CallRecord {
  method: string;
  path: string;
  /** The query string, without the `?`, when there is one. */
  query?: string;
  /** The matched endpoint's @octokit/openapi path template, e.g. `/repos/{owner}/{repo}/issues`. */
  route?: string;
  /** The answer's status; 0 when none was sent (a hang or a dropped connection). */
  status: number;
  actor: string;
  installationId?: number;
  /** Real time (Date.now()) when the answer was sent. */
  at: number;
  /** GitHub time (clock.ts) when the answer was sent. */
  githubAt: number;
  /** GitHub time when the request arrived (its body read), to measure spacing between requests. */
  githubStartedAt: number;
  requestId: string;
  /** An injected fault, if any. */
  fault?: FaultKind;
  /** Refused by a rate limit. */
  limited?: "primary" | "secondary";
}

export interface ServerDeps {
  sim: SimContext;
  routes: Route[];
  calls: CallRecord[];
  clock: SimClock;
  limiter: RateLimiter;
  faults: FaultInjector;
  /** Responses held by a `hang` fault until their connection closes. */
  hung: Set<ServerResponse>;
  /** Runs a request's handler with its webhooks buffered; `flush` sends them. */
  withWebhookScope<T>(fn: () => Promise<T>): Promise<{ result: T; flush: () => void }>;
  onRequestStart(): void;
  onRequestEnd(): void;
  /** Pages served beside the API (the playground), if any are mounted: see `isPageRequest`. */
  pages?(): PageHandler | undefined;
  /** After each API write that succeeded (answer sent). */
  onWrite?(call: { method: string; route?: string }): void;
}

/** Serves a page request; not the API: no auth, rate limits, faults, call log or webhook hold-back. */
export type PageHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

/** Requests that change nothing although they are POSTs. */
const READ_POSTS = new Set(["/markdown", "/app/installations/{installation_id}/access_tokens"]);

/**
 * A page request: anything under `/_playground/`, and a browser's navigation (GET asking for
 * text/html) to a path no API route has — html URLs use github.com's layout on the simulator's origin
 * (payloads.ts), so `/acme/repo/issues/1` is a page and `/repos/acme/repo/issues/1` the API.
 */
function isPageRequest(routes: Route[], req: IncomingMessage, path: string): boolean {
  if (path.startsWith("/_playground/") || path === "/_playground") return true;
  const method = (req.method ?? "GET").toUpperCase();
  if (method !== "GET" && method !== "HEAD") return false;
  if (!(req.headers.accept ?? "").includes("text/html")) return false;
  if (path.startsWith("/_codeload/") || path.startsWith("/_raw/")) return false;
  return matchRoute(routes, method, path) === undefined;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** GitHub's request ids look like `FA2D:87B1:8879E3:1176C87:6570B7E6`. */
function newRequestId(): string {
  const hex = (n: number) => randomBytes(n).toString("hex").toUpperCase();
  return [hex(2), hex(2), hex(3).slice(1), hex(4).slice(1), hex(4)].join(":");
}

const SERVER_ERROR: Record<number, string> = { 503: "Service Unavailable" };

function faultReply(status: number): Reply {
  return { status, body: { message: SERVER_ERROR[status] ?? "Server Error" } };
}

function limitRequest(
  actor: Actor | undefined,
  method: string,
  route: Route | undefined,
  path: string,
  body: Buffer,
  requestId: string,
): LimitRequest {
  const template = route?.template ?? path;
  const endpoint = endpointOf(method, template);
  const graphql = template === "/graphql";
  const base = {
    resource: graphql ? ("graphql" as const) : ("core" as const),
    endpoint,
    points: pointsOf(method, graphql ? { mutation: /\bmutation\b/.test(body.toString("utf8")) } : undefined),
    contentCreating: CONTENT_CREATING.has(endpoint),
    requestId,
  };
  if (!actor) return { ...base, key: "anonymous", subject: "127.0.0.1", kind: "anonymous" };
  if (actor.kind === "installation") {
    const id = actor.installation.id;
    return { ...base, key: `installation:${id}`, subject: `installation ID ${id}`, kind: "installation" };
  }
  if (actor.kind === "app")
    return { ...base, key: `app:${actor.app.id}`, subject: `app ID ${actor.app.id}`, kind: "app" };
  return {
    ...base,
    key: `user:${actor.user.login.toLowerCase()}`,
    subject: `user ID ${actor.user.id}`,
    kind: "user",
  };
}

export function createSimServer(deps: ServerDeps): Server {
  const { sim, routes, calls, clock } = deps;
  return createServer((req, res) => {
    const pages = deps.pages?.();
    if (pages) {
      const url = new URL(req.url ?? "/", sim.baseUrl);
      // Pages (and their long-lived event streams) do not count as API requests in flight, which
      // hold webhooks back (webhooks.ts).
      if (isPageRequest(routes, req, url.pathname)) {
        void Promise.resolve(pages(req, res, url)).catch(() => res.destroy());
        return;
      }
    }
    deps.onRequestStart();
    res.once("close", () => deps.onRequestEnd());
    void handle(req, res).catch(() => res.destroy());
  });

  function send(res: ServerResponse, reply: Reply, head: boolean, extra: Record<string, string>): void {
    res.sendDate = false;
    const headers: Record<string, string> = {
      // GitHub time, so `x-ratelimit-reset - date` is what a client should wait (clock.ts).
      date: new Date(clock.now()).toUTCString(),
      "x-github-api-version-selected": "2022-11-28",
      ...extra,
      ...reply.headers,
    };
    let payload: Buffer | string | undefined;
    if (reply.raw !== undefined) payload = reply.raw;
    else if (reply.body !== undefined) {
      payload = JSON.stringify(reply.body);
      headers["content-type"] ??= "application/json; charset=utf-8";
      headers["x-github-media-type"] = "github.v3; format=json";
    }
    if (payload !== undefined) headers["content-length"] = String(Buffer.byteLength(payload));
    res.writeHead(reply.status, headers);
    res.end(head ? undefined : payload);
  }

  function record(c: Omit<CallRecord, "at" | "githubAt">): void {
    calls.push({ ...c, at: Date.now(), githubAt: clock.now() });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", sim.baseUrl);
    const method = (req.method ?? "GET").toUpperCase();
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const raw = await readBody(req);
    const githubStartedAt = clock.now();
    const requestId = newRequestId();
    const special = path.startsWith("/_codeload/")
      ? await serveCodeload(sim, path)
      : path.startsWith("/_raw/")
        ? serveRaw(sim, path)
        : undefined;
    if (special) {
      // codeload.github.com and raw URLs are not the API: no rate limits, no faults.
      record({ method, path, status: special.status, actor: "anonymous", requestId, githubStartedAt });
      send(res, special, method === "HEAD", { "x-github-request-id": requestId });
      return;
    }

    let actor: Actor | undefined;
    let route: Route | undefined;
    let params: Record<string, string> = {};
    let early: Reply | undefined;
    try {
      actor = authenticate(req.headers.authorization, sim.state);
      const match = matchRoute(routes, method, path);
      if (match === undefined || match === "method") throw new HttpError(404, "Not Found");
      route = match.route;
      params = match.params;
    } catch (err) {
      early = errorReply(err);
    }
    const base = {
      method,
      path,
      ...(url.search ? { query: url.search.slice(1) } : {}),
      ...(route ? { route: route.template } : {}),
      actor: actorName(actor),
      ...(actor?.kind === "installation" ? { installationId: actor.installation.id } : {}),
      requestId,
      githubStartedAt,
    };
    const ids = { "x-github-request-id": requestId };
    if (early) {
      record({ ...base, status: early.status });
      send(res, early, method === "HEAD", ids);
      return;
    }

    const admission = deps.limiter.admit(limitRequest(actor, method, route, path, raw, requestId));
    res.once("close", () => admission.release());
    if (admission.refusal) {
      const r = admission.refusal;
      record({ ...base, status: r.status, limited: r.kind });
      send(res, { status: r.status, body: r.body, headers: r.headers }, method === "HEAD", ids);
      return;
    }
    const headers = { ...ids, ...admission.headers };
    const fault = deps.faults.pick({ method, template: route?.template, path, actor: base.actor });
    if (fault && !fault.afterWrite) {
      await injectFault(res, fault, base, headers);
      return;
    }

    const request: Request = {
      method,
      path,
      query: url.searchParams,
      params,
      headers: req.headers,
      body: undefined,
      actor,
    };
    const { result: reply, flush } = await deps.withWebhookScope(async (): Promise<Reply> => {
      try {
        if (raw.length > 0) {
          try {
            request.body = JSON.parse(raw.toString("utf8"));
          } catch {
            throw new HttpError(400, "Problems parsing JSON");
          }
        }
        const answer = await (route as Route).handler(request, sim);
        return await withBodyRepresentation(answer, request, route as Route, sim);
      } catch (err) {
        return errorReply(err);
      }
    });
    // Webhooks for failed requests are dropped: a rejected write changes nothing on GitHub.
    const written = reply.status < 400;
    const changed =
      written && method !== "GET" && method !== "HEAD" && !READ_POSTS.has(route?.template ?? "");
    const tell = () => {
      if (changed) deps.onWrite?.({ method, ...(route ? { route: route.template } : {}) });
    };
    if (fault) {
      // The write is done; what the client gets is the fault.
      if (written) flush();
      tell();
      await injectFault(res, fault, base, headers);
      return;
    }
    record({ ...base, status: reply.status });
    res.on("finish", () => {
      if (written) flush();
      tell();
    });
    send(res, reply, method === "HEAD", headers);
  }

  async function injectFault(
    res: ServerResponse,
    fault: FaultDecision,
    base: Omit<CallRecord, "at" | "githubAt" | "status">,
    headers: Record<string, string>,
  ): Promise<void> {
    if (fault.kind === "hang") {
      // No answer until the client gives up or the simulator stops.
      record({ ...base, status: 0, fault: "hang" });
      deps.hung.add(res);
      res.once("close", () => deps.hung.delete(res));
      return;
    }
    if (fault.kind === "reset") {
      record({ ...base, status: 0, fault: "reset" });
      res.socket?.destroy();
      return;
    }
    if (fault.kind === "timeout") await clock.sleep(fault.delayMs);
    if (res.destroyed) {
      record({ ...base, status: 0, fault: fault.kind });
      return;
    }
    record({ ...base, status: fault.status, fault: fault.kind });
    send(res, faultReply(fault.status), false, headers);
  }
}

/** `body_html` / `body_text` when the Accept header asks for them (media-types.ts). */
async function withBodyRepresentation(reply: Reply, req: Request, r: Route, sim: SimContext): Promise<Reply> {
  const as = bodyRepresentation(req.headers.accept);
  if (as === "raw" || reply.body === undefined || reply.status >= 400 || !rendersBodies(r.template))
    return reply;
  const ctx = markdownContext(sim, req.params.owner ?? "", req.params.repo ?? "");
  return { ...reply, body: await representBodies(reply.body, as, ctx) };
}

function errorReply(err: unknown): Reply {
  if (err instanceof HttpError) return { status: err.status, body: err.toBody() };
  const message = err instanceof Error ? err.message : String(err);
  return { status: 500, body: { message: `Simulator error: ${message}`, documentation_url: "" } };
}
