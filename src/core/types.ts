import type { z } from "zod";

/**
 * Small shared types of the core. The core names no adapter: where an adapter has the same shape
 * (the model layer's `FinishTool`, the diff's `Side`), these are structurally identical to it.
 */

/** Which side of a diff a line is on. */
export type Side = "LEFT" | "RIGHT";

/** A model tool whose validated input is the step's result (see src/models/tool-loop.ts FinishTool). */
export interface FinishToolSpec<F> {
  name: string;
  description: string;
  input: z.ZodType<F>;
}

/** A check run's state as triad reports it on `triad/review`. */
export type CheckState =
  | { status: "in_progress" }
  | { status: "completed"; conclusion: "success" | "neutral" | "failure" | "action_required" };

export type Reaction = "+1" | "-1" | "laugh" | "confused" | "heart" | "hooray" | "rocket" | "eyes";
