import type { StepKind } from "../core/steps.js";

/**
 * Queue names and Redis keys in one place. BullMQ job ids may not contain ":" and may not be plain
 * integers; step ids are `<kind>-<stable id>` (src/core/steps.ts) so a repeat maps to the job that
 * already exists. Every per-workflow key carries the workflow in a hash tag (`{owner/repo#1}`), so a
 * Redis Cluster keeps one workflow's keys in one slot and multi-key writes stay atomic.
 */
export const EVENTS_QUEUE = "events";

/**
 * BullMQ's prefix: triad's prefix as a hash tag (`{triad}`). BullMQ's scripts touch many keys of a
 * queue at once (and a flow's parent and children across queues), which a Redis Cluster allows only
 * within one slot; the tag puts every queue key in one. Harmless on a single Redis.
 */
export function queuePrefix(prefix: string): string {
  return `{${prefix}}`;
}

export const STEP_QUEUE: Record<StepKind, string> = {
  architect: "architect",
  develop: "developer",
  /** The parent of a review flow: aggregates the reviewers' findings and decides. */
  review: "review",
  /** One reviewer's review: children of a review flow, run in parallel. */
  review_one: "reviewer",
};

export function deliveryJobId(deliveryId: string): string {
  return `delivery-${deliveryId.replace(/[^\w-]/g, "_")}`;
}

export function keys(prefix: string) {
  const wf = (name: string) => (workflow: string) => `${prefix}:{${workflow}}:${name}`;
  return {
    lock: wf("lock"),
    state: wf("state"),
    outbox: wf("outbox"),
    inbox: wf("inbox"),
    findings: wf("findings"),
    pending: wf("pending"),
    /** The model calls of recent steps, for `/triad log`. */
    calls: wf("calls"),
    /** A delivery already taken into a workflow's inbox. */
    seen: (workflow: string, deliveryId: string) => `${prefix}:{${workflow}}:seen:${deliveryId}`,
    /** A step's finished model result, by job id. */
    result: (jobId: string) => `${prefix}:result:${jobId}`,
    /** A step's model spend so far, by job id (failed attempts included). */
    spend: (jobId: string) => `${prefix}:spend:${jobId}`,
    cache: (name: string) => `${prefix}:cache:${name}`,
    /** A repository's reviewer-precision ledger (src/stores/precision-store.ts). */
    precision: (repo: string) => `${prefix}:precision:{${repo}}`,
    /** The repositories that have a precision ledger. */
    precisionRepos: () => `${prefix}:precision-repos`,
  };
}
export type Keys = ReturnType<typeof keys>;
