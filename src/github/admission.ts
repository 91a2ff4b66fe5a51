import type { RedisConnection } from "../queue/redis.js";

/**
 * Admission per installation (ARCHITECTURE §6): at most `cap` workflows of one installation run steps
 * at a time, in every process; the rest wait their turn in the order they first asked. An
 * installation's GitHub budget is shared by all its workflows, so a hundred labelled at once would
 * otherwise each crawl at a hundredth of it; admitted in turn, each finishes at a useful pace and the
 * others can say how many are ahead of them.
 *
 * A workflow is active from the first step admitted until it has no step queued (it rests, waiting
 * for a human, or ends). Entries are leases: an active one not renewed within `leaseMs`, or a waiting
 * one whose job stopped asking for `staleMs`, is dropped, so a crashed process blocks nobody for
 * long. Times are Redis's clock.
 */
const ENTER = `
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wf, cap, lease, stale, job = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", now)
for _, member in ipairs(redis.call("ZRANGE", KEYS[2], 0, -1)) do
  local seen = tonumber(redis.call("HGET", KEYS[3], member) or "0")
  if seen < now - stale and member ~= wf then
    redis.call("ZREM", KEYS[2], member)
    redis.call("HDEL", KEYS[3], member)
    redis.call("HDEL", KEYS[4], member)
  end
end
if redis.call("ZSCORE", KEYS[1], wf) then
  redis.call("ZADD", KEYS[1], now + lease, wf)
  return {1, 0}
end
redis.call("ZADD", KEYS[2], "NX", now, wf)
redis.call("HSET", KEYS[3], wf, now)
redis.call("HSET", KEYS[4], wf, job)
local rank = redis.call("ZRANK", KEYS[2], wf)
local free = cap - redis.call("ZCARD", KEYS[1])
if rank < free then
  redis.call("ZREM", KEYS[2], wf)
  redis.call("HDEL", KEYS[3], wf)
  redis.call("HDEL", KEYS[4], wf)
  redis.call("ZADD", KEYS[1], now + lease, wf)
  return {1, 0}
end
return {0, rank}`;

const LEAVE = `
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wf, cap = ARGV[1], tonumber(ARGV[2])
local was = redis.call("ZREM", KEYS[1], wf)
redis.call("ZREM", KEYS[2], wf)
redis.call("HDEL", KEYS[3], wf)
redis.call("HDEL", KEYS[4], wf)
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", now)
local free = cap - redis.call("ZCARD", KEYS[1])
if free <= 0 then return {} end
local next = redis.call("ZRANGE", KEYS[2], 0, free - 1)
local jobs = {}
for _, member in ipairs(next) do
  local job = redis.call("HGET", KEYS[4], member)
  if job then table.insert(jobs, job) end
end
return jobs`;

const RENEW = `
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if redis.call("ZSCORE", KEYS[1], ARGV[1]) then
  redis.call("ZADD", KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
  return 1
end
return 0`;

export type Entry = { admitted: true } | { admitted: false; ahead: number };

export interface AdmissionOptions {
  cap: number;
  /** Real ms an active workflow keeps its place without a step starting or ending. */
  leaseMs?: number;
  /** Real ms a waiting workflow keeps its place without its job asking again. */
  staleMs?: number;
  /** Real ms a workflow keeps its place after asking a human, so a quick answer goes on at once. */
  restMs?: number;
  /** Real ms between a waiting step's own checks (the workflow that gives a place up wakes it sooner). */
  recheckMs?: number;
}

export class Admission {
  private readonly leaseMs: number;
  private readonly staleMs: number;
  readonly restMs: number;
  readonly recheckMs: number;

  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
    private readonly o: AdmissionOptions,
  ) {
    this.leaseMs = o.leaseMs ?? 30 * 60_000;
    this.recheckMs = o.recheckMs ?? 30_000;
    this.staleMs = o.staleMs ?? Math.max(3 * 60_000, 4 * this.recheckMs);
    this.restMs = o.restMs ?? 2 * 60_000;
  }

  get cap(): number {
    return this.o.cap;
  }

  private keys(installationId: number): string[] {
    const base = `${this.prefix}:{installation-${installationId}}:admission`;
    return [`${base}:active`, `${base}:waiting`, `${base}:seen`, `${base}:jobs`];
  }

  /** Takes a place for the workflow (or keeps it), or says how many wait ahead of it. */
  async enter(installationId: number, workflow: string, job: string): Promise<Entry> {
    const [admitted, ahead] = (await this.redis.eval(
      ENTER,
      4,
      ...this.keys(installationId),
      workflow,
      String(this.o.cap),
      String(this.leaseMs),
      String(this.staleMs),
      job,
    )) as [number, number];
    return admitted === 1 ? { admitted: true } : { admitted: false, ahead };
  }

  /** Gives the place up; resolves with the jobs of the workflows whose turn it now is. */
  async leave(installationId: number, workflow: string): Promise<string[]> {
    return (await this.redis.eval(
      LEAVE,
      4,
      ...this.keys(installationId),
      workflow,
      String(this.o.cap),
    )) as string[];
  }

  /** Keeps an active workflow's place (its next step is queued). */
  async renew(installationId: number, workflow: string): Promise<void> {
    await this.redis.eval(RENEW, 1, this.keys(installationId)[0] as string, workflow, String(this.leaseMs));
  }

  /** An active workflow asked a human: it keeps its place for `restMs`. False when it had none. */
  async rest(installationId: number, workflow: string): Promise<boolean> {
    const kept = await this.redis.eval(
      RENEW,
      1,
      this.keys(installationId)[0] as string,
      workflow,
      String(this.restMs),
    );
    return kept === 1;
  }
}
