import { createRequire } from "node:module";
import { Octokit } from "@octokit/rest";
import { Probot, ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type GitHubSimulator,
  SIM_LENIENT_DEFAULTS,
  startSimulator,
  startWebhookReceiver,
  type WebhookReceiver,
} from "../../src/sim/github/index.js";

const require = createRequire(import.meta.url);
type Schema = Record<string, unknown>;
const doc = require("@octokit/openapi-webhooks/generated/api.github.com.json") as {
  components: { schemas: Record<string, Schema> };
};

/**
 * A small JSON-schema checker for GitHub's webhook schemas: type, enum, required, properties,
 * additionalProperties, items, $ref (within the document), allOf, anyOf, oneOf (treated as anyOf:
 * GitHub's oneOf branches overlap), minimum/maximum. `format` is not checked.
 */
function validate(schema: Schema, value: unknown, path = "$"): string[] {
  if (typeof schema.$ref === "string") {
    const name = schema.$ref.replace("#/components/schemas/", "");
    const target = doc.components.schemas[name];
    if (!target) return [`${path}: unresolved ${schema.$ref}`];
    return validate(target, value, path);
  }
  const errors: string[] = [];
  const types = schema.type === undefined ? undefined : ([] as unknown[]).concat(schema.type);
  if (types) {
    const actual =
      value === null
        ? "null"
        : Array.isArray(value)
          ? "array"
          : typeof value === "number"
            ? Number.isInteger(value)
              ? "integer"
              : "number"
            : typeof value;
    const ok = types.includes(actual) || (actual === "integer" && types.includes("number"));
    if (!ok) return [`${path}: expected ${types.join("|")}, got ${actual}`];
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) {
    errors.push(`${path}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`);
  }
  if (typeof schema.minimum === "number" && typeof value === "number" && value < schema.minimum) {
    errors.push(`${path}: below minimum`);
  }
  for (const sub of (schema.allOf as Schema[] | undefined) ?? []) errors.push(...validate(sub, value, path));
  for (const key of ["anyOf", "oneOf"] as const) {
    const subs = schema[key] as Schema[] | undefined;
    if (subs && !subs.some((s) => validate(s, value, path).length === 0)) {
      const detail = subs.map((s) => validate(s, value, path)[0]).join(" / ");
      errors.push(`${path}: no ${key} branch matched (${detail})`);
    }
  }
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const r of (schema.required as string[] | undefined) ?? []) {
      if (!(r in obj)) errors.push(`${path}.${r}: required`);
    }
    const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const [k, v] of Object.entries(obj)) {
      const p = props[k];
      if (p) errors.push(...validate(p, v, `${path}.${k}`));
      else if (schema.additionalProperties === false) errors.push(`${path}.${k}: not allowed`);
      else if (schema.additionalProperties && typeof schema.additionalProperties === "object") {
        errors.push(...validate(schema.additionalProperties as Schema, v, `${path}.${k}`));
      }
    }
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((v, i) => {
      errors.push(...validate(schema.items as Schema, v, `${path}[${i}]`));
    });
  }
  return errors;
}

const SECRET = "webhook-secret";
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const repo = { owner: "acme", repo: "widgets" };
let sim: GitHubSimulator;
let receiver: WebhookReceiver;
let installationId: number;

beforeEach(async () => {
  receiver = await startWebhookReceiver(SECRET);
  sim = await startSimulator({ webhookSecret: SECRET, webhookUrl: receiver.url, ...SIM_LENIENT_DEFAULTS });
  sim.createUser("acme");
  sim.createRepo({ owner: "acme", name: "widgets", files: { "README.md": "one\ntwo\nthree\n" } });
  installationId = sim.installApp("acme").installationId;
});
afterEach(async () => {
  await sim.stop();
  await receiver.close();
});

async function botClient(): Promise<Octokit> {
  // Probot's throttling spaces writes 1 s apart (GitHub's secondary-limit advice); off for a local simulator.
  const probot = new Probot({
    appId: sim.appId,
    privateKey: sim.privateKey,
    secret: SECRET,
    baseUrl: sim.url,
    Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({
      ...o,
      throttle: { ...(o.throttle as object), enabled: false },
    })),
  });
  return (await probot.auth(installationId)) as unknown as Octokit;
}

async function commitFile(gh: Octokit, path: string, content: string, parent: string) {
  const { data: parentCommit } = await gh.rest.git.getCommit({ ...repo, commit_sha: parent });
  const { data: tree } = await gh.rest.git.createTree({
    ...repo,
    base_tree: parentCommit.tree.sha,
    tree: [{ path, mode: "100644", type: "blob", content }],
  });
  const { data: commit } = await gh.rest.git.createCommit({
    ...repo,
    message: `edit ${path}`,
    tree: tree.sha,
    parents: [parent],
  });
  return commit.sha;
}

describe("simulator: webhooks", () => {
  it("sends every event in GitHub's schema, signed, with installation and sender", async () => {
    const user = sim.createUser("alice");
    sim.addCollaborator("acme/widgets", "alice", "write");
    const alice = new Octokit({ baseUrl: sim.url, auth: user.token, log: silent });
    const bot = await botClient();

    // issues + issue_comment
    await alice.rest.issues.create({ ...repo, title: "Widget", body: "please" });
    await alice.rest.issues.addLabels({ ...repo, issue_number: 1, labels: ["triad"] });
    await alice.rest.issues.update({ ...repo, issue_number: 1, title: "Widget v2" });
    await alice.rest.issues.removeLabel({ ...repo, issue_number: 1, name: "triad" });
    const { data: c } = await bot.rest.issues.createComment({ ...repo, issue_number: 1, body: "tracking" });
    await bot.rest.issues.updateComment({ ...repo, comment_id: c.id, body: "tracking v2" });
    await bot.rest.issues.deleteComment({ ...repo, comment_id: c.id });
    await alice.rest.issues.update({ ...repo, issue_number: 1, state: "closed" });
    await alice.rest.issues.update({ ...repo, issue_number: 1, state: "open" });

    // pull_request (+ synchronize), reviews, review comments
    const main = (await bot.rest.git.getRef({ ...repo, ref: "heads/main" })).data.object.sha;
    const c1 = await commitFile(bot, "README.md", "one\nTWO\nthree\n", main);
    await bot.rest.git.createRef({ ...repo, ref: "refs/heads/triad/1-widget", sha: c1 });
    const { data: pr } = await bot.rest.pulls.create({
      ...repo,
      title: "Widget",
      head: "triad/1-widget",
      base: "main",
      body: "Closes #1",
    });
    const c2 = await commitFile(bot, "NEW.md", "new\n", c1);
    await bot.rest.git.updateRef({ ...repo, ref: "heads/triad/1-widget", sha: c2 });
    await bot.rest.issues.addLabels({ ...repo, issue_number: pr.number, labels: ["triad:ready"] });
    await bot.rest.issues.removeLabel({ ...repo, issue_number: pr.number, name: "triad:ready" });
    await alice.rest.pulls.createReview({
      ...repo,
      pull_number: pr.number,
      commit_id: c2,
      event: "REQUEST_CHANGES",
      body: "fix it",
      comments: [{ path: "README.md", line: 2, side: "RIGHT", body: "shout less" }],
    });
    await bot.rest.pulls.update({ ...repo, pull_number: pr.number, state: "closed" });
    await bot.rest.pulls.update({ ...repo, pull_number: pr.number, state: "open" });

    // check_run + check_suite
    const { data: run } = await bot.rest.checks.create({
      ...repo,
      name: "triad/review",
      head_sha: c2,
      status: "in_progress",
    });
    await bot.rest.checks.update({
      ...repo,
      check_run_id: run.id,
      conclusion: "success",
      output: { title: "ok", summary: "fine" },
    });

    await alice.rest.pulls.merge({ ...repo, pull_number: pr.number });
    await sim.waitForIdle();

    const got = receiver.received.map((r) => `${r.event}.${String(r.payload.action)}`);
    expect(new Set(got)).toEqual(
      new Set([
        "issues.opened",
        "issues.labeled",
        "issues.edited",
        "issues.unlabeled",
        "issue_comment.created",
        "issue_comment.edited",
        "issue_comment.deleted",
        "issues.closed",
        "issues.reopened",
        "pull_request.opened",
        "pull_request.synchronize",
        "pull_request.labeled",
        "pull_request.unlabeled",
        "pull_request_review.submitted",
        "pull_request_review_comment.created",
        "pull_request.closed",
        "pull_request.reopened",
        "check_run.created",
        "check_run.completed",
        "check_suite.completed",
      ]),
    );
    for (const r of receiver.received) {
      const name = `webhook-${r.event.replace(/_/g, "-")}-${String(r.payload.action)}`;
      const schema = doc.components.schemas[name];
      expect(schema, name).toBeDefined();
      expect(validate(schema as Schema, r.payload), name).toEqual([]);
      expect(r.signatureValid).toBe(true);
      expect(r.headers["user-agent"]).toMatch(/^GitHub-Hookshot\//);
      expect(r.headers["x-github-hook-installation-target-type"]).toBe("integration");
      expect(r.payload.installation).toMatchObject({ id: installationId });
    }
    // The checker does reject a payload that breaks the schema.
    const opened = receiver.received[0]?.payload as { issue: Record<string, unknown> };
    const broken = { ...opened, issue: { ...opened.issue, number: "1", user: undefined } };
    expect(validate(doc.components.schemas["webhook-issues-opened"] as Schema, broken)).not.toEqual([]);
    const commentCreated = receiver.received.find(
      (r) => r.event === "issue_comment" && r.payload.action === "created",
    );
    expect(commentCreated?.payload.sender).toMatchObject({ login: "triad[bot]", type: "Bot" });
    const edited = receiver.received.find(
      (r) => r.event === "issue_comment" && r.payload.action === "edited",
    );
    expect(edited?.payload.changes).toEqual({ body: { from: "tracking" } });
    const closed = receiver.received.filter(
      (r) => r.event === "pull_request" && r.payload.action === "closed",
    );
    expect(closed.map((r) => (r.payload.pull_request as { merged: boolean }).merged)).toEqual([false, true]);
    const sync = receiver.received.find((r) => r.payload.action === "synchronize");
    expect(sync?.payload).toMatchObject({ before: c1, after: c2 });
    // Merging "Closes #1" into the default branch closes the issue, after the PR's closed event.
    expect(got.slice(-2)).toEqual(["pull_request.closed", "issues.closed"]);
    expect(sim.deliveries.map((d) => d.id)).toEqual(receiver.received.map((r) => r.deliveryId));
    expect(sim.deliveries.every((d) => d.status === 200)).toBe(true);
  });

  it("delivers after the response, in order, records failures without retrying, and redelivers", async () => {
    const user = sim.createUser("alice");
    const alice = new Octokit({ baseUrl: sim.url, auth: user.token, log: silent });
    receiver.status = 500;
    await alice.rest.issues.create({ ...repo, title: "a" });
    await alice.rest.issues.create({ ...repo, title: "b" });
    await sim.waitForIdle();
    expect(receiver.received.map((r) => (r.payload.issue as { title: string }).title)).toEqual(["a", "b"]);
    expect(sim.deliveries.map((d) => [d.event, d.action, d.status])).toEqual([
      ["issues", "opened", 500],
      ["issues", "opened", 500],
    ]);
    receiver.status = 202;
    const first = sim.deliveries[0];
    if (!first) throw new Error("no delivery");
    expect(await sim.redeliver(first.id)).toBe(202);
    const last = receiver.received.at(-1);
    expect(last?.deliveryId).toBe(first.id);
    expect(last?.body).toBe(receiver.received[0]?.body);
    expect(sim.deliveries).toHaveLength(3);

    sim.setWebhookUrl("http://127.0.0.1:1/");
    await alice.rest.issues.createComment({ ...repo, issue_number: 1, body: "x" });
    await sim.waitForIdle();
    expect(sim.deliveries.at(-1)).toMatchObject({ event: "issue_comment", status: "error" });
  });
});
