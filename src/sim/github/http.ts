/** Request context, routing, error bodies and pagination shared by every route module. */
import type { IncomingMessage } from "node:http";
import type { SimBehaviour } from "./behaviour.js";
import type { App, Installation, Repo, SimState, User } from "./state.js";
import type { WebhookDispatcher } from "./webhooks.js";

export type Actor =
  | { kind: "app"; app: App }
  | { kind: "installation"; installation: Installation; app: App; user: User }
  | { kind: "user"; user: User };

export interface SimContext {
  readonly state: SimState;
  readonly baseUrl: string;
  /** The app whose webhook the simulator delivers to (others may be registered, see `registerApp`). */
  readonly app: App;
  /** The strictness currently in force (options, then runtime setters). */
  readonly behaviour: SimBehaviour;
  /** The primary app's webhook: deliveries so far, redelivery. */
  readonly webhooks: WebhookDispatcher;
  /** Queue a webhook; it is delivered after the current response has been sent. */
  emit(repo: Repo, event: string, payload: Record<string, unknown>, sender: User): void;
}

export interface Request {
  method: string;
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  headers: IncomingMessage["headers"];
  body: unknown;
  actor: Actor | undefined;
}

export interface Reply {
  status: number;
  body?: unknown;
  /** Sent as-is instead of JSON. */
  raw?: Buffer | string;
  headers?: Record<string, string>;
}

export type Handler = (req: Request, sim: SimContext) => Reply | Promise<Reply>;

const DOCS = "https://docs.github.com/rest";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: unknown[],
    /** The endpoint's documentation page, as GitHub names it in `documentation_url`. */
    readonly docs: string = DOCS,
  ) {
    super(message);
  }

  toBody(): Record<string, unknown> {
    return {
      message: this.message,
      documentation_url: this.docs,
      ...(this.errors ? { errors: this.errors } : {}),
      status: String(this.status),
    };
  }
}

export const notFound = () => new HttpError(404, "Not Found");

export function validationFailed(resource: string, field: string, code = "missing_field", message?: string) {
  return new HttpError(422, "Validation Failed", [
    { resource, field, code, ...(message ? { message } : {}) },
  ]);
}

export interface Route {
  method: string;
  /** The path template as @octokit/openapi writes it: `/repos/{owner}/{repo}/issues/{issue_number}`. */
  template: string;
  regex: RegExp;
  names: string[];
  handler: Handler;
}

/** Parameters that may contain slashes (refs, file paths, `base...head`), as on GitHub. */
const GREEDY = new Set(["ref", "path", "branch", "basehead", "tree_sha"]);

/**
 * `template` uses @octokit/openapi's path keys, so the call log, fault rules, rate limits and the
 * openapi check all name an endpoint the same way. `{name}` matches one path segment, or the rest of
 * the path for the parameters in GREEDY. Parameters are percent-decoded after matching, so
 * `heads%2Ffeature` and `heads/feature` both work.
 */
export function route(method: string, template: string, handler: Handler): Route {
  const names: string[] = [];
  const source = template
    .split("/")
    .map((seg) => {
      const m = /^\{(\w+)\}$/.exec(seg);
      if (m) {
        const name = m[1] as string;
        names.push(name);
        return GREEDY.has(name) ? "(.+?)" : "([^/]+)";
      }
      return seg.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return { method, template, regex: new RegExp(`^${source}/?$`), names, handler };
}

export function matchRoute(
  routes: Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | "method" | undefined {
  let methodMismatch = false;
  for (const r of routes) {
    const m = r.regex.exec(path);
    if (!m) continue;
    if (r.method !== method && !(method === "HEAD" && r.method === "GET")) {
      methodMismatch = true;
      continue;
    }
    const params: Record<string, string> = {};
    r.names.forEach((n, i) => {
      params[n] = decodeURIComponent(m[i + 1] ?? "");
    });
    return { route: r, params };
  }
  return methodMismatch ? "method" : undefined;
}

/** Slices `items` by `per_page` (default 30, max 100) and `page`, and builds GitHub's Link header. */
export function paginate<T>(
  req: Request,
  sim: SimContext,
  items: T[],
): { page: T[]; headers: Record<string, string> } {
  const perPage = Math.min(Math.max(Number(req.query.get("per_page") ?? 30) || 30, 1), 100);
  const page = Math.max(Number(req.query.get("page") ?? 1) || 1, 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const link = (p: number, rel: string) => {
    const q = new URLSearchParams(req.query);
    q.set("per_page", String(perPage));
    q.set("page", String(p));
    return `<${sim.baseUrl}${req.path}?${q.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(page - 1, "prev"));
  if (page < last) links.push(link(page + 1, "next"));
  if (page < last) links.push(link(last, "last"));
  if (page > 1) links.push(link(1, "first"));
  return {
    page: items.slice((page - 1) * perPage, page * perPage),
    headers: links.length > 0 ? { link: links.join(", ") } : {},
  };
}

export function paged<T>(req: Request, sim: SimContext, items: T[], map: (item: T) => unknown): Reply {
  const { page, headers } = paginate(req, sim, items);
  return { status: 200, body: page.map(map), headers };
}

export function bodyObject(req: Request): Record<string, unknown> {
  const b = req.body;
  if (b === undefined || b === null) return {};
  if (typeof b !== "object" || Array.isArray(b)) throw new HttpError(400, "Problems parsing JSON");
  return b as Record<string, unknown>;
}

export function str(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new HttpError(422, `Invalid request.\n\n"${key}" is not a string.`);
  return v;
}

export function int(value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw notFound();
  return n;
}
