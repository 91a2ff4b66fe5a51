import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { loadDotEnv } from "../../src/config/dotenv.js";
import { loadEnv } from "../../src/config/env.js";
import { renderCallLog } from "../../src/core/render/call-log.js";
import { branchName } from "../../src/core/render/developer.js";
import { type WorkflowState, workflowStateSchema } from "../../src/core/state.js";
import { HealthBoard } from "../../src/health.js";
import { createLogger } from "../../src/log.js";
import { limitKind } from "../../src/metrics/github.js";
import { createMetrics } from "../../src/metrics/metrics.js";
import { metered } from "../../src/metrics/models.js";
import { milestones } from "../../src/metrics/workflow.js";
import type { ChatModel } from "../../src/models/types.js";
import { authorised } from "../../src/web/admin.js";

const KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----";

describe(".env as probot writes it", () => {
  it("is read into the environment (PEM with \\n escapes in quotes), and set variables win", () => {
    const dir = mkdtempSync(join(tmpdir(), "triad-dotenv-"));
    try {
      // probot's updateEnv: `KEY=value` lines, newlines escaped, PRIVATE_KEY in double quotes.
      const pem = KEY.replace(/\n/g, "\\n");
      writeFileSync(
        join(dir, ".env"),
        `WEBHOOK_PROXY_URL=https://smee.io/abc\nAPP_ID=123\nPRIVATE_KEY="${pem}"\nWEBHOOK_SECRET=s3\nGITHUB_CLIENT_ID=Iv1.x`,
      );
      const env: NodeJS.ProcessEnv = { WEBHOOK_SECRET: "from-the-environment" };
      expect(loadDotEnv(env, join(dir, ".env")).sort()).toEqual([
        "APP_ID",
        "GITHUB_CLIENT_ID",
        "PRIVATE_KEY",
        "WEBHOOK_PROXY_URL",
      ]);
      expect(env.PRIVATE_KEY).toBe(KEY);
      expect(env.WEBHOOK_SECRET).toBe("from-the-environment");
      expect(loadEnv(env, "web").app).toEqual({ appId: 123, privateKey: KEY });
      expect(loadDotEnv({}, join(dir, "missing.env"))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("environment problems", () => {
  it("one invalid variable does not make valid ones look missing", () => {
    let message = "";
    try {
      loadEnv({ APP_ID: "1", PRIVATE_KEY: KEY, WEBHOOK_SECRET: "s", PORT: "not-a-port" }, "web");
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/1 environment variable missing or wrong/);
    expect(message).toContain("PORT");
    expect(message).not.toMatch(/APP_ID|PRIVATE_KEY|WEBHOOK_SECRET/);
  });
});

describe("log lines", () => {
  it("carry one name key, also under probot's own children", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger("info", sink);
    log.child({ name: "web" }).info("a");
    log.child({ name: "probot" }).child({ name: "github" }).info("b");
    log.child({ name: "worker" }).child({ workflow: "o/r#1" }).child({ name: "webhook-proxy" }).info("c");
    for (const line of lines) expect(line.match(/"name":/g)?.length ?? 0).toBeLessThanOrEqual(1);
    expect(lines.map((l) => [JSON.parse(l).name, JSON.parse(l).component])).toEqual([
      ["web", undefined],
      ["github", undefined],
      ["worker", "webhook-proxy"],
    ]);
  });
});

describe("health", () => {
  it("is ready only when every part is; a starting part is alive, a failed one is not", async () => {
    const board = new HealthBoard();
    expect(await board.report()).toMatchObject({ live: true, ready: false });
    board.starting("worker");
    board.set("web", async () => ({ live: true, ready: true }));
    expect(await board.report()).toMatchObject({
      live: true,
      ready: false,
      parts: { worker: { detail: "starting" } },
    });
    board.set("worker", async () => ({ live: true, ready: true }));
    expect(await board.report()).toMatchObject({ live: true, ready: true });
    board.failed("worker", "GitHub did not answer");
    expect(await board.report()).toMatchObject({ live: false, ready: false });
  });
});

function state(patch: Partial<WorkflowState> = {}): WorkflowState {
  return workflowStateSchema.parse({
    v: 1,
    repo: "o/r",
    issue: 1,
    installationId: 1,
    phase: "reviewing",
    startedBy: "maya",
    startedAt: "2026-01-01T00:00:00Z",
    updatedAt: "2026-01-01T00:00:00Z",
    runId: "run-1",
    ...patch,
  });
}

describe("workflow milestones for /metrics", () => {
  it("counts an outcome once, fix rounds as they start, and a spiral stop", () => {
    expect(milestones(state(), state({ phase: "ready" }))).toEqual({
      outcome: "ready",
      fixRounds: 0,
      spiral: false,
    });
    // The outbox saves the same state twice: the second save counts nothing.
    expect(milestones(state({ phase: "ready" }), state({ phase: "ready" }))).toEqual({
      fixRounds: 0,
      spiral: false,
    });
    expect(milestones(state({ fixRound: 1 }), state({ phase: "fixing", fixRound: 2 })).fixRounds).toBe(1);
    const step = {
      kind: "architect" as const,
      installationId: 1,
      repo: { owner: "o", name: "r" },
      issue: 1,
      runId: "run-1",
      reason: "trace",
      mode: "spiral" as const,
    };
    expect(
      milestones(state(), state({ queued: { jobId: "architect-x", label: "architect: trace", step } }))
        .spiral,
    ).toBe(true);
    const failed = {
      jobId: "develop-x",
      label: "developer",
      step: { ...step, kind: "develop" as const },
      error: "x",
    };
    expect(milestones(state(), state({ failed })).outcome).toBe("failed");
    // A new run (labelled again) starts from nothing.
    expect(milestones(state({ phase: "stopped" }), state({ phase: "stopped", runId: "run-2" })).outcome).toBe(
      "stopped",
    );
  });
});

describe("model and GitHub metering", () => {
  it("counts calls, tokens and cost at catalogue prices, by role and vendor", async () => {
    const metrics = createMetrics({ defaults: false });
    const model: ChatModel = {
      ref: { vendor: "anthropic", model: "claude-fable-5-2" },
      chat: async () => ({
        text: "ok",
        toolCalls: [],
        stopReason: "end",
        model: "claude-fable-5-2",
        usage: { inputTokens: 1000, cachedInputTokens: 200, outputTokens: 50 },
      }),
    };
    await metered(model, "architect", metrics).chat({ system: [], messages: [] });
    const json = await metrics.registry.getMetricsAsJSON();
    const value = (name: string, labels: Record<string, string>) =>
      json
        .find((m) => m.name === name)
        ?.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value;
    expect(value("triad_model_calls_total", { role: "architect", vendor: "anthropic", outcome: "ok" })).toBe(
      1,
    );
    expect(value("triad_model_tokens_total", { role: "architect", kind: "cached" })).toBe(200);
    expect(value("triad_model_cost_usd_total", { role: "architect", vendor: "anthropic" })).toBeGreaterThan(
      0,
    );
  });

  it("tells a primary limit from a secondary one by GitHub's headers and message", () => {
    expect(limitKind(403, { "x-ratelimit-remaining": "0" }, { message: "API rate limit exceeded" })).toBe(
      "primary",
    );
    expect(limitKind(429, { "retry-after": "60", "x-ratelimit-remaining": "12" }, {})).toBe("secondary");
    expect(
      limitKind(
        403,
        { "x-ratelimit-remaining": "12" },
        { message: "You have exceeded a secondary rate limit" },
      ),
    ).toBe("secondary");
    expect(
      limitKind(403, { "x-ratelimit-remaining": "12" }, { message: "Resource not accessible" }),
    ).toBeUndefined();
    expect(limitKind(500, {}, {})).toBeUndefined();
  });
});

describe("admin token", () => {
  it("is taken as a bearer token or as a Basic password, and compared in full", () => {
    const token = "0123456789abcdef0123";
    expect(authorised(`Bearer ${token}`, token)).toBe(true);
    expect(authorised(`Basic ${Buffer.from(`any:${token}`).toString("base64")}`, token)).toBe(true);
    expect(authorised(`Bearer ${token.slice(0, -1)}`, token)).toBe(false);
    expect(authorised(undefined, token)).toBe(false);
  });
});

describe("/triad log's comment", () => {
  const call = {
    role: "developer",
    model: "`anthropic:claude-sonnet-5-5`",
    toolCalls: [{ name: "`write_file`", args: '`{"path":"a.ts"}`' }],
    inputTokens: 1200,
    cachedInputTokens: 1000,
    outputTokens: 80,
    costUsd: 0.0042,
    durationMs: 2300,
    stopReason: "tool_use",
  };

  it("is one collapsed comment with totals, one entry per call and its tool calls", () => {
    const body = renderCallLog({
      step: "develop-o-r-1-v2",
      calls: [call, { ...call, toolCalls: [], costUsd: undefined }],
    });
    expect(body.split("\n")[0]).toBe(
      "<details><summary>2 model calls of the last step (developer) · 2,560 tokens · $0.0042 · 4.6 s</summary>",
    );
    expect(body).toContain(
      '1. **developer** · `anthropic:claude-sonnet-5-5` · 1,200 in (1,000 cached) / 80 out · $0.0042 · 2.3 s · stop: tool_use\n   - `write_file` `{"path":"a.ts"}`',
    );
    expect(body).toContain(
      "2. **developer** · `anthropic:claude-sonnet-5-5` · 1,200 in (1,000 cached) / 80 out · 2.3 s · stop: tool_use\n   - no tool call (a final answer)",
    );
    expect(body.endsWith("</details>")).toBe(true);
    expect(renderCallLog(undefined)).toMatch(/^No model call is recorded/);
  });

  it("stays under GitHub's comment size, saying how many calls it left out", () => {
    const big = {
      ...call,
      toolCalls: Array.from({ length: 5 }, () => ({ name: "`t`", args: `\`${"x".repeat(300)}\`` })),
    };
    const body = renderCallLog({ step: "s", calls: Array.from({ length: 400 }, () => big) });
    expect(body.length).toBeLessThan(65_536);
    expect(body).toMatch(/… \d+ more calls not shown \(too long for one comment\)\./);
  });
});

describe("branch names", () => {
  it("keep whole words of the title, at most 40 characters", () => {
    expect(branchName(7, "Add retry with exponential backoff to the weather client")).toBe(
      "triad/7-add-retry-with-exponential-backoff-to",
    );
    expect(branchName(7, "Fix: ÜBER-long café names!")).toBe("triad/7-fix-uber-long-cafe-names");
    expect(branchName(7, "x".repeat(60))).toBe(`triad/7-${"x".repeat(40)}`);
    expect(branchName(7, "!!!")).toBe("triad/7-change");
  });
});

describe("the Grafana dashboard (deploy/grafana-dashboard.json)", () => {
  it("queries only series /metrics serves", async () => {
    const dashboard = JSON.parse(readFileSync("deploy/grafana-dashboard.json", "utf8")) as {
      panels: Array<{ targets?: Array<{ expr: string }> }>;
    };
    const served = new Set(
      (await createMetrics({ defaults: false }).registry.getMetricsAsJSON()).map((m) => m.name),
    );
    const used = dashboard.panels
      .flatMap((p) => p.targets ?? [])
      .flatMap((t) => t.expr.match(/triad_\w+/g) ?? []);
    expect(used.length).toBeGreaterThan(10);
    for (const name of used) expect(served, name).toContain(name.replace(/_(bucket|count|sum)$/, ""));
    for (const name of served)
      expect(
        used.map((n) => n.replace(/_(bucket|count|sum)$/, "")),
        name,
      ).toContain(name);
  });
});
