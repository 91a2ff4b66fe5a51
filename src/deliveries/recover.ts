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
 * Each event is asked for once per failed attempt and by one worker only (a `SET NX` per attempt id),
 * and never again once an attempt succeeded; the web side's inbox takes a delivery GUID once, so an
 * event that did get through before is not handled twice either. A redelivery that fails too is
 * asked for again on a later pass, up to `MAX_ASKS` times.
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
  checked: number;
  failed: number;
  redelivered: number;
  /** Events left alone because their redelivery is still to come or was asked for too often. */
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
  now?: () => number;
}

const DAY_MS = 24 * 3600 * 1000;
/** GitHub redelivers only deliveries of the past three days (docs.github.com, "Redelivering webhooks"). */
const KEEP_SECONDS = 3 * 24 * 3600;
const MAX_ASKS = 3;

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
    const since = now() - Math.min(o.firstLookbackMs ?? 3600_000, 3 * DAY_MS);
    const attempts = await listSince(api, cursorId, since, o.maxPages ?? 10);
    result.checked = attempts.length;
    for (const [guid, list] of groupByGuid(attempts)) {
      if (list.some((a) => a.status_code >= 200 && a.status_code <= 299)) continue;
      result.failed++;
      const latest = list.reduce((a, b) => (b.id > a.id ? b : a));
      const asks = Number((await o.redis.get(k.asks(guid))) ?? 0);
      // One ask per failed attempt, whoever gets there first.
      const first = asks < MAX_ASKS && (await o.redis.set(k.asked(latest.id), "1", "EX", KEEP_SECONDS, "NX"));
      if (!first) {
        result.waiting++;
        continue;
      }
      await o.redis.multi().incr(k.asks(guid)).expire(k.asks(guid), KEEP_SECONDS).exec();
      await api.redeliver(latest.id);
      result.redelivered++;
      o.log.info(
        {
          guid,
          event: latest.action ? `${latest.event}.${latest.action}` : latest.event,
          status: latest.status_code,
        },
        "asked GitHub to redeliver a missed webhook",
      );
    }
    const newest = attempts.reduce((max, a) => Math.max(max, a.id), cursorId);
    // Attempts newer than the cursor are looked at next time: redeliveries asked for now among them.
    if (newest > cursorId) await o.redis.set(k.cursor, String(newest), "EX", KEEP_SECONDS);
  } finally {
    await o.redis.del(k.lock);
  }
  return result;
}

function recoveryKeys(prefix: string) {
  return {
    lock: `${prefix}:redelivery:lock`,
    /** The newest attempt id seen by the last pass; older ones were looked at then. */
    cursor: `${prefix}:redelivery:cursor`,
    asked: (attemptId: number) => `${prefix}:redelivery:asked:${attemptId}`,
    asks: (guid: string) => `${prefix}:redelivery:asks:${guid}`,
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
