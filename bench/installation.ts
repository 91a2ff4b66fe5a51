import { type ChildProcess, spawn } from "node:child_process";
import type { Octokit } from "@octokit/rest";
import { DEFAULT_PACING } from "../src/github/pacing-config.js";
import { scriptedModels } from "../src/models/provider.js";
import {
  type CallRecord,
  CONTENT_CREATING,
  endpointOf,
  type GitHubSimulator,
} from "../src/sim/github/index.js";
import { SAMPLE, sampleIssue, seedSample } from "../src/sim/sample.js";
import { DEMO_ANSWERS } from "../src/sim/scenario.js";
import { type LocalStack, startLocalStack } from "../src/sim/stack.js";
import { botIssueComments } from "./bot-comments.js";
import { installationBenchModels } from "./installation-models.js";

/**
 * `npm run bench installation` (issue 12): many workflows labelled at once in ONE installation,
 * against the simulator enforcing GitHub's limits (rate limits, a second between writes, content
 * creation, consistency lag, shuffled webhooks), with GitHub time running BENCH_TIME_SCALE times
 * faster so that hours of GitHub time take minutes. Every figure is GitHub time.
 *
 * - `ceiling_per_hour` = min(5000 / calls_per_workflow, 500 / content_creating_per_workflow): what
 *   GitHub's per-installation budgets allow at this workflow's cost.
 * - `stranded`: workflows that did not reach ready by the end.
 * - `limit_errors`: 403/429 answers triad received (the pacer should keep them at zero).
 * - The idle latency (label → tracking comment) is measured apart, at GitHub's own pace (time scale
 *   1), with pacing on: one issue at a time on a quiet installation.
 */
const REPO = { owner: SAMPLE.owner, repo: SAMPLE.repo };
const TRACKING = "<!-- triad:tracking -->";

export interface InstallationBenchOptions {
  workflows?: number;
  timeScale?: number;
  idleSamples?: number;
  workerProcesses?: number;
}

export async function benchInstallation(o: InstallationBenchOptions = {}): Promise<Record<string, unknown>> {
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const idle = await idleLatency(redisUrl, o.idleSamples ?? 10);
  const busy = await oneInstallation(redisUrl, {
    workflows: o.workflows ?? 100,
    timeScale: o.timeScale ?? 20,
    processes: o.workerProcesses ?? 2,
  });
  const targets = {
    completed: busy.workflows,
    stranded: 0,
    calls_per_workflow_max: 70,
    content_creating_per_workflow_max: 8,
    throughput_vs_ceiling_min: 0.9,
    label_to_tracking_idle_p95_ms_max: 1000,
  };
  return {
    name: "installation",
    ...busy,
    label_to_tracking_idle_p50_ms: idle.p50,
    label_to_tracking_idle_p95_ms: idle.p95,
    targets,
    met: {
      completed: busy.completed === busy.workflows,
      stranded: busy.stranded === 0,
      calls_per_workflow: busy.calls_per_workflow <= targets.calls_per_workflow_max,
      content_creating_per_workflow:
        busy.content_creating_per_workflow <= targets.content_creating_per_workflow_max,
      throughput: busy.throughput_vs_ceiling >= targets.throughput_vs_ceiling_min,
      idle_latency: idle.p95 < targets.label_to_tracking_idle_p95_ms_max,
    },
  };
}

/** A maintainer who waits as GitHub asks when it limits her (the bench's own requests are paced too). */
export function polite(sim: GitHubSimulator) {
  return async <T>(call: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        return await call();
      } catch (error) {
        const e = error as { status?: number; response?: { headers?: Record<string, string> } };
        if (e.status !== 403 && e.status !== 429) throw error;
        const after = Number(e.response?.headers?.["retry-after"]);
        const githubMs = Number.isFinite(after) ? after * 1000 : 60_000;
        await new Promise((r) => setTimeout(r, sim.clock.toRealMs(githubMs) + 10));
      }
    }
  };
}

/**
 * Plays the maintainers of every issue from the simulator's webhook deliveries: answers the
 * architect's questions, asks for one change to plan v1, approves plan v2, and notes when each
 * workflow is ready (GitHub time) and whether its tracking comment said it was waiting its turn.
 */
class Maintainers {
  private seen = 0;
  readonly readyAt = new Map<number, number>();
  readonly waited = new Map<number, number>();
  private readonly said = new Set<string>();
  private readonly pending: Promise<unknown>[] = [];

  constructor(
    private readonly sim: GitHubSimulator,
    private readonly maya: Octokit,
    private readonly ask: ReturnType<typeof polite>,
  ) {}

  step(): void {
    const fresh = this.sim.deliveries.slice(this.seen);
    this.seen += fresh.length;
    for (const { issue: n, body, deliveredAt } of botIssueComments(fresh)) {
      if (body.includes(TRACKING)) {
        const waiting = /waiting: (\d+) workflows? ahead|waiting: next in line/.exec(body);
        if (waiting) this.waited.set(n, Math.max(this.waited.get(n) ?? 0, Number(waiting[1] ?? 0)));
        if (/\*\*Now:\*\* Ready/.test(body) && !this.readyAt.has(n))
          this.readyAt.set(n, Date.parse(deliveredAt));
        continue;
      }
      if (body.includes("The architect has questions")) this.say(n, "answers", DEMO_ANSWERS.answers);
      else if (body.includes("## Plan v1")) this.say(n, "change", DEMO_ANSWERS.change);
      else if (body.includes("## Plan v2")) this.say(n, "approve", "approved");
    }
  }

  private say(issue: number, what: string, body: string): void {
    const key = `${issue}:${what}`;
    if (this.said.has(key)) return;
    this.said.add(key);
    this.pending.push(
      this.ask(() => this.maya.rest.issues.createComment({ ...REPO, issue_number: issue, body })),
    );
  }
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0);
};

async function idleLatency(redisUrl: string, samples: number): Promise<{ p50: number; p95: number }> {
  const stack = await startLocalStack({
    redisUrl,
    models: scriptedModels(installationBenchModels()),
    github: { timeScale: 1 },
  });
  try {
    const seeded = seedSample(stack.sim);
    const maya = stack.as(seeded.tokens[SAMPLE.maintainer] as string);
    const { title, body } = sampleIssue();
    const latencies: number[] = [];
    for (let i = 0; i < samples; i++) {
      const { data } = await maya.rest.issues.create({ ...REPO, title: `${title} (${i + 1})`, body });
      const path = `/repos/${SAMPLE.owner}/${SAMPLE.repo}/issues/${data.number}/comments`;
      const from = stack.sim.calls.length;
      const t0 = Date.now();
      await maya.rest.issues.addLabels({ ...REPO, issue_number: data.number, labels: ["triad"] });
      const posted = await until(
        () =>
          stack.sim.calls
            .slice(from)
            .find(
              (c) => c.actor === "installation" && c.method === "POST" && c.path === path && c.status === 201,
            ),
        30_000,
      );
      latencies.push(posted.at - t0);
      // Let the workflow settle — its questions posted and its tracking comment saying so, which is
      // its last write — so the next label finds the installation idle (no write for 1.5 s).
      await until(() => {
        const issue = stack.sim.dump().repositories[0]?.issues.find((x) => x.number === data.number);
        return issue?.comments.some(
          (c) => c.body.includes(TRACKING) && c.body.includes("Waiting for answers"),
        );
      }, 60_000);
      await stack.sim.waitForIdle();
      await new Promise((r) => setTimeout(r, 1_500));
    }
    return { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95) };
  } finally {
    await stack.stop();
  }
}

async function until<T>(check: () => T | undefined | false, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error("bench: timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}

function spawnWorkers(stack: LocalStack, count: number, timeScale: number): ChildProcess[] {
  return Array.from({ length: count }, () =>
    spawn(process.execPath, ["--import", "tsx", "bench/worker-entry.ts"], {
      env: {
        ...process.env,
        ...stack.vars,
        TRIAD_WORKER_CONCURRENCY: "8",
        BENCH_TIME_SCALE: String(timeScale),
        // BENCH_LOG_LEVEL=info shows the workers' logs (JSON lines) on stdout.
        LOG_LEVEL: (process.env.BENCH_LOG_LEVEL ?? "warn") as "warn",
      },
      stdio: ["ignore", process.env.BENCH_LOG_LEVEL ? "inherit" : "ignore", "inherit"],
    }),
  );
}

async function oneInstallation(
  redisUrl: string,
  o: { workflows: number; timeScale: number; processes: number },
) {
  const stack = await startLocalStack({
    redisUrl,
    worker: false,
    lockMs: 10_000,
    github: { timeScale: o.timeScale },
  });
  const children = spawnWorkers(stack, o.processes, o.timeScale);
  try {
    const sim = stack.sim;
    const seeded = seedSample(sim);
    const maya = stack.as(seeded.tokens[SAMPLE.maintainer] as string);
    const ask = polite(sim);
    const { title, body } = sampleIssue();
    const issues: number[] = [];
    for (let i = 0; i < o.workflows; i++) {
      const { data } = await ask(() =>
        maya.rest.issues.create({ ...REPO, title: `${title} (${i + 1})`, body }),
      );
      issues.push(data.number);
    }
    await new Promise((r) => setTimeout(r, 3_000)); // the worker processes are up
    const maintainers = new Maintainers(sim, maya, ask);
    const from = sim.calls.length;
    const startedAt = sim.clock.now();
    await Promise.all(
      issues.map((n) =>
        ask(() => maya.rest.issues.addLabels({ ...REPO, issue_number: n, labels: ["triad"] })),
      ),
    );
    const deadline = Date.now() + 30 * 60_000;
    while (maintainers.readyAt.size < issues.length && Date.now() < deadline) {
      maintainers.step();
      await new Promise((r) => setTimeout(r, 50));
    }
    await sim.waitForIdle();
    const calls = sim.calls.slice(from).filter((c) => c.actor === "installation");
    const done = issues.filter((n) => maintainers.readyAt.has(n));
    const lastReady = Math.max(startedAt, ...done.map((n) => maintainers.readyAt.get(n) as number));
    const hours = (lastReady - startedAt) / 3_600_000;
    const perWorkflow = (n: number) => Math.round((n / issues.length) * 10) / 10;
    const callsPerWorkflow = perWorkflow(calls.filter((c) => !c.limited).length);
    const content = calls.filter(
      (c) => !c.limited && CONTENT_CREATING.has(endpointOf(c.method, c.route ?? c.path)),
    );
    const contentPerWorkflow = perWorkflow(content.length);
    const throughput = hours > 0 ? done.length / hours : 0;
    const ceiling = Math.min(5000 / callsPerWorkflow, 500 / contentPerWorkflow);
    const { duplicated } = audit(sim, issues);
    return {
      workflows: issues.length,
      completed: done.length,
      stranded: issues.length - done.length,
      limit_errors: calls.filter((c) => c.limited).length,
      calls_per_workflow: callsPerWorkflow,
      content_creating_per_workflow: contentPerWorkflow,
      calls_total: calls.filter((c) => !c.limited).length,
      content_creating_total: content.length,
      throughput_per_hour: Math.round(throughput * 10) / 10,
      ceiling_per_hour: Math.round(ceiling * 10) / 10,
      throughput_vs_ceiling: Math.round((throughput / ceiling) * 100) / 100,
      github_hours: Math.round(hours * 100) / 100,
      time_scale: o.timeScale,
      worker_processes: o.processes,
      max_active_workflows: DEFAULT_PACING.maxActiveWorkflows,
      workflows_that_showed_waiting: maintainers.waited.size,
      most_ahead_shown: Math.max(0, ...maintainers.waited.values()),
      writes_min_gap_github_ms: minWriteGap(calls),
      duplicated: duplicated.length,
      duplicates: duplicated.slice(0, 10),
      calls_by_route: byRoute(calls, issues.length),
    };
  } finally {
    for (const child of children) child.kill("SIGTERM");
    await Promise.all(
      children.map((c) => new Promise((r) => (c.exitCode === null ? c.once("exit", r) : r(null)))),
    );
    await stack.stop();
  }
}

/** The shortest time between the end of one write of the installation and the start of the next. */
function minWriteGap(calls: CallRecord[]): number {
  const writes = calls
    .filter((c) => c.method !== "GET" && !c.limited)
    .sort((a, b) => a.githubStartedAt - b.githubStartedAt);
  let min = Number.POSITIVE_INFINITY;
  for (let i = 1; i < writes.length; i++)
    min = Math.min(min, (writes[i] as CallRecord).githubStartedAt - (writes[i - 1] as CallRecord).githubAt);
  return Number.isFinite(min) ? Math.round(min) : 0;
}

/** Calls per workflow by endpoint, most first. */
function byRoute(calls: CallRecord[], workflows: number): Array<{ route: string; per_workflow: number }> {
  const counts = new Map<string, number>();
  for (const c of calls) {
    const key = `${c.method} ${c.route ?? c.path}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([route, n]) => ({ route, per_workflow: Math.round((n / workflows) * 10) / 10 }));
}

/** One tracking comment, three architect comments and one pull request per issue: nothing lost or done twice. */
function audit(sim: GitHubSimulator, issues: number[]): { duplicated: string[] } {
  const repo = sim.dump().repositories[0];
  const duplicated: string[] = [];
  for (const n of issues) {
    const issue = repo?.issues.find((i) => i.number === n);
    const tracking = issue?.comments.filter((c) => c.body.includes(TRACKING)) ?? [];
    if (tracking.length !== 1) duplicated.push(`#${n}: ${tracking.length} tracking comments`);
    const architect = issue?.comments.filter((c) => c.body.includes("<!-- triad:architect id=")) ?? [];
    if (architect.length !== 3)
      duplicated.push(
        `#${n}: ${architect.length} architect comments: ${architect
          .map(
            (c) =>
              `${/id=([^ ]+) -->/.exec(c.body)?.[1]} ${c.body
                .split("\n")
                .find((l) => l.startsWith("##") || l.startsWith("**The"))
                ?.slice(0, 40)}`,
          )
          .join(" | ")}`,
      );
    const prs = repo?.pullRequests.filter((p) => p.head.startsWith(`triad/${n}-`)) ?? [];
    if (prs.length > 1) duplicated.push(`#${n}: ${prs.length} pull requests`);
  }
  return { duplicated };
}
