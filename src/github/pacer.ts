import { randomUUID } from "node:crypto";
import type { RedisConnection } from "../queue/redis.js";
import type { PacingConfig } from "./pacing-config.js";
import { type GitHubTime, sleep } from "./time.js";

/**
 * One pacer per installation, shared by every triad process through Redis (ARCHITECTURE §6). Before
 * each request it answers "go now", "go at your slot" or "wait this long":
 *
 * - an installation that GitHub refused (a primary or secondary limit) waits as long as GitHub asked,
 *   every request of it, in every process (`block`);
 * - the primary budget is what the last answers' `x-ratelimit-remaining` said, less what was sent
 *   since; at the reserve, requests wait for `x-ratelimit-reset` (failure reports may use the reserve);
 * - content-creating requests stay under `contentPerMinute` and `contentPerHour` (sliding windows);
 * - mutative requests get slots `writeSpacingMs` apart, in the order they asked (spacing, not
 *   batching: on an idle installation the first write goes at once), run one at a time, and each
 *   starts at least `writeSpacingMs` after the previous one ended.
 *
 * Times in Redis are Redis's own clock (`TIME`), so processes on several machines agree; windows and
 * spacings are GitHub time converted to real time with `GitHubTime`.
 */
const ADMIT = `
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local blocked = tonumber(redis.call("GET", KEYS[1]) or "0")
if blocked > now then return {blocked - now, "blocked", 0} end
local rem = tonumber(redis.call("HGET", KEYS[2], "remaining") or "-1")
local reset = tonumber(redis.call("HGET", KEYS[2], "reset") or "0")
local reserve = tonumber(ARGV[8])
if reset > now and rem >= 0 and rem <= reserve then return {reset - now, "primary", 0} end
local write = ARGV[1] == "1"
local start = now
if write then start = math.max(now, tonumber(redis.call("GET", KEYS[4]) or "0")) end
if ARGV[2] == "1" then
  local minuteWindow = tonumber(ARGV[5])
  local hourWindow = tonumber(ARGV[7])
  redis.call("ZREMRANGEBYSCORE", KEYS[3], "-inf", now - hourWindow)
  if redis.call("ZCARD", KEYS[3]) >= tonumber(ARGV[6]) then
    local oldest = redis.call("ZRANGE", KEYS[3], 0, 0, "WITHSCORES")
    return {math.max(1, tonumber(oldest[2]) + hourWindow - now), "content-hour", 0}
  end
  local recent = redis.call("ZRANGEBYSCORE", KEYS[3], start - minuteWindow, "+inf", "WITHSCORES")
  if #recent / 2 >= tonumber(ARGV[4]) then
    return {math.max(1, tonumber(recent[2]) + minuteWindow - now), "content-minute", 0}
  end
  redis.call("ZADD", KEYS[3], start, ARGV[9])
  redis.call("PEXPIRE", KEYS[3], hourWindow + (start - now) + 60000)
end
if write then
  local spacing = tonumber(ARGV[3])
  redis.call("SET", KEYS[4], start + spacing, "PX", start + spacing - now + 60000)
end
if rem > 0 and reset > now then redis.call("HINCRBY", KEYS[2], "remaining", -1) end
return {0, "ok", start - now}`;

const OBSERVE = `
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rem = tonumber(ARGV[1])
local reset = now + tonumber(ARGV[2])
local storedReset = tonumber(redis.call("HGET", KEYS[1], "reset") or "0")
if storedReset > now and math.abs(storedReset - reset) <= tonumber(ARGV[3]) then
  local stored = tonumber(redis.call("HGET", KEYS[1], "remaining") or "-1")
  if stored >= 0 and stored < rem then rem = stored end
  reset = storedReset
end
redis.call("HSET", KEYS[1], "remaining", rem, "reset", reset)
redis.call("PEXPIRE", KEYS[1], math.max(1000, reset - now + 1000))
return rem`;

const BLOCK = `
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilMs = now + tonumber(ARGV[1])
local current = tonumber(redis.call("GET", KEYS[1]) or "0")
if current > untilMs then untilMs = current end
redis.call("SET", KEYS[1], untilMs, "PX", untilMs - now + 1000)
return untilMs - now`;

/** Takes the write turn; answers -1 when it is taken, else how long to wait after the last write ended. */
const TAKE_TURN = `
if not redis.call("SET", KEYS[1], ARGV[1], "NX", "PX", ARGV[2]) then return -1 end
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local last = tonumber(redis.call("GET", KEYS[2]) or "0")
return math.max(0, last + tonumber(ARGV[3]) - now)`;

/** Gives the write turn back and notes when the write ended. */
const GIVE_TURN = `
if redis.call("GET", KEYS[1]) ~= ARGV[1] then return 0 end
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call("SET", KEYS[2], now, "PX", 3600000)
return redis.call("DEL", KEYS[1])`;

export interface PaceRequest {
  method: string;
  /** The openapi path template (or the URL, for later pages of a listing). */
  route: string;
  /** May use the primary reserve (failure reports). */
  priority?: boolean;
}

/** What the pacer said: go (a write at its slot, `slotMs` from now, then `takeWriteTurn`), or wait `waitMs` and ask again. */
export type PaceAnswer =
  | { go: true; slotMs: number }
  | { go: false; waitMs: number; why: "blocked" | "primary" | "content-hour" | "content-minute" };

/**
 * "Creating content too quickly using this endpoint may result in secondary rate limiting"
 * (@octokit/openapi 23, the operations' descriptions) — the endpoints triad calls that say so.
 */
const CONTENT_CREATING = [
  /^POST \/repos\/\{owner\}\/\{repo\}\/issues$/,
  /^POST \/repos\/\{owner\}\/\{repo\}\/issues\/\{issue_number\}\/comments$/,
  /^POST \/repos\/\{owner\}\/\{repo\}\/pulls$/,
  /^POST \/repos\/\{owner\}\/\{repo\}\/pulls\/\{pull_number\}\/comments$/,
  /^POST \/repos\/\{owner\}\/\{repo\}\/pulls\/\{pull_number\}\/comments\/\{comment_id\}\/replies$/,
  /^POST \/repos\/\{owner\}\/\{repo\}\/pulls\/\{pull_number\}\/reviews$/,
  /^PUT \/repos\/\{owner\}\/\{repo\}\/pulls\/\{pull_number\}\/merge$/,
];

export function isMutative(method: string): boolean {
  return !["GET", "HEAD", "OPTIONS"].includes(method.toUpperCase());
}

export function isContentCreating(method: string, route: string): boolean {
  const endpoint = `${method.toUpperCase()} ${route.replace(/^https?:\/\/[^/]+/, "").replace(/\?.*$/, "")}`;
  return CONTENT_CREATING.some((r) => r.test(endpoint));
}

/** The pacer's Redis keys for one installation, in one hash slot (Redis Cluster). */
function paceKeys(prefix: string, installationId: number) {
  const base = `${prefix}:{installation-${installationId}}:pace`;
  return {
    blocked: `${base}:blocked`,
    primary: `${base}:primary`,
    content: `${base}:content`,
    writeNext: `${base}:write-next`,
    writeTurn: `${base}:write-turn`,
    writeEnded: `${base}:write-ended`,
  };
}

/** How long a writer waits for the write turn before it checks again (real ms). */
const TURN_POLL_MS = 5;
/** A write turn not given back (a crashed process) frees itself after this long (real ms). */
const TURN_TTL_MS = 60_000;

export class Pacer {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
    private readonly config: PacingConfig,
    private readonly time: GitHubTime,
  ) {}

  get settings(): PacingConfig {
    return this.config;
  }

  /** Asks whether a request may go. A `go` for a write must be released when the write is done. */
  async ask(installationId: number, r: PaceRequest): Promise<PaceAnswer> {
    const k = paceKeys(this.prefix, installationId);
    const write = isMutative(r.method);
    const content = write && isContentCreating(r.method, r.route);
    // Real-time padding on the windows: GitHub counts a request when it arrives, a little after
    // triad counted it, and that delay varies.
    const pad = 500;
    const answer = (await this.redis.eval(
      ADMIT,
      4,
      k.blocked,
      k.primary,
      k.content,
      k.writeNext,
      write ? "1" : "0",
      content ? "1" : "0",
      String(Math.ceil(this.time.toRealMs(this.config.writeSpacingMs))),
      String(this.config.contentPerMinute),
      String(Math.ceil(this.time.toRealMs(60_000)) + pad),
      String(this.config.contentPerHour),
      String(Math.ceil(this.time.toRealMs(3_600_000)) + pad),
      String(r.priority ? 0 : this.config.primaryReserve),
      randomUUID(),
    )) as [number, string, number];
    const [waitMs, why, slotMs] = answer;
    if (waitMs > 0) return { go: false, waitMs, why: why as Extract<PaceAnswer, { go: false }>["why"] };
    return { go: true, slotMs: write ? slotMs : 0 };
  }

  /**
   * Waits for the write turn — one mutative request of the installation at a time, in every
   * process, at least `writeSpacingMs` after the previous one ended — and resolves with the function
   * that gives it back when the write is done.
   */
  async takeWriteTurn(installationId: number, signal?: AbortSignal): Promise<() => Promise<void>> {
    const k = paceKeys(this.prefix, installationId);
    const token = randomUUID();
    const spacing = String(Math.ceil(this.time.toRealMs(this.config.writeSpacingMs)));
    for (;;) {
      const wait = (await this.redis.eval(
        TAKE_TURN,
        2,
        k.writeTurn,
        k.writeEnded,
        token,
        String(TURN_TTL_MS),
        spacing,
      )) as number;
      if (wait >= 0) {
        const release = async () => {
          await this.redis.eval(GIVE_TURN, 2, k.writeTurn, k.writeEnded, token).catch(() => undefined);
        };
        try {
          await sleep(wait, signal);
        } catch (error) {
          await release();
          throw error;
        }
        return release;
      }
      await sleep(TURN_POLL_MS, signal);
    }
  }

  /** Notes the primary budget an answer reported (`x-ratelimit-remaining`, `-reset`, `date`). */
  async observe(installationId: number, headers: Record<string, unknown>): Promise<void> {
    const remaining = Number(headers["x-ratelimit-remaining"]);
    const reset = Number(headers["x-ratelimit-reset"]);
    if (!Number.isFinite(remaining) || !Number.isFinite(reset)) return;
    if (String(headers["x-ratelimit-resource"] ?? "core") !== "core") return;
    const date = Date.parse(String(headers.date ?? ""));
    const githubLeftMs = reset * 1000 - (Number.isFinite(date) ? date : Date.now());
    const k = paceKeys(this.prefix, installationId);
    await this.redis.eval(
      OBSERVE,
      1,
      k.primary,
      String(remaining),
      String(Math.max(0, Math.ceil(this.time.toRealMs(githubLeftMs)))),
      String(Math.ceil(this.time.toRealMs(5_000))),
    );
  }

  /** GitHub refused the installation: every request of it waits `githubMs` (GitHub time). Real ms. */
  async block(installationId: number, githubMs: number): Promise<number> {
    const k = paceKeys(this.prefix, installationId);
    return (await this.redis.eval(
      BLOCK,
      1,
      k.blocked,
      String(Math.ceil(this.time.toRealMs(githubMs))),
    )) as number;
  }
}
