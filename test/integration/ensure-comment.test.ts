import type { Octokit } from "@octokit/rest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BODY_MAX } from "../../src/core/render/limits.js";
import { ensureComment } from "../../src/github/comments.js";
import { type GitHubSimulator, startSimulator } from "../../src/sim/github/index.js";
import { expectHttp } from "../helpers/http-expect.js";
import { installationClient } from "../helpers/sim-clients.js";

/**
 * `ensureComment` at the HTTP level (issue 12 item 4, issue [8/12]): a comment nothing can have
 * written yet is posted without listing the thread, every part of a split body included; a comment
 * known by its id is edited in one call; with neither, the thread is listed first.
 */
let sim: GitHubSimulator;
let gh: Octokit;
const repo = { owner: "acme", repo: "widgets" };
const ref = { ...repo, issue_number: 1 };
const LIST = "GET /repos/{owner}/{repo}/issues/{issue_number}/comments";
const POST = "POST /repos/{owner}/{repo}/issues/{issue_number}/comments";
const PATCH = "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}";
const MARKER = "<!-- triad:notify id=t1 -->";
const BOT = "triad[bot]";

beforeEach(async () => {
  sim = await startSimulator({ webhookSecret: "x" });
  sim.createRepo({ owner: "acme", name: "widgets", files: { "a.ts": "a\n" } });
  gh = await installationClient(sim, sim.installApp("acme").installationId);
  await gh.rest.issues.create({ ...repo, title: "t" });
});
afterEach(async () => {
  await sim.stop();
});

describe("ensureComment", () => {
  it("fresh: posts at once, no listing; a split body posts each part once and reports each", async () => {
    const http = expectHttp(sim).expect(POST, 4); // three parts, and the short one
    const written: string[] = [];
    const long = `${"word ".repeat(BODY_MAX / 5)}\n\n${"more ".repeat(BODY_MAX / 5)}`;
    const main = await ensureComment(gh, ref, {
      marker: MARKER,
      body: long,
      botLogin: BOT,
      fresh: true,
      written: (m, c) => written.push(`${m} ${c.id}`),
    });
    await ensureComment(gh, ref, {
      marker: "<!-- triad:notify id=t2 -->",
      body: "short",
      botLogin: BOT,
      fresh: true,
    });
    http.verify();
    expect(main.body?.startsWith(MARKER)).toBe(true);
    expect(written).toEqual([
      `${MARKER} ${main.id}`,
      expect.stringMatching(/id=t1 part=2 --> \d+$/),
      expect.stringMatching(/id=t1 part=3 --> \d+$/),
    ]);
    // Each part within GitHub's limit with its marker line on top (the simulator refuses more).
    const { data } = await gh.rest.issues.listComments(ref);
    expect(data.filter((c) => c.body?.includes("<!-- triad:notify id=t1 part=2 -->"))).toHaveLength(1);
  });

  it("known id: one PATCH; neither known nor fresh: listed first, then edited (a lost answer is found)", async () => {
    const posted = await ensureComment(gh, ref, { marker: MARKER, body: "v1", botLogin: BOT, fresh: true });
    const known = expectHttp(sim).expect(PATCH);
    await ensureComment(gh, ref, { marker: MARKER, body: "v2", botLogin: BOT, knownId: posted.id });
    known.verify();
    const unknown = expectHttp(sim).expect(LIST).expect(PATCH);
    await ensureComment(gh, ref, { marker: MARKER, body: "v3", botLogin: BOT });
    unknown.verify();
    const { data } = await gh.rest.issues.listComments(ref);
    expect(data.map((c) => c.body)).toEqual([`${MARKER}\nv3`]);
  });
});
