import type { Octokit } from "@octokit/rest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type GitHubSimulator, startSimulator } from "../../src/sim/github/index.js";
import { installationClient, userClient } from "../helpers/sim-clients.js";

let sim: GitHubSimulator;
let gh: Octokit;
const repo = { owner: "acme", repo: "widgets" };

beforeEach(async () => {
  sim = await startSimulator({ webhookSecret: "x" });
  sim.createRepo({ owner: "acme", name: "widgets", files: { "a.ts": "a\n" } });
  sim.createRepo({ owner: "acme", name: "closed", files: { "a.ts": "a\n" }, private: true });
  for (const login of ["maya", "rita", "sec", "tess", "outsider"]) sim.createUser(login);
  sim.createUser("dependabot[bot]", { type: "Bot" });
  for (const name of ["acme/widgets", "acme/closed"]) {
    sim.addCollaborator(name, "maya", "maintain");
    sim.addCollaborator(name, "rita", "read");
    sim.addCollaborator(name, "tess", "triage");
    sim.addCollaborator(name, "sec", { name: "security-reviewer", base: "write" });
  }
  gh = await installationClient(sim, sim.installApp("acme").installationId);
});
afterEach(async () => {
  await sim.stop();
});

const perm = async (username: string, r = repo) =>
  (await gh.rest.repos.getCollaboratorPermissionLevel({ ...r, username })).data;

describe("simulator: repository permissions", () => {
  it("permission is the legacy base role, role_name the real one — custom roles included", async () => {
    expect(await perm("maya")).toMatchObject({ permission: "write", role_name: "maintain" });
    expect(await perm("tess")).toMatchObject({ permission: "read", role_name: "triage" });
    expect(await perm("rita")).toMatchObject({ permission: "read", role_name: "read" });
    const custom = await perm("sec");
    expect(custom).toMatchObject({ permission: "write", role_name: "security-reviewer" });
    expect(custom.user).toMatchObject({
      login: "sec",
      role_name: "security-reviewer",
      permissions: { push: true, maintain: false },
    });
    expect(await perm("acme")).toMatchObject({ permission: "admin", role_name: "admin" });
  });

  it("someone who is no collaborator: read on a public repository (or none, as configured), none on a private one", async () => {
    expect(await perm("outsider")).toMatchObject({ permission: "read", role_name: "read" });
    expect(await perm("outsider", { owner: "acme", repo: "closed" })).toMatchObject({
      permission: "none",
      role_name: "none",
    });
    sim.configure({ rules: { publicNonCollaborator: "none" } });
    expect(await perm("outsider")).toMatchObject({ permission: "none", role_name: "none" });
  });

  it("a bot is not a user (404); the caller needs push access", async () => {
    const bot = await gh.rest.repos
      .getCollaboratorPermissionLevel({ ...repo, username: "dependabot[bot]" })
      .catch((e) => e);
    expect(bot.status).toBe(404);
    expect(bot.response.data.message).toBe("dependabot[bot] is not a user");
    const reader = userClient(sim, sim.createUser("reader2").token);
    sim.addCollaborator("acme/widgets", "reader2", "read");
    const refused = await reader.rest.repos
      .getCollaboratorPermissionLevel({ ...repo, username: "maya" })
      .catch((e) => e);
    expect(refused.status).toBe(403);
    expect(refused.response.data.message).toBe("Must have push access to view collaborator permission.");
  });

  it("check a collaborator: 204 for one, 404 for anyone else", async () => {
    expect((await gh.rest.repos.checkCollaborator({ ...repo, username: "sec" })).status).toBe(204);
    expect(
      (await gh.rest.repos.checkCollaborator({ ...repo, username: "outsider" }).catch((e) => e)).status,
    ).toBe(404);
    expect(
      (await gh.rest.repos.checkCollaborator({ ...repo, username: "ghost" }).catch((e) => e)).status,
    ).toBe(404);
  });
});
