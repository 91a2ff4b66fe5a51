import { createPrivateKey, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadEnv, parsePrivateKey } from "../../src/config/env.js";
import { privateKeyForms, redactionList } from "../../src/config/secrets.js";
import { guarded } from "../../src/models/provider.js";
import type { ChatModel, ChatRequest } from "../../src/models/types.js";
import { REDACTED, redactSecrets } from "../../src/text/sanitize.js";

// A real key, as GitHub hands it out for an app (PKCS#1, "RSA PRIVATE KEY").
const { privateKey: PEM } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});
const PEM_LF = PEM.trim();
const BODY = PEM_LF.split("\n").filter((l) => !l.startsWith("-----"));
const DER = BODY.join("");
const PKCS8 = createPrivateKey(PEM).export({ type: "pkcs8", format: "pem" }).toString().trim();
const PKCS8_DER = createPrivateKey(PEM).export({ type: "pkcs8", format: "der" }).toString("base64");

const WEBHOOK_SECRET = "whsec-9f8e7d6c5b4a";
const API_KEYS = {
  ANTHROPIC_API_KEY: "sk-ant-api03-AAAABBBBCCCCDDDD",
  OPENAI_API_KEY: "sk-proj-EEEEFFFFGGGGHHHH",
  GEMINI_API_KEY: "AIzaSyIIIIJJJJKKKKLLLL",
  OPENAI_COMPATIBLE_API_KEY: "ollama-MMMMNNNNOOOO",
  GITHUB_TOKEN: "ghp_PPPPQQQQRRRRSSSSTTTT",
  SENTRY_AUTH_TOKEN: "sntrys_UUUUVVVVWWWW",
  DB_PASSWORD: "correct-horse-battery",
};
const REDIS_PASSWORD = "r3dis-s3cret-pw";

function rewrap(text: string, width: number): string {
  return text.match(new RegExp(`.{1,${width}}`, "g"))?.join("\n") ?? text;
}

/** Every way the key may reach a prompt: what a leak through a file, a log or a tool result looks like. */
const LEAKS: [string, string][] = [
  ["the PEM", PEM_LF],
  ["the PEM with CRLF", PEM_LF.replace(/\n/g, "\r\n")],
  ["the PEM \\n-escaped (as in a .env file)", PEM_LF.replace(/\n/g, "\\n")],
  ["the PEM in JSON", JSON.stringify({ key: PEM_LF })],
  ["one body line", BODY[3] as string],
  ["the last full body line", BODY[BODY.length - 2] as string],
  ["the DER in base64 on one line", DER],
  ["the DER re-wrapped at 76", rewrap(DER, 76)],
  ["the key converted to PKCS#8", PKCS8],
  ["the PKCS#8 DER on one line", PKCS8_DER],
  ["the webhook secret", `X-Hub-Signature secret: ${WEBHOOK_SECRET}`],
  ...Object.entries(API_KEYS).map(([name, value]): [string, string] => [name, `${name}=${value}`]),
  ["the Redis password", `connect with ${REDIS_PASSWORD}`],
];

/** What must be gone from a redacted text: the key's lines and DER pieces, and each secret value. */
const MUST_NOT_APPEAR = [
  ...BODY.filter((l) => l.length >= 16),
  DER.slice(100, 164),
  PKCS8_DER.slice(100, 164),
  WEBHOOK_SECRET,
  ...Object.values(API_KEYS),
  REDIS_PASSWORD,
];

function expectClean(text: string): void {
  for (const secret of MUST_NOT_APPEAR) expect(text).not.toContain(secret);
}

const tmp = mkdtempSync(join(tmpdir(), "triad-secrets-"));
const KEY_FILE = join(tmp, "app.private-key.pem");
writeFileSync(KEY_FILE, PEM.replace(/\n/g, "\r\n"));
const OTHER_KEY_FILE = join(tmp, "other.pem");
const { privateKey: OTHER_PEM } = generateKeyPairSync("rsa", {
  modulusLength: 1024,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});
writeFileSync(OTHER_KEY_FILE, OTHER_PEM);

const common = {
  APP_ID: "123",
  WEBHOOK_SECRET,
  REDIS_URL: `redis://default:${REDIS_PASSWORD}@127.0.0.1:6379`,
  ...API_KEYS,
};

/** The accepted ways of giving the key (README, probot's own docs). */
const KEY_FORMS: [string, NodeJS.ProcessEnv][] = [
  ["PRIVATE_KEY with real line breaks", { PRIVATE_KEY: PEM }],
  ["PRIVATE_KEY \\n-escaped", { PRIVATE_KEY: PEM_LF.replace(/\n/g, "\\n") }],
  ["PRIVATE_KEY quoted and \\n-escaped", { PRIVATE_KEY: `"${PEM_LF.replace(/\n/g, "\\n")}"` }],
  ["PRIVATE_KEY base64-encoded", { PRIVATE_KEY: Buffer.from(PEM).toString("base64") }],
  ["PRIVATE_KEY on one line with spaces", { PRIVATE_KEY: PEM_LF.replace(/\n/g, " ") }],
  ["PRIVATE_KEY_PATH (a CRLF file)", { PRIVATE_KEY_PATH: KEY_FILE }],
];

describe("parsePrivateKey", () => {
  it.each(KEY_FORMS.filter(([, env]) => env.PRIVATE_KEY))("reads %s", (_name, env) => {
    expect(parsePrivateKey(env.PRIVATE_KEY as string)).toBe(PEM_LF);
  });

  it("loadEnv hands probot the same PEM for every accepted form", () => {
    for (const [, env] of KEY_FORMS)
      expect(loadEnv({ ...common, ...env }, "worker").app?.privateKey).toBe(PEM_LF);
  });
});

describe("redactionList: built from the parsed credentials", () => {
  it.each(KEY_FORMS)("with %s, no leaked form of any secret survives redaction", (_name, keyEnv) => {
    const env = loadEnv({ ...common, ...keyEnv }, "worker");
    const secrets = redactionList(env);
    for (const [, leak] of LEAKS) {
      const redacted = redactSecrets(`before ${leak} after`, secrets);
      expectClean(redacted);
      expect(redacted).toContain(REDACTED);
      expect(redacted).toMatch(/^before [\s\S]* after$/);
    }
  });

  it("the environment strings alone would have missed the key (the bug this fixes)", () => {
    const raw = { ...common, PRIVATE_KEY: PEM_LF.replace(/\n/g, "\\n") };
    const rawValues = Object.values(raw);
    expect(redactSecrets(PEM_LF, rawValues)).toContain(BODY[3]);
    expect(redactSecrets(PEM_LF, redactionList(loadEnv(raw, "worker")))).not.toContain(BODY[3]);
  });

  it("covers a key file that PRIVATE_KEY took precedence over", () => {
    const env = loadEnv({ ...common, PRIVATE_KEY: PEM, PRIVATE_KEY_PATH: OTHER_KEY_FILE }, "worker");
    const other = OTHER_PEM.trim().split("\n")[2] as string;
    expect(redactSecrets(`x ${other} y`, redactionList(env))).toBe(`x ${REDACTED} y`);
  });

  it("keeps ordinary text: short PEM tails, user names and non-secret variables are not on the list", () => {
    const env = loadEnv(
      { ...common, PRIVATE_KEY: PEM, TRIAD_WORKER_CONCURRENCY: "4", LOG_LEVEL: "debug" },
      "worker",
    );
    const secrets = redactionList(env);
    expect(secrets.every((s) => s.length >= 6)).toBe(true);
    expect(secrets).not.toContain("default");
    expect(secrets).not.toContain("debug");
    const text = "The default retry policy logs at debug level; see -----BEGIN RSA PRIVATE KEY----- docs.";
    expect(redactSecrets(text, secrets)).toBe(text);
  });

  it("privateKeyForms ignores pieces too short to be specific", () => {
    const forms = privateKeyForms("-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----");
    expect(forms).not.toContain("MIIB");
    expect(forms.every((f) => f.length >= 16)).toBe(true);
  });
});

describe("the model guard with the redaction list", () => {
  it("no captured request holds the key in any form, or any other secret", async () => {
    const requests: ChatRequest[] = [];
    const model: ChatModel = {
      ref: { vendor: "anthropic", model: "claude-test" } as ChatModel["ref"],
      async chat(request) {
        requests.push(request);
        return {
          text: "ok",
          toolCalls: [],
          stopReason: "end",
          usage: { inputTokens: 1, outputTokens: 1 },
          model: "m",
        } as never;
      },
    };
    for (const [, keyEnv] of KEY_FORMS) {
      const env = loadEnv({ ...common, ...keyEnv }, "worker");
      const safe = guarded(model, redactionList(env));
      const leakText = LEAKS.map(([, leak]) => leak).join("\n---\n");
      await safe.chat({
        system: [{ text: `contract\n${leakText}` }],
        messages: [
          { role: "user", content: `a committed file:\n${leakText}` },
          { role: "tool", results: [{ id: "t1", content: `read_file:\n${leakText}` }] },
        ] as ChatRequest["messages"],
      });
    }
    expect(requests).toHaveLength(KEY_FORMS.length);
    expectClean(JSON.stringify(requests));
    for (const request of requests) {
      expectClean(request.system.map((b) => b.text).join("\n"));
      for (const message of request.messages) expectClean(JSON.stringify(message));
    }
  });
});
