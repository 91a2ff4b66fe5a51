import type { Plan } from "../../core/schemas/architect.js";
import type { ChatMessage, SystemBlock } from "../../models/types.js";
import { renderPlanForModel } from "../developer/prompt.js";

/**
 * A reviewer's prompt: the contract, the approved plan (stable prefix, cached), then the diff. The
 * reviewer is not told which model wrote the code, nor what any other reviewer found.
 */
export function buildReviewerPrompt(o: {
  contract: string;
  repo: string;
  plan: Plan;
  planVersion: number;
  diff: string;
  headSha: string;
  sinceSha?: string;
  prSummary: string;
}): { system: SystemBlock[]; messages: ChatMessage[] } {
  const system: SystemBlock[] = [
    { text: o.contract.trim() },
    { text: renderPlanForModel(o.plan, o.planVersion), cache: true },
  ];
  const scope = o.sinceSha
    ? `This is an incremental review: the diff shows only what changed between ${o.sinceSha.slice(0, 7)} (reviewed before) and ${o.headSha.slice(0, 7)}.`
    : `The diff is the whole pull request at ${o.headSha.slice(0, 7)}.`;
  const content = [
    `# Pull request on ${o.repo}`,
    scope,
    "Your tools read the repository at the pull request's head.",
    "",
    "## The developer's summary (their claims, to check against the code)",
    o.prSummary.trim() || "(none)",
    "",
    "## The diff",
    o.diff,
    "",
    "Submit your findings and the plan-compliance list with `submit_review`.",
  ].join("\n");
  return { system, messages: [{ role: "user", content }] };
}
