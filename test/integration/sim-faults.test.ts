import { Octokit } from "@octokit/rest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type GitHubSimulator,
  type SimulatorOptions,
  startSimulator,
  startWebhookReceiver,
  type WebhookReceiver,
} from "../../src/sim/github/index.js";
import { installationClient, silent } from "../helpers/sim-clients.js";
import { waitFor } from "../helpers/wait.js";

let sim: GitHubSimulator;
let receiver: WebhookReceiver;
let gh: Octokit;
let installationId: number;
const repo = { owner: "acme", repo: "widgets" };
const COMMENTS = "POST /repos/{owner}/{repo}/issues/{issue_number}/comments";

async function start(o: Partial<SimulatorOptions> = {}): Promise<void> {
  sim = await startSimulator({ webhookSecret: "x", webhookUrl: receiver.url, ...o });
  sim.createRepo({ owner: "acme", name: "widgets", files: { "README.md": "hi\n" } });
  installationId = sim.installApp("acme").installationId;
  gh = await installationClient(sim, installationId);
  await gh.rest.issues.create({ ...repo, title: "t" });
  await sim.waitForIdle();
}
beforeEach(async () => {
  receiver = await startWebhookReceiver("x");
});
afterEach(async () => {
  await sim.stop();
  await receiver.close();
});

const comments = () => sim.dump().repositories[0]?.issues[0]?.comments ?? [];
const commentHooks = () => receiver.received.filter((r) => r.event === "issue_comment");
/** "ok", the HTTP status GitHub answered, or "no answer" (Octokit reports those as status 500 without a response). */
async function statusOf(p: Promise<unknown>): Promise<number | string> {
  try {
    await p;
    return "ok";
  } catch (error) {
    const e = error as { status?: number; response?: unknown };
    return e.response === undefined ? "no answer" : (e.status ?? "error");
  }
}

describe("simulator: fault injection", () => {
  it("error: a 5xx before anything is written — no comment, no webhook", async () => {
    await start();
    sim.faults.add({ route: COMMENTS, kind: "error", status: 503 });
    expect(await statusOf(gh.rest.issues.createComment({ ...repo, issue_number: 1, body: "x" }))).toBe(503);
    await sim.waitForIdle();
    expect(comments()).toHaveLength(0);
    expect(commentHooks()).toHaveLength(0);
    expect(sim.calls.at(-1)).toMatchObject({
      route: "/repos/{owner}/{repo}/issues/{issue_number}/comments",
      status: 503,
      fault: "error",
    });
  });

  it("lost-response: the comment is made and announced, the client gets a 502 — a blind retry posts it twice", async () => {
    await start();
    const handle = sim.faults.add({ route: COMMENTS, kind: "lost-response" });
    expect(await statusOf(gh.rest.issues.createComment({ ...repo, issue_number: 1, body: "once" }))).toBe(
      502,
    );
    await sim.waitForIdle();
    expect(comments().map((c) => c.body)).toEqual(["once"]);
    expect(commentHooks()).toHaveLength(1);
    expect(handle.hits).toBe(1);
    // The rule hit once: a client that re-sends the POST makes a second comment.
    await gh.rest.issues.createComment({ ...repo, issue_number: 1, body: "once" });
    expect(comments().map((c) => c.body)).toEqual(["once", "once"]);
  });

  it("timeout: GitHub works for delayMs (GitHub time), then 502 Server Error; afterWrite decides whether it was written", async () => {
    await start({ timeScale: 100 });
    sim.faults.add({ route: COMMENTS, kind: "timeout", delayMs: 10_000 });
    const started = Date.now();
    const e = await gh.rest.issues.createComment({ ...repo, issue_number: 1, body: "a" }).catch((x) => x);
    expect(e.status).toBe(502);
    expect(e.response.data).toEqual({ message: "Server Error" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(95); // 10 s / 100
    sim.faults.add({ route: COMMENTS, kind: "timeout", delayMs: 1000, afterWrite: true });
    expect(await statusOf(gh.rest.issues.createComment({ ...repo, issue_number: 1, body: "b" }))).toBe(502);
    expect(comments().map((c) => c.body)).toEqual(["b"]);
  });

  it("hang: no answer until the client gives up; nothing written unless afterWrite", async () => {
    await start();
    sim.faults.add({ route: COMMENTS, kind: "hang" });
    const pending = gh.rest.issues.createComment({
      ...repo,
      issue_number: 1,
      body: "x",
      request: { signal: AbortSignal.timeout(300) },
    });
    await waitFor("the hang", () => sim.faults.hanging === 1);
    expect(await statusOf(pending)).toBe("no answer");
    await waitFor("the connection to close", () => sim.faults.hanging === 0);
    expect(comments()).toHaveLength(0);
    expect(sim.calls.at(-1)).toMatchObject({ status: 0, fault: "hang" });

    sim.faults.add({ route: COMMENTS, kind: "hang", afterWrite: true });
    const after = gh.rest.issues.createComment({
      ...repo,
      issue_number: 1,
      body: "y",
      request: { signal: AbortSignal.timeout(300) },
    });
    expect(await statusOf(after)).toBe("no answer");
    expect(comments().map((c) => c.body)).toEqual(["y"]);
    await waitFor("the webhook of the hung write", () => commentHooks().length === 1);
  });

  it("reset: the connection drops without an answer", async () => {
    await start();
    sim.faults.add({ route: "GET", kind: "reset" });
    expect(await statusOf(gh.rest.repos.get(repo))).toBe("no answer");
    expect(sim.calls.at(-1)).toMatchObject({ status: 0, fault: "reset" });
    await gh.rest.repos.get(repo);
  });

  it("skip, times and actor narrow a rule; rules can be added mid-test and cleared", async () => {
    await start();
    const alice = new Octokit({ baseUrl: sim.url, auth: sim.createUser("alice").token, log: silent });
    sim.faults.add({
      route: "GET /repos/{owner}/{repo}",
      kind: "error",
      skip: 1,
      times: 2,
      actor: "installation",
    });
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await statusOf(gh.rest.repos.get(repo)));
    expect(results).toEqual(["ok", 500, 500, "ok"]);
    sim.faults.add({
      route: "GET /repos/{owner}/{repo}",
      kind: "error",
      times: Number.POSITIVE_INFINITY,
      actor: "installation",
    });
    expect(await statusOf(alice.rest.repos.get(repo))).toBe("ok");
    expect(await statusOf(gh.rest.repos.get(repo))).toBe(500);
    sim.faults.clear();
    expect(await statusOf(gh.rest.repos.get(repo))).toBe("ok");
  });

  it("by seed: the same seed fails the same requests", async () => {
    const run = async (seed: number) => {
      await start({
        faults: { random: { seed, rate: 0.3, kinds: ["error", "lost-response"], routes: ["GET"] } },
      });
      const out = [];
      for (let i = 0; i < 30; i++) out.push(await statusOf(gh.rest.repos.get(repo)));
      await sim.stop();
      return out;
    };
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const failed = a.filter((s) => s !== "ok").length;
    expect(failed).toBeGreaterThan(3);
    expect(failed).toBeLessThan(20);
    expect(new Set(a)).toEqual(new Set(["ok", 500, 502]));
    await start(); // afterEach stops this one
  });
});
