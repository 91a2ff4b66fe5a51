import { CHECK_SUMMARY_MAX, CHECK_TITLE_MAX, clip, clipLine } from "../core/render/limits.js";
import type { GitHubClient, RepoRef } from "./client.js";
import { github } from "./errors.js";

export type CheckState =
  | { status: "in_progress" }
  | { status: "completed"; conclusion: "success" | "neutral" | "failure" | "action_required" };

/**
 * Ensure one check run of this name on a commit (ARCHITECTURE §5: `triad/review` shows the state, so
 * a maintainer can make it required): found by name and by app on the sha — another app's
 * `triad/review` is not triad's to change (GitHub refuses it anyway: "only the GitHub App that created
 * a check run can update it") — updated in place, created once.
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
    /** The app's login (`<slug>[bot]`): only its own check runs are found. */
    botLogin: string;
    /** The check run's id when the caller made it before (skips the search; falls back to it if gone). */
    knownId?: number;
  },
): Promise<number> {
  const output = { title: clipLine(o.title, CHECK_TITLE_MAX), summary: clip(o.summary, CHECK_SUMMARY_MAX) };
  const fields = {
    status: o.state.status,
    ...(o.state.status === "completed"
      ? { conclusion: o.state.conclusion, completed_at: new Date().toISOString() }
      : {}),
    output,
    ...(o.detailsUrl ? { details_url: o.detailsUrl } : {}),
  };
  if (o.knownId !== undefined) {
    const updated = await github(`update check run ${o.name}`, async () => {
      try {
        await gh.rest.checks.update({ ...repo, check_run_id: o.knownId as number, ...fields });
        return true;
      } catch (error) {
        const status = (error as { status?: number }).status;
        if (status === 404 || status === 403) return false; // gone, or not ours: find it
        throw error;
      }
    });
    if (updated) return o.knownId;
  }
  const found = o.freshCommit ? undefined : await findCheckRun(gh, repo, o.headSha, o.name, o.botLogin);
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

async function findCheckRun(
  gh: GitHubClient,
  repo: RepoRef,
  headSha: string,
  name: string,
  botLogin: string,
) {
  const slug = botLogin.replace(/\[bot\]$/, "");
  const { data } = await github(`list check runs on ${headSha}`, () =>
    gh.rest.checks.listForRef({ ...repo, ref: headSha, check_name: name, filter: "latest", per_page: 100 }),
  );
  return data.check_runs.find((r) => r.name === name && r.app?.slug === slug);
}
