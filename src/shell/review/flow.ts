import type { StepRef } from "../../core/state.js";
import { STEP_QUEUE, type StepJob, stepJobId, stepLabel } from "../../core/steps.js";
import { ensureCheckRun } from "../../github/checks.js";
import type { GitHubClient, RepoRef } from "../../github/client.js";
import type { Queues } from "../../queue/queues.js";

export const REVIEW_CHECK = "triad/review";

export interface ReviewFlowInput {
  base: Omit<StepJob, "kind" | "reason">;
  repo: RepoRef;
  prNumber: number;
  headSha: string;
  /** The sha reviewed last: reviewers then see only what changed since (incremental rounds). */
  sinceSha?: string;
  reviewers: number;
  /** The head commit was made just now (no check run can be on it yet). */
  freshCommit?: boolean;
}

/**
 * Start the reviews of one head sha (ARCHITECTURE §5): a BullMQ flow whose children (one per
 * reviewer) run in parallel and whose parent aggregates when they are all done. Ids name the head
 * sha, so starting the same review twice adds nothing. The check run shows it in progress.
 */
export async function startReviewFlow(
  gh: GitHubClient,
  queues: Queues,
  o: ReviewFlowInput,
): Promise<StepRef> {
  await ensureCheckRun(gh, o.repo, {
    name: REVIEW_CHECK,
    headSha: o.headSha,
    state: { status: "in_progress" },
    title: `Reviewing ${o.headSha.slice(0, 7)}`,
    freshCommit: o.freshCommit ?? false,
    summary: `${o.reviewers} reviewer${o.reviewers > 1 ? "s" : ""} from other vendors than the developer's are reviewing${o.sinceSha ? ` the changes since ${o.sinceSha.slice(0, 7)}` : ""}.`,
  });
  const parent: StepJob = {
    ...o.base,
    kind: "review",
    reason: `review ${o.headSha.slice(0, 7)}`,
    prNumber: o.prNumber,
    headSha: o.headSha,
    reviewers: o.reviewers,
    ...(o.sinceSha ? { sinceSha: o.sinceSha } : {}),
  };
  const parentId = stepJobId(parent, o.headSha);
  const existing = await queues.steps.review.getJob(parentId);
  if (!existing)
    await addReviewFlow(queues, parent, parentId, (slot) => stepJobId(parent, `${o.headSha}-${slot}`));
  return { queue: STEP_QUEUE.review, jobId: parentId, label: stepLabel(parent) };
}

/**
 * The shape of a review flow, in one place: a parent on the review queue and one child per reviewer
 * slot, whose final failure fails the parent (so the failure is reported and `/triad retry` can run
 * the flow again).
 */
export async function addReviewFlow(
  queues: Queues,
  parent: StepJob,
  parentId: string,
  childId: (slot: number) => string,
): Promise<void> {
  await queues.flows.add({
    name: "review",
    queueName: STEP_QUEUE.review,
    data: parent,
    opts: { jobId: parentId },
    children: Array.from({ length: parent.reviewers ?? 1 }, (_, slot) => ({
      name: "review_one",
      queueName: STEP_QUEUE.review_one,
      data: { ...parent, kind: "review_one" as const, slot },
      opts: { jobId: childId(slot), failParentOnFailure: true },
    })),
  });
}
