import { createSign } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Octokit } from "@octokit/rest";
import pino from "pino";
import { createNodeMiddleware, Probot, ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type GitHubSimulator, startSimulator } from "../../src/sim/github/index.js";

const SECRET = "probot-secret";
const silent = { debug() {}, info() {}, warn() {}, error() {} };
let sim: GitHubSimulator;
let installationId: number;

beforeEach(async () => {
  sim = await startSimulator({ webhookSecret: SECRET, appId: 4242 });
  sim.createUser("acme");
  sim.createRepo({ owner: "acme", name: "widgets", files: { "README.md": "hi\n" } });
  installationId = sim.installApp("acme").installationId;
});
afterEach(async () => {
  await sim.stop();
});

function jwt(payload: Record<string, unknown>, key = sim.privateKey): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const data = `${enc({ alg: "RS256", typ: "JWT" })}.${enc(payload)}`;
  return `${data}.${createSign("RSA-SHA256").update(data).sign(key, "base64url")}`;
}

function probot(): Probot {
  return new Probot({
    appId: sim.appId,
    privateKey: sim.privateKey,
    secret: SECRET,
    baseUrl: sim.url,
    log: pino({ level: "silent" }),
    // Probot throttles writes to one per second by default; a local simulator doesn't need it.
    Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({
      ...o,
      throttle: { ...(o.throttle as object), enabled: false },
    })),
  });
}

describe("simulator: GitHub App auth", () => {
  it("JWT → installation token → API calls as triad[bot]", async () => {
    const now = Math.floor(Date.now() / 1000);
    const app = new Octokit({
      baseUrl: sim.url,
      auth: jwt({ iat: now - 30, exp: now + 540, iss: 4242 }),
      log: silent,
    });
    const { data: me } = await app.rest.apps.getAuthenticated();
    expect(me).toMatchObject({ id: 4242, slug: "triad" });
    const { data: inst } = await app.rest.apps.getRepoInstallation({ owner: "acme", repo: "widgets" });
    expect(inst.id).toBe(installationId);
    const { data: token } = await app.rest.apps.createInstallationAccessToken({
      installation_id: installationId,
    });
    expect(token.token).toMatch(/^ghs_/);
    const asBot = new Octokit({ baseUrl: sim.url, auth: token.token, log: silent });
    const { data: issue } = await asBot.rest.issues.create({
      owner: "acme",
      repo: "widgets",
      title: "from the app",
    });
    expect(issue.user).toMatchObject({ login: "triad[bot]", type: "Bot" });
    expect(sim.calls.map((c) => c.actor)).toEqual(["app", "app", "app", "installation"]);
  });

  it("rejects bad signatures, wrong issuer and expired JWTs with 401", async () => {
    const now = Math.floor(Date.now() / 1000);
    const other = (await import("node:crypto")).generateKeyPairSync("rsa", {
      modulusLength: 2048,
    }).privateKey;
    const cases = [
      jwt(
        { iat: now - 30, exp: now + 540, iss: 4242 },
        other.export({ type: "pkcs8", format: "pem" }).toString(),
      ),
      jwt({ iat: now - 30, exp: now + 540, iss: 1 }),
      jwt({ iat: now - 700, exp: now - 100, iss: 4242 }),
    ];
    for (const auth of cases) {
      const app = new Octokit({ baseUrl: sim.url, auth, log: silent });
      await expect(app.rest.apps.getAuthenticated()).rejects.toMatchObject({ status: 401 });
    }
    const user = sim.createUser("alice");
    const alice = new Octokit({ baseUrl: sim.url, auth: user.token, log: silent });
    await expect(alice.rest.apps.getAuthenticated()).rejects.toMatchObject({ status: 401 });
  });

  it("a Probot app receives signed webhooks and answers through the simulator", async () => {
    const bot = probot();
    const seen: string[] = [];
    const middleware = await createNodeMiddleware(
      (app) => {
        app.on("issues.labeled", async (context) => {
          seen.push(`${context.name}.${context.payload.action}:${context.payload.label?.name}`);
          await context.octokit.rest.reactions.createForIssue(context.issue({ content: "eyes" }));
          await context.octokit.rest.issues.createComment(context.issue({ body: "On it." }));
        });
      },
      { probot: bot },
    );
    const server: Server = createServer((req, res) => {
      void middleware(req, res, () => res.writeHead(404).end());
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    sim.setWebhookUrl(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`);
    try {
      const owner = sim.createUser("maintainer");
      sim.addCollaborator("acme/widgets", "maintainer", "admin");
      const gh = new Octokit({ baseUrl: sim.url, auth: owner.token, log: silent });
      await gh.rest.issues.create({ owner: "acme", repo: "widgets", title: "Do it" });
      await gh.rest.issues.addLabels({ owner: "acme", repo: "widgets", issue_number: 1, labels: ["triad"] });
      await sim.waitForIdle();
      expect(seen).toEqual(["issues.labeled:triad"]);
      expect(sim.deliveries.map((d) => [d.event, d.action, d.status])).toEqual([
        ["issues", "opened", 200],
        ["issues", "labeled", 200],
        ["issue_comment", "created", 200],
      ]);
      const { data: comments } = await gh.rest.issues.listComments({
        owner: "acme",
        repo: "widgets",
        issue_number: 1,
      });
      expect(comments.map((c) => [c.user?.login, c.body])).toEqual([["triad[bot]", "On it."]]);
      const dump = sim.dump();
      expect(dump.repositories[0]?.issues[0]?.reactions).toEqual([{ content: "eyes", user: "triad[bot]" }]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
