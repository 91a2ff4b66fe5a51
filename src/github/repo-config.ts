import { parseRepoConfig, REPO_CONFIG_PATH, type RepoConfig } from "../config/repo-config.js";
import type { RedisConnection } from "../queue/redis.js";
import type { GitHubClient, RepoRef } from "./client.js";
import { github } from "./errors.js";

export interface LoadedRepoConfig {
  config: RepoConfig;
  /** Blob sha of the file (undefined when the file does not exist and defaults apply). */
  sha: string | undefined;
  defaultBranch: string;
}

/**
 * What was read of a repository's configuration: the file as text (parsed again on every use, so an
 * invalid file keeps failing with its message), where it was read, and when.
 */
export interface CachedRepoConfig {
  defaultBranch: string;
  text: string | undefined;
  blobSha: string | undefined;
  /** The default branch's head the file was read at, when the reader knew it. */
  headSha?: string;
  /** Real ms (Date.now()) of the read. */
  readAt: number;
  /** Real ms when the default branch's name was read (`GET /repos`). */
  branchReadAt: number;
}

/**
 * Repository configuration and metadata kept between steps (issue 12, part 3: `.github/triad.yml`
 * and `GET /repos` were read 17 times each per workflow). An entry is used as it is when the caller
 * knows the default branch's head and it is the sha the entry was read at, or when the entry is
 * younger than `maxAgeMs`; otherwise the file is read again (one call; the default branch is
 * remembered for `branchMaxAgeMs`, so `GET /repos` is rarer still).
 */
export interface RepoConfigCache {
  get(repo: string): Promise<CachedRepoConfig | undefined>;
  set(repo: string, entry: CachedRepoConfig): Promise<void>;
  /** Real ms an entry is trusted without a sha to compare. */
  readonly maxAgeMs: number;
  /** Real ms the default branch's name is trusted. */
  readonly branchMaxAgeMs: number;
}

export function redisRepoConfigCache(
  redis: RedisConnection,
  prefix: string,
  o: { maxAgeMs: number; branchMaxAgeMs: number },
): RepoConfigCache {
  const key = (repo: string) => `${prefix}:cache:repo-config:${repo.toLowerCase()}`;
  return {
    maxAgeMs: o.maxAgeMs,
    branchMaxAgeMs: o.branchMaxAgeMs,
    async get(repo) {
      const raw = await redis.get(key(repo)).catch(() => null);
      return raw ? (JSON.parse(raw) as CachedRepoConfig) : undefined;
    },
    async set(repo, entry) {
      const ttl = Math.max(1, Math.ceil(o.branchMaxAgeMs / 1000));
      await redis.set(key(repo), JSON.stringify(entry), "EX", ttl).catch(() => undefined);
    },
  };
}

export interface LoadRepoConfigOptions {
  cache?: RepoConfigCache | undefined;
  /** The default branch's head, when the caller already knows it (the cache is then checked by sha). */
  headSha?: string;
}

/**
 * Read `.github/triad.yml` from the default branch. A missing file means defaults; an invalid one
 * throws a `config_invalid` error whose message says what is wrong and where.
 */
export async function loadRepoConfig(
  gh: GitHubClient,
  ref: RepoRef,
  o: LoadRepoConfigOptions = {},
): Promise<LoadedRepoConfig> {
  const name = `${ref.owner}/${ref.repo}`;
  const cached = await o.cache?.get(name);
  const now = Date.now();
  if (cached && o.cache) {
    const bySha = o.headSha !== undefined && cached.headSha === o.headSha;
    const byAge = o.headSha === undefined && now - cached.readAt < o.cache.maxAgeMs;
    if (bySha || byAge) return parsed(cached);
  }
  const knownBranch = cached && o.cache && now - cached.branchReadAt < o.cache.branchMaxAgeMs;
  const defaultBranch = knownBranch
    ? cached.defaultBranch
    : (await github("get repository", () => gh.rest.repos.get(ref))).data.default_branch;
  const file = await readConfigFile(gh, ref, o.headSha ?? defaultBranch);
  const entry: CachedRepoConfig = {
    defaultBranch,
    text: file?.text,
    blobSha: file?.sha,
    ...(o.headSha ? { headSha: o.headSha } : {}),
    readAt: now,
    branchReadAt: knownBranch ? cached.branchReadAt : now,
  };
  const result = parsed(entry); // an invalid file throws here and is not kept: a fix is seen at once
  await o.cache?.set(name, entry);
  return result;
}

function parsed(entry: CachedRepoConfig): LoadedRepoConfig {
  return { config: parseRepoConfig(entry.text), sha: entry.blobSha, defaultBranch: entry.defaultBranch };
}

async function readConfigFile(
  gh: GitHubClient,
  ref: RepoRef,
  at: string,
): Promise<{ text: string; sha: string } | undefined> {
  return github("read .github/triad.yml", async () => {
    try {
      const { data } = await gh.rest.repos.getContent({ ...ref, path: REPO_CONFIG_PATH, ref: at });
      if (Array.isArray(data) || data.type !== "file" || !("content" in data)) return undefined;
      return { text: Buffer.from(data.content, "base64").toString("utf8"), sha: data.sha };
    } catch (error) {
      if ((error as { status?: number }).status === 404) return undefined;
      throw error;
    }
  });
}
