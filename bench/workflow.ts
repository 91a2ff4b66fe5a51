import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import type { Octokit } from "@octokit/rest";
import { scriptedModels } from "../src/models/provider.js";
import type { GitHubSimulator } from "../src/sim/github/index.js";
import { SAMPLE, sampleIssue, seedSample } from "../src/sim/sample.js";
import { DEMO_ANSWERS, demoStatelessModels } from "../src/sim/scenario.js";
import { startLocalStack } from "../src/sim/stack.js";

const REPO = { owner: SAMPLE.owner, repo: SAMPLE.repo };

/**
 * Plays the maintainer's side of the demo for many issues at once, reading what happens from the
 * simulator's webhook deliveries (cheap, in order): answers the questions, asks for one change,
 * approves plan v2, and notes when each workflow is ready.
 */
class Maintainers {
  private seen = 0;
  readonly readyAt = new Map<number, number>();
  private readonly said = new Set<string>();

  /** Comment ids by issue and what they said. */
  readonly written = new Map<string, number>();

  constructor(
    private readonly sim: GitHubSimulator,
    private readonly maya: Octokit,
    private readonly burst = false,
  ) {}

  async step(): Promise<void> {
    const fresh = this.sim.deliveries.slice(this.seen);
    this.seen += fresh.length;
    for (const d of fresh) {
      if (d.event !== "issue_comment" || (d.action !== "created" && d.action !== "edited")) continue;
      const p = d.payload as {
        issue: { number: number; pull_request?: unknown };
        comment: { body: string; user: { type: string } };
      };
      if (p.issue.pull_request || p.comment.user.type !== "Bot") continue;
      const n = p.issue.number;
      const body = p.comment.body;
      if (body.includes("<!-- triad:tracking -->")) {
        if (/\*\*Now:\*\* Ready/.test(body) && !this.readyAt.has(n)) this.readyAt.set(n, performance.now());
        continue;
      }
      if (body.includes("The architect has questions")) await this.say(n, "answers", DEMO_ANSWERS.answers);
      else if (body.includes("## Plan v1")) {
        if (this.burst) {
          // A burst of three comments, written in this order: a change request, a status request,
          // and an approval that must be refused (the architect is revising plan v1).
          await this.say(n, "change", DEMO_ANSWERS.change);
          await this.say(n, "status", "/triad status");
          await this.say(n, "early-approval", "approved");
        } else await this.say(n, "change", DEMO_ANSWERS.change);
      } else if (body.includes("## Plan v2")) await this.say(n, "approve", "approved");
    }
  }

  private async say(issue: number, what: string, body: string): Promise<void> {
    const key = `${issue}:${what}`;
    if (this.said.has(key)) return;
    this.said.add(key);
    const { data } = await this.maya.rest.issues.createComment({ ...REPO, issue_number: issue, body });
    this.written.set(key, data.id);
  }
}

async function openIssues(maya: Octokit, count: number): Promise<number[]> {
  const { title, body } = sampleIssue();
  const numbers: number[] = [];
  for (let i = 0; i < count; i++) {
    const { data } = await maya.rest.issues.create({ ...REPO, title: `${title} (${i + 1})`, body });
    numbers.push(data.number);
  }
  return numbers;
}

function p95(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))] ?? 0);
}

/**
 * Ordering violations: a burst of change request, `/triad status`, `approved` must be handled in that
 * order — the status reply before the approval's reply, and the approval refused because plan v1 is
 * being revised (taken the other way round, plan v1 would be approved and the change dropped).
 */
function orderingViolations(sim: GitHubSimulator, issues: number[], written: Map<string, number>): string[] {
  const repo = sim.dump().repositories[0];
  const out: string[] = [];
  for (const n of issues) {
    const status = written.get(`${n}:status`);
    const approval = written.get(`${n}:early-approval`);
    if (status === undefined || approval === undefined) continue;
    const comments = repo?.issues.find((i) => i.number === n)?.comments ?? [];
    const replyTo = (id: number) => comments.find((c) => c.body.includes(`<!-- triad:reply id=${id} -->`));
    const s = replyTo(status);
    const a = replyTo(approval);
    if (!s || !a) out.push(`#${n}: a reply is missing`);
    else if (a.id < s.id) out.push(`#${n}: the approval was answered before the status request`);
    else if (!/revising plan v1/.test(a.body)) out.push(`#${n}: the early approval was not refused`);
  }
  return out;
}

/** Checks that nothing was lost or done twice: one PR, one tracking comment, one review per reviewer and sha. */
function audit(sim: GitHubSimulator, issues: number[]): { lost: number; duplicated: string[] } {
  const dump = sim.dump();
  const repo = dump.repositories[0];
  const duplicated: string[] = [];
  let lost = 0;
  for (const n of issues) {
    const issue = repo?.issues.find((i) => i.number === n);
    const tracking = issue?.comments.filter((c) => c.body.includes("<!-- triad:tracking -->")) ?? [];
    if (tracking.length !== 1) duplicated.push(`#${n}: ${tracking.length} tracking comments`);
    const prs = repo?.pullRequests.filter((p) => p.head.startsWith(`triad/${n}-`)) ?? [];
    if (prs.length !== 1) {
      if (prs.length === 0) lost++;
      else duplicated.push(`#${n}: ${prs.length} pull requests`);
      continue;
    }
    const keys = new Map<string, number>();
    for (const r of prs[0]?.reviews ?? []) {
      const id = /<!-- triad:review id=([^ ]+) -->/.exec(r.body)?.[1];
      if (id) keys.set(id, (keys.get(id) ?? 0) + 1);
    }
    for (const [id, count] of keys) if (count > 1) duplicated.push(`#${n}: review ${id} ×${count}`);
  }
  return { lost, duplicated };
}

/**
 * The whole demo workflow (label → ready, with one escalation and one fix round, two reviewers)
 * with zero-latency scripted models: wall time, CPU time and GitHub API calls per workflow; then
 * `many` workflows at once through two worker processes.
 */
export async function benchWorkflow(opts: { many?: number } = {}): Promise<Record<string, unknown>> {
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const one = await (async () => {
    const stack = await startLocalStack({ redisUrl, models: scriptedModels(demoStatelessModels()) });
    try {
      const seeded = seedSample(stack.sim);
      const maya = stack.as(seeded.tokens[SAMPLE.maintainer] as string);
      const [issue] = await openIssues(maya, 1);
      const maintainers = new Maintainers(stack.sim, maya);
      const calls0 = stack.sim.calls.length;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await maya.rest.issues.addLabels({
        ...REPO,
        issue_number: issue as number,
        labels: ["triad", "triad:important"],
      });
      while (!maintainers.readyAt.has(issue as number)) {
        await stack.sim.waitForIdle();
        await maintainers.step();
        await new Promise((r) => setTimeout(r, 5));
      }
      const wall = (maintainers.readyAt.get(issue as number) as number) - t0;
      const cpu = process.cpuUsage(cpu0);
      const appCalls = stack.sim.calls.slice(calls0).filter((c) => c.actor !== SAMPLE.maintainer).length;
      return {
        wall_ms: Math.round(wall),
        cpu_ms: Math.round((cpu.user + cpu.system) / 1000),
        github_calls: appCalls,
      };
    } finally {
      await stack.stop();
    }
  })();

  const many = opts.many ?? 100;
  const stack = await startLocalStack({ redisUrl, worker: false, lockMs: 10_000 });
  const children = [0, 1].map(() =>
    spawn(process.execPath, ["--import", "tsx", "src/sim/scripted-worker.ts"], {
      env: { ...process.env, ...stack.vars, TRIAD_WORKER_CONCURRENCY: "8", LOG_LEVEL: "warn" },
      stdio: ["ignore", "ignore", "inherit"],
    }),
  );
  try {
    const seeded = seedSample(stack.sim);
    const maya = stack.as(seeded.tokens[SAMPLE.maintainer] as string);
    const issues = await openIssues(maya, many);
    const maintainers = new Maintainers(stack.sim, maya, true);
    await new Promise((r) => setTimeout(r, 2_000)); // both workers up
    const labelledAt = new Map<number, number>();
    const t0 = performance.now();
    await Promise.all(
      issues.map(async (n) => {
        labelledAt.set(n, performance.now());
        await maya.rest.issues.addLabels({ ...REPO, issue_number: n, labels: ["triad", "triad:important"] });
      }),
    );
    const deadline = Date.now() + 20 * 60_000;
    while (maintainers.readyAt.size < many && Date.now() < deadline) {
      await maintainers.step();
      await new Promise((r) => setTimeout(r, 50));
    }
    const wallMs = performance.now() - t0;
    await stack.sim.waitForIdle();
    const perWorkflow = issues
      .filter((n) => maintainers.readyAt.has(n))
      .map((n) => (maintainers.readyAt.get(n) as number) - (labelledAt.get(n) as number));
    const { lost, duplicated } = audit(stack.sim, issues);
    const violations = orderingViolations(stack.sim, issues, maintainers.written);
    return {
      name: "workflow",
      one_workflow: one,
      many: {
        workflows: many,
        worker_processes: 2,
        completed: perWorkflow.length,
        lost,
        duplicated: duplicated.length,
        duplicates: duplicated.slice(0, 10),
        comment_bursts: maintainers.written.size > 0 ? issues.length : 0,
        ordering_violations: violations.length,
        violations: violations.slice(0, 10),
        wall_s: Math.round(wallMs / 100) / 10,
        throughput_per_min: Math.round((perWorkflow.length / (wallMs / 60_000)) * 10) / 10,
        p95_workflow_s: Math.round(p95(perWorkflow) / 100) / 10,
        github_calls_per_workflow: Math.round(
          stack.sim.calls.filter((c) => c.actor !== SAMPLE.maintainer).length / many,
        ),
      },
    };
  } finally {
    for (const child of children) child.kill("SIGTERM");
    await stack.stop();
  }
}
