/**
 * How strictly the simulator plays GitHub: one object, given to `startSimulator` and changed at run
 * time with `sim.configure(patch)`. Two presets:
 *
 * - `SIM_FAITHFUL`: every rule GitHub documents or is seen to apply (rate limits, consistency lag,
 *   shuffled webhook delivery, size limits, …).
 * - `SIM_LENIENT_DEFAULTS`: size limits, diff limits, installation scope, tree deletes, replies to
 *   replies, and none of the others (rate limits, consistency lag, webhook reordering) — for tests of
 *   the simulator itself that need a quiet GitHub.
 *
 * `SIM_DEFAULTS` is `SIM_FAITHFUL`: triad is tested against GitHub as it is (tests shorten its
 * windows with a time scale).
 *
 * Durations are GitHub time (see clock.ts).
 */
import type { FaultSettings } from "./faults.js";

export interface PrimaryLimits {
  /**
   * Requests per hour for an installation token. "GitHub Apps authenticating with an installation
   * access token use the installation's minimum rate limit of 5,000 requests per hour … The rate
   * limit cannot increase beyond 12,500" (docs.github.com, Rate limits for the REST API).
   */
  installationPerHour: number;
  /** Personal tokens: "your personal rate limit of 5,000 requests per hour" (same page). */
  userPerHour: number;
  /** "The primary rate limit for unauthenticated requests is 60 requests per hour" (same page). */
  anonymousPerHour: number;
  /** GraphQL has its own primary budget of points per hour (resource `graphql`). */
  graphqlPointsPerHour: number;
  /** "you will receive a 403 or 429 response, and the x-ratelimit-remaining header will be 0" (same page). */
  status: 403 | 429;
}

export interface SecondaryLimits {
  /** "No more than 100 concurrent requests are allowed" (docs.github.com, Rate limits for the REST API). */
  concurrent: number;
  /**
   * "No more than 900 points per minute are allowed for REST API endpoints" to a single endpoint;
   * GET/HEAD/OPTIONS cost 1 point, POST/PATCH/PUT/DELETE 5 (same page, Calculating points).
   */
  pointsPerMinutePerEndpoint: number;
  /** "no more than 2,000 points per minute are allowed for the GraphQL API endpoint" (same page). */
  graphqlPointsPerMinute: number;
  /** "no more than 80 content-generating requests per minute and no more than 500 … per hour" (same page). */
  contentPerMinute: number;
  contentPerHour: number;
  /** How long a tripped secondary limit keeps refusing every request of that token. */
  penaltyMs: number;
  /**
   * Send `retry-after` (seconds left in the penalty). GitHub sometimes does and sometimes not; a
   * client must then "wait for at least one minute before retrying" (same page).
   */
  retryAfter: boolean;
  /**
   * Answer with the legacy message `You have triggered an abuse detection mechanism…`
   * (documentation_url developer.github.com/v3/#abuse-rate-limits, e.g. jcabi/jcabi-github#1325)
   * instead of today's `You have exceeded a secondary rate limit…`.
   */
  legacyMessage: boolean;
  status: 403 | 429;
}

export interface Limits {
  /** Counted per token; `false` sends the fixed headers of a fresh budget and never refuses. */
  primary: PrimaryLimits | false;
  secondary: SecondaryLimits | false;
  /** 422 for bodies over 65,536 characters, check-run output over 65,535 (size-limits.ts). */
  bodies: boolean;
  /** 406 `too_large` above 300 files / 20,000 lines of diff; compare files ≤ 300; PR files ≤ 3,000. */
  diffs: boolean;
}

export interface Consistency {
  /**
   * A ref made through the API is not yet usable as a pull request's head for this long:
   * `pulls.create` answers 422 head invalid (gitbutlerapp/gitbutler#4904, reenhanced/gitreflow#226).
   */
  refLagMs: number;
  /**
   * A new pull request is not yet a resolvable node for this long: adding labels answers 422 "Could
   * not resolve to a node with the global id of …" (peter-evans/create-pull-request#4322).
   */
  pullLagMs: number;
}

export interface WebhookDelivery {
  /**
   * "in-order": one at a time in the order the events happened. "shuffled": the next delivery is
   * any pending one (seeded): GitHub does not promise order, so `issues.closed` may arrive before
   * the `pull_request.closed` of the merge that caused it.
   */
  order: "in-order" | "shuffled";
  /** Chance (0–1, seeded) that a delivery is sent a second time with the same X-GitHub-Delivery. */
  duplicateRate: number;
  seed: number;
}

export interface GitHubRules {
  /**
   * A tree entry with `sha: null` for a path that does not exist: "refuse" answers 422
   * `GitRPC::BadObjectState` ("Returns an error if you try to delete a file that does not exist",
   * @octokit/openapi POST /repos/{owner}/{repo}/git/trees; seen in mckaywrigley/buildware-ai#29).
   */
  treeDeleteMissing: "refuse" | "ignore";
  /**
   * "This must be the ID of a top-level review comment, not a reply to that comment. Replies to
   * replies are not supported" (@octokit/openapi, pulls/create-reply-for-review-comment). "refuse"
   * answers 404 on the replies endpoint (its only documented error) and 422 for `in_reply_to` on
   * a reply; "thread" files the reply under the thread's root.
   */
  replyToReply: "refuse" | "thread";
  /**
   * The permission API for someone who is no collaborator of a public repository. Sources differ:
   * "read" (aws-ia/cloudformation-github-resource-providers#14: "the permission was always 'read'")
   * or "none" (the documented legacy roles include none).
   */
  publicNonCollaborator: "read" | "none";
  /**
   * Whether the diff media types carry `; charset=utf-8`. Third-party code quotes GitHub's type as
   * `application/vnd.github.v3.diff` with none; Octokit then hands back an ArrayBuffer (triad issue
   * 12, problem 8). The faithful preset leaves it out.
   */
  diffCharset: boolean;
}

export interface SimBehaviour {
  /** GitHub time runs this many times faster than real time (clock.ts). */
  timeScale: number;
  limits: Limits;
  consistency: Consistency;
  faults: FaultSettings;
  webhooks: WebhookDelivery;
  rules: GitHubRules;
}

export const GITHUB_PRIMARY_LIMITS: PrimaryLimits = {
  installationPerHour: 5000,
  userPerHour: 5000,
  anonymousPerHour: 60,
  graphqlPointsPerHour: 5000,
  status: 403,
};

export const GITHUB_SECONDARY_LIMITS: SecondaryLimits = {
  concurrent: 100,
  pointsPerMinutePerEndpoint: 900,
  graphqlPointsPerMinute: 2000,
  contentPerMinute: 80,
  contentPerHour: 500,
  penaltyMs: 60_000,
  retryAfter: false,
  legacyMessage: false,
  status: 403,
};

const STRICT_RULES: GitHubRules = {
  treeDeleteMissing: "refuse",
  replyToReply: "refuse",
  publicNonCollaborator: "read",
  diffCharset: true,
};

export const SIM_FAITHFUL: SimBehaviour = {
  timeScale: 1,
  limits: {
    primary: GITHUB_PRIMARY_LIMITS,
    secondary: GITHUB_SECONDARY_LIMITS,
    bodies: true,
    diffs: true,
  },
  // Lags seen in the threads cited above are "the same second" to a few seconds.
  consistency: { refLagMs: 1500, pullLagMs: 1500 },
  faults: { rules: [], random: false },
  webhooks: { order: "shuffled", duplicateRate: 0, seed: 1 },
  rules: { ...STRICT_RULES, diffCharset: false },
};

export const SIM_LENIENT_DEFAULTS: SimBehaviour = {
  timeScale: 1,
  limits: { primary: false, secondary: false, bodies: true, diffs: true },
  consistency: { refLagMs: 0, pullLagMs: 0 },
  faults: { rules: [], random: false },
  webhooks: { order: "in-order", duplicateRate: 0, seed: 1 },
  rules: STRICT_RULES,
};

/** What `startSimulator` uses for anything not given: GitHub as it is. */
export const SIM_DEFAULTS: SimBehaviour = SIM_FAITHFUL;

/** A patch: any key may be left out; `primary`/`secondary` take `false` or fields over GitHub's values. */
export interface BehaviourPatch {
  timeScale?: number;
  limits?: {
    primary?: false | Partial<PrimaryLimits>;
    secondary?: false | Partial<SecondaryLimits>;
    bodies?: boolean;
    diffs?: boolean;
  };
  consistency?: Partial<Consistency>;
  faults?: Partial<FaultSettings>;
  webhooks?: Partial<WebhookDelivery>;
  rules?: Partial<GitHubRules>;
}

function limitsOf<T extends object>(
  current: T | false,
  base: T,
  patch: false | Partial<T> | undefined,
): T | false {
  if (patch === undefined) return current;
  if (patch === false) return false;
  return { ...(current === false ? base : current), ...patch };
}

export function applyBehaviour(current: SimBehaviour, patch: BehaviourPatch = {}): SimBehaviour {
  return {
    timeScale: patch.timeScale ?? current.timeScale,
    limits: {
      primary: limitsOf(current.limits.primary, GITHUB_PRIMARY_LIMITS, patch.limits?.primary),
      secondary: limitsOf(current.limits.secondary, GITHUB_SECONDARY_LIMITS, patch.limits?.secondary),
      bodies: patch.limits?.bodies ?? current.limits.bodies,
      diffs: patch.limits?.diffs ?? current.limits.diffs,
    },
    consistency: { ...current.consistency, ...patch.consistency },
    faults: { ...current.faults, ...patch.faults },
    webhooks: { ...current.webhooks, ...patch.webhooks },
    rules: { ...current.rules, ...patch.rules },
  };
}
