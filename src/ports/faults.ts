/**
 * Fault injection for crash tests, as a port: production wires `noFaults`; the test harness's worker
 * entry (src/sim/scripted-worker.ts) wires one that kills its own process at a named point, so a
 * test can check what a restarted worker finds.
 */
export type FaultPoint =
  | "after-tracking-comment"
  | "after-review-posted"
  | "after-blobs"
  | "after-tree"
  | "after-commit"
  | "after-ref"
  | "after-pr";

export interface Faults {
  at(point: FaultPoint): void | Promise<void>;
}

export const noFaults: Faults = { at: () => undefined };
