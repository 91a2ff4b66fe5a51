import type { GitHubClient, RepoRef } from "./client.js";
import { github } from "./errors.js";

export type CheckState =
  | { status: "in_progress" }
  | { status: "completed"; conclusion: "success" | "neutral" | "failure" | "action_required" };

/**
 * Ensure one check run of this name on a commit (ARCHITECTURE §5: `triad/review` shows the state, so
 * a maintainer can make it required): found by name on the sha, updated in place, created once.
 */
export async function ensureCheckRun(
  gh: GitHubClient,
  repo: RepoRef,
  o: {
    name: string;
    headSha: string;
    state: CheckState;
    title: string;
    summary: string;
    detailsUrl?: string;
    /** The caller just made this commit, so no check run can be on it yet: skip looking. */
    freshCommit?: boolean;
  },
): Promise<number> {
  const output = { title: o.title.slice(0, 255), summary: o.summary.slice(0, 65_000) };
  const fields = {
    status: o.state.status,
    ...(o.state.status === "completed"
      ? { conclusion: o.state.conclusion, completed_at: new Date().toISOString() }
      : {}),
    output,
    ...(o.detailsUrl ? { details_url: o.detailsUrl } : {}),
  };
  const found = o.freshCommit ? undefined : await findCheckRun(gh, repo, o.headSha, o.name);
  if (found) {
    await github(`update check run ${o.name}`, () =>
      gh.rest.checks.update({ ...repo, check_run_id: found.id, ...fields }),
    );
    return found.id;
  }
  const { data } = await github(`create check run ${o.name}`, () =>
    gh.rest.checks.create({ ...repo, name: o.name, head_sha: o.headSha, ...fields }),
  );
  return data.id;
}

async function findCheckRun(gh: GitHubClient, repo: RepoRef, headSha: string, name: string) {
  const { data } = await github(`list check runs on ${headSha}`, () =>
    gh.rest.checks.listForRef({ ...repo, ref: headSha, check_name: name, filter: "latest", per_page: 10 }),
  );
  return data.check_runs.find((r) => r.name === name);
}
