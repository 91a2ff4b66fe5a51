import type { Octokit } from "@octokit/rest";
import { afterEach, describe, expect, it } from "vitest";
import {
  type GitHubSimulator,
  SIM_LENIENT_DEFAULTS,
  type SimulatorOptions,
  startSimulator,
} from "../../src/sim/github/index.js";
import { installationClient, userClient } from "../helpers/sim-clients.js";
import { waitFor } from "../helpers/wait.js";

let sim: GitHubSimulator;
let installationId: number;
const repo = { owner: "acme", repo: "widgets" };

async function start(o: Partial<SimulatorOptions> = {}): Promise<Octokit> {
  sim = await startSimulator({ webhookSecret: "x", ...SIM_LENIENT_DEFAULTS, ...o });
  sim.createRepo({ owner: "acme", name: "widgets", files: { "README.md": "hi\n" } });
  installationId = sim.installApp("acme").installationId;
  return installationClient(sim, installationId);
}
afterEach(async () => {
  await sim.stop();
});

type Failure = { status: number; response: { headers: Record<string, string>; data: { message: string } } };
async function failure(p: Promise<unknown>): Promise<Failure> {
  try {
    await p;
  } catch (error) {
    return error as Failure;
  }
  throw new Error("expected the request to fail");
}

describe("simulator: primary rate limits", () => {
  it("counts down x-ratelimit-* per installation and refuses with 403 at zero, until the reset", async () => {
    const gh = await start({ limits: { primary: { installationPerHour: 3 } } });
    const seen = [];
    for (let i = 0; i < 3; i++) seen.push((await gh.rest.repos.get(repo)).headers);
    expect(
      seen.map((h) => [h["x-ratelimit-limit"], h["x-ratelimit-remaining"], h["x-ratelimit-used"]]),
    ).toEqual([
      ["3", "2", "1"],
      ["3", "1", "2"],
      ["3", "0", "3"],
    ]);
    expect(new Set(seen.map((h) => h["x-ratelimit-reset"])).size).toBe(1);
    expect(seen[0]?.["x-ratelimit-resource"]).toBe("core");
    const reset = Number(seen[0]?.["x-ratelimit-reset"]);
    const date = Date.parse(String(seen[0]?.date)) / 1000;
    expect(reset - date).toBeGreaterThan(3590);
    expect(reset - date).toBeLessThanOrEqual(3601);

    const refused = await failure(gh.rest.issues.create({ ...repo, title: "t" }));
    expect(refused.status).toBe(403);
    expect(refused.response.headers["x-ratelimit-remaining"]).toBe("0");
    expect(refused.response.headers["x-ratelimit-reset"]).toBe(String(reset));
    expect(refused.response.data).toEqual({
      message: `API rate limit exceeded for installation ID ${installationId}.`,
      documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
      status: "403",
    });
    expect(sim.dump().repositories[0]?.issues).toHaveLength(0);
    expect(sim.calls.at(-1)).toMatchObject({ status: 403, limited: "primary" });
    expect(sim.rateLimits.refusals.primary).toBe(1);
  });

  it("budgets are per token: another installation and a user still have theirs", async () => {
    const gh = await start({ limits: { primary: { installationPerHour: 1, userPerHour: 2 } } });
    sim.createRepo({ owner: "other", name: "w", files: { a: "a" } });
    const other = await installationClient(sim, sim.installApp("other").installationId);
    const alice = userClient(sim, sim.createUser("alice").token);
    await gh.rest.repos.get(repo);
    expect((await failure(gh.rest.repos.get(repo))).status).toBe(403);
    expect((await other.rest.repos.get({ owner: "other", repo: "w" })).headers["x-ratelimit-remaining"]).toBe(
      "0",
    );
    const mine = await alice.rest.repos.get(repo);
    expect([mine.headers["x-ratelimit-limit"], mine.headers["x-ratelimit-remaining"]]).toEqual(["2", "1"]);
    await alice.rest.repos.get(repo);
    const refused = await failure(alice.rest.repos.get(repo));
    expect(refused.response.data.message).toMatch(/^API rate limit exceeded for user ID \d+\.$/);
  });

  it("answers 429 when configured so, and a fresh window after the reset (time-scaled)", async () => {
    // 3600× GitHub time: the hour's window passes in one real second.
    const gh = await start({ timeScale: 3600, limits: { primary: { installationPerHour: 1, status: 429 } } });
    await gh.rest.repos.get(repo);
    const refused = await failure(gh.rest.repos.get(repo));
    expect(refused.status).toBe(429);
    const wait = sim.clock.toRealMs(
      Number(refused.response.headers["x-ratelimit-reset"]) * 1000 -
        Date.parse(refused.response.headers.date ?? ""),
    );
    expect(wait).toBeLessThanOrEqual(1000);
    await new Promise((r) => setTimeout(r, wait + 50));
    const again = await gh.rest.repos.get(repo);
    expect(again.headers["x-ratelimit-remaining"]).toBe("0");
    expect(again.headers["x-ratelimit-used"]).toBe("1");
  });

  it("lenient defaults: a fixed fresh budget in the headers and no refusal", async () => {
    const gh = await start();
    for (let i = 0; i < 5; i++) {
      const { headers } = await gh.rest.repos.get(repo);
      expect([headers["x-ratelimit-limit"], headers["x-ratelimit-remaining"]]).toEqual(["5000", "4999"]);
    }
  });

  it("GraphQL counts against its own resource", async () => {
    const gh = await start({ limits: { primary: {} } });
    await gh.rest.repos.get(repo);
    const res = await gh.request("POST /graphql", {
      query: '{ repository(owner: "acme", name: "widgets") { name } }',
    });
    expect([res.headers["x-ratelimit-resource"], res.headers["x-ratelimit-used"]]).toEqual(["graphql", "1"]);
  });

  it("a forced primary limit holds for its time, whatever the configuration, and can be lifted", async () => {
    const gh = await start();
    sim.rateLimits.force({ installationId }, { kind: "primary", forMs: 120_000 });
    const refused = await failure(gh.rest.issues.createComment({ ...repo, issue_number: 1, body: "x" }));
    expect(refused.status).toBe(403);
    expect(refused.response.headers["x-ratelimit-remaining"]).toBe("0");
    const left =
      Number(refused.response.headers["x-ratelimit-reset"]) -
      Date.parse(refused.response.headers.date ?? "") / 1000;
    expect(left).toBeGreaterThan(115);
    expect(left).toBeLessThanOrEqual(121);
    sim.rateLimits.lift({ installationId });
    await gh.rest.repos.get(repo);
  });
});

describe("simulator: secondary rate limits", () => {
  it("900 points a minute per endpoint, writes costing 5: then every request is refused for the penalty", async () => {
    const gh = await start({ limits: { secondary: { pointsPerMinutePerEndpoint: 10, penaltyMs: 60_000 } } });
    const { data: issue } = await gh.rest.issues.create({ ...repo, title: "t" });
    const comment = () => gh.rest.issues.createComment({ ...repo, issue_number: issue.number, body: "x" });
    await comment();
    await comment();
    const refused = await failure(comment());
    expect(refused.status).toBe(403);
    expect(refused.response.data.message).toMatch(
      /^You have exceeded a secondary rate limit\. Please wait a few minutes before you try again\. If you reach out to GitHub Support for help, please include the request ID [0-9A-F:]+\.$/,
    );
    expect(refused.response.data.message).toContain(refused.response.headers["x-github-request-id"]);
    expect(refused.response.headers["retry-after"]).toBeUndefined();
    // The primary budget is untouched: only the message tells it is a secondary limit.
    expect(refused.response.headers["x-ratelimit-remaining"]).not.toBe("0");
    // Another endpoint is refused too while the penalty lasts.
    expect((await failure(gh.rest.repos.get(repo))).status).toBe(403);
    expect(sim.dump().repositories[0]?.issues[0]?.comments).toHaveLength(2);
  });

  it("with retry-after: the seconds left in the penalty; after them the token is served again", async () => {
    const gh = await start({
      timeScale: 60,
      limits: { secondary: { pointsPerMinutePerEndpoint: 5, penaltyMs: 60_000, retryAfter: true } },
    });
    for (let i = 0; i < 5; i++) await gh.rest.repos.get(repo);
    const refused = await failure(gh.rest.repos.get(repo));
    const retryAfter = Number(refused.response.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThan(55);
    expect(retryAfter).toBeLessThanOrEqual(60);
    await new Promise((r) => setTimeout(r, sim.clock.toRealMs(retryAfter * 1000) + 50));
    await gh.rest.repos.get(repo);
  });

  it("80 content-creating requests a minute: reads and edits do not count, the 81st creation is refused", async () => {
    const gh = await start({
      limits: { secondary: { contentPerMinute: 3, pointsPerMinutePerEndpoint: 1_000_000 } },
    });
    const { data: issue } = await gh.rest.issues.create({ ...repo, title: "t" });
    const { data: c } = await gh.rest.issues.createComment({
      ...repo,
      issue_number: issue.number,
      body: "1",
    });
    for (let i = 0; i < 5; i++) {
      await gh.rest.issues.updateComment({ ...repo, comment_id: c.id, body: `edit ${i}` });
      await gh.rest.issues.get({ ...repo, issue_number: issue.number });
    }
    await gh.rest.issues.createComment({ ...repo, issue_number: issue.number, body: "2" });
    const refused = await failure(
      gh.rest.issues.createComment({ ...repo, issue_number: issue.number, body: "3" }),
    );
    expect(refused.response.data.message).toMatch(/secondary rate limit/);
  });

  it("500 content-creating requests an hour", async () => {
    const gh = await start({
      limits: {
        secondary: { contentPerMinute: 1000, contentPerHour: 4, pointsPerMinutePerEndpoint: 1_000_000 },
      },
    });
    for (let i = 0; i < 4; i++) await gh.rest.issues.create({ ...repo, title: `t${i}` });
    expect((await failure(gh.rest.issues.create({ ...repo, title: "t4" }))).status).toBe(403);
  });

  it("100 concurrent requests: one more while they are in flight is refused", async () => {
    const gh = await start({ limits: { secondary: { concurrent: 2 } } });
    // Two requests that GitHub works on for a while (a timeout fault after 2 s of GitHub time).
    sim.faults.add({ route: "GET /repos/{owner}/{repo}/issues", kind: "timeout", delayMs: 2000, times: 2 });
    const slow = [gh.rest.issues.listForRepo(repo), gh.rest.issues.listForRepo(repo)].map((p) =>
      p.catch((e) => e),
    );
    await waitFor("two slow requests", () => sim.faults.injected.length === 2);
    const refused = await failure(gh.rest.repos.get(repo));
    expect(refused.response.data.message).toMatch(/secondary rate limit/);
    expect((await Promise.all(slow)).map((e) => (e as Failure).status)).toEqual([502, 502]);
  });

  it("GraphQL: 2,000 points a minute, a query costing 1 and a mutation 5", async () => {
    const gh = await start({ limits: { secondary: { graphqlPointsPerMinute: 5 } } });
    const query = () => gh.graphql('{ repository(owner: "acme", name: "widgets") { name } }');
    for (let i = 0; i < 5; i++) await query();
    expect((await failure(query())).status).toBe(403);
    sim.rateLimits.lift({ installationId });
    const mutation =
      'mutation { markPullRequestReadyForReview(input: { pullRequestId: "x" }) { clientMutationId } }';
    const fresh = await installationClient(sim, sim.installApp("other").installationId);
    sim.createRepo({ owner: "other", name: "o", files: { a: "a" } });
    // A mutation is 5 points: one fits, the second does not.
    await fresh.graphql(mutation).catch(() => undefined);
    expect((await failure(fresh.graphql(mutation))).status).toBe(403);
  });

  it("the legacy abuse-detection message, as a forced limit with retry-after", async () => {
    const gh = await start();
    sim.rateLimits.force(
      { installationId },
      { kind: "secondary", forMs: 30_000, retryAfter: true, legacyMessage: true },
    );
    const refused = await failure(gh.rest.repos.get(repo));
    expect(refused.status).toBe(403);
    expect(refused.response.data).toEqual({
      message:
        "You have triggered an abuse detection mechanism. Please wait a few minutes before you try again.",
      documentation_url: "https://developer.github.com/v3/#abuse-rate-limits",
    });
    expect(Number(refused.response.headers["retry-after"])).toBeGreaterThan(25);
    expect(sim.calls.at(-1)).toMatchObject({ limited: "secondary" });
  });
});
