import { parseRepoConfig, REPO_CONFIG_PATH, type RepoConfig } from "../config/repo-config.js";
import type { GitHubClient, RepoRef } from "./client.js";
import { github } from "./errors.js";

export interface LoadedRepoConfig {
  config: RepoConfig;
  /** Blob sha of the file (undefined when the file does not exist and defaults apply). */
  sha: string | undefined;
  defaultBranch: string;
}

/**
 * Read `.github/triad.yml` from the default branch. A missing file means defaults; an invalid one
 * throws a `config_invalid` error whose message says what is wrong and where.
 */
export async function loadRepoConfig(gh: GitHubClient, ref: RepoRef): Promise<LoadedRepoConfig> {
  const { data: repository } = await github("get repository", () => gh.rest.repos.get(ref));
  const defaultBranch = repository.default_branch;
  const file = await github("read .github/triad.yml", async () => {
    try {
      const { data } = await gh.rest.repos.getContent({ ...ref, path: REPO_CONFIG_PATH, ref: defaultBranch });
      if (Array.isArray(data) || data.type !== "file" || !("content" in data)) return undefined;
      return { text: Buffer.from(data.content, "base64").toString("utf8"), sha: data.sha };
    } catch (error) {
      if ((error as { status?: number }).status === 404) return undefined;
      throw error;
    }
  });
  return { config: parseRepoConfig(file?.text), sha: file?.sha, defaultBranch };
}
