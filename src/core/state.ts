import { z } from "zod";
import { budgetBoundSchema } from "./budget-bound.js";
import { ciGateSchema } from "./ci-gate-state.js";
import { roundOutcomeSchema } from "./review/precision.js";
import { type StepJob, stepJobSchema } from "./steps.js";
import { usageSnapshotSchema } from "./usage.js";

/** ARCHITECTURE §2. */
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

/** The issue's title and body as the architect read them for a plan (later edits are not used). */
export const frozenIssueSchema = z.object({ title: z.string(), body: z.string(), hash: z.string() });
export type FrozenIssue = z.infer<typeof frozenIssueSchema>;

/**
 * A posted plan: its version, the comment that carries it, the hash of that comment's body, and the
 * issue text it was made from (which approval freezes with it).
 */
export const planRefSchema = z.object({
  version: z.number().int().positive(),
  commentId: z.number().int(),
  hash: z.string(),
  issue: frozenIssueSchema.optional(),
  /** When GitHub says the plan comment was created: the thread since then is read with one call. */
  postedAt: z.string().optional(),
});
export type PlanRef = z.infer<typeof planRefSchema>;

/**
 * A step on a queue, as the workflow remembers it: to show it, to know whether it is still wanted,
 * and to queue it again (`/triad retry`, also after Redis lost the queue) from the job data kept here.
 */
export const stepRefSchema = z.object({
  jobId: z.string(),
  /** What a maintainer reads in the tracking comment, e.g. "developer: implement plan v2". */
  label: z.string(),
  step: stepJobSchema,
});
export type StepRef = z.infer<typeof stepRefSchema>;

export const workflowStateSchema = z.object({
  v: z.literal(1),
  repo: z.string(),
  issue: z.number().int().positive(),
  /** The app installation the workflow's repository belongs to (every step runs as it). */
  installationId: z.number().int(),
  phase: z.enum(PHASES),
  /** Who labelled the issue, for the tracking comment. */
  startedBy: z.string(),
  startedAt: z.string(),
  updatedAt: z.string(),
  trackingCommentId: z.number().int().optional(),
  /**
   * triad's own marked comments on the issue, by marker key (`markerKey`), as the interpreter wrote
   * or last listed them: a marker not here has never been written (outside a decision begun by an
   * earlier job), so it is posted without listing the thread first; one here is edited by its id.
   * Absent: not known (a state from before it was kept): the thread is listed, and it is learned.
   */
  posted: z.record(z.string(), z.number().int()).optional(),
  /** The hash of the tracking comment's body as last written: the same body is not written again. */
  trackingHash: z.string().optional(),
  /** A decision's tracking edit was left to a later one of the same drain (more events waited). */
  trackingOwed: z.boolean().optional(),
  planVersion: z.number().int().min(0).default(0),
  fixRound: z.number().int().min(0).default(0),
  /** Delivery that started the current run; a new label after `stopped` starts a new run. */
  runId: z.string(),
  note: z.string().optional(),
  /** The latest plan the architect posted. */
  plan: planRefSchema.optional(),
  /** The plan version a maintainer approved, frozen (content hash) at approval time, with the issue text. */
  approved: planRefSchema.extend({ by: z.string(), approvalCommentId: z.number().int() }).optional(),
  /** The issue was edited after the current plan was written: shown, never used. */
  issueEditedSincePlan: z.boolean().default(false),
  /** triad's branch for this workflow, named once (at the first approval) and kept. */
  branch: z.string().optional(),
  /** Highest id of a human comment already given to the architect: a turn never reads it twice. */
  seenCommentId: z.number().int().default(0),
  /**
   * The issue carries the repository's important label (two reviewers): read with the issue when the
   * workflow starts, then kept by the label events, so a round need not read the labels again.
   */
  important: z.boolean().optional(),
  /** Comments handled before their webhooks came, ahead of a later approval (earlier-comments.ts). */
  handledAhead: z.array(z.number().int()).default([]),
  /** Architect turns so far (questions and plans). */
  architectTurns: z.number().int().default(0),
  /** The step waiting on a queue or running, if any. */
  queued: stepRefSchema.optional(),
  /** The queued step waits for the installation's turn: this many workflows are ahead of it. */
  waiting: z.object({ ahead: z.number().int().min(0) }).optional(),
  /** The step that failed for good, for `/triad retry`. */
  failed: stepRefSchema.extend({ error: z.string() }).optional(),
  /** The developer's progress through the approved plan's steps, for the tracking checklist. */
  devSteps: z.array(z.object({ title: z.string(), done: z.boolean() })).optional(),
  /** The pull request triad opened for this workflow. */
  pr: z
    .object({ number: z.number().int(), url: z.string(), branch: z.string(), headSha: z.string() })
    .optional(),
  /** The reviewers wait for the repository's CI on the PR's head (src/core/ci-gate.ts). */
  ci: ciGateSchema.optional(),
  /** The head sha the reviewers reviewed last (the next round reviews only what changed since). */
  reviewedSha: z.string().optional(),
  /** A review round that saw less than `review_coverage_threshold` of the change (review/coverage.ts). */
  notFullyReviewed: z.object({ headSha: z.string(), share: z.number(), threshold: z.number() }).optional(),
  /** Keys of findings raised in earlier rounds of this plan's implementation (never raised twice). */
  raisedKeys: z.array(z.string()).default([]),
  /** Findings a maintainer overruled (👎 or `/triad ignore`), with who did it. */
  ignored: z.array(z.object({ key: z.string(), by: z.string(), how: z.string() })).default([]),
  /**
   * What each fix round of this plan's implementation changed, oldest first: paths, and the
   * configured component globs they fall in (the confidence-spiral guard).
   */
  changes: z
    .array(z.object({ files: z.array(z.string()), components: z.array(z.string()).default([]) }))
    .default([]),
  /** Reviews and `/triad fix` from people without write access: shown, never acted on. */
  notActedOn: z.array(z.object({ by: z.string(), what: z.string(), at: z.string() })).default([]),
  /** Links to what triad posted, for the tracking comment. */
  links: z
    .object({
      questions: z.string().optional(),
      plan: z.string().optional(),
      ruling: z.string().optional(),
      reviews: z.array(z.string()).default([]),
    })
    .default({ reviews: [] }),
  /** The workflow's budget as configured when it started (shown against the spend). */
  budget: z.object({ maxTokens: z.number(), maxCostUsd: z.number() }).optional(),
  /** What each round of this plan's implementation did, for the PR body (short). */
  roundNotes: z
    .array(
      z.object({ round: z.number().int(), sha: z.string(), summary: z.string(), files: z.array(z.string()) }),
    )
    .default([]),
  /**
   * What became of each review round's findings (reviewer precision, review/precision.ts), merged by
   * round: kept here so the tracking comment's data carries them and a lost ledger is rebuilt from it.
   */
  roundOutcomes: z.array(roundOutcomeSchema).default([]),
  /** Findings so far, by severity and by who raised them (the final summary). */
  findingStats: z.record(z.string(), z.number()).default({}),
  /** When each phase was first entered (ISO), for the final summary. */
  phaseTimes: z.record(z.string(), z.string()).default({}),
  /** Model usage per role and model. */
  usage: usageSnapshotSchema.optional(),
  /** The budget the approval bound to the plan, and the step held while paused for it (budget-pause.ts). */
  budgetBound: budgetBoundSchema.optional(),
});

export type WorkflowState = z.infer<typeof workflowStateSchema>;

export function workflowKey(repo: string, issue: number): string {
  return `${repo}#${issue}`;
}

/** What every step of this workflow's current run carries. */
export function stepBase(state: WorkflowState): Pick<StepJob, "installationId" | "repo" | "issue" | "runId"> {
  const [owner = "", name = ""] = state.repo.split("/");
  return {
    installationId: state.installationId,
    repo: { owner, name },
    issue: state.issue,
    runId: state.runId,
  };
}

/** Phases in which the workflow is live and reacts to comments and commands. */
export function isActive(phase: Phase): boolean {
  return !["stopped", "merged", "closed"].includes(phase);
}

/** Phases in which nothing runs and a human acts next. */
export function isResting(phase: Phase): boolean {
  return phase === "ready" || phase === "needs-human";
}
