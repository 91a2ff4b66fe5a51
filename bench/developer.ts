import { performance } from "node:perf_hooks";
import { scriptedModels } from "../src/models/provider.js";
import { SAMPLE, sampleIssue, seedSample } from "../src/sim/sample.js";
import { DEMO_ANSWERS, demoModels } from "../src/sim/scenario.js";
import { startLocalStack } from "../src/sim/stack.js";

/**
 * The developer phase of the demo issue with zero-latency scripted models: GitHub API calls the
 * phase makes (counted by the simulator) against the minimum the Git Data API needs for that change
 * (a blob per changed file + tree + commit + ref + PR + labels + the tracking-comment updates the
 * phase shows), its wall time and the process's CPU share while it runs.
 */
export async function benchDeveloper(opts: { runs?: number } = {}): Promise<Record<string, unknown>> {
  const runs = opts.runs ?? 3;
  const results: Array<{ calls: number; minimum: number; wallMs: number; cpuShare: number; reads: number }> =
    [];
  for (let run = 0; run < runs; run++) {
    const stack = await startLocalStack({
      redisUrl: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
      models: scriptedModels(demoModels()),
    });
    try {
      const seeded = seedSample(stack.sim);
      const maya = stack.as(seeded.tokens[SAMPLE.maintainer] as string);
      const repo = { owner: SAMPLE.owner, repo: SAMPLE.repo };
      const { title, body } = sampleIssue();
      const { data: issue } = await maya.rest.issues.create({ ...repo, title, body });
      const tracking = () =>
        stack.sim
          .dump()
          .repositories[0]?.issues.find((i) => i.number === issue.number)
          ?.comments.find((c) => c.body.includes("<!-- triad:tracking -->"))?.body ?? "";
      const until = async (text: string) => {
        while (!tracking().includes(text)) await new Promise((r) => setTimeout(r, 5));
      };
      await maya.rest.issues.addLabels({ ...repo, issue_number: issue.number, labels: ["triad"] });
      await until("Waiting for answers");
      await maya.rest.issues.createComment({
        ...repo,
        issue_number: issue.number,
        body: DEMO_ANSWERS.answers,
      });
      await until("to plan v1");
      await maya.rest.issues.createComment({
        ...repo,
        issue_number: issue.number,
        body: DEMO_ANSWERS.change,
      });
      await until("to plan v2");
      await maya.rest.issues.createComment({ ...repo, issue_number: issue.number, body: "approved" });
      await until("The developer is implementing");
      // The phase starts when the approval's event job is done: from the first call after the tracking update.
      const from = stack.sim.calls.length;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await until("Reviewers are reviewing");
      const wallMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const calls = stack.sim.calls
        .slice(from)
        .filter((c) => c.actor !== SAMPLE.maintainer && c.actor !== "app");
      const pr = stack.sim.dump().repositories[0]?.pullRequests[0];
      const files = pr?.files.length ?? 0;
      const commentUpdates = calls.filter(
        (c) => c.method === "PATCH" && c.path.includes("/issues/comments/"),
      ).length;
      const minimum = files + 1 + 1 + 1 + 1 + 1 + commentUpdates;
      results.push({
        calls: calls.length,
        minimum,
        reads: calls.filter((c) => c.method === "GET").length,
        wallMs: Math.round(wallMs),
        cpuShare: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 100) / 100,
      });
    } finally {
      await stack.stop();
    }
  }
  const best = results.reduce((a, b) => (a.wallMs <= b.wallMs ? a : b));
  return {
    name: "developer",
    runs,
    api_calls: best.calls,
    api_reads: best.reads,
    minimum_calls: best.minimum,
    calls_ratio: Math.round((best.calls / best.minimum) * 100) / 100,
    target_ratio: 1.5,
    meets_target: best.calls / best.minimum <= 1.5,
    phase_wall_ms: best.wallMs,
    process_cpu_share: best.cpuShare,
    note: "cpu share is of the whole process (simulator, web and worker share it)",
  };
}
