import { Octokit } from "@octokit/rest";
import { describe, expect, it } from "vitest";
import {
  type CiCheckRun,
  type DefaultBranchRunsCache,
  listDefaultBranchRuns,
} from "../../src/github/ci-checks.js";

const repo = { owner: "acme", repo: "weather-client" };

/** `GET /repos/{o}/{r}/commits/{ref}/check-runs` answered with one run of another app, every call recorded. */
function client() {
  const calls: string[] = [];
  const gh = new Octokit({
    request: {
      fetch: async (url: string) => {
        calls.push(decodeURIComponent(new URL(url).pathname));
        const body = {
          total_count: 1,
          check_runs: [{ id: 1, name: "ci/test", status: "completed", conclusion: "success", output: {} }],
        };
        return new Response(JSON.stringify(body), {
          status: 200,
          headers: { "content-type": "application/json" },
        });
      },
    },
  });
  return { gh, calls };
}

/** The Redis cache's contract over a map (its lifetime is Redis's TTL: an expired entry is a miss). */
function memoryCache(): DefaultBranchRunsCache & { entries: Map<string, CiCheckRun[]> } {
  const entries = new Map<string, CiCheckRun[]>();
  return {
    entries,
    get: async (name, sha) => entries.get(`${name}@${sha ?? "latest"}`),
    set: async (name, sha, runs) => {
      if (sha) entries.set(`${name}@${sha}`, runs);
      entries.set(`${name}@latest`, runs);
    },
  };
}

describe("the default branch's check runs, kept a few minutes", () => {
  it("read once for the commit every round asks about; a round that does not know the head takes the copy", async () => {
    const { gh, calls } = client();
    const cache = memoryCache();
    const first = await listDefaultBranchRuns(gh, repo, { branch: "main", sha: "a".repeat(40), cache });
    const again = await listDefaultBranchRuns(gh, repo, { branch: "main", sha: "a".repeat(40), cache });
    const fixRound = await listDefaultBranchRuns(gh, repo, { branch: "main", cache });
    expect(first.map((r) => r.name)).toEqual(["ci/test"]);
    expect(again).toEqual(first);
    expect(fixRound).toEqual(first);
    expect(calls).toEqual([`/repos/acme/weather-client/commits/${"a".repeat(40)}/check-runs`]);
  });

  it("a default branch that moved is read again, at its new head", async () => {
    const { gh, calls } = client();
    const cache = memoryCache();
    await listDefaultBranchRuns(gh, repo, { branch: "main", sha: "a".repeat(40), cache });
    await listDefaultBranchRuns(gh, repo, { branch: "main", sha: "b".repeat(40), cache });
    expect(calls).toEqual([
      `/repos/acme/weather-client/commits/${"a".repeat(40)}/check-runs`,
      `/repos/acme/weather-client/commits/${"b".repeat(40)}/check-runs`,
    ]);
    // Both stay kept by commit: a round that knows the head asks for exactly its runs.
    await listDefaultBranchRuns(gh, repo, { branch: "main", sha: "a".repeat(40), cache });
    expect(calls).toHaveLength(2);
  });

  it("read by name when nothing is kept: the copy does not claim a sha it was not read at", async () => {
    const { gh, calls } = client();
    const cache = memoryCache();
    await listDefaultBranchRuns(gh, repo, { branch: "main", cache });
    await listDefaultBranchRuns(gh, repo, { branch: "main", sha: "a".repeat(40), cache });
    await listDefaultBranchRuns(gh, repo, { branch: "main", cache });
    expect(calls).toEqual([
      "/repos/acme/weather-client/commits/main/check-runs",
      `/repos/acme/weather-client/commits/${"a".repeat(40)}/check-runs`,
    ]);
  });
});
