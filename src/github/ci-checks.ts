import { isTriadCheck } from "../core/ci-gate-state.js";
import { redisTtl, type TtlRedis } from "../stores/redis-ttl.js";
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

/**
 * The default branch's check runs as read a few minutes ago (Redis): the CI gate reads them once per
 * published round to learn which checks the repository runs, and every round of every workflow of the
 * repository asks the same question of the same commit (two reads per workflow, all alike in a busy
 * installation). Kept per commit (`sha`), and as the latest read for a reader that does not know the
 * branch's head (a fix round).
 */
export interface DefaultBranchRunsCache {
  /** The runs read on this commit, or (no sha) the latest read of the default branch. */
  get(repo: string, sha?: string): Promise<CiCheckRun[] | undefined>;
  set(repo: string, sha: string | undefined, runs: CiCheckRun[]): Promise<void>;
}

export function redisDefaultBranchRunsCache(
  redis: TtlRedis,
  prefix: string,
  ttlMs: number,
): DefaultBranchRunsCache {
  const kept = redisTtl(redis, ttlMs);
  const key = (repo: string, sha?: string) =>
    `${prefix}:cache:ci-default-runs:${repo.toLowerCase()}${sha ? `:${sha.toLowerCase()}` : ""}`;
  return {
    async get(repo, sha) {
      const raw = await kept.get(key(repo, sha));
      return raw ? (JSON.parse(raw) as CiCheckRun[]) : undefined;
    },
    async set(repo, sha, runs) {
      if (sha) await kept.set(key(repo, sha), JSON.stringify(runs));
      await kept.set(key(repo), JSON.stringify(runs));
    },
  };
}

/**
 * The default branch's check runs, from the cache when it has them: those of the commit the caller
 * knows is the branch's head (`sha`), or — when the caller does not know it — the latest read, at
 * most the cache's lifetime old. Only names to wait for come from here, never a pass or a failure of
 * triad's own head, so a copy a few minutes old costs at most a check that CI added to the default
 * branch in those minutes; the head's own runs (read fresh) and its check events still add it.
 */
export async function listDefaultBranchRuns(
  gh: GitHubClient,
  repo: RepoRef,
  o: { branch: string; sha?: string | undefined; cache?: DefaultBranchRunsCache | undefined },
): Promise<CiCheckRun[]> {
  const name = `${repo.owner}/${repo.repo}`;
  const hit = await o.cache?.get(name, o.sha);
  if (hit) return hit;
  const runs = await listCiCheckRuns(gh, repo, o.sha ?? o.branch);
  await o.cache?.set(name, o.sha, runs);
  return runs;
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
