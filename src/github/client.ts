import type { Octokit } from "@octokit/rest";

/**
 * The GitHub port (ARCHITECTURE §6): any Octokit with the REST methods. The worker passes the
 * installation client probot gives it; tests, scripts and the demo pass a plain @octokit/rest client.
 * Nothing below this type knows which.
 */
export type GitHubClient = Pick<Octokit, "rest" | "paginate" | "request">;

// Type aliases, not interfaces: Octokit's parameter types need an index signature.
export type RepoRef = { owner: string; repo: string };

export type IssueRef = RepoRef & { issue_number: number };

export function parseRepo(fullName: string): RepoRef {
  const [owner, repo] = fullName.split("/");
  if (!owner || !repo) throw new Error(`not a repository name: ${fullName}`);
  return { owner, repo };
}
