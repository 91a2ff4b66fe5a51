import type { Octokit } from "@octokit/rest";
import { afterEach, describe, expect, it } from "vitest";
import {
  type GitHubSimulator,
  SIM_LENIENT_DEFAULTS,
  type SimulatorOptions,
  startSimulator,
  startWebhookReceiver,
  type WebhookReceiver,
} from "../../src/sim/github/index.js";
import { appClient, installationClient } from "../helpers/sim-clients.js";
import { waitFor } from "../helpers/wait.js";

let sim: GitHubSimulator;
let receiver: WebhookReceiver;
let gh: Octokit;
let baseSha: string;
const repo = { owner: "acme", repo: "widgets" };

async function start(o: Partial<SimulatorOptions> = {}): Promise<void> {
  receiver = await startWebhookReceiver("x");
  sim = await startSimulator({ webhookSecret: "x", webhookUrl: receiver.url, ...SIM_LENIENT_DEFAULTS, ...o });
  baseSha = sim.createRepo({ owner: "acme", name: "widgets", files: { "a.ts": "a\n" } }).headSha;
  gh = await installationClient(sim, sim.installApp("acme").installationId);
}
afterEach(async () => {
  await sim.stop();
  await receiver.close();
});

const names = () => receiver.received.map((r) => `${r.event}.${String(r.payload.action)}`);

/** Issue #1 and a PR "Closes #1" from branch b, ready to merge. */
async function issueAndPull(): Promise<number> {
  await gh.rest.issues.create({ ...repo, title: "bug" });
  const { data: tree } = await gh.rest.git.createTree({
    ...repo,
    tree: [{ path: "b.ts", mode: "100644", content: "b\n" }],
  });
  const { data: commit } = await gh.rest.git.createCommit({
    ...repo,
    message: "b",
    tree: tree.sha,
    parents: [baseSha],
  });
  await gh.rest.git.createRef({ ...repo, ref: "refs/heads/b", sha: commit.sha });
  const { data: pr } = await gh.rest.pulls.create({
    ...repo,
    title: "fix",
    body: "Closes #1",
    head: "b",
    base: "main",
  });
  await sim.waitForIdle();
  return pr.number;
}

describe("simulator: webhook order and duplicates", () => {
  it("a held delivery arrives after later ones: issues.closed before the merge's pull_request.closed", async () => {
    await start();
    const number = await issueAndPull();
    const hold = sim.webhooks.hold({ event: "pull_request", action: "closed" });
    await gh.rest.pulls.merge({ ...repo, pull_number: number });
    await sim.waitForIdle();
    expect(hold.held).toBe(1);
    expect(names().slice(-1)).toEqual(["issues.closed"]);
    hold.release();
    await sim.waitForIdle();
    expect(names().slice(-2)).toEqual(["issues.closed", "pull_request.closed"]);
  });

  it("shuffled (seeded): every event once, not in the order they happened", async () => {
    await start({ webhooks: { order: "shuffled", seed: 3 } });
    const hold = sim.webhooks.hold({ event: "issues" });
    for (let i = 0; i < 8; i++) await gh.rest.issues.create({ ...repo, title: `t${i}` });
    hold.release();
    await sim.waitForIdle();
    const titles = receiver.received.map((r) => (r.payload.issue as { title: string }).title);
    expect([...titles].sort()).toEqual(Array.from({ length: 8 }, (_, i) => `t${i}`));
    expect(titles).not.toEqual(Array.from({ length: 8 }, (_, i) => `t${i}`));
  });

  it("duplicateRate: 1 sends each event twice with the same X-GitHub-Delivery", async () => {
    await start({ webhooks: { duplicateRate: 1 } });
    await gh.rest.issues.create({ ...repo, title: "t" });
    await sim.waitForIdle();
    expect(receiver.received.map((r) => r.event)).toEqual(["issues", "issues"]);
    expect(receiver.received[0]?.deliveryId).toBe(receiver.received[1]?.deliveryId);
    expect(new Set(sim.deliveries.map((d) => d.deliveryId)).size).toBe(2);
  });
});

describe("simulator: the app's webhook deliveries API", () => {
  it("lists attempts newest first with cursor pagination, records failures, redelivers with the same GUID", async () => {
    await start();
    const app = appClient(sim);
    await gh.rest.issues.create({ ...repo, title: "ok" });
    await sim.waitForIdle();
    receiver.status = 500;
    await gh.rest.issues.create({ ...repo, title: "refused" });
    await sim.waitForIdle();
    sim.setWebhookUrl("http://127.0.0.1:1/");
    await gh.rest.issues.create({ ...repo, title: "unreachable" });
    await sim.waitForIdle();
    sim.setWebhookUrl(receiver.url);
    receiver.status = 200;

    const all = await app.paginate(app.rest.apps.listWebhookDeliveries, { per_page: 2 });
    expect(all.map((d) => [d.status, d.status_code])).toEqual([
      ["failed to connect to host", 0],
      ["Invalid HTTP Response: 500", 500],
      ["OK", 200],
    ]);
    expect(all.every((d) => d.event === "issues" && d.action === "opened" && !d.redelivery)).toBe(true);
    const firstPage = await app.rest.apps.listWebhookDeliveries({ per_page: 2 });
    expect(firstPage.headers.link).toMatch(/cursor=v1_\d+.*rel="next"/);
    const failures = await app.rest.apps.listWebhookDeliveries({ status: "failure" });
    expect(failures.data.map((d) => d.status_code)).toEqual([500]);

    const refused = all[1];
    if (!refused) throw new Error("no delivery");
    const { data: one } = await app.rest.apps.getWebhookDelivery({ delivery_id: refused.id });
    expect(one.request.headers?.["x-github-delivery"]).toBe(refused.guid);
    expect((one.request.payload as { issue: { title: string } }).issue.title).toBe("refused");
    expect(one.response).toBeDefined();

    const { status } = await app.rest.apps.redeliverWebhookDelivery({ delivery_id: refused.id });
    expect(status).toBe(202);
    await waitFor("the redelivery", () => sim.deliveries.length === 4);
    await sim.waitForIdle();
    const [latest] = (await app.rest.apps.listWebhookDeliveries({ per_page: 1 })).data;
    expect(latest).toMatchObject({ guid: refused.guid, redelivery: true, status: "OK", status_code: 200 });
    expect(latest?.id).not.toBe(refused.id);
    expect(receiver.received.at(-1)?.deliveryId).toBe(refused.guid);
  });

  it("needs the app's JWT; an unknown delivery is 404", async () => {
    await start();
    expect((await gh.rest.apps.listWebhookDeliveries().catch((e) => e)).status).toBe(401);
    expect(
      (
        await appClient(sim)
          .rest.apps.getWebhookDelivery({ delivery_id: 1 })
          .catch((e) => e)
      ).status,
    ).toBe(404);
  });
});
