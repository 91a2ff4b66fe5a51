import type { RepoConfig } from "../../config/repo-config.js";
import { readPlanComment } from "../../core/approved-plan.js";
import type { PlanFacts } from "../../core/plan-extras.js";
import type { Plan } from "../../core/schemas/architect.js";
import type { WorkflowState } from "../../core/state.js";
import type { IssueComment } from "../../github/comments.js";
import { priceOf } from "../../models/prices.js";
import type { ChatModel } from "../../models/types.js";
import type { Snapshot } from "../../repo/snapshot.js";
import { modelText } from "../../text/sanitize.js";
import type { ShellDeps } from "../context.js";

/**
 * What a plan comment's estimate and change summary are made from (issue [12/12] items 5, 8): the
 * size of the repository the architect read, the configured models' catalogue prices, how many
 * reviewers a round has, and the plan it revises.
 */
export function planFacts(
  deps: ShellDeps,
  config: RepoConfig,
  o: { snapshot: Snapshot; labels: readonly string[]; previous?: { version: number; plan: Plan } },
): PlanFacts {
  const reviewers = o.labels.includes(config.important_label) ? 2 : config.reviewers;
  const price = (m: ChatModel | undefined) => (m ? priceOf(m.ref) : undefined);
  const prices = {
    developer: price(deps.models.developer(config)),
    reviewer: price(deps.models.reviewers(config, reviewers)[0]),
    architect: price(deps.models.architect(config)),
  };
  return {
    budget: {
      repo: { files: o.snapshot.files.size, bytes: o.snapshot.bytes },
      reviewers,
      prices: Object.fromEntries(Object.entries(prices).filter(([, p]) => p !== undefined)),
      maxFixRounds: config.max_fix_rounds,
      margin: config.budget_margin,
    },
    ...(o.previous ? { previous: o.previous } : {}),
  };
}

/** The latest plan as its comment holds it (for "what changed"), when that comment reads back. */
export function latestPlan(
  state: WorkflowState,
  comments: readonly IssueComment[],
): { version: number; plan: Plan } | undefined {
  const ref = state.plan;
  const body = ref && comments.find((c) => c.id === ref.commentId)?.body;
  if (!body) return undefined;
  const read = readPlanComment(body, modelText);
  return "refused" in read ? undefined : { version: read.version, plan: read.plan };
}
