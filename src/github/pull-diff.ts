import type { GitHubClient, RepoRef } from "./client.js";
import { github } from "./errors.js";

/** The PR's diff text: the whole PR, or only what changed since the sha reviewed last. */
export async function diffText(
  gh: GitHubClient,
  repo: RepoRef,
  pull: number,
  headSha: string,
  sinceSha?: string,
): Promise<string> {
  const accept = { accept: "application/vnd.github.diff" };
  const { data } = await github(
    "read the diff",
    async (): Promise<{ data: unknown }> =>
      sinceSha
        ? gh.request("GET /repos/{owner}/{repo}/compare/{basehead}", {
            ...repo,
            basehead: `${sinceSha}...${headSha}`,
            headers: accept,
          })
        : gh.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", {
            ...repo,
            pull_number: pull,
            headers: accept,
          }),
  );
  return String(data);
}
