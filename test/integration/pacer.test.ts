import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Admission } from "../../src/github/admission.js";
import { type HookableOctokit, installRequestLayer } from "../../src/github/paced-client.js";
import { Pacer } from "../../src/github/pacer.js";
import { DEFAULT_PACING, type PacingConfig } from "../../src/github/pacing-config.js";
import { startSimulator } from "../../src/sim/github/index.js";
import { REDIS_URL, testPrefix } from "../helpers/redis.js";
import { installationClient } from "../helpers/sim-clients.js";

/**
 * The pacer and the turns against real Redis: what two worker processes share. GitHub time is real
 * time here (scale 1) with short spacings, or scaled where windows of a minute or an hour matter.
 */
let a: Redis;
let b: Redis;
beforeAll(() => {
  a = new Redis(REDIS_URL);
  b = new Redis(REDIS_URL);
});
afterAll(() => {
  a.disconnect();
  b.disconnect();
});

const config = (o: Partial<PacingConfig> = {}): PacingConfig => ({ ...DEFAULT_PACING, ...o });

interface Sent {
  method: string;
  start: number;
  end: number;
}

/** A client whose requests go through triad's request layer into a recorder (40 ms per request). */
function client(pacer: Pacer, sent: Sent[]) {
  let hook:
    | ((request: (o: unknown) => Promise<unknown>, options: Record<string, unknown>) => Promise<unknown>)
    | undefined;
  const octokit = {
    hook: {
      wrap(_name: string, fn: typeof hook) {
        hook = fn;
      },
    },
  } as unknown as HookableOctokit;
  installRequestLayer(octokit, { installationId: 7, pacer, timeoutMs: 5_000 });
  return (method: string, url: string) =>
    (hook as NonNullable<typeof hook>)(
      async () => {
        const start = Date.now();
        await new Promise((r) => setTimeout(r, 40));
        sent.push({ method, start, end: Date.now() });
        return { headers: {} };
      },
      { method, url, request: {} },
    );
}

describe("the pacer (shared through Redis)", () => {
  it("writes of one installation are serial and a spacing apart, across processes; reads are not held", async () => {
    const prefix = testPrefix("pace-writes");
    // Spacing well above a loaded machine's scheduling noise, so "not held" (< 200 ms) and "a
    // spacing apart" (≥ 400 ms) cannot be confused.
    const c = config({ writeSpacingMs: 400 });
    const sent: Sent[] = [];
    const one = client(new Pacer(a, prefix, c, { toRealMs: (ms) => ms }), sent);
    const two = client(new Pacer(b, prefix, c, { toRealMs: (ms) => ms }), sent);
    const t0 = Date.now();
    await Promise.all([
      one("POST", "/repos/{owner}/{repo}/git/trees"),
      two("POST", "/repos/{owner}/{repo}/git/commits"),
      one("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}"),
      two("DELETE", "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}"),
      one("GET", "/repos/{owner}/{repo}"),
      two("GET", "/repos/{owner}/{repo}/issues/{issue_number}"),
    ]);
    const writes = sent.filter((s) => s.method !== "GET").sort((x, y) => x.start - y.start);
    expect(writes).toHaveLength(4);
    // On an idle installation the first write goes at once.
    expect((writes[0] as Sent).start - t0).toBeLessThan(200);
    for (let i = 1; i < writes.length; i++)
      expect((writes[i] as Sent).start - (writes[i - 1] as Sent).end).toBeGreaterThanOrEqual(398);
    for (const r of sent.filter((s) => s.method === "GET")) expect(r.start - t0).toBeLessThan(200);
  });

  it("content-creating requests stay under the minute's and the hour's counts", async () => {
    const prefix = testPrefix("pace-content");
    // GitHub time 1000x: a minute is 60 ms, an hour 3.6 s.
    const pacer = new Pacer(
      a,
      prefix,
      config({ writeSpacingMs: 0, contentPerMinute: 3, contentPerHour: 5 }),
      {
        toRealMs: (ms) => ms / 1000,
      },
    );
    const comment = { method: "POST", route: "/repos/{owner}/{repo}/issues/{issue_number}/comments" };
    for (let i = 0; i < 3; i++) expect((await pacer.ask(7, comment)).go).toBe(true);
    const minute = await pacer.ask(7, comment);
    expect(minute).toMatchObject({ go: false, why: "content-minute" });
    // Edits and other writes are not content-creating.
    expect(
      (await pacer.ask(7, { method: "PATCH", route: "/repos/{owner}/{repo}/issues/comments/{comment_id}" }))
        .go,
    ).toBe(true);
    await new Promise((r) => setTimeout(r, minute.go ? 0 : minute.waitMs + 20));
    for (let i = 0; i < 2; i++) expect((await pacer.ask(7, comment)).go).toBe(true);
    const hour = await pacer.ask(7, comment);
    expect(hour).toMatchObject({ go: false, why: "content-hour" });
    expect(hour.go ? 0 : hour.waitMs).toBeGreaterThan(3_000);
  });

  it("the primary budget from the headers: held at the reserve until the reset, failure reports may use it", async () => {
    const prefix = testPrefix("pace-primary");
    const pacer = new Pacer(a, prefix, config({ primaryReserve: 2 }), { toRealMs: (ms) => ms });
    const date = new Date().toUTCString();
    const reset = Math.floor(Date.parse(date) / 1000) + 60;
    await pacer.observe(7, { "x-ratelimit-remaining": "3", "x-ratelimit-reset": String(reset), date });
    const read = { method: "GET", route: "/repos/{owner}/{repo}" };
    expect((await pacer.ask(7, read)).go).toBe(true); // 3 → 2
    const held = await pacer.ask(7, read);
    expect(held).toMatchObject({ go: false, why: "primary" });
    expect(held.go ? 0 : held.waitMs).toBeGreaterThan(55_000);
    expect((await pacer.ask(7, { ...read, priority: true })).go).toBe(true);
    // An older answer with more left does not raise what is known.
    await pacer.observe(7, { "x-ratelimit-remaining": "40", "x-ratelimit-reset": String(reset), date });
    expect((await pacer.ask(7, read)).go).toBe(false);
  });

  it("a refusal blocks every request of the installation for as long as GitHub asked", async () => {
    const prefix = testPrefix("pace-block");
    const pacer = new Pacer(a, prefix, config(), { toRealMs: (ms) => ms / 100 });
    await pacer.block(7, 60_000); // a minute of GitHub time: 600 ms here
    const other = new Pacer(b, prefix, config(), { toRealMs: (ms) => ms / 100 });
    const answer = await other.ask(7, { method: "GET", route: "/repos/{owner}/{repo}" });
    expect(answer).toMatchObject({ go: false, why: "blocked" });
    expect(answer.go ? 0 : answer.waitMs).toBeGreaterThan(500);
    expect((await other.ask(8, { method: "GET", route: "/repos/{owner}/{repo}" })).go).toBe(true);
  });
});

describe("turns per installation (shared through Redis)", () => {
  it("admits up to the cap, queues the rest in order, and names the next in line when a place frees", async () => {
    const prefix = testPrefix("turns");
    const one = new Admission(a, prefix, { cap: 2 });
    const two = new Admission(b, prefix, { cap: 2 });
    expect(await one.enter(7, "w#1", "develop|j1")).toEqual({ admitted: true });
    expect(await two.enter(7, "w#2", "architect|j2")).toEqual({ admitted: true });
    expect(await one.enter(7, "w#3", "architect|j3")).toEqual({ admitted: false, ahead: 0 });
    expect(await two.enter(7, "w#4", "review|j4")).toEqual({ admitted: false, ahead: 1 });
    expect(await one.enter(7, "w#3", "architect|j3")).toEqual({ admitted: false, ahead: 0 });
    // Another installation has its own turns.
    expect(await one.enter(8, "x#1", "architect|k1")).toEqual({ admitted: true });
    expect(await two.enter(7, "w#1", "develop|j5")).toEqual({ admitted: true }); // keeps its place
    expect(await one.leave(7, "w#1")).toEqual(["architect|j3"]);
    expect(await two.enter(7, "w#4", "review|j4")).toEqual({ admitted: false, ahead: 1 });
    expect(await two.enter(7, "w#3", "architect|j3")).toEqual({ admitted: true });
    expect(await one.enter(7, "w#4", "review|j4")).toEqual({ admitted: false, ahead: 0 });
  });

  it("a place not renewed, or a wait nobody asks about any more, is given up", async () => {
    const prefix = testPrefix("turns-lease");
    const turns = new Admission(a, prefix, { cap: 1, leaseMs: 150, staleMs: 150 });
    expect(await turns.enter(7, "w#1", "architect|j1")).toEqual({ admitted: true });
    expect(await turns.enter(7, "w#2", "architect|j2")).toEqual({ admitted: false, ahead: 0 });
    expect(await turns.enter(7, "w#3", "architect|j3")).toEqual({ admitted: false, ahead: 1 });
    await new Promise((r) => setTimeout(r, 250));
    // w#1 died without giving its place up and w#2 stopped asking: w#3 is next and gets the place.
    expect(await turns.enter(7, "w#3", "architect|j3")).toEqual({ admitted: true });
  });
});

describe("the request layer against the simulator", () => {
  it("a POST whose answer was lost is not sent again; a read that failed is; a refused POST goes again after the wait", async () => {
    const sim = await startSimulator({ webhookSecret: "x", timeScale: 1000 });
    try {
      sim.createRepo({ owner: "acme", name: "w", files: { "a.ts": "a\n" } });
      const { installationId } = sim.installApp("acme");
      const gh = await installationClient(sim, installationId);
      installRequestLayer(gh as unknown as HookableOctokit, {
        installationId,
        pacer: new Pacer(a, testPrefix("layer"), config(), sim.clock),
        timeoutMs: 5_000,
        time: sim.clock,
      });
      const repo = { owner: "acme", repo: "w" };
      const { data: issue } = await gh.rest.issues.create({ ...repo, title: "t" });
      const comments = "POST /repos/{owner}/{repo}/issues/{issue_number}/comments";
      const count = (method: string, route: string) =>
        sim.calls.filter(
          (c) => c.actor === "installation" && `${c.method} ${c.route}` === `${method} ${route}`,
        );

      sim.faults.add({ route: comments, kind: "lost-response" });
      await expect(
        gh.rest.issues.createComment({ ...repo, issue_number: issue.number, body: "once" }),
      ).rejects.toMatchObject({
        status: 502,
      });
      expect(
        count("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments").map((c) => c.status),
      ).toEqual([502]);

      sim.faults.add({ route: "GET /repos/{owner}/{repo}", kind: "error", status: 502 });
      await gh.rest.repos.get(repo);
      expect(count("GET", "/repos/{owner}/{repo}").map((c) => c.status)).toEqual([502, 200]);

      sim.rateLimits.force({ installationId }, { kind: "secondary", forMs: 30_000 });
      await gh.rest.issues.createComment({ ...repo, issue_number: issue.number, body: "after the limit" });
      const posts = count("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments");
      expect(posts.map((c) => c.status)).toEqual([502, 403, 201]);
      const [, refused, sent] = posts;
      expect((sent?.githubStartedAt ?? 0) - (refused?.githubAt ?? 0)).toBeGreaterThanOrEqual(60_000);
    } finally {
      await sim.stop();
    }
  });
});
