import type { OpenFindings } from "../core/effects.js";
import { contentHash } from "../core/markers.js";
import type { FindingSet } from "../core/review/finding.js";
import { type WorkflowState, workflowKey, workflowStateSchema } from "../core/state.js";
import { stepOfJob } from "../core/steps.js";
import { TriadError } from "../errors.js";
import type {
  CallLogStore,
  CallRecord,
  Fence,
  FindingsStore,
  OutboxStore,
  PendingEffects,
  SpendRecord,
  SpendStore,
  StateStore,
  StepResultStore,
} from "../ports/stores.js";
import type { Keys } from "../queue/names.js";
import type { RedisConnection } from "../queue/redis.js";

const DAY = 24 * 3600;
const OUTBOX_SECONDS = 30 * DAY;

/**
 * The outbox write behind a fence: only while the lock key still holds the job's token. Returns the
 * state it replaced (for `onSaved`), or nil when the lock is no longer the job's and nothing was written.
 */
const FENCED_WRITE = `
if redis.call("get", KEYS[1]) ~= ARGV[1] then return nil end
local before = redis.call("get", KEYS[2])
redis.call("set", KEYS[2], ARGV[2])
if ARGV[3] == "" then redis.call("del", KEYS[3]) else redis.call("set", KEYS[3], ARGV[3], "EX", ARGV[4]) end
return {1, before or ""}`;
/** Model calls kept per workflow for `/triad log` (a long developer round makes a few dozen). */
const CALLS_KEPT = 300;

export interface RedisStoreOptions {
  /**
   * Told of every state save with the state it replaced (read in the same transaction), e.g. to count
   * workflow outcomes for /metrics. Errors in it are its own.
   */
  onSaved?: (before: WorkflowState | undefined, after: WorkflowState) => void;
}

/** The Redis stores of the ports (src/ports/stores.ts). */
export function redisStores(redis: RedisConnection, k: Keys, o: RedisStoreOptions = {}) {
  const wf = (state: Pick<WorkflowState, "repo" | "issue">) => workflowKey(state.repo, state.issue);
  const parseState = (raw: string | null | undefined) => {
    if (!raw) return undefined;
    const parsed = workflowStateSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  };
  /** Runs a transaction that starts with the state's GET when someone listens to saves. */
  const saving = async (s: WorkflowState, write: (m: ReturnType<RedisConnection["multi"]>) => void) => {
    const m = redis.multi();
    if (o.onSaved) m.get(k.state(wf(s)));
    write(m);
    const replies = await m.exec();
    if (o.onSaved) {
      const before = replies?.[0]?.[1];
      try {
        o.onSaved(parseState(typeof before === "string" ? before : undefined), s);
      } catch {
        // Metrics never fail a save.
      }
    }
  };

  const state: StateStore = {
    async get(workflow) {
      return parseState(await redis.get(k.state(workflow)));
    },
    async save(s) {
      await saving(s, (m) => m.set(k.state(wf(s)), JSON.stringify(s)));
    },
  };

  const fenced = async (s: WorkflowState, pending: PendingEffects | undefined, fence: Fence) => {
    const reply = (await redis.eval(
      FENCED_WRITE,
      3,
      fence.key,
      k.state(wf(s)),
      k.outbox(wf(s)),
      fence.token,
      JSON.stringify(s),
      pending ? JSON.stringify(pending) : "",
      String(OUTBOX_SECONDS),
    )) as [number, string] | null;
    if (!reply)
      throw new TriadError("lock_lost", `${wf(s)}: the workflow lock is no longer this job's; nothing saved`);
    try {
      o.onSaved?.(parseState(reply[1] || undefined), s);
    } catch {
      // Metrics never fail a save.
    }
  };

  const outbox: OutboxStore = {
    async get(workflow) {
      const raw = await redis.get(k.outbox(workflow));
      return raw ? (JSON.parse(raw) as PendingEffects) : undefined;
    },
    async put(s, pending, fence) {
      if (fence) return fenced(s, pending, fence);
      await saving(s, (m) =>
        m
          .set(k.state(wf(s)), JSON.stringify(s))
          .set(k.outbox(wf(s)), JSON.stringify(pending), "EX", OUTBOX_SECONDS),
      );
    },
    async done(s, fence) {
      if (fence) return fenced(s, undefined, fence);
      await saving(s, (m) => m.set(k.state(wf(s)), JSON.stringify(s)).del(k.outbox(wf(s))));
    },
  };

  const results: StepResultStore = {
    async get<T>(jobId: string) {
      const raw = await redis.get(k.result(jobId));
      return raw ? (JSON.parse(raw) as T) : undefined;
    },
    async set(jobId, value) {
      await redis.set(k.result(jobId), JSON.stringify(value), "EX", 7 * DAY);
    },
    async delete(jobId) {
      await redis.del(k.result(jobId));
    },
  };

  const findings: FindingsStore = {
    async getOpen(workflow) {
      const raw = await redis.get(k.findings(workflow));
      return raw ? (JSON.parse(raw) as OpenFindings) : undefined;
    },
    async saveOpen(workflow, open) {
      await redis.set(k.findings(workflow), JSON.stringify(open), "EX", 30 * DAY);
    },
    async pending(workflow) {
      const list = await redis.hvals(k.pending(workflow));
      return list.map((s) => JSON.parse(s) as FindingSet);
    },
    async addPending(workflow, set) {
      // Keyed by content: adding the same set again (a decision carried out twice) keeps one.
      const json = JSON.stringify(set);
      await redis
        .multi()
        .hset(k.pending(workflow), contentHash(json), json)
        .expire(k.pending(workflow), 30 * DAY)
        .exec();
    },
    async clearPending(workflow) {
      await redis.del(k.pending(workflow));
    },
  };

  const spend: SpendStore = {
    async record(jobId, line) {
      await redis
        .multi()
        .rpush(k.spend(jobId), JSON.stringify(line))
        .expire(k.spend(jobId), 7 * DAY)
        .exec();
    },
    async lines(jobId) {
      return (await redis.lrange(k.spend(jobId), 0, -1)).map((l) => JSON.parse(l) as SpendRecord);
    },
    async clear(jobId) {
      await redis.del(k.spend(jobId));
    },
  };

  const calls: CallLogStore = {
    async record(workflow, call) {
      await redis
        .multi()
        .rpush(k.calls(workflow), JSON.stringify(call))
        .ltrim(k.calls(workflow), -CALLS_KEPT, -1)
        .expire(k.calls(workflow), 30 * DAY)
        .exec();
    },
    async lastStep(workflow) {
      const all = (await redis.lrange(k.calls(workflow), 0, -1)).map((l) => JSON.parse(l) as CallRecord);
      const last = all.at(-1);
      if (!last) return [];
      const step = stepOfJob(last.jobId);
      return all.filter((c) => stepOfJob(c.jobId) === step);
    },
  };

  return { state, outbox, results, findings, spend, calls };
}
export type Stores = ReturnType<typeof redisStores>;
