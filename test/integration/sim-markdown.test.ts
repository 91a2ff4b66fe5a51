import { Octokit } from "@octokit/rest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type GitHubSimulator, startSimulator } from "../../src/sim/github/index.js";

let sim: GitHubSimulator;
let maya: Octokit;
let token: string;
const repo = { owner: "acme", repo: "widgets" };

beforeEach(async () => {
  sim = await startSimulator({ webhookSecret: "s3cret" });
  token = sim.createUser("maya").token;
  sim.createRepo({ owner: "acme", name: "widgets", files: { "README.md": "# widgets\n" } });
  sim.addCollaborator("acme/widgets", "maya", "maintain");
  maya = new Octokit({ baseUrl: sim.url, auth: token, request: { retries: 0 } });
});
afterEach(async () => {
  await sim.stop();
});

const TRACKING = [
  "<!-- triad:tracking -->",
  "### triad · workflow for #1",
  "",
  "- [x] Architect plans",
  "- [ ] **Developer** ⏳",
  "",
  "| role | calls |",
  "|---|---|",
  "| architect | 2 |",
  "",
  "<details><summary>More</summary>",
  "",
  "inside",
  "",
  "</details>",
  "",
  "<script>alert(1)</script><img src=x onerror=alert(1)>",
  "",
  "thanks @maya, see #1",
  "<!-- triad:state-data eyJwaGFzZSI6InBsYW5uaW5nIn0= -->",
].join("\n");

describe("simulator: Markdown bodies as GitHub renders them", () => {
  it("answers body_html for the html and full media types, with markers and scripts gone", async () => {
    const { data: issue } = await maya.rest.issues.create({ ...repo, title: "t", body: "x" });
    await maya.rest.issues.createComment({ ...repo, issue_number: issue.number, body: TRACKING });

    const { data: full } = await maya.rest.issues.listComments({
      ...repo,
      issue_number: issue.number,
      mediaType: { format: "full" },
    });
    const c = full[0] as { body: string; body_html: string; body_text: string };
    expect(c.body).toBe(TRACKING);
    expect(c.body_html).toContain(
      '<li class="task-list-item"><input type="checkbox" class="task-list-item-checkbox" disabled checked />',
    );
    expect(c.body_html).toContain("<table>");
    expect(c.body_html).toContain("<details><summary>More</summary>");
    expect(c.body_html).toContain(`href="${sim.url}/acme/widgets/issues/1"`);
    expect(c.body_html).toContain(`href="${sim.url}/maya"`);
    expect(c.body_html).not.toMatch(/triad:|<!--|<script|onerror|alert/);
    expect(c.body_text).toContain("inside");
    expect(c.body_text).not.toContain("triad:");

    const { data: html } = await maya.rest.issues.get({
      ...repo,
      issue_number: issue.number,
      mediaType: { format: "html" },
    });
    expect(html).not.toHaveProperty("body");
    expect((html as { body_html?: string }).body_html).toBe("<p>x</p>");

    const { data: raw } = await maya.rest.issues.get({ ...repo, issue_number: issue.number });
    expect(raw).not.toHaveProperty("body_html");
  });

  it("renders through POST /markdown: gfm mode links references and breaks lines, markdown mode does not", async () => {
    await maya.rest.issues.create({ ...repo, title: "t" });
    const gfm = await maya.rest.markdown.render({
      text: "see #1\nnext",
      mode: "gfm",
      context: "acme/widgets",
    });
    expect(String(gfm.data)).toBe(
      `<p>see <a class="issue-link" href="${sim.url}/acme/widgets/issues/1" rel="nofollow">#1</a><br />next</p>`,
    );
    const md = await maya.rest.markdown.render({ text: "see #1\nnext" });
    expect(String(md.data)).toBe("<p>see #1\nnext</p>");
  });
});

describe("simulator: pages beside the API", () => {
  it("serves mounted pages to browser navigations and /_playground/, never in place of an API route", async () => {
    sim.mountPages((_req, res, url) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(`page ${url.pathname}`);
    });
    const nav = await fetch(`${sim.url}/acme/widgets/issues/1`, { headers: { accept: "text/html" } });
    expect(await nav.text()).toBe("page /acme/widgets/issues/1");
    const asset = await fetch(`${sim.url}/_playground/app.js`);
    expect(await asset.text()).toBe("page /_playground/app.js");
    const api = await fetch(`${sim.url}/repos/acme/widgets`, {
      headers: { accept: "text/html", authorization: `token ${token}` },
    });
    expect(((await api.json()) as { full_name: string }).full_name).toBe("acme/widgets");
    expect(sim.calls.some((c) => c.path.startsWith("/_playground"))).toBe(false);
  });

  it("tells write listeners about API writes that succeeded, not reads or refused writes", async () => {
    const seen: string[] = [];
    sim.onWrite((c) => seen.push(`${c.method} ${c.route}`));
    await maya.rest.issues.create({ ...repo, title: "t" });
    await maya.rest.issues.listForRepo(repo);
    await maya.rest.markdown.render({ text: "x" });
    await expect(
      maya.rest.issues.createComment({ ...repo, issue_number: 99, body: "x" }),
    ).rejects.toMatchObject({
      status: 404,
    });
    // The listener runs when the answer has been sent; the next request's answer comes after it.
    await maya.rest.issues.listForRepo(repo);
    expect(seen).toEqual(["POST /repos/{owner}/{repo}/issues"]);
  });
});
