import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadEnv } from "../../src/config/env.js";
import { defaultRepoConfig, parseRepoConfig, repoConfigJsonSchema } from "../../src/config/repo-config.js";
import { TriadError } from "../../src/errors.js";

const KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----";

describe("environment", () => {
  it("names every missing variable in one message", () => {
    let error: unknown;
    try {
      loadEnv({ REDIS_URL: "not a url" }, "start");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TriadError);
    const message = (error as Error).message;
    for (const name of ["APP_ID", "PRIVATE_KEY", "WEBHOOK_SECRET", "REDIS_URL"])
      expect(message).toContain(name);
    expect(message.split("\n")[0]).toMatch(/4 environment variables missing or wrong/);
  });

  it("needs no webhook secret for a worker, and reads escaped newlines in PRIVATE_KEY", () => {
    const env = loadEnv({ APP_ID: "12", PRIVATE_KEY: KEY.replace(/\n/g, "\\n") }, "worker");
    expect(env.app).toEqual({ appId: 12, privateKey: KEY });
    expect(env.REDIS_URL).toBe("redis://127.0.0.1:6379");
  });

  it("refuses a private key path that cannot be read and a non-numeric APP_ID", () => {
    expect(() => loadEnv({ APP_ID: "abc", PRIVATE_KEY_PATH: "/nonexistent/key.pem" }, "worker")).toThrow(
      /PRIVATE_KEY_PATH: cannot read[\s\S]*APP_ID: must be the app's numeric id/,
    );
  });
});

describe("repository config (.github/triad.yml)", () => {
  it("defaults when the file is missing or empty", () => {
    expect(parseRepoConfig(undefined)).toEqual(defaultRepoConfig);
    expect(parseRepoConfig("\n")).toMatchObject({
      trigger_label: "triad",
      approval_words: ["approved"],
      max_fix_rounds: 3,
    });
  });

  it("says what is wrong and on which line", () => {
    expect(() => parseRepoConfig("trigger_label: go\nmax_fix_rounds: lots\n")).toThrow(
      /line 2: `max_fix_rounds`: Invalid input: expected number/,
    );
    expect(() => parseRepoConfig("trigger_lable: go\n")).toThrow(/line 1: unknown key `trigger_lable`/);
    expect(() => parseRepoConfig("budgets:\n  max_cost_usd: -1\n")).toThrow(/line 2: `budgets.max_cost_usd`/);
    expect(() => parseRepoConfig("deny_paths: [a\n")).toThrow(/line \d+:/);
    expect(() => parseRepoConfig("models:\n  reviewers: [gpt]\n")).toThrow(/vendor:model/);
  });

  it("keeps the checked-in JSON schema in step with the zod schema (npm run schema)", () => {
    const checkedIn = JSON.parse(readFileSync("schema/triad.schema.json", "utf8"));
    expect(checkedIn).toEqual(JSON.parse(JSON.stringify(repoConfigJsonSchema())));
  });
});

describe("the sample repository's config", () => {
  it("is valid against the schema", () => {
    const config = parseRepoConfig(readFileSync("examples/sample-repo/.github/triad.yml", "utf8"));
    expect(config.budgets).toEqual({ max_tokens: 2_000_000, max_cost_usd: 10 });
    expect(config.deny_paths).toContain("secrets/**");
  });
});

describe("model configuration at start", () => {
  it("a worker refuses a reviewer of the developer's vendor, with the reason", () => {
    expect(() =>
      loadEnv(
        {
          APP_ID: "1",
          PRIVATE_KEY: KEY,
          TRIAD_DEVELOPER_MODEL: "openai:gpt-5.1-codex",
          TRIAD_REVIEWER_MODELS: "openai:gpt-5-mini",
        },
        "worker",
      ),
    ).toThrow(/from the developer's vendor[\s\S]*no model reviews its own vendor's work/);
  });
});
