import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Octokit } from "@octokit/rest";
import { afterEach, describe, expect, it } from "vitest";
import type { PlaygroundDescription } from "../../src/sim/playground/start.js";
import { REDIS_URL } from "../helpers/redis.js";
import { waitFor } from "../helpers/wait.js";

let child: ChildProcess | undefined;
let dir: string | undefined;
afterEach(() => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  if (dir) rmSync(dir, { recursive: true, force: true });
  child = undefined;
  dir = undefined;
});

/** The environment without model keys (scripted models) and without a deployment's app variables. */
function cleanEnv(): NodeJS.ProcessEnv {
  return {
    ...Object.fromEntries(
      Object.entries(process.env).filter(
        ([k]) =>
          !/(_API_KEY|_BASE_URL)$|^(APP_ID|PRIVATE_KEY|PRIVATE_KEY_PATH|WEBHOOK_SECRET|NODE_ENV)$/.test(k),
      ),
    ),
    REDIS_URL,
    LOG_LEVEL: "silent",
  };
}

describe("npx triad playground --headless --json", () => {
  it("prints one JSON line to drive triad through plain REST calls, and runs until stopped", async () => {
    dir = mkdtempSync(join(tmpdir(), "triad-pg-"));
    const repoDir = join(dir, "shop");
    mkdirSync(join(repoDir, "src"), { recursive: true });
    writeFileSync(join(repoDir, ".gitignore"), "*.secret\n");
    writeFileSync(join(repoDir, "README.md"), "# shop\n");
    writeFileSync(join(repoDir, "src/cart.ts"), "export const items: string[] = [];\n");
    writeFileSync(join(repoDir, "prod.secret"), "hunter2");

    child = spawn(
      process.execPath,
      ["--import", "tsx", "src/main.ts", "playground", "--headless", "--json", "--repo", repoDir],
      { env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] },
    );
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const first = await new Promise<string>((resolve, reject) => {
      lines.once("line", resolve);
      child?.once("exit", (code) => reject(new Error(`playground exited with ${code}`)));
    });
    const d = JSON.parse(first) as PlaygroundDescription;
    expect(d).toMatchObject({
      api: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      page: `${d.api}/acme/shop`,
      repository: "acme/shop",
      models: "scripted",
      app: {
        id: expect.any(Number),
        privateKey: expect.stringContaining("PRIVATE KEY"),
        webhookSecret: expect.any(String),
        installationId: expect.any(Number),
      },
    });
    expect(Object.keys(d.users)).toEqual(expect.arrayContaining(["maya", "rita", "olly"]));
    expect(d.users.maya?.role).toBe("maintain");
    expect(d.users.rita?.role).toBe("read");

    // The imported folder is the default branch, .gitignore respected.
    const maya = new Octokit({ baseUrl: d.api, auth: d.users.maya?.token, request: { retries: 0 } });
    const repo = { owner: "acme", repo: "shop" };
    const { data: root } = await maya.rest.repos.getContent({ ...repo, path: "" });
    expect((root as Array<{ name: string }>).map((e) => e.name).sort()).toEqual([
      ".gitignore",
      "README.md",
      "src",
    ]);

    // The page is there, and a script drives the whole triad as the maintainer through plain REST.
    const page = await fetch(d.page, { headers: { accept: "text/html" } });
    expect(await page.text()).toContain("/_playground/app.js");
    const { data: issue } = await maya.rest.issues.create({
      ...repo,
      title: "Add a total",
      body: "Sum the cart.",
    });
    await maya.rest.issues.addLabels({ ...repo, issue_number: issue.number, labels: ["triad"] });
    const tracking = await waitFor("the tracking comment", async () => {
      const { data } = await maya.rest.issues.listComments({ ...repo, issue_number: issue.number });
      return data.find((c) => c.user?.login === "triad[bot]" && c.body?.includes("- [ ]"));
    });
    expect(tracking.body).toContain(`#${issue.number}`);

    // And it stops on SIGTERM, cleanly.
    const exited = new Promise<number | null>((resolve) => child?.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  }, 60_000);
});
