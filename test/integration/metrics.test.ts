import { afterEach, describe, expect, it } from "vitest";
import { say, toApprovedPlan, trackingNow } from "../helpers/conversation.js";
import { histogramCount, type MetricFamily, parsePrometheus, total } from "../helpers/prometheus.js";
import { type SampleStack, startSampleStack } from "../helpers/stack.js";
import { waitFor } from "../helpers/wait.js";

/**
 * `GET /metrics` (issue [10/12] part 5): Prometheus text, parsed by a Prometheus text parser, with
 * the named series present and moving while the demo workflow runs.
 */
let s: SampleStack | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

async function scrapeText(stack: SampleStack): Promise<string> {
  const res = await fetch(new URL("/metrics", stack.web.url));
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

async function scrape(stack: SampleStack): Promise<Map<string, MetricFamily>> {
  return parsePrometheus(await scrapeText(stack));
}

const SERIES = [
  "triad_webhooks_total",
  "triad_queue_depth",
  "triad_job_duration_seconds",
  "triad_github_requests_total",
  "triad_github_limit_errors_total",
  "triad_github_ratelimit_remaining",
  "triad_model_calls_total",
  "triad_model_tokens_total",
  "triad_model_cost_usd_total",
  "triad_workflows_total",
  "triad_fix_rounds_total",
  "triad_spiral_stops_total",
];

describe("/metrics during the demo workflow", () => {
  it("has every named series, and they move from label to ready", async () => {
    s = await startSampleStack("metrics");
    const stack = s;
    const before = await scrape(stack);
    for (const name of SERIES) expect(before.has(name), name).toBe(true);
    expect(total(before, "triad_webhooks_total", { event: "issues", outcome: "queued" })).toBe(0);

    const issue = await toApprovedPlan(stack, 20_000, ["triad:important"]);
    await waitFor("ready", () => /^Ready/.test(trackingNow(stack, issue)), 40_000);
    const text = await scrapeText(stack);
    const after = parsePrometheus(text);

    expect(total(after, "triad_webhooks_total", { event: "issues", outcome: "queued" })).toBeGreaterThan(0);
    expect(
      total(after, "triad_webhooks_total", { event: "issue_comment", outcome: "queued" }),
    ).toBeGreaterThan(0);
    const queues = new Set(after.get("triad_queue_depth")?.metrics.map((m) => m.labels?.queue));
    expect([...queues].sort()).toEqual(["architect", "developer", "events", "review", "reviewer"]);
    for (const queue of ["events", "architect", "developer", "review", "reviewer"])
      expect(
        histogramCount(text, "triad_job_duration_seconds", { queue, outcome: "completed" }),
        queue,
      ).toBeGreaterThan(0);
    const installation = String(stack.seeded.installationId);
    expect(total(after, "triad_github_requests_total", { installation, status: "2xx" })).toBeGreaterThan(10);
    expect(
      after
        .get("triad_github_ratelimit_remaining")
        ?.metrics.some((m) => m.labels?.installation === installation),
    ).toBe(true);
    for (const role of ["architect", "developer", "reviewer"]) {
      expect(total(after, "triad_model_calls_total", { role, outcome: "ok" }), role).toBeGreaterThan(0);
      expect(total(after, "triad_model_tokens_total", { role, kind: "output" }), role).toBeGreaterThan(0);
    }
    // The scripted models have no price (test/unit/metrics.test.ts prices a catalogue model).
    expect(after.get("triad_model_cost_usd_total")?.type).toBe("COUNTER");
    expect(total(after, "triad_workflows_total", { outcome: "ready" })).toBe(1);
    // The demo's reviewers find something; the developer fixes it in one round.
    expect(total(after, "triad_fix_rounds_total")).toBe(1);
    expect(total(after, "triad_spiral_stops_total")).toBe(0);

    // GitHub's limit answers are counted where the client sees them.
    stack.sim.rateLimits.force(
      { installationId: stack.seeded.installationId },
      // A minute of GitHub time (1.2 s real at the tests' 50×): long enough that the status
      // command's first call meets it on a loaded machine.
      { kind: "secondary", forMs: 60_000, retryAfter: true },
    );
    await say(stack, issue, "/triad status");
    await waitFor(
      "a limit error in /metrics",
      async () =>
        total(await scrape(stack), "triad_github_limit_errors_total", { installation, kind: "secondary" }) >
        0,
      20_000,
    );
  });
});

describe("/admin/queues", () => {
  it("is absent without TRIAD_ADMIN_TOKEN", async () => {
    s = await startSampleStack("admin-off");
    expect((await fetch(new URL("/admin/queues", s.web.url))).status).toBe(404);
  });

  it("answers 401 without the token (or with a wrong one) and serves the dashboard with it", async () => {
    const token = "a-long-admin-token-for-tests";
    s = await startSampleStack("admin-on", { extraEnv: { TRIAD_ADMIN_TOKEN: token } });
    const url = new URL("/admin/queues", s.web.url);
    const none = await fetch(url);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Basic /);
    expect((await fetch(url, { headers: { authorization: "Bearer wrong-token-wrong-token" } })).status).toBe(
      401,
    );
    expect((await fetch(new URL("/admin/queues/api/queues", s.web.url))).status).toBe(401);

    const page = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<div id="root">/);
    const basic = `Basic ${Buffer.from(`admin:${token}`).toString("base64")}`;
    const api = await fetch(new URL("/admin/queues/api/queues", s.web.url), {
      headers: { authorization: basic },
    });
    expect(api.status).toBe(200);
    const names = ((await api.json()) as { queues: Array<{ name: string }> }).queues
      .map((q) => q.name)
      .sort();
    expect(names).toEqual(["architect", "developer", "events", "review", "reviewer"]);
  });
});
