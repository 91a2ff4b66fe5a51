import type { Logger } from "pino";
import type { RedisConnection } from "../queue/redis.js";

/**
 * Missed deliveries (ARCHITECTURE §1): GitHub never redelivers a webhook by itself, so while `web`
 * was down or answered an error, those events are gone unless someone asks. This pass, run by the
 * worker (web makes no GitHub call), does what GitHub documents ("Automatically redelivering failed
 * deliveries for a GitHub App webhook", docs.github.com): list the app's deliveries
 * (`GET /app/hook/deliveries`, newest first), group the attempts by GUID, and for every event none of
 * whose attempts succeeded ask for one more (`POST /app/hook/deliveries/{id}/attempts`).
 *
 * Failed events are kept (by GUID) until one of their attempts succeeds, so a pass that finds no web
 * process up asks for nothing and loses nothing. Each is asked for once per failed attempt and by one
 * worker only (a `SET NX` per attempt id), never again once an attempt succeeded, and given up after
 * `MAX_ASKS_PER_EVENT` failed redeliveries. The web side's inbox takes a delivery GUID once, so an
 * event that did get through before is not handled twice either.
 */
export interface DeliveryItem {
  id: number;
  guid: string;
  delivered_at: string;
  status_code: number;
  event: string;
  action?: string | null;
}

/** The two calls this needs, as Octokit's `rest.apps` has them (JWT-authenticated). */
export interface DeliveriesApi {
  list(cursor: string | undefined): Promise<{ items: DeliveryItem[]; next: string | undefined }>;
  redeliver(id: number): Promise<void>;
}

export interface RecoveryResult {
  /** False when another worker's pass was running. */
  ran: boolean;
  /** Attempts listed this pass (newer than the last pass's). */
  checked: number;
  /** Events none of whose attempts succeeded, kept until one does (or GitHub's three days pass). */
  failed: number;
  redelivered: number;
  /** Failed events not asked for now: no web is up, a redelivery is on its way, or asked too often. */
  waiting: number;
}

export interface RecoveryOptions {
  redis: RedisConnection;
  prefix: string;
  log: Logger;
  /** The first pass (no cursor saved) looks this far back, at most GitHub's three days. */
  firstLookbackMs?: number;
  /** At most this many pages of 100 per pass. */
  maxPages?: number;
  /** At most this many redeliveries per pass (they count against the app's rate limit). */
  maxAsks?: number;
  now?: () => number;
}

const DAY_MS = 24 * 3600 * 1000;
/** GitHub redelivers only deliveries of the past three days (docs.github.com, "Redelivering webhooks"). */
const KEEP_MS = 3 * DAY_MS;
const KEEP_SECONDS = KEEP_MS / 1000;
/** Redeliveries asked for one event before it is given up (its answers say why, e.g. a 401). */
const MAX_ASKS_PER_EVENT = 5;
/** How long a web process's "I am up" lasts without being renewed. */
export const WEB_ALIVE_MS = 30_000;

interface Pending {
  /** The latest failed attempt's id (the one to redeliver). */
  id: number;
  at: string;
  event: string;
}

export function recoveryKeys(prefix: string) {
  return {
    lock: `${prefix}:redelivery:lock`,
    /** The newest attempt id seen by the last pass; older ones were looked at then. */
    cursor: `${prefix}:redelivery:cursor`,
    /** Failed events by GUID, until an attempt succeeds. */
    pending: `${prefix}:redelivery:pending`,
    asked: (attemptId: number) => `${prefix}:redelivery:asked:${attemptId}`,
    asks: (guid: string) => `${prefix}:redelivery:asks:${guid}`,
    /** One key per running web process, renewed while it takes webhooks (see `webAlive`). */
    web: (instance: string) => `${prefix}:web-alive:${instance}`,
    webPattern: `${prefix}:web-alive:*`,
  };
}

export async function recoverMissedDeliveries(
  api: DeliveriesApi,
  o: RecoveryOptions,
): Promise<RecoveryResult> {
  const k = recoveryKeys(o.prefix);
  const now = o.now ?? Date.now;
  const result: RecoveryResult = { ran: false, checked: 0, failed: 0, redelivered: 0, waiting: 0 };
  // One pass at a time across all workers; the TTL frees it if this worker dies mid-pass.
  if ((await o.redis.set(k.lock, String(now()), "PX", 5 * 60_000, "NX")) !== "OK") return result;
  result.ran = true;
  try {
    const cursorId = Number((await o.redis.get(k.cursor)) ?? 0);
    const since = now() - Math.min(o.firstLookbackMs ?? 3600_000, KEEP_MS);
    const attempts = await listSince(api, cursorId, since, o.maxPages ?? 10);
    result.checked = attempts.length;
    await remember(o.redis, k.pending, attempts);
    const newest = attempts.reduce((max, a) => Math.max(max, a.id), cursorId);
    if (newest > cursorId) await o.redis.set(k.cursor, String(newest), "EX", KEEP_SECONDS);

    const pending = await pendingEvents(o.redis, k.pending, now());
    result.failed = pending.length;
    // Asking while no web process is up would only make another failed attempt.
    const webUp = await anyWebAlive(o.redis, k.webPattern);
    let budget = o.maxAsks ?? 100;
    for (const [guid, p] of pending) {
      const asks = Number((await o.redis.get(k.asks(guid))) ?? 0);
      // One ask per failed attempt, whoever gets there first.
      const ask =
        webUp &&
        budget > 0 &&
        asks < MAX_ASKS_PER_EVENT &&
        (await o.redis.set(k.asked(p.id), "1", "EX", KEEP_SECONDS, "NX")) === "OK";
      if (!ask) {
        result.waiting++;
        continue;
      }
      budget--;
      await o.redis.multi().incr(k.asks(guid)).expire(k.asks(guid), KEEP_SECONDS).exec();
      await api.redeliver(p.id);
      result.redelivered++;
      o.log.info({ guid, event: p.event, attempt: p.id }, "asked GitHub to redeliver a missed webhook");
    }
    if (!webUp && pending.length > 0)
      o.log.info({ waiting: pending.length }, "missed webhooks wait for a web process to be up");
  } finally {
    await o.redis.del(k.lock);
  }
  return result;
}

/** Records events with no successful attempt, and forgets those that now have one. */
async function remember(redis: RedisConnection, key: string, attempts: DeliveryItem[]): Promise<void> {
  for (const [guid, list] of groupByGuid(attempts)) {
    if (list.some((a) => a.status_code >= 200 && a.status_code <= 299)) {
      await redis.hdel(key, guid);
      continue;
    }
    const latest = list.reduce((a, b) => (b.id > a.id ? b : a));
    const event = latest.action ? `${latest.event}.${latest.action}` : latest.event;
    const known = await redis.hget(key, guid);
    if (known && (JSON.parse(known) as Pending).id >= latest.id) continue;
    await redis.hset(
      key,
      guid,
      JSON.stringify({ id: latest.id, at: latest.delivered_at, event } satisfies Pending),
    );
  }
}

async function pendingEvents(
  redis: RedisConnection,
  key: string,
  now: number,
): Promise<Array<[string, Pending]>> {
  const all = Object.entries(await redis.hgetall(key)).map(
    ([guid, raw]) => [guid, JSON.parse(raw) as Pending] as const,
  );
  const out: Array<[string, Pending]> = [];
  for (const [guid, p] of all) {
    // GitHub no longer redelivers it.
    if (now - Date.parse(p.at) > KEEP_MS) await redis.hdel(key, guid);
    else out.push([guid, p]);
  }
  // Oldest first: events are asked for in the order they happened.
  return out.sort((a, b) => a[1].id - b[1].id);
}

async function anyWebAlive(redis: RedisConnection, pattern: string): Promise<boolean> {
  const nodes = "nodes" in redis && typeof redis.nodes === "function" ? redis.nodes("master") : [redis];
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", 1000);
      if (keys.length > 0) return true;
      cursor = next;
    } while (cursor !== "0");
  }
  return false;
}

/**
 * A web process says it is up (and can take webhooks) by renewing a key of its own; the recovery
 * pass asks GitHub for missed deliveries only while some web process is up. Returns a stop function.
 */
export function webAlive(redis: RedisConnection, prefix: string, instance: string): () => Promise<void> {
  const key = recoveryKeys(prefix).web(instance);
  const renew = () => redis.set(key, String(Date.now()), "PX", WEB_ALIVE_MS).catch(() => undefined);
  void renew();
  const timer = setInterval(renew, WEB_ALIVE_MS / 3);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await redis.del(key).catch(() => undefined);
  };
}

/**
 * Attempts newer than the cursor (or, on the first pass, delivered after `since`), newest first.
 * The list is newest first, so paging stops at the first attempt that is old enough.
 */
async function listSince(
  api: DeliveriesApi,
  cursorId: number,
  since: number,
  maxPages: number,
): Promise<DeliveryItem[]> {
  const out: DeliveryItem[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const { items, next } = await api.list(cursor);
    for (const item of items) {
      const old = cursorId > 0 ? item.id <= cursorId : Date.parse(item.delivered_at) < since;
      if (old) return out;
      out.push(item);
    }
    if (!next) break;
    cursor = next;
  }
  return out;
}

function groupByGuid(items: DeliveryItem[]): Map<string, DeliveryItem[]> {
  const groups = new Map<string, DeliveryItem[]>();
  for (const item of items) groups.set(item.guid, [...(groups.get(item.guid) ?? []), item]);
  return groups;
}

/** The deliveries API over an Octokit authenticated as the app (its JWT). */
export function octokitDeliveries(app: {
  rest: {
    apps: {
      listWebhookDeliveries(p: { per_page: number; cursor?: string }): Promise<{
        data: DeliveryItem[];
        headers: { link?: string | undefined };
      }>;
      redeliverWebhookDelivery(p: { delivery_id: number }): Promise<unknown>;
    };
  };
}): DeliveriesApi {
  return {
    async list(cursor) {
      const { data, headers } = await app.rest.apps.listWebhookDeliveries({
        per_page: 100,
        ...(cursor ? { cursor } : {}),
      });
      // The next page's cursor is in the Link header (@octokit/openapi, apps/list-webhook-deliveries).
      const next = /<[^>]*[?&]cursor=([^&>]+)[^>]*>;\s*rel="next"/.exec(headers.link ?? "")?.[1];
      return { items: data, next: next ? decodeURIComponent(next) : undefined };
    },
    async redeliver(id) {
      await app.rest.apps.redeliverWebhookDelivery({ delivery_id: id });
    },
  };
}
