import { Octokit } from "@octokit/rest";
import { describe, expect, it } from "vitest";
import { type ContractCache, defaultBranchContract, loadContract } from "../../src/shell/contracts.js";

const repo = { owner: "acme", repo: "weather-client" };

/** `GET …/contents/.github/triad/<role>.md`: the reviewer's exists, the others answer 404; calls recorded. */
function client() {
  const calls: string[] = [];
  const gh = new Octokit({
    request: {
      fetch: async (url: string) => {
        const u = new URL(url);
        calls.push(`${decodeURIComponent(u.pathname)}?${u.searchParams}`);
        if (decodeURIComponent(u.pathname).endsWith("/reviewer.md"))
          return new Response(
            JSON.stringify({
              type: "file",
              sha: "b".repeat(40),
              content: Buffer.from("REPO-REVIEWER-CONTRACT").toString("base64"),
            }),
            { status: 200, headers: { "content-type": "application/json" } },
          );
        return new Response(JSON.stringify({ message: "Not Found" }), {
          status: 404,
          headers: { "content-type": "application/json" },
        });
      },
    },
  });
  return { gh, calls };
}

function memoryCache(): ContractCache {
  const entries = new Map<string, string | null>();
  return {
    get: async (name, role) => entries.get(`${name}:${role}`),
    set: async (name, role, text) => {
      entries.set(`${name}:${role}`, text);
    },
  };
}

describe("the default branch's contracts, kept like the repository config", () => {
  it("one read per role while kept, the repository's own file and a missing one alike", async () => {
    const { gh, calls } = client();
    const cache = memoryCache();
    for (let i = 0; i < 3; i++) {
      expect((await defaultBranchContract(gh, repo, "reviewer", "main", cache)).text).toBe(
        "REPO-REVIEWER-CONTRACT",
      );
      expect((await defaultBranchContract(gh, repo, "developer", "main", cache)).text).toBe(
        loadContract("developer").text,
      );
    }
    expect(calls).toEqual([
      "/repos/acme/weather-client/contents/.github/triad/reviewer.md?ref=main",
      "/repos/acme/weather-client/contents/.github/triad/developer.md?ref=main",
    ]);
  });

  it("without a cache, every ask reads the file", async () => {
    const { gh, calls } = client();
    await defaultBranchContract(gh, repo, "reviewer", "main");
    await defaultBranchContract(gh, repo, "reviewer", "main");
    expect(calls).toHaveLength(2);
  });
});
