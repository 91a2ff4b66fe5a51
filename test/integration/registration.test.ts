import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Octokit } from "@octokit/rest";
import { afterEach, describe, expect, it } from "vitest";
import { type GitHubSimulator, startSimulator } from "../../src/sim/github/index.js";
import { SAMPLE, seedSample } from "../../src/sim/sample.js";
import { freePort, spawnTriad, statusOf, type TriadProcess } from "../helpers/process.js";
import { REDIS_URL, testPrefix } from "../helpers/redis.js";
import { waitFor } from "../helpers/wait.js";

/**
 * From registration to a running triad (issue [10/12] part 1): `triad start` with no APP_ID serves
 * probot's registration flow; GitHub converts the manifest; probot writes `.env` in its own format;
 * triad starts by itself and answers webhooks — and a later start reads the same `.env`.
 */
let sim: GitHubSimulator;
let github: Server;
let dir: string;
const running: TriadProcess[] = [];

afterEach(async () => {
  for (const p of running.splice(0)) await p.kill();
  await sim?.stop();
  await new Promise<void>((resolve) => (github ? github.close(() => resolve()) : resolve()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const SECRET = "registered-webhook-secret";

/**
 * GitHub's side of the manifest flow: `POST /app-manifests/{code}/conversions` answers 201 with the
 * new app's id, PEM and webhook secret (@octokit/openapi, apps/create-from-manifest). It hands back
 * the simulator's app, so the triad that starts can then talk to the simulator as that app. Probot
 * asks `https://$GHE_HOST/api/v3` (GHE_PROTOCOL http here).
 */
async function manifestConversions(): Promise<{ host: string; codes: string[] }> {
  const codes: string[] = [];
  github = createServer((req, res) => {
    const m = /^\/api\/v3\/app-manifests\/([^/]+)\/conversions$/.exec(req.url ?? "");
    if (req.method !== "POST" || !m) {
      res.writeHead(404).end();
      return;
    }
    codes.push(decodeURIComponent(m[1] ?? ""));
    res.writeHead(201, { "content-type": "application/json" }).end(
      JSON.stringify({
        id: sim.appId,
        slug: "triad-sim",
        name: "triad",
        client_id: "Iv1.0123456789abcdef",
        client_secret: "client-secret",
        webhook_secret: SECRET,
        pem: sim.privateKey,
        html_url: "https://github.com/apps/triad-sim",
      }),
    );
  });
  await new Promise<void>((resolve) => github.listen(0, "127.0.0.1", resolve));
  return { host: `127.0.0.1:${(github.address() as { port: number }).port}`, codes };
}

describe("registering the GitHub App", () => {
  it("npm start with no APP_ID → register → .env in probot's format → triad starts and answers webhooks; a restart reads .env", async () => {
    sim = await startSimulator({ webhookSecret: SECRET });
    const maintainer = seedSample(sim).tokens[SAMPLE.maintainer] as string;
    const conversions = await manifestConversions();
    dir = mkdtempSync(join(tmpdir(), "triad-register-"));
    // What a checkout has beside it: the manifest and the package (probot reads both from the cwd).
    for (const file of ["app.yml", "package.json"])
      copyFileSync(join(import.meta.dirname, "../..", file), join(dir, file));
    const port = await freePort();
    const env = {
      PORT: String(port),
      HOST: "127.0.0.1",
      GHE_HOST: conversions.host,
      GHE_PROTOCOL: "http",
      // No smee.io channel from here (no internet); the README's laptop path sets its own.
      NO_SMEE_SETUP: "true",
      GITHUB_API_URL: sim.url,
      REDIS_URL,
      TRIAD_REDIS_PREFIX: testPrefix("register"),
      TRIAD_REDELIVERY_INTERVAL_MS: "0",
      // The worker needs a model key to start; no model is called before the tracking comment.
      ANTHROPIC_API_KEY: "sk-ant-test",
      ANTHROPIC_BASE_URL: "http://127.0.0.1:9",
      LOG_LEVEL: "info",
    };
    const first = spawnTriad(["start"], env, dir);
    running.push(first);
    const base = `http://127.0.0.1:${port}`;
    await waitFor(
      "probot's registration page",
      async () => (await statusOf(`${base}/probot`)) === 200,
      20_000,
    );
    const page = await (await fetch(`${base}/probot`)).text();
    // The manifest is app.yml's, with the webhook URL probot fills in (no example.com placeholder).
    expect(page).toContain("default_permissions");
    expect(page).not.toContain("example.com");

    // GitHub sends the browser back with a code; probot converts it and writes .env.
    const back = await fetch(`${base}/probot/setup?code=abc123`, { redirect: "manual" });
    expect(back.status).toBe(302);
    expect(back.headers.get("location")).toBe("https://github.com/apps/triad-sim/installations/new");
    expect(conversions.codes).toEqual(["abc123"]);
    const dotenv = readFileSync(join(dir, ".env"), "utf8");
    expect(dotenv).toContain(`APP_ID=${sim.appId}\n`);
    expect(dotenv).toMatch(
      /^PRIVATE_KEY="-----BEGIN RSA PRIVATE KEY-----\\n[^\n]+\\n-----END RSA PRIVATE KEY-----\\n?"$/m,
    );
    expect(dotenv).toContain(`WEBHOOK_SECRET=${SECRET}`);

    // No restart: the same process is now triad, on the same port.
    await waitFor("triad to be ready", async () => (await statusOf(`${base}/readyz`)) === 200, 30_000);
    expect(first.child.exitCode).toBeNull();
    await answersWebhooks(base, maintainer, "Registered and live");

    // A later start (say after a reboot) reads .env and does not serve the registration flow again.
    await first.kill();
    const second = spawnTriad(["start"], { ...env, LOG_LEVEL: "warn" }, dir);
    running.push(second);
    await waitFor("triad to be ready again", async () => (await statusOf(`${base}/readyz`)) === 200, 30_000);
    expect(await statusOf(`${base}/probot`)).toBe(404);
    await answersWebhooks(base, maintainer, "After a restart");
  });
});

/** Label an issue on the simulator (whose webhooks go to triad): 👀 and the tracking comment appear. */
async function answersWebhooks(base: string, token: string, title: string): Promise<void> {
  sim.setWebhookUrl(`${base}/api/github/webhooks`);
  const fullName = `${SAMPLE.owner}/${SAMPLE.repo}`;
  const maya = new Octokit({ baseUrl: sim.url, auth: token, request: { retries: 0 } });
  const repo = { owner: SAMPLE.owner, repo: SAMPLE.repo };
  const { data: issue } = await maya.rest.issues.create({ ...repo, title });
  await maya.rest.issues.addLabels({ ...repo, issue_number: issue.number, labels: ["triad"] });
  await waitFor(
    `👀 and the tracking comment on ${fullName}#${issue.number}`,
    () => {
      const thread = sim
        .dump()
        .repositories.find((r) => r.fullName === fullName)
        ?.issues.find((i) => i.number === issue.number);
      return (
        thread?.reactions.some((r) => r.content === "eyes" && r.user.endsWith("[bot]")) &&
        thread.comments.some((c) => c.user.endsWith("[bot]") && c.body.includes("<!-- triad:tracking -->"))
      );
    },
    // About a second on an idle machine (the 👀 is a write spacing after the tracking comment); a
    // restarted process on a loaded CI machine takes far longer to come up.
    45_000,
  );
}
