import {
  type PrecisionLedger,
  type ReviewRecord,
  type RoundOutcome,
  rebuildLedger,
  reviewRecordSchema,
  roundOutcomeSchema,
} from "../core/review/precision.js";
import type { LedgerEvent, PrecisionStore } from "../ports/precision.js";
import type { Keys } from "../queue/names.js";
import type { RedisConnection } from "../queue/redis.js";

/**
 * The precision ledger in Redis: one list of events per repository (append-only, so two workflows of
 * one repository recording at once lose nothing), folded when read. The fold is order-free — reviews
 * first, then every outcome, and a verdict only ever refines (`recordOutcome`) — so a repeat, or a
 * rebuild appended beside live events, counts nothing twice. The list keeps the newest `KEPT` events.
 */
const KEPT = 20_000;

export function foldEvents(events: readonly LedgerEvent[]): PrecisionLedger {
  const reviews: ReviewRecord[] = [];
  const outcomes: RoundOutcome[] = [];
  for (const e of events) {
    if ("review" in e) reviews.push(e.review);
    else outcomes.push(e.outcome);
  }
  return rebuildLedger(reviews, outcomes);
}

function parseEvent(raw: string): LedgerEvent | undefined {
  try {
    const value = JSON.parse(raw) as { review?: unknown; outcome?: unknown };
    if (value.review !== undefined) {
      const r = reviewRecordSchema.safeParse(value.review);
      return r.success ? { review: r.data } : undefined;
    }
    const o = roundOutcomeSchema.safeParse(value.outcome);
    return o.success ? { outcome: o.data } : undefined;
  } catch {
    return undefined;
  }
}

export function redisPrecisionStore(redis: RedisConnection, k: Keys): PrecisionStore {
  return {
    async load(repo) {
      const raw = await redis.lrange(k.precision(repo), 0, -1);
      if (raw.length === 0) return undefined;
      return foldEvents(raw.map(parseEvent).filter((e): e is LedgerEvent => e !== undefined));
    },
    async append(repo, events) {
      if (events.length === 0) return;
      const key = k.precision(repo);
      await redis.rpush(key, ...events.map((e) => JSON.stringify(e)));
      await redis.ltrim(key, -KEPT, -1);
      // A separate key (another slot on a cluster): the list of repositories /metrics reads.
      await redis.sadd(k.precisionRepos(), repo);
    },
    async repos() {
      return (await redis.smembers(k.precisionRepos())).sort();
    },
  };
}
