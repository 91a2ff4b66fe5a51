import { contentHash, extractData } from "../core/markers.js";
import type { Plan } from "../core/schemas/architect.js";
import type { WorkflowState } from "../core/state.js";
import { TriadError } from "../errors.js";
import type { GitHubClient, RepoRef } from "../github/client.js";
import { github } from "../github/errors.js";

/**
 * The approved plan, read from its comment and checked against the hash frozen at approval: what
 * the developer implements and the reviewers review against is exactly what the maintainer approved.
 */
export async function loadApprovedPlan(
  gh: GitHubClient,
  repo: RepoRef,
  state: WorkflowState,
): Promise<{ plan: Plan; version: number; url: string }> {
  const approved = state.approved;
  if (!approved) throw new TriadError("internal", "no approved plan in this workflow");
  const { data } = await github("read the approved plan", () =>
    gh.rest.issues.getComment({ ...repo, comment_id: approved.commentId }),
  );
  if (contentHash(data.body ?? "") !== approved.hash) {
    throw new TriadError(
      "config_invalid",
      `plan v${approved.version}'s comment was edited after it was approved; comment \`/triad replan\` for a new version to approve`,
    );
  }
  const plan = (extractData(data.body, "plan") as { plan?: Plan } | undefined)?.plan;
  if (!plan) throw new TriadError("internal", `plan v${approved.version}'s comment carries no plan data`);
  return { plan, version: approved.version, url: data.html_url };
}
