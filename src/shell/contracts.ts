import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { github } from "../github/errors.js";
import type { GitHubClient, RepoRef } from "../ports/github.js";
import type { FileView } from "../repo/view.js";
import { redisTtl, type TtlRedis } from "../stores/redis-ttl.js";

export type ContractRole = "architect" | "developer" | "reviewer";

const SHIPPED = fileURLToPath(new URL("../../prompts/", import.meta.url));

/**
 * A role's behavioural contract: `.github/triad/<role>.md` in the repository when it has one,
 * else the one triad ships in `prompts/`. The code adds facts to it, never rules.
 */
export function loadContract(role: ContractRole, repo?: FileView): { text: string; source: string } {
  const override = repo?.read(`.github/triad/${role}.md`);
  if (override && override.length > 0)
    return { text: override.toString("utf8"), source: `.github/triad/${role}.md` };
  return { text: readFileSync(`${SHIPPED}${role}.md`, "utf8"), source: `prompts/${role}.md` };
}

/**
 * The default branch's contracts as last read, kept as long as the repository config is
 * (`.github/triad.yml`, src/github/repo-config.ts: five minutes of GitHub time), by the same rule: a
 * maintainer's edit on the default branch is seen within that time, exactly like an edit of the
 * config. Every review and fix round of every workflow of the repository asks for the same file (three
 * reads per workflow, most of them 404). `null`: the repository has none.
 */
export interface ContractCache {
  get(repo: string, role: ContractRole): Promise<string | null | undefined>;
  set(repo: string, role: ContractRole, text: string | null): Promise<void>;
}

export function redisContractCache(redis: TtlRedis, prefix: string, ttlMs: number): ContractCache {
  const kept = redisTtl(redis, ttlMs);
  const key = (repo: string, role: ContractRole) => `${prefix}:cache:contract:${repo.toLowerCase()}:${role}`;
  return {
    async get(repo, role) {
      const raw = await kept.get(key(repo, role));
      return raw === null ? undefined : (JSON.parse(raw) as { text: string | null }).text;
    },
    set: (repo, role, text) => kept.set(key(repo, role), JSON.stringify({ text })),
  };
}

/**
 * A role's contract as the repository's DEFAULT branch has it (ARCHITECTURE §8): never from the PR's
 * head or triad's branch, so nothing in a pull request can change how that pull request is developed,
 * reviewed or ruled on. One read of the file at the default branch, or the copy `cache` keeps.
 */
export async function defaultBranchContract(
  gh: GitHubClient,
  repo: RepoRef,
  role: ContractRole,
  defaultBranch: string,
  cache?: ContractCache,
): Promise<{ text: string; source: string }> {
  const path = `.github/triad/${role}.md`;
  const name = `${repo.owner}/${repo.repo}`;
  const kept = await cache?.get(name, role);
  const text = kept !== undefined ? (kept ?? undefined) : await readContract(gh, repo, path, defaultBranch);
  if (kept === undefined) await cache?.set(name, role, text ?? null);
  if (text && text.length > 0) return { text, source: `${path} (${defaultBranch})` };
  return loadContract(role);
}

async function readContract(
  gh: GitHubClient,
  repo: RepoRef,
  path: string,
  defaultBranch: string,
): Promise<string | undefined> {
  return github(`read ${path}`, async () => {
    try {
      const { data } = await gh.rest.repos.getContent({ ...repo, path, ref: defaultBranch });
      if (Array.isArray(data) || data.type !== "file" || !("content" in data)) return undefined;
      return Buffer.from(data.content, "base64").toString("utf8");
    } catch (error) {
      if ((error as { status?: number }).status === 404) return undefined;
      throw error;
    }
  });
}
