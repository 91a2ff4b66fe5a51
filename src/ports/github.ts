/**
 * The GitHub port (ARCHITECTURE §6): any Octokit with the REST methods — the installation client
 * probot hands the worker, or a plain @octokit/rest client in tests, scripts and the demo.
 */
export type { GitHubClient, IssueRef, RepoRef } from "../github/client.js";
