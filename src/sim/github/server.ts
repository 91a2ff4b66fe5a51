/** The HTTP front: auth, routing, JSON bodies, error bodies, call log, webhook hand-off after the response. */
import type { KeyObject } from "node:crypto";
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { actorName, authenticate } from "./auth.js";
import {
  type Actor,
  HttpError,
  matchRoute,
  type Reply,
  type Request,
  type Route,
  type SimContext,
} from "./http.js";
import { serveCodeload, serveRaw } from "./routes/repos.js";

export interface CallRecord {
  method: string;
  path: string;
  status: number;
  actor: string;
  at: number;
}

export interface ServerDeps {
  sim: SimContext;
  routes: Route[];
  publicKey: KeyObject;
  calls: CallRecord[];
  /** Runs a request's queued webhooks once its response has been written. */
  withWebhookScope<T>(fn: () => Promise<T>): Promise<{ result: T; flush: () => void }>;
  onRequestStart(): void;
  onRequestEnd(): void;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, reply: Reply, head: boolean): void {
  const headers: Record<string, string> = {
    "x-github-request-id": randomUUID().slice(0, 18).toUpperCase(),
    "x-github-api-version-selected": "2022-11-28",
    "x-ratelimit-limit": "5000",
    "x-ratelimit-remaining": "4999",
    "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
    "x-ratelimit-used": "1",
    "x-ratelimit-resource": "core",
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

export function createSimServer(deps: ServerDeps): Server {
  const { sim, routes, calls } = deps;
  return createServer((req, res) => {
    deps.onRequestStart();
    res.once("close", () => deps.onRequestEnd());
    void handle(req, res).catch(() => res.destroy());
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", sim.baseUrl);
    const method = (req.method ?? "GET").toUpperCase();
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const raw = await readBody(req);
    const special = path.startsWith("/_codeload/")
      ? await serveCodeload(sim, path)
      : path.startsWith("/_raw/")
        ? serveRaw(sim, path)
        : undefined;
    if (special) {
      calls.push({ method, path, status: special.status, actor: "anonymous", at: Date.now() });
      send(res, special, method === "HEAD");
      return;
    }
    let actor: Actor | undefined;
    const { result: reply, flush } = await deps.withWebhookScope(async (): Promise<Reply> => {
      try {
        actor = authenticate(req.headers.authorization, sim.state, sim.appId, deps.publicKey, sim.botUser);
        const match = matchRoute(routes, method, path);
        if (match === undefined) throw new HttpError(404, "Not Found");
        if (match === "method") throw new HttpError(404, "Not Found");
        let body: unknown;
        if (raw.length > 0) {
          try {
            body = JSON.parse(raw.toString("utf8"));
          } catch {
            throw new HttpError(400, "Problems parsing JSON");
          }
        }
        const request: Request = {
          method,
          path,
          query: url.searchParams,
          params: match.params,
          headers: req.headers,
          body,
          actor,
        };
        return await match.route.handler(request, sim);
      } catch (err) {
        if (err instanceof HttpError) return { status: err.status, body: err.toBody() };
        const message = err instanceof Error ? err.message : String(err);
        return { status: 500, body: { message: `Simulator error: ${message}`, documentation_url: "" } };
      }
    });
    calls.push({ method, path, status: reply.status, actor: actorName(actor), at: Date.now() });
    // Webhooks for failed requests are dropped: a rejected write changes nothing on GitHub.
    res.on("finish", () => {
      if (reply.status < 400) flush();
    });
    send(res, reply, method === "HEAD");
  }
}
