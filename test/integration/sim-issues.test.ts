import { Octokit } from "@octokit/rest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type GitHubSimulator, SIM_LENIENT_DEFAULTS, startSimulator } from "../../src/sim/github/index.js";

let sim: GitHubSimulator;
let alice: Octokit;
let mallory: Octokit;

beforeEach(async () => {
  sim = await startSimulator({ webhookSecret: "s3cret", ...SIM_LENIENT_DEFAULTS });
  sim.createUser("alice");
  const a = sim.createUser("alice-maint");
  const m = sim.createUser("mallory");
  sim.createRepo({
    owner: "acme",
    name: "widgets",
    files: { "README.md": "# widgets\n", "src/a.ts": "export {};\n" },
  });
  sim.addCollaborator("acme/widgets", "alice-maint", "maintain");
  alice = new Octokit({ baseUrl: sim.url, auth: a.token });
  mallory = new Octokit({ baseUrl: sim.url, auth: m.token });
});
afterEach(async () => {
  await sim.stop();
});

const repo = { owner: "acme", repo: "widgets" };

describe("simulator: auth", () => {
  it("rejects missing and unknown tokens with 401 Bad credentials", async () => {
    const anon = new Octokit({ baseUrl: sim.url });
    await expect(anon.rest.issues.listForRepo(repo)).rejects.toMatchObject({ status: 401 });
    const bad = new Octokit({ baseUrl: sim.url, auth: "nope" });
    await expect(bad.rest.issues.listForRepo(repo)).rejects.toMatchObject({
      status: 401,
      response: { data: { message: "Bad credentials" } },
    });
  });
});

describe("simulator: issues, labels, comments, reactions", () => {
  it("creates, lists with filters and updates issues", async () => {
    const { data: issue, status } = await alice.rest.issues.create({
      ...repo,
      title: "Add a flux capacitor",
      body: "x",
    });
    expect(status).toBe(201);
    expect(issue).toMatchObject({ number: 1, state: "open", user: { login: "alice-maint" }, labels: [] });
    await alice.rest.issues.create({ ...repo, title: "Second", labels: ["bug"] });
    const { data: bugs } = await alice.rest.issues.listForRepo({ ...repo, labels: "bug" });
    expect(bugs.map((i) => i.number)).toEqual([2]);
    const { data: closed } = await alice.rest.issues.update({ ...repo, issue_number: 1, state: "closed" });
    expect(closed).toMatchObject({
      state: "closed",
      state_reason: "completed",
      closed_by: { login: "alice-maint" },
    });
    const { data: open } = await alice.rest.issues.listForRepo(repo);
    expect(open.map((i) => i.number)).toEqual([2]);
    const { data: all } = await alice.rest.issues.listForRepo({ ...repo, state: "all", direction: "asc" });
    expect(all.map((i) => i.number)).toEqual([1, 2]);
    await expect(alice.rest.issues.get({ ...repo, issue_number: 99 })).rejects.toMatchObject({
      status: 404,
      response: { data: { message: "Not Found" } },
    });
    await expect(
      alice.rest.issues.create({ ...repo, title: undefined as unknown as string }),
    ).rejects.toMatchObject({
      status: 422,
      response: { data: { message: "Validation Failed" } },
    });
  });

  it("adds (creating missing labels), removes and sets labels", async () => {
    await alice.rest.issues.create({ ...repo, title: "t" });
    const { data: added } = await alice.rest.issues.addLabels({
      ...repo,
      issue_number: 1,
      labels: ["triad", "bug"],
    });
    expect(added.map((l) => l.name)).toEqual(["triad", "bug"]);
    const { data: labels } = await alice.rest.issues.listLabelsForRepo({ ...repo, per_page: 100 });
    expect(labels.find((l) => l.name === "triad")).toMatchObject({ color: "ededed", default: false });
    const { data: left } = await alice.rest.issues.removeLabel({ ...repo, issue_number: 1, name: "bug" });
    expect(left.map((l) => l.name)).toEqual(["triad"]);
    await expect(
      alice.rest.issues.removeLabel({ ...repo, issue_number: 1, name: "bug" }),
    ).rejects.toMatchObject({
      status: 404,
    });
    const { data: set } = await alice.rest.issues.setLabels({
      ...repo,
      issue_number: 1,
      labels: ["question"],
    });
    expect(set.map((l) => l.name)).toEqual(["question"]);
    await expect(
      mallory.rest.issues.addLabels({ ...repo, issue_number: 1, labels: ["x"] }),
    ).rejects.toMatchObject({
      status: 403,
    });
    await alice.rest.issues.createLabel({ ...repo, name: "triad:ready", color: "0e8a16" });
    await expect(alice.rest.issues.createLabel({ ...repo, name: "TRIAD:ready" })).rejects.toMatchObject({
      status: 422,
    });
  });

  it("creates, edits, deletes comments and filters by since", async () => {
    await alice.rest.issues.create({ ...repo, title: "t" });
    const { data: c1 } = await mallory.rest.issues.createComment({ ...repo, issue_number: 1, body: "first" });
    expect(c1).toMatchObject({ body: "first", user: { login: "mallory" }, author_association: "NONE" });
    await expect(
      mallory.rest.issues.updateComment({ ...repo, comment_id: c1.id, body: "edited" }),
    ).resolves.toMatchObject({ data: { body: "edited" } });
    const { data: got } = await alice.rest.issues.getComment({ ...repo, comment_id: c1.id });
    expect(got.body).toBe("edited");
    const { data: none } = await alice.rest.issues.listComments({
      ...repo,
      issue_number: 1,
      since: "2999-01-01T00:00:00Z",
    });
    expect(none).toEqual([]);
    // "Updated after" the given time: not at it; a second earlier finds it.
    const { data: edited } = await alice.rest.issues.getComment({ ...repo, comment_id: c1.id });
    const at = edited.updated_at;
    const before = new Date(Date.parse(at) - 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
    const list = (since: string) => alice.rest.issues.listComments({ ...repo, issue_number: 1, since });
    expect((await list(at)).data).toEqual([]);
    expect((await list(before)).data.map((c) => c.id)).toEqual([c1.id]);
    await alice.rest.issues.deleteComment({ ...repo, comment_id: c1.id });
    await expect(alice.rest.issues.getComment({ ...repo, comment_id: c1.id })).rejects.toMatchObject({
      status: 404,
    });
  });

  it("reactions: 201 when new, 200 with the existing one on repeat", async () => {
    await alice.rest.issues.create({ ...repo, title: "t" });
    const first = await alice.rest.reactions.createForIssue({ ...repo, issue_number: 1, content: "eyes" });
    const again = await alice.rest.reactions.createForIssue({ ...repo, issue_number: 1, content: "eyes" });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.data.id).toBe(first.data.id);
    const { data: c } = await alice.rest.issues.createComment({ ...repo, issue_number: 1, body: "b" });
    await mallory.rest.reactions.createForIssueComment({ ...repo, comment_id: c.id, content: "+1" });
    const { data: list } = await alice.rest.reactions.listForIssueComment({ ...repo, comment_id: c.id });
    expect(list.map((r) => [r.content, r.user?.login])).toEqual([["+1", "mallory"]]);
    const { data: issue } = await alice.rest.issues.get({ ...repo, issue_number: 1 });
    expect(issue.reactions).toMatchObject({ total_count: 1, eyes: 1 });
  });

  it("paginates 150 comments with per_page=100 and a Link header", async () => {
    await alice.rest.issues.create({ ...repo, title: "t" });
    for (let i = 0; i < 150; i += 1) {
      await alice.rest.issues.createComment({ ...repo, issue_number: 1, body: `c${i}` });
    }
    const page1 = await alice.rest.issues.listComments({ ...repo, issue_number: 1, per_page: 100 });
    expect(page1.data).toHaveLength(100);
    expect(page1.headers.link).toBe(
      `<${sim.url}/repos/acme/widgets/issues/1/comments?per_page=100&page=2>; rel="next", ` +
        `<${sim.url}/repos/acme/widgets/issues/1/comments?per_page=100&page=2>; rel="last"`,
    );
    const page2 = await alice.rest.issues.listComments({ ...repo, issue_number: 1, per_page: 100, page: 2 });
    expect(page2.data).toHaveLength(50);
    expect(page2.headers.link).toContain('rel="prev"');
    expect(page2.headers.link).not.toContain('rel="next"');
    const all = await alice.paginate(alice.rest.issues.listComments, {
      ...repo,
      issue_number: 1,
      per_page: 100,
    });
    expect(all.map((c) => c.body)).toEqual(Array.from({ length: 150 }, (_, i) => `c${i}`));
  });
});

describe("simulator: collaborators and contents", () => {
  it("maps roles to GitHub's legacy permission", async () => {
    sim.createUser("t");
    sim.addCollaborator("acme/widgets", "t", "triage");
    const perm = async (username: string) =>
      (await alice.rest.repos.getCollaboratorPermissionLevel({ ...repo, username })).data;
    expect(await perm("alice-maint")).toMatchObject({ permission: "write", role_name: "maintain" });
    expect(await perm("t")).toMatchObject({ permission: "read", role_name: "triage" });
    // A public repository: someone who is no collaborator reads (rules.publicNonCollaborator).
    expect(await perm("mallory")).toMatchObject({ permission: "read", role_name: "read" });
    expect(await perm("acme")).toMatchObject({ permission: "admin", role_name: "admin" });
    await expect(perm("ghost")).rejects.toMatchObject({ status: 404 });
    const { data: collaborators } = await alice.rest.repos.listCollaborators(repo);
    expect(collaborators.map((c) => [c.login, c.role_name])).toEqual([
      ["acme", "admin"],
      ["alice-maint", "maintain"],
      ["t", "triage"],
    ]);
  });

  it("serves file contents (base64, blob sha), directories and 404s", async () => {
    const { data } = await alice.rest.repos.getContent({ ...repo, path: "src/a.ts" });
    if (Array.isArray(data) || data.type !== "file") throw new Error("expected a file");
    expect(Buffer.from(data.content, "base64").toString()).toBe("export {};\n");
    const { data: blob } = await alice.rest.git.getBlob({ ...repo, file_sha: data.sha });
    expect(Buffer.from(blob.content, "base64").toString()).toBe("export {};\n");
    const { data: dir } = await alice.rest.repos.getContent({ ...repo, path: "" });
    expect(Array.isArray(dir) && dir.map((e) => [e.name, e.type])).toEqual([
      ["README.md", "file"],
      ["src", "dir"],
    ]);
    await expect(alice.rest.repos.getContent({ ...repo, path: "nope.txt" })).rejects.toMatchObject({
      status: 404,
    });
    await expect(
      alice.rest.repos.getContent({ ...repo, path: "README.md", ref: "nope" }),
    ).rejects.toMatchObject({
      status: 404,
    });
    const { data: r } = await alice.rest.repos.get(repo);
    expect(r).toMatchObject({ full_name: "acme/widgets", default_branch: "main", private: false });
    const { data: branch } = await alice.rest.repos.getBranch({ ...repo, branch: "main" });
    expect(branch.commit.sha).toMatch(/^[0-9a-f]{40}$/);
  });
});
