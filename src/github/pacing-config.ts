import { z } from "zod";
import { TriadError } from "../errors.js";

/**
 * How triad paces its GitHub requests per installation (ARCHITECTURE §6), from the environment.
 * Defaults are GitHub's published figures (docs.github.com, "Rate limits for the REST API" and
 * "Best practices for using the REST API"):
 *
 * - "If you're making a large number of POST, PATCH, PUT, or DELETE requests for a single user or
 *   client ID, wait at least one second between each request" → 1 s between mutative requests, and
 *   "make requests for a single user or client ID serially" → one at a time.
 * - "no more than 80 content-generating requests per minute and no more than 500 content-generating
 *   requests per hour" → 80 / 500.
 * - the primary budget (5,000 requests an hour for an installation) is read from the
 *   `x-ratelimit-*` headers of every answer; `reserve` requests of it are kept back for failure
 *   reports, so a workflow that failed can always say so.
 *
 * Durations are GitHub time (src/github/time.ts) except the request timeout, which is the client's.
 */
const number = (d: number) => z.coerce.number().int().min(0).default(d);

export const pacingEnvSchema = z.object({
  /** `off` sends every request at once (as probot with throttling off did); for comparisons only. */
  TRIAD_GITHUB_PACING: z.enum(["on", "off"]).default("on"),
  /** GitHub ms between two mutative requests of one installation. */
  TRIAD_GITHUB_WRITE_SPACING_MS: number(1000),
  TRIAD_GITHUB_CONTENT_PER_MINUTE: z.coerce.number().int().min(1).default(80),
  TRIAD_GITHUB_CONTENT_PER_HOUR: z.coerce.number().int().min(1).default(500),
  /** Requests of the primary budget kept for failure reports. */
  TRIAD_GITHUB_PRIMARY_RESERVE: number(50),
  /** Real ms a GitHub request may take before it is abandoned (GitHub itself gives up at 10 s). */
  TRIAD_GITHUB_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  /**
   * Real ms a request waits in the worker for the pacer; a longer wait (an hour's primary reset) is
   * handed to the queue, which delays the step and frees the worker.
   */
  TRIAD_GITHUB_MAX_INLINE_WAIT_MS: number(15_000),
  /**
   * Workflows of one installation that run steps at the same time; the rest wait their turn in order.
   * 10: an installation's budget (5,000 requests and 500 content-creating requests an hour) carries
   * about 60 workflows an hour at ≤ 70 requests and ≤ 8 content-creating ones each, so ten at a time
   * each get a share that finishes their GitHub work in about ten minutes.
   */
  TRIAD_GITHUB_MAX_ACTIVE_WORKFLOWS: z.coerce.number().int().min(1).default(10),
  /** GitHub ms a step waits out rate limits (in total) before it fails and says so. */
  TRIAD_GITHUB_LIMIT_WAIT_MAX_MS: number(2 * 3600_000),
});

export interface PacingConfig {
  enabled: boolean;
  writeSpacingMs: number;
  contentPerMinute: number;
  contentPerHour: number;
  primaryReserve: number;
  timeoutMs: number;
  maxInlineWaitMs: number;
  maxActiveWorkflows: number;
  limitWaitMaxMs: number;
}

export const DEFAULT_PACING: PacingConfig = pacingConfig({});

export function pacingConfig(env: NodeJS.ProcessEnv): PacingConfig {
  const parsed = pacingEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new TriadError("config_invalid", `GitHub pacing settings are wrong: ${problems}`);
  }
  const e = parsed.data;
  return {
    enabled: e.TRIAD_GITHUB_PACING === "on",
    writeSpacingMs: e.TRIAD_GITHUB_WRITE_SPACING_MS,
    contentPerMinute: e.TRIAD_GITHUB_CONTENT_PER_MINUTE,
    contentPerHour: e.TRIAD_GITHUB_CONTENT_PER_HOUR,
    primaryReserve: e.TRIAD_GITHUB_PRIMARY_RESERVE,
    timeoutMs: e.TRIAD_GITHUB_TIMEOUT_MS,
    maxInlineWaitMs: e.TRIAD_GITHUB_MAX_INLINE_WAIT_MS,
    maxActiveWorkflows: e.TRIAD_GITHUB_MAX_ACTIVE_WORKFLOWS,
    limitWaitMaxMs: e.TRIAD_GITHUB_LIMIT_WAIT_MAX_MS,
  };
}
