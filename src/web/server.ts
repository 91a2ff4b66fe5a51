import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { verify } from "@octokit/webhooks-methods";
import type { Logger } from "pino";
import type { Probot } from "probot";
import type { HealthReport } from "../health.js";
import type { TriadMetrics } from "../metrics/metrics.js";
import { ADMIN_PATH, type NodeHandler } from "./admin.js";

/** GitHub caps webhook payloads at 25 MB; anything larger is not from GitHub. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

/** The webhook side: verified deliveries go to probot's handlers. */
export interface WebhookReceiver {
  probot: Probot;
  secret: string;
  /** Where GitHub posts. "/" is accepted too: it is what probot's registration flow sets by default. */
  path: string;
}

export interface WebServerOptions {
  /** Absent on a worker's health server: it receives no webhooks. */
  webhook?: WebhookReceiver | undefined;
  /** Behind `/healthz` (alive) and `/readyz` (ready); see src/health.ts. */
  health: () => Promise<HealthReport>;
  metrics?: TriadMetrics | undefined;
  /** The queue dashboard at /admin/queues (only when TRIAD_ADMIN_TOKEN is set). */
  admin?: NodeHandler | undefined;
  log: Logger;
  port: number;
  host: string;
  maxBodyBytes?: number;
}

export interface WebServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** The event label of a request not (yet) verified: its headers are anyone's, so they name no series. */
const UNVERIFIED = "unverified";

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The process's HTTP server: health, metrics, the queue dashboard and (on web) webhooks. For webhooks
 * it does what probot's middleware does (verify, parse, dispatch) with three differences that matter
 * in production: bodies over GitHub's cap are refused with 413 before they are read whole, a refused
 * signature is one log line (not a stack trace per request), and malformed JSON is a 400 rather than
 * a 500. It fails to start (rejects) when it cannot listen.
 */
export async function startWebServer(o: WebServerOptions): Promise<WebServer> {
  const maxBody = o.maxBodyBytes ?? MAX_WEBHOOK_BYTES;
  const count = (event: string, outcome: string) => o.metrics?.webhooks.inc({ event, outcome });
  const server = createServer((req, res) => {
    route(req, res).catch((error) => {
      const status = error instanceof HttpError ? error.status : 500;
      if (status >= 500) o.log.error({ err: (error as Error).message }, "webhook handling failed");
      send(res, status, { error: (error as Error).message });
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (req.method === "GET" && (path === "/healthz" || path === "/readyz")) {
      const report = await o.health();
      const ok = path === "/healthz" ? report.live : report.ready;
      return send(res, ok ? 200 : 503, { ok, ...report });
    }
    if (req.method === "GET" && path === "/metrics" && o.metrics) {
      const text = await o.metrics.registry.metrics();
      res.writeHead(200, { "content-type": o.metrics.registry.contentType });
      res.end(text);
      return;
    }
    if (o.admin && (path === ADMIN_PATH || path.startsWith(`${ADMIN_PATH}/`))) return o.admin(req, res);
    const webhook = o.webhook;
    if (!webhook || (path !== webhook.path && !(path === "/" && req.method === "POST")))
      return send(res, 404, { error: "Not Found" });
    if (req.method !== "POST") return send(res, 405, { error: "Method Not Allowed" });
    await receive(webhook, req, res);
  }

  async function receive(webhook: WebhookReceiver, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const declared = Number(req.headers["content-length"]);
    const name = header(req, "x-github-event");
    if (Number.isFinite(declared) && declared > maxBody) {
      req.resume();
      count(UNVERIFIED, "invalid");
      throw new HttpError(413, `payload over ${maxBody} bytes`);
    }
    if (!/^\s*application\/json\s*(;|$)/i.test(String(req.headers["content-type"] ?? ""))) {
      count(UNVERIFIED, "invalid");
      throw new HttpError(415, 'Content-Type must be "application/json"');
    }
    const id = header(req, "x-github-delivery");
    const signature = header(req, "x-hub-signature-256");
    const missing = [
      !id && "x-github-delivery",
      !name && "x-github-event",
      !signature && "x-hub-signature-256",
    ].filter(Boolean);
    if (missing.length > 0) {
      req.resume();
      count(UNVERIFIED, "invalid");
      o.log.warn({ missing }, "webhook refused: headers missing");
      throw new HttpError(400, `Required headers missing: ${missing.join(", ")}`);
    }
    const body = await readBody(req, maxBody).catch((error) => {
      count(UNVERIFIED, "invalid");
      throw error;
    });
    if (!(await verify(webhook.secret, body, String(signature)).catch(() => false))) {
      count(UNVERIFIED, "refused");
      o.log.warn({ delivery: id, event: name }, "webhook refused: signature does not match");
      throw new HttpError(401, "signature does not match");
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch {
      count(String(name), "invalid");
      o.log.warn({ delivery: id, event: name }, "webhook refused: malformed JSON");
      throw new HttpError(400, "malformed JSON");
    }
    // biome-ignore lint/suspicious/noExplicitAny: probot types the payload per event name.
    await webhook.probot.receive({ id: String(id), name: String(name), payload } as any).catch((error) => {
      count(String(name), "error");
      throw error;
    });
    send(res, 200, { ok: true });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `cannot listen on ${o.host}:${o.port} (${error.code ?? error.message})${error.code === "EADDRINUSE" ? "; another process uses the port: set PORT to a free one" : ""}`,
        ),
      ),
    );
    server.listen(o.port, o.host, resolve);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${address.port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Read the body as text, refusing (413) once it passes the cap, without buffering the rest. */
function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on("data", (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > max) {
        refused = true;
        chunks.length = 0;
        req.resume();
        reject(new HttpError(413, `payload over ${max} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!refused) resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", (error) => reject(new HttpError(400, error.message)));
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
