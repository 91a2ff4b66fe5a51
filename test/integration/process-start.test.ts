import { afterEach, describe, expect, it } from "vitest";
import { startSimulator } from "../../src/sim/github/index.js";
import { blackHole, freePort, rsaKey, spawnTriad, statusOf, type TriadProcess } from "../helpers/process.js";
import { REDIS_URL, testPrefix } from "../helpers/redis.js";
import { waitFor } from "../helpers/wait.js";

/**
 * Half-alive processes (issue [10/12] part 3): each role exits non-zero when a part it needs cannot
 * start, and its /readyz says "not ready" for as long as the start lasts.
 */
const running: TriadProcess[] = [];
const holes: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const p of running.splice(0)) await p.kill();
  for (const h of holes.splice(0)) await h.close();
});

const KEY = rsaKey();

async function base(): Promise<Record<string, string>> {
  return {
    APP_ID: "1",
    PRIVATE_KEY: KEY,
    WEBHOOK_SECRET: "s3cret",
    REDIS_URL,
    TRIAD_REDIS_PREFIX: testPrefix("start"),
    HOST: "127.0.0.1",
    PORT: String(await freePort()),
    TRIAD_START_TIMEOUT_MS: "3000",
    // A key so the worker gets past the model check; no model is called before GitHub answers.
    ANTHROPIC_API_KEY: "sk-ant-test",
  };
}

/** Starts the role, sees /readyz answer 503 while the start hangs, then sees the process exit. */
async function startThatFails(role: string, env: Record<string, string>) {
  const p = spawnTriad([role], env);
  running.push(p);
  const readyz = `http://127.0.0.1:${env.PORT}/readyz`;
  const seen = await waitFor(
    `${role}'s /readyz while it starts`,
    async () => {
      if (p.child.exitCode !== null) throw new Error(`exited before /readyz answered:\n${p.output()}`);
      return (await statusOf(readyz)) || undefined;
    },
    15_000,
  );
  const code = await p.exited;
  return { seen, code, output: p.output() };
}

describe("a part that cannot start", () => {
  it("triad start: GitHub does not answer → /readyz 503 while it waits, then exit non-zero naming GitHub", async () => {
    const github = await blackHole();
    holes.push(github);
    const env = { ...(await base()), GITHUB_API_URL: github.url };
    const { seen, code, output } = await startThatFails("start", env);
    expect(seen).toBe(503);
    expect(code).not.toBe(0);
    expect(output).toContain(
      `triad cannot start a worker: GitHub at ${github.url} did not answer within 3 s`,
    );
  });

  it("triad worker: GitHub does not answer → its health server says 503, then exit non-zero", async () => {
    const github = await blackHole();
    holes.push(github);
    const env = { ...(await base()), GITHUB_API_URL: github.url };
    const { seen, code, output } = await startThatFails("worker", env);
    expect(seen).toBe(503);
    expect(code).not.toBe(0);
    expect(output).toContain("triad cannot start a worker: GitHub at");
  });

  it("triad web: Redis does not answer → /readyz 503 while it waits, then exit non-zero naming Redis", async () => {
    const redis = await blackHole();
    holes.push(redis);
    const env = { ...(await base()), REDIS_URL: `redis://127.0.0.1:${redis.port}` };
    const { seen, code, output } = await startThatFails("web", env);
    expect(seen).toBe(503);
    expect(code).not.toBe(0);
    expect(output).toContain(
      `triad cannot start web: Redis at redis://127.0.0.1:${redis.port} did not answer`,
    );
  });

  it("triad web: the port is taken → exit non-zero at once, saying so", async () => {
    const taken = await blackHole();
    holes.push(taken);
    const p = spawnTriad(["web"], { ...(await base()), PORT: String(taken.port) });
    running.push(p);
    expect(await p.exited).not.toBe(0);
    expect(p.output()).toMatch(
      /cannot listen on 127\.0\.0\.1:\d+ \(EADDRINUSE\); another process uses the port/,
    );
  });

  it("a worker without model keys against a real GitHub refuses to start and names the variables", async () => {
    const { ANTHROPIC_API_KEY: _key, ...env } = await base();
    const p = spawnTriad(["worker"], { ...env, GITHUB_API_URL: "https://github.example.com/api/v3" });
    running.push(p);
    expect(await p.exited).toBe(1);
    const out = p.output();
    expect(out).toContain("triad cannot start a worker: no model API key is set");
    for (const name of ["ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY", "OPENAI_COMPATIBLE_API_KEY"])
      expect(out).toContain(name);
    expect(out).not.toMatch(/\n\s+at /);
  });
});

describe("a worker that did start", () => {
  it("answers /healthz, /readyz and /metrics on PORT (the image's and compose's health checks)", async () => {
    const sim = await startSimulator({ webhookSecret: "s3cret" });
    holes.push({ close: () => sim.stop() });
    const env: Record<string, string> = {
      ...(await base()),
      APP_ID: String(sim.appId),
      PRIVATE_KEY: sim.privateKey,
      GITHUB_API_URL: sim.url,
    };
    const p = spawnTriad(["worker"], env);
    running.push(p);
    const url = (path: string) => `http://127.0.0.1:${env.PORT}${path}`;
    await waitFor("the worker to be ready", async () => (await statusOf(url("/readyz"))) === 200, 20_000);
    expect(await statusOf(url("/healthz"))).toBe(200);
    const metrics = await (await fetch(url("/metrics"))).text();
    expect(metrics).toContain("triad_queue_depth");
    expect(await statusOf(url("/api/github/webhooks"))).toBe(404);
  });
});
