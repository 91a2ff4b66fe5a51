import { isTriadCheck } from "../core/ci-gate-state.js";
import type { GitHubClient, RepoRef } from "./client.js";
import { github } from "./errors.js";

/** A check run of the repository's own CI (another app's, or anything not named `triad/…`). */
export interface CiCheckRun {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  output: { title: string | null; summary: string | null; text: string | null; annotations: number };
}

/**
 * The latest check run per name on a commit, triad's own left out: `GET
 * /repos/{owner}/{repo}/commits/{ref}/check-runs` ("List check runs for a Git reference",
 * docs.github.com/rest/checks/runs#list-check-runs-for-a-git-reference; `filter=latest` is its
 * default). One page of 100 — a CI with more checks than that on one commit is waited for by these.
 */
export async function listCiCheckRuns(gh: GitHubClient, repo: RepoRef, ref: string): Promise<CiCheckRun[]> {
  const { data } = await github(`list check runs on ${ref}`, () =>
    gh.rest.checks.listForRef({ ...repo, ref, filter: "latest", per_page: 100 }),
  );
  return data.check_runs
    .filter((r) => !isTriadCheck(r.name))
    .map((r) => ({
      id: r.id,
      name: r.name,
      status: r.status,
      conclusion: r.conclusion ?? null,
      output: {
        title: r.output?.title ?? null,
        summary: r.output?.summary ?? null,
        text: r.output?.text ?? null,
        annotations: r.output?.annotations_count ?? 0,
      },
    }));
}

/** A check run's annotation, as the developer reads it. */
export interface CiAnnotation {
  path: string;
  startLine: number;
  endLine: number;
  level: string;
  title: string | null;
  message: string;
}

/**
 * A failed run's first annotations (`GET /repos/{owner}/{repo}/check-runs/{check_run_id}/annotations`,
 * "List check run annotations": docs.github.com/rest/checks/runs#list-check-run-annotations). One page:
 * the developer needs the first failures, not every warning.
 */
export async function listCiAnnotations(
  gh: GitHubClient,
  repo: RepoRef,
  checkRunId: number,
  max = 50,
): Promise<CiAnnotation[]> {
  const { data } = await github(`list the annotations of check run ${checkRunId}`, () =>
    gh.rest.checks.listAnnotations({ ...repo, check_run_id: checkRunId, per_page: Math.min(max, 100) }),
  );
  return data.slice(0, max).map((a) => ({
    path: a.path,
    startLine: a.start_line,
    endLine: a.end_line,
    level: a.annotation_level ?? "notice",
    title: a.title ?? null,
    message: a.message ?? "",
  }));
}
