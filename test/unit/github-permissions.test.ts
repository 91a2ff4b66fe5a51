import { Octokit } from "@octokit/rest";
import { describe, expect, it } from "vitest";
import { canWrite } from "../../src/core/permissions.js";
import {
  collaboratorCache,
  getPermission,
  isCollaboratorGiven,
  isRepoCollaborator,
  permissionCache,
  roleOf,
} from "../../src/github/permissions.js";

const repo = { owner: "acme", repo: "weather-client" };

type Answer = { status: number; body?: unknown };

/**
 * A real Octokit whose `fetch` answers from a table keyed by "METHOD path", and records every call, so
 * the tests run Octokit's own request and error path. A request not in the table fails the test.
 */
function client(answers: Record<string, Answer>) {
  const calls: string[] = [];
  const gh = new Octokit({
    request: {
      fetch: async (url: string, init: { method?: string }) => {
        const key = `${init.method ?? "GET"} ${decodeURIComponent(new URL(url).pathname)}`;
        calls.push(key);
        const answer = answers[key];
        if (!answer) throw new Error(`unexpected request ${key}`);
        const body = answer.status === 204 ? null : JSON.stringify(answer.body ?? {});
        return new Response(body, { status: answer.status, headers: { "content-type": "application/json" } });
      },
    },
  });
  return { gh, calls };
}

const permissionPath = (user: string) => `GET /repos/acme/weather-client/collaborators/${user}/permission`;
const collaboratorPath = (user: string) => `GET /repos/acme/weather-client/collaborators/${user}`;

/** Shapes as GitHub documents them (@octokit/openapi-types `repository-collaborator-permission`). */
const permissionAnswer = (
  permission: string,
  role_name: string,
  flags: Record<string, boolean> = {},
): Answer => ({
  status: 200,
  body: { permission, role_name, user: { login: "someone", type: "User", permissions: flags } },
});

// GitHub's 404 bodies: no collaborator, and a bot ("is not a user").
const NOT_FOUND = {
  status: 404,
  body: { message: "Not Found", documentation_url: "https://docs.github.com/rest" },
};
const NOT_A_USER = { status: 404, body: { message: "dependabot[bot] is not a user" } };

describe("getPermission", () => {
  it.each([
    ["admin", "admin", "admin"],
    ["write", "maintain", "maintain"],
    ["write", "write", "write"],
    ["read", "triage", "triage"],
    ["read", "read", "read"],
    ["none", "none", "none"],
  ])("permission %s with role_name %s is %s", async (permission, roleName, expected) => {
    const { gh } = client({ [permissionPath("maya")]: permissionAnswer(permission, roleName) });
    expect(await getPermission(gh, repo, "maya")).toBe(expected);
  });

  it("a custom role falls back to its base permission, so such a maintainer can approve", async () => {
    const { gh } = client({
      [permissionPath("rita")]: permissionAnswer("write", "security-engineer", { pull: true, push: true }),
      [permissionPath("sam")]: permissionAnswer("read", "auditor", { pull: true }),
    });
    const rita = await getPermission(gh, repo, "rita");
    expect(rita).toBe("write");
    expect(canWrite(rita)).toBe(true);
    expect(await getPermission(gh, repo, "sam")).toBe("read");
  });

  it("a custom role on maintain counts as maintain (the flags say so, `permission` says write)", () => {
    expect(
      roleOf({
        permission: "write",
        role_name: "release-manager",
        user: { permissions: { maintain: true, push: true, pull: true } },
      }),
    ).toBe("maintain");
    expect(roleOf({ permission: "admin", role_name: "org-custom" })).toBe("admin");
    expect(roleOf({ role_name: "weird" })).toBe("none");
  });

  it("a user who is no collaborator (404) and a bot ('is not a user') have none", async () => {
    const { gh } = client({
      [permissionPath("stranger")]: NOT_FOUND,
      [permissionPath("dependabot[bot]")]: NOT_A_USER,
    });
    expect(await getPermission(gh, repo, "stranger")).toBe("none");
    expect(await getPermission(gh, repo, "dependabot[bot]")).toBe("none");
  });

  it("other failures are classified and thrown, not taken as none", async () => {
    const { gh } = client({ [permissionPath("maya")]: { status: 502, body: { message: "Bad Gateway" } } });
    await expect(getPermission(gh, repo, "maya")).rejects.toMatchObject({ code: "server_error" });
  });
});

describe("isRepoCollaborator", () => {
  it("204 is a collaborator, 404 is not", async () => {
    const { gh, calls } = client({
      [collaboratorPath("maya")]: { status: 204 },
      [collaboratorPath("stranger")]: NOT_FOUND,
    });
    expect(await isRepoCollaborator(gh, repo, "maya")).toBe(true);
    expect(await isRepoCollaborator(gh, repo, "stranger")).toBe(false);
    expect(calls).toEqual([collaboratorPath("maya"), collaboratorPath("stranger")]);
  });

  it("an outsider on a public repository: the permission endpoint says read, the collaborator check says no", async () => {
    const { gh } = client({
      [permissionPath("outsider")]: permissionAnswer("read", "read", { pull: true }),
      [collaboratorPath("outsider")]: NOT_FOUND,
    });
    expect(await getPermission(gh, repo, "outsider")).toBe("read");
    expect(await isRepoCollaborator(gh, repo, "outsider")).toBe(false);
  });

  it("a bot is no collaborator", async () => {
    const { gh } = client({ [collaboratorPath("renovate[bot]")]: NOT_A_USER });
    expect(await isRepoCollaborator(gh, repo, "renovate[bot]")).toBe(false);
  });

  it("a 403 (the app cannot see collaborators) is thrown, never taken as yes or no", async () => {
    const { gh } = client({
      [collaboratorPath("maya")]: {
        status: 403,
        body: { message: "Resource not accessible by integration" },
      },
    });
    await expect(isRepoCollaborator(gh, repo, "maya")).rejects.toMatchObject({ code: "permission_denied" });
  });
});

describe("caches", () => {
  it("ask GitHub once per user and step, and forget failures", async () => {
    let failFirst = true;
    const calls: string[] = [];
    const gh = new Octokit({
      request: {
        fetch: async (url: string) => {
          const path = new URL(url).pathname;
          calls.push(path);
          if (path.endsWith("/permission")) {
            return new Response(JSON.stringify({ permission: "write", role_name: "write", user: null }), {
              status: 200,
              headers: { "content-type": "application/json" },
            });
          }
          if (failFirst) {
            failFirst = false;
            return new Response(JSON.stringify({ message: "boom" }), { status: 500 });
          }
          return new Response(null, { status: 204 });
        },
      },
    });
    const permission = permissionCache(gh, repo);
    expect(await permission("maya")).toBe("write");
    expect(await permission("maya")).toBe("write");
    const collaborator = collaboratorCache(gh, repo);
    await expect(collaborator("maya")).rejects.toBeDefined();
    expect(await collaborator("maya")).toBe(true);
    expect(await collaborator("maya")).toBe(true);
    expect(calls.filter((c) => c.endsWith("/permission"))).toHaveLength(1);
    expect(calls.filter((c) => c.endsWith("/collaborators/maya"))).toHaveLength(2);
  });
});

describe("a role that answers the collaborator question (one call instead of two)", () => {
  it.each([
    ["admin", "admin", 0, true],
    ["write", "maintain", 0, true],
    ["write", "write", 0, true],
    ["read", "triage", 0, true],
    // `read` may be anyone's on a public repository, and `none` may be an unknown custom role: asked.
    ["read", "read", 1, true],
    ["none", "none", 1, false],
  ])(
    "permission %s, role %s: %i collaborator check(s), collaborator %s",
    async (permission, roleName, checks, expected) => {
      const { gh, calls } = client({
        [permissionPath("maya")]: permissionAnswer(permission, roleName),
        [collaboratorPath("maya")]: expected ? { status: 204 } : NOT_FOUND,
      });
      const role = permissionCache(gh, repo);
      const collaborator = collaboratorCache(gh, repo, role);
      expect(await collaborator("maya")).toBe(expected);
      expect(await isCollaboratorGiven(gh, repo, "maya", await role("maya"))).toBe(expected);
      expect(calls.filter((c) => c === permissionPath("maya"))).toHaveLength(1);
      expect(calls.filter((c) => c === collaboratorPath("maya"))).toHaveLength(checks * 2);
    },
  );

  it("a user whose role is not read (404, a bot) is asked, and is none", async () => {
    const { gh, calls } = client({
      [permissionPath("dependabot[bot]")]: NOT_A_USER,
      [collaboratorPath("dependabot[bot]")]: NOT_FOUND,
    });
    expect(await collaboratorCache(gh, repo, permissionCache(gh, repo))("dependabot[bot]")).toBe(false);
    expect(calls).toEqual([permissionPath("dependabot[bot]"), collaboratorPath("dependabot[bot]")]);
  });
});
