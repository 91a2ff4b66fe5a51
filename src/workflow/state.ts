import { z } from "zod";

/** ARCHITECTURE §2. `idle` is a workflow that has not started (or was reset by a new label). */
export const PHASES = [
  "planning",
  "awaiting-approval",
  "implementing",
  "reviewing",
  "fixing",
  "ready",
  "needs-human",
  "stopped",
  "merged",
  "closed",
] as const;
export type Phase = (typeof PHASES)[number];

export const workflowStateSchema = z.object({
  v: z.literal(1),
  repo: z.string(),
  issue: z.number().int().positive(),
  phase: z.enum(PHASES),
  /** Who labelled the issue, for the tracking comment. */
  startedBy: z.string(),
  startedAt: z.string(),
  updatedAt: z.string(),
  trackingCommentId: z.number().int().optional(),
  planVersion: z.number().int().min(0).default(0),
  fixRound: z.number().int().min(0).default(0),
  /** Delivery that started the current run; a new label after `stopped` starts a new run. */
  runId: z.string(),
  note: z.string().optional(),
});

export type WorkflowState = z.infer<typeof workflowStateSchema>;

export function workflowKey(repo: string, issue: number): string {
  return `${repo}#${issue}`;
}

/** Phases in which the workflow is live and reacts to comments and commands. */
export function isActive(phase: Phase): boolean {
  return !["stopped", "merged", "closed"].includes(phase);
}
