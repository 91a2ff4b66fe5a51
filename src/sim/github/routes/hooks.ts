/**
 * The app's webhook deliveries (JWT only): list with cursor pagination, one delivery with its request
 * and response, redelivery. Shapes from @octokit/openapi (apps/list-webhook-deliveries,
 * apps/get-webhook-delivery, apps/redeliver-webhook-delivery; schemas hook-delivery-item and
 * hook-delivery); newest first, as the docs' redelivery script assumes (docs.github.com,
 * "Automatically redelivering failed deliveries for a GitHub App webhook").
 */
import {
  HttpError,
  int,
  notFound,
  type Reply,
  type Request,
  type Route,
  route,
  type SimContext,
} from "../http.js";
import type { Delivery } from "../webhooks.js";
import { requireApp } from "./app.js";

function itemJson(d: Delivery): Record<string, unknown> {
  return {
    id: d.deliveryId,
    guid: d.id,
    delivered_at: d.deliveredAt,
    redelivery: d.redelivery,
    duration: Math.round(d.durationMs) / 1000,
    status: d.statusText,
    status_code: d.status === "error" ? 0 : d.status,
    event: d.event,
    action: d.action ?? null,
    installation_id: d.installationId,
    repository_id: d.repositoryId,
    throttled_at: null,
  };
}

function fullJson(d: Delivery): Record<string, unknown> {
  return {
    ...itemJson(d),
    url: d.url ?? "",
    request: { headers: d.requestHeaders, payload: d.payload },
    response: { headers: d.responseHeaders, payload: d.responseBody },
  };
}

/** The primary app's deliveries, newest first; other registered apps have no webhook here. */
function deliveriesFor(req: Request, sim: SimContext): Delivery[] {
  const app = requireApp(req);
  if (app.id !== sim.app.id) return [];
  return [...sim.webhooks.deliveries].reverse();
}

/**
 * `status` filters by `status_code`: success is 200–399, failure 400–599 (@octokit/openapi,
 * parameter webhook-delivery-status) — an attempt nobody answered (code 0) is in neither.
 */
function byStatus(status: string | null): (d: Delivery) => boolean {
  const code = (d: Delivery) => (d.status === "error" ? 0 : d.status);
  if (status === "success") return (d) => code(d) >= 200 && code(d) <= 399;
  if (status === "failure") return (d) => code(d) >= 400 && code(d) <= 599;
  if (status)
    throw new HttpError(422, "Validation Failed", [{ resource: "Hook", field: "status", code: "invalid" }]);
  return () => true;
}

function list(req: Request, sim: SimContext): Reply {
  const all = deliveriesFor(req, sim).filter(byStatus(req.query.get("status")));
  const perPage = Math.min(Math.max(Number(req.query.get("per_page") ?? 30) || 30, 1), 100);
  // The cursor names the first delivery of a page (`v1_<id>`); pages go from newest to oldest.
  const cursor = req.query.get("cursor");
  let start = 0;
  if (cursor) {
    const m = /^v1_(\d+)$/.exec(cursor);
    if (!m) throw new HttpError(400, "Invalid cursor");
    const id = Number(m[1]);
    start = all.findIndex((d) => d.deliveryId <= id);
    if (start < 0) start = all.length;
  }
  const page = all.slice(start, start + perPage);
  const next = all[start + perPage];
  const link = (c: string, rel: string) => {
    const q = new URLSearchParams(req.query);
    q.set("per_page", String(perPage));
    q.set("cursor", c);
    return `<${sim.baseUrl}${req.path}?${q.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (next) links.push(link(`v1_${next.deliveryId}`, "next"));
  return {
    status: 200,
    body: page.map(itemJson),
    headers: links.length > 0 ? { link: links.join(", ") } : {},
  };
}

function findDelivery(req: Request, sim: SimContext): Delivery {
  const id = int(req.params.delivery_id);
  const d = deliveriesFor(req, sim).find((x) => x.deliveryId === id);
  if (!d) throw notFound();
  return d;
}

export const hookRoutes: Route[] = [
  route("GET", "/app/hook/deliveries", list),
  route("GET", "/app/hook/deliveries/{delivery_id}", (req, sim) => ({
    status: 200,
    body: fullJson(findDelivery(req, sim)),
  })),
  // 202 Accepted with an empty object; the new attempt is queued like any delivery.
  route("POST", "/app/hook/deliveries/{delivery_id}/attempts", (req, sim) => {
    void sim.webhooks.redeliverAttempt(findDelivery(req, sim));
    return { status: 202, body: {} };
  }),
];
