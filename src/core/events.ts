import { z } from "zod";
import { isTriadCheck } from "./ci-gate-state.js";

/**
 * Webhook payloads are normalised into the few facts the workflow decides on, validated with zod at
 * the queue boundary (job data). Keeping the job small keeps Redis small: a 25 MB payload never
 * lands in the queue.
 */
const actor = z.object({ login: z.string(), type: z.string() });
const repoRef = z.object({ owner: z.string(), name: z.string() });

const common = {
  deliveryId: z.string(),
  installationId: z.number().int(),
  repo: repoRef,
  /** The workflow's issue number (for PR events: the issue the triad branch was made for). */
  issue: z.number().int().positive(),
  sender: actor,
};

export const workflowEventSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("issue_labeled"), label: z.string(), ...common }),
  z.object({ kind: z.literal("issue_unlabeled"), label: z.string(), ...common }),
  z.object({ kind: z.literal("issue_closed"), ...common }),
  /** The issue's title or body was edited: never a transition, only shown (the approved text is frozen). */
  z.object({ kind: z.literal("issue_edited"), ...common }),
  z.object({
    kind: z.literal("comment_created"),
    onPullRequest: z.boolean(),
    /** Set once a comment on a pull request has been routed to its workflow's issue. */
    pullNumber: z.number().int().optional(),
    comment: z.object({ id: z.number().int(), body: z.string(), author: actor, createdAt: z.string() }),
    ...common,
  }),
  z.object({
    kind: z.literal("pr_closed"),
    pullNumber: z.number().int(),
    merged: z.boolean(),
    ...common,
  }),
  z.object({
    kind: z.literal("pr_review_submitted"),
    pullNumber: z.number().int(),
    reviewId: z.number().int(),
    state: z.string(),
    ...common,
  }),
  z.object({
    kind: z.literal("check_completed"),
    headSha: z.string(),
    name: z.string(),
    conclusion: z.string().nullable(),
    /** The check's own summary (title and text), clipped: it becomes a finding when the check failed. */
    summary: z.string().default(""),
    /** The check run, and how many annotations it has (read with its findings when it failed). */
    checkRunId: z.number().int().optional(),
    annotations: z.number().int().min(0).default(0),
    ...common,
  }),
  z.object({
    kind: z.literal("review_comment_created"),
    pullNumber: z.number().int(),
    comment: z.object({
      id: z.number().int(),
      body: z.string(),
      author: actor,
      inReplyTo: z.number().int().optional(),
    }),
    ...common,
  }),
]);

export type WorkflowEvent = z.infer<typeof workflowEventSchema>;
export type WorkflowEventKind = WorkflowEvent["kind"];

export type Normalised = { event: WorkflowEvent } | { ignored: string };

const TRIAD_BRANCH = /^triad\/(\d+)-/;

/** The issue a triad branch (`triad/<issue>-<slug>`) was made for. */
export function issueFromBranch(ref: string | null | undefined): number | undefined {
  const match = ref ? TRIAD_BRANCH.exec(ref.replace(/^refs\/heads\//, "")) : null;
  return match?.[1] ? Number(match[1]) : undefined;
}

// biome-ignore lint/suspicious/noExplicitAny: webhook payloads are checked field by field below.
type Payload = any;

/**
 * Decide, without I/O, whether a webhook can drive the workflow and turn it into a job. Rules from
 * ARCHITECTURE §2: events from bots (triad included) and edits never drive a transition; PR and check
 * events count only on triad's own branches.
 */
export function normaliseWebhook(name: string, deliveryId: string, payload: Payload): Normalised {
  const action: string | undefined = payload?.action;
  const installationId: number | undefined = payload?.installation?.id;
  const repository = payload?.repository;
  if (!repository?.owner?.login || !repository?.name) return { ignored: "no repository" };
  if (typeof installationId !== "number") return { ignored: "no installation" };
  const sender = {
    login: String(payload.sender?.login ?? "ghost"),
    type: String(payload.sender?.type ?? "User"),
  };
  const base = {
    deliveryId,
    installationId,
    repo: { owner: String(repository.owner.login), name: String(repository.name) },
    sender,
  };
  const fromBot = sender.type === "Bot";

  // A CI may create its run already completed: that is the run's completion too.
  const createdDone =
    name === "check_run" && action === "created" && payload.check_run?.status === "completed";
  switch (createdDone ? "check_run.completed" : `${name}.${action}`) {
    case "issues.labeled":
    case "issues.unlabeled": {
      if (fromBot) return { ignored: "sender is a bot" };
      if (payload.issue?.pull_request) return { ignored: "label on a pull request" };
      const label = payload.label?.name;
      if (typeof label !== "string") return { ignored: "no label" };
      const kind = action === "labeled" ? "issue_labeled" : "issue_unlabeled";
      return { event: { kind, label, issue: payload.issue.number, ...base } };
    }
    case "issues.closed":
      if (fromBot) return { ignored: "sender is a bot" };
      return { event: { kind: "issue_closed", issue: payload.issue.number, ...base } };
    case "issues.edited": {
      // Edits never drive a transition; an edit of the title or body is only noted once a plan is
      // approved (the developer works from the text as it was approved).
      if (fromBot || payload.issue?.pull_request) return { ignored: "not a human's edit of an issue" };
      const changed = payload.changes ?? {};
      if (!changed.title && !changed.body) return { ignored: "neither the title nor the body changed" };
      return { event: { kind: "issue_edited", issue: payload.issue.number, ...base } };
    }
    case "issue_comment.created": {
      const author = payload.comment?.user;
      if (fromBot || author?.type === "Bot") return { ignored: "comment by a bot" };
      const onPullRequest = Boolean(payload.issue?.pull_request);
      let issue: number | undefined = payload.issue?.number;
      if (onPullRequest) {
        // A PR comment belongs to the workflow of the issue its triad branch was made for; the
        // branch is not in this payload, so the worker resolves it. Keep the PR number meanwhile.
        issue = payload.issue?.number;
      }
      if (typeof issue !== "number") return { ignored: "no issue" };
      return {
        event: {
          kind: "comment_created",
          onPullRequest,
          comment: {
            id: payload.comment.id,
            body: String(payload.comment.body ?? ""),
            author: { login: String(author?.login ?? "ghost"), type: String(author?.type ?? "User") },
            createdAt: String(payload.comment.created_at),
          },
          issue,
          ...base,
        },
      };
    }
    case "pull_request.closed": {
      const issue = issueFromBranch(payload.pull_request?.head?.ref);
      if (issue === undefined) return { ignored: "not a triad branch" };
      return {
        event: {
          kind: "pr_closed",
          pullNumber: payload.pull_request.number,
          merged: Boolean(payload.pull_request.merged),
          issue,
          ...base,
        },
      };
    }
    case "pull_request_review.submitted": {
      if (fromBot || payload.review?.user?.type === "Bot") return { ignored: "review by a bot" };
      const issue = issueFromBranch(payload.pull_request?.head?.ref);
      if (issue === undefined) return { ignored: "not a triad branch" };
      return {
        event: {
          kind: "pr_review_submitted",
          pullNumber: payload.pull_request.number,
          reviewId: payload.review.id,
          state: String(payload.review.state),
          issue,
          ...base,
        },
      };
    }
    case "check_run.completed": {
      // Checks are reported by CI systems (often bots): they are facts about the code, not requests,
      // so the bot rule does not apply. Only checks on triad's branches matter, and never triad's own;
      // a pass matters too: the reviewers may be waiting for it (src/core/ci-gate.ts).
      const run = payload.check_run;
      const branch = run?.check_suite?.head_branch ?? run?.pull_requests?.[0]?.head?.ref;
      const issue = issueFromBranch(branch);
      if (issue === undefined) return { ignored: "not a triad branch" };
      if (isTriadCheck(run?.name)) return { ignored: "triad's own check" };
      const summary = [run.output?.title, run.output?.summary, run.output?.text]
        .filter(Boolean)
        .join("\n\n")
        .slice(0, 8_000);
      return {
        event: {
          kind: "check_completed",
          headSha: String(run.head_sha),
          name: String(run.name ?? run.app?.name ?? "check"),
          conclusion: run.conclusion ?? null,
          summary,
          ...(typeof run.id === "number" ? { checkRunId: run.id } : {}),
          annotations: Number(run.output?.annotations_count ?? 0) || 0,
          issue,
          ...base,
        },
      };
    }
    case "check_suite.completed":
      return { ignored: "check suites are read through their check runs" };
    case "pull_request_review_comment.created": {
      const author = payload.comment?.user;
      if (fromBot || author?.type === "Bot") return { ignored: "comment by a bot" };
      const issue = issueFromBranch(payload.pull_request?.head?.ref);
      if (issue === undefined) return { ignored: "not a triad branch" };
      return {
        event: {
          kind: "review_comment_created",
          pullNumber: payload.pull_request.number,
          comment: {
            id: payload.comment.id,
            body: String(payload.comment.body ?? ""),
            author: { login: String(author?.login ?? "ghost"), type: String(author?.type ?? "User") },
            ...(payload.comment.in_reply_to_id ? { inReplyTo: payload.comment.in_reply_to_id } : {}),
          },
          issue,
          ...base,
        },
      };
    }
    default:
      if (action === "edited") return { ignored: "edits never drive a transition" };
      return { ignored: `${name}.${action} is not handled` };
  }
}
