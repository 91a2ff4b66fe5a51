import { z } from "zod";
import { workflowEventSchema } from "../core/events.js";
import { stepRefSchema } from "../core/state.js";

/**
 * Jobs of the events queue (besides the phase steps): a workflow's inbox to drain, a PR comment to
 * route to its workflow, a failure to record. Each names its workflow, so the worker can take the
 * workflow's lock.
 */
const workflowRef = {
  installationId: z.number().int(),
  repo: z.object({ owner: z.string(), name: z.string() }),
  issue: z.number().int().positive(),
};

export const controlJobSchema = z.discriminatedUnion("type", [
  /** Handle the workflow's inbox, oldest event first, until it is empty. */
  z.object({ type: z.literal("drain"), ...workflowRef }),
  /** A comment on a pull request: find the issue its triad branch belongs to, then queue it there. */
  z.object({ type: z.literal("route"), event: workflowEventSchema, receivedAt: z.number(), ...workflowRef }),
  /** A step failed for good (a final error, its attempts used up, or it stalled too often). */
  z.object({ type: z.literal("step_failed"), ref: stepRefSchema, error: z.string(), ...workflowRef }),
  /** The event at the head of the inbox could not be handled: report it and go on with the next. */
  z.object({ type: z.literal("event_failed"), error: z.string(), ...workflowRef }),
  /** The CI gate on a head timed out (a delayed job): the reviewers start without CI (src/core/ci-gate.ts). */
  z.object({ type: z.literal("ci_deadline"), headSha: z.string(), ...workflowRef }),
]);
export type ControlJob = z.infer<typeof controlJobSchema>;
export type WorkflowRef = Pick<ControlJob, "installationId" | "repo" | "issue">;
