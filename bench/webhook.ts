import { performance } from "node:perf_hooks";
import { scriptedModels } from "../src/models/provider.js";
import { createScriptedRoleModels } from "../src/sim/models/scripted-model.js";
import { SAMPLE, seedSample } from "../src/sim/sample.js";
import { DEMO_QUESTIONS } from "../src/sim/scenario.js";
import { startLocalStack } from "../src/sim/stack.js";

/**
 * Label → tracking comment (and, timed apart, the 👀 a write spacing later), through the whole production path (signed webhook, web, BullMQ,
 * worker, installation token, GitHub writes) against the simulator with an idle queue. The floor in
 * the same run is one plain REST write to the simulator, so the ratio says what triad adds.
 */
export async function benchWebhook(opts: { runs?: number } = {}): Promise<Record<string, unknown>> {
  const runs = opts.runs ?? 20;
  const stack = await startLocalStack({
    redisUrl: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    // The architect answers at once (questions), so its steps never compete with the measurement.
    models: scriptedModels(
      createScriptedRoleModels({
        architect: [{ repeat: true, toolCalls: [{ name: "submit", input: DEMO_QUESTIONS }] }],
      }),
    ),
  });
  try {
    const seeded = seedSample(stack.sim);
    const maya = stack.as(seeded.tokens[SAMPLE.maintainer] as string);
    const repo = { owner: SAMPLE.owner, repo: SAMPLE.repo };
    const latencies: number[] = [];
    const eyes: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < runs; i++) {
      const { data: issue } = await maya.rest.issues.create({ ...repo, title: `bench ${i}` });
      const started = performance.now();
      await maya.rest.issues.addLabels({ ...repo, issue_number: issue.number, labels: ["triad"] });
      // Watch the call log (cheap) rather than dumping the whole state each time round.
      const from = stack.sim.calls.length;
      const wrote = (path: string) =>
        stack.sim.calls
          .slice(from)
          .some((c) => c.method === "POST" && c.path === path && c.actor !== SAMPLE.maintainer);
      const base = `/repos/${repo.owner}/${repo.repo}/issues/${issue.number}`;
      // The tracking comment is the first visible answer; the 👀 follows it, a write spacing later
      // (GitHub asks for a second between writes), so it is timed on its own.
      while (!wrote(`${base}/comments`)) await new Promise((r) => setTimeout(r, 2));
      latencies.push(performance.now() - started);
      while (!wrote(`${base}/reactions`)) await new Promise((r) => setTimeout(r, 2));
      eyes.push(performance.now() - started);
      // Let this workflow's architect step finish, so the next label meets an idle queue.
      for (;;) {
        const thread = stack.sim.dump().repositories[0]?.issues.find((x) => x.number === issue.number);
        if (thread?.comments.some((c) => c.body.includes("Waiting for answers"))) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      // Idle means the installation too: its last write a write spacing ago (triad paces writes a
      // second apart, as GitHub asks), or the next tracking comment waits its turn behind it.
      await stack.sim.waitForIdle();
      await new Promise((r) => setTimeout(r, 1_500));
    }
    // The floor: one plain REST write to the simulator (on an issue triad does not watch).
    const { data: quiet } = await maya.rest.issues.create({ ...repo, title: "floor" });
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await maya.rest.issues.createComment({ ...repo, issue_number: quiet.number, body: "floor" });
      floor.push(performance.now() - t0);
    }
    const p = (list: number[], q: number) => {
      const sorted = [...list].sort((a, b) => a - b);
      return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
    };
    return {
      name: "webhook",
      runs,
      label_to_tracking_p50_ms: p(latencies, 0.5),
      label_to_tracking_p95_ms: p(latencies, 0.95),
      label_to_eyes_p50_ms: p(eyes, 0.5),
      rest_write_p50_ms: p(floor, 0.5),
      ratio_p50: Math.round((p(latencies, 0.5) / Math.max(1, p(floor, 0.5))) * 10) / 10,
      target: "tracking comment within 1000 ms of the label when the queue is idle",
      meets_target: p(latencies, 0.95) < 1000,
    };
  } finally {
    await stack.stop();
  }
}
