import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningWeb, runWeb } from "../../src/runtime.js";
import { botComments, type SampleStack, startSampleStack } from "../helpers/stack.js";
import { waitFor } from "../helpers/wait.js";

/**
 * Missed deliveries (issue [10/12] part 4): while `web` is down, GitHub's deliveries fail and GitHub
 * never sends them again by itself. The worker's recovery pass asks for them; each event is then
 * handled once, and a pass after that asks for nothing.
 */
let s: SampleStack | undefined;
let refuser: Server | undefined;
let web2: RunningWeb | undefined;
afterEach(async () => {
  await web2?.stop();
  web2 = undefined;
  await s?.stop();
  await new Promise<void>((resolve) => (refuser ? refuser.close(() => resolve()) : resolve()));
  refuser = undefined;
});

const TRACKING = "<!-- triad:tracking -->";

/** What a load balancer answers while no web instance is up. */
async function answering503(): Promise<string> {
  refuser = createServer((_req, res) => res.writeHead(503).end("no healthy upstream"));
  await new Promise<void>((resolve) => refuser?.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(refuser.address() as { port: number }).port}/api/github/webhooks`;
}

async function labelWhileWebIsDown(stack: SampleStack, count: number): Promise<number[]> {
  const issues: number[] = [];
  for (let i = 0; i < count; i++) issues.push(await stack.openIssue(`Missed ${i + 1}`));
  await stack.sim.waitForIdle();
  // Half the deliveries find nothing listening, half a 503 from the load balancer.
  stack.sim.setWebhookUrl("http://127.0.0.1:9/api/github/webhooks");
  for (const n of issues.slice(0, count / 2)) await stack.label(n, "triad");
  await stack.sim.waitForIdle();
  stack.sim.setWebhookUrl(await answering503());
  for (const n of issues.slice(count / 2)) await stack.label(n, "triad");
  await stack.sim.waitForIdle();
  // web is back.
  stack.sim.setWebhookUrl(`${stack.web.url}${stack.env.WEBHOOK_PATH}`);
  return issues;
}

function labelled(stack: SampleStack, issue: number) {
  return stack.sim.deliveries.filter(
    (d) =>
      d.event === "issues" &&
      d.action === "labeled" &&
      (d.payload as { issue: { number: number } }).issue.number === issue,
  );
}

describe("the missed-deliveries recovery pass", () => {
  it("10 deliveries failed while web was down → each handled once after it returns; a second pass redelivers nothing", async () => {
    s = await startSampleStack("redeliver");
    const stack = s;
    const issues = await labelWhileWebIsDown(stack, 10);
    for (const n of issues) {
      expect(labelled(stack, n).map((d) => d.status === 200)).toEqual([false]);
      expect(botComments(stack.thread(n), TRACKING)).toHaveLength(0);
    }

    const first = await stack.worker?.recoverDeliveries();
    expect(first).toMatchObject({ ran: true, failed: 10, redelivered: 10 });
    await waitFor(
      // The tracking comment comes first, then the 👀 (writes are paced a second apart).
      "a tracking comment and the 👀 on each of the 10 issues",
      () =>
        issues.every(
          (n) =>
            botComments(stack.thread(n), TRACKING).length === 1 &&
            stack.thread(n).reactions.some((r) => r.content === "eyes"),
        ),
      30_000,
    );
    await stack.sim.waitForIdle();
    for (const n of issues) {
      // GitHub made two attempts (the failed one and the redelivery); triad handled the event once.
      expect(labelled(stack, n).map((d) => [d.redelivery, d.status === 200])).toEqual([
        [false, false],
        [true, true],
      ]);
      expect(botComments(stack.thread(n), TRACKING)).toHaveLength(1);
      expect(stack.thread(n).reactions.filter((r) => r.content === "eyes")).toHaveLength(1);
    }

    const redeliveries = () => stack.sim.deliveries.filter((d) => d.redelivery).length;
    expect(redeliveries()).toBe(10);
    const second = await stack.worker?.recoverDeliveries();
    expect(second).toMatchObject({ ran: true, failed: 0, redelivered: 0 });
    await stack.sim.waitForIdle();
    expect(redeliveries()).toBe(10);
  });

  it("runs by itself in the worker, every TRIAD_REDELIVERY_INTERVAL_MS", async () => {
    s = await startSampleStack("redeliver-timer", { extraEnv: { TRIAD_REDELIVERY_INTERVAL_MS: "500" } });
    const stack = s;
    const issues = await labelWhileWebIsDown(stack, 4);
    await waitFor(
      "a tracking comment on each issue, with no one asking",
      () => issues.every((n) => botComments(stack.thread(n), TRACKING).length === 1),
      30_000,
    );
    const redelivered = (await stack.metrics.registry.getSingleMetric("triad_redeliveries_total")?.get())
      ?.values[0]?.value;
    expect(redelivered).toBe(4);
  });

  it("while no web process is up it asks for nothing and loses nothing; once one is, it asks for every missed event", async () => {
    s = await startSampleStack("redeliver-webdown");
    const stack = s;
    const issues: number[] = [];
    for (let i = 0; i < 3; i++) issues.push(await stack.openIssue(`Missed ${i + 1}`));
    await stack.sim.waitForIdle();
    await stack.web.stop();
    for (const n of issues) await stack.label(n, "triad");
    await stack.sim.waitForIdle();

    expect(await stack.worker?.recoverDeliveries()).toMatchObject({ failed: 3, redelivered: 0, waiting: 3 });
    expect(stack.sim.deliveries.filter((d) => d.redelivery)).toHaveLength(0);

    // A web process comes back (a new one, on a new port, as after a deploy).
    web2 = await runWeb(stack.env, stack.log);
    stack.sim.setWebhookUrl(`${web2.url}${stack.env.WEBHOOK_PATH}`);
    expect(await stack.worker?.recoverDeliveries()).toMatchObject({ failed: 3, redelivered: 3 });
    await waitFor(
      "a tracking comment on each issue",
      () => issues.every((n) => botComments(stack.thread(n), TRACKING).length === 1),
      30_000,
    );
    await stack.sim.waitForIdle();
    expect(await stack.worker?.recoverDeliveries()).toMatchObject({ failed: 0, redelivered: 0 });
  });
});
