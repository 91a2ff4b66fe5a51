import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { github } from "../github/errors.js";
import type { GitHubClient, RepoRef } from "../ports/github.js";
import type { FileView } from "../repo/view.js";

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
 * A role's contract as the repository's DEFAULT branch has it (ARCHITECTURE §8): never from the PR's
 * head or triad's branch, so nothing in a pull request can change how that pull request is developed,
 * reviewed or ruled on. One read of the file at the default branch.
 */
export async function defaultBranchContract(
  gh: GitHubClient,
  repo: RepoRef,
  role: ContractRole,
  defaultBranch: string,
): Promise<{ text: string; source: string }> {
  const path = `.github/triad/${role}.md`;
  const text = await github(`read ${path}`, async () => {
    try {
      const { data } = await gh.rest.repos.getContent({ ...repo, path, ref: defaultBranch });
      if (Array.isArray(data) || data.type !== "file" || !("content" in data)) return undefined;
      return Buffer.from(data.content, "base64").toString("utf8");
    } catch (error) {
      if ((error as { status?: number }).status === 404) return undefined;
      throw error;
    }
  });
  if (text && text.length > 0) return { text, source: `${path} (${defaultBranch})` };
  return loadContract(role);
}
