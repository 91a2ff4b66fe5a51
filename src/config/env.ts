import { readFileSync } from "node:fs";
import { z } from "zod";
import { TriadError } from "../errors.js";
import { resolveRoleModels } from "../models/config.js";

/**
 * Deployment configuration from the environment. Parsed once at start; every missing or wrong
 * variable is reported in one message, so a newcomer fixes them all in one go.
 */
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v));

const baseEnv = z.object({
  NODE_ENV: optionalString,
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default("redis://127.0.0.1:6379"),
  /** Prefix for every Redis key triad writes (queues, locks, state). */
  TRIAD_REDIS_PREFIX: z
    .string()
    .regex(/^[\w.-]+$/, "letters, digits, '.', '_' or '-' only")
    .default("triad"),
  /** GitHub's REST API root; GitHub Enterprise Server or the simulator use their own. */
  GITHUB_API_URL: z.url().default("https://api.github.com"),
  APP_ID: optionalString,
  PRIVATE_KEY: optionalString,
  PRIVATE_KEY_PATH: optionalString,
  WEBHOOK_SECRET: optionalString,
  WEBHOOK_PATH: z.string().startsWith("/").default("/api/github/webhooks"),
  /** Worker concurrency per process: jobs of different workflows run side by side. */
  TRIAD_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** How long a job may go without a heartbeat before another worker takes it over (a dead worker). */
  TRIAD_JOB_LOCK_MS: z.coerce.number().int().min(500).default(30_000),
  /**
   * Redis Cluster: its nodes as `host:port` (or redis:// URLs), comma-separated. Set, it replaces
   * REDIS_URL; every key is hash-tagged so BullMQ's scripts and triad's multi-key writes stay in one slot.
   */
  REDIS_CLUSTER_NODES: optionalString,
  /** A smee.io (or compatible) channel that relays GitHub's webhooks to a laptop (probot's variable). */
  WEBHOOK_PROXY_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  /** Serves the queue dashboard at /admin/queues behind this token; no dashboard without it. */
  TRIAD_ADMIN_TOKEN: optionalString.refine(
    (v) => v === undefined || v.length >= 16,
    "at least 16 characters",
  ),
  /** How long a part may take to start (GitHub and Redis reachable) before the process exits non-zero. */
  TRIAD_START_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
  /**
   * How often a worker asks GitHub for the app's failed webhook deliveries and has them redelivered
   * (GitHub never redelivers by itself); 0 turns the recovery pass off.
   */
  TRIAD_REDELIVERY_INTERVAL_MS: z.coerce.number().int().min(0).default(300_000),
});

export type BaseEnv = z.infer<typeof baseEnv>;

/** What each command needs to run; `setup` is the app-registration flow (no app yet). */
export type EnvNeeds = "web" | "worker" | "start" | "none";

export interface AppCredentials {
  appId: number;
  privateKey: string;
}

export interface TriadEnv extends BaseEnv {
  app: AppCredentials | undefined;
  webhookSecret: string | undefined;
  /**
   * Every private key text the deployment holds, parsed: the one in use (`app.privateKey`) and the
   * file at PRIVATE_KEY_PATH when PRIVATE_KEY took precedence over it. For redaction only.
   */
  privateKeys: string[];
  /** The raw environment, for the model layer's own schema. Never put it in a prompt. */
  raw: NodeJS.ProcessEnv;
}

const PEM_RE = /-----BEGIN ([A-Z0-9 ]+ )?PRIVATE KEY-----/;

/**
 * A private key as the deployment may give it in PRIVATE_KEY (the forms `@probot/get-private-key`
 * accepts, which the README and probot's docs name): the PEM itself, with `\n` escapes for its line
 * breaks (one-line `.env` files), with Windows line ends, in quotes, base64-encoded (Kubernetes
 * secrets), or on one line with spaces for line breaks. Returns the PEM with `\n` line breaks.
 */
export function parsePrivateKey(value: string): string {
  let key = value.trim();
  if (/^(["'])[\s\S]*\1$/.test(key)) key = key.slice(1, -1).trim();
  if (!key.includes("-----BEGIN") && /^[A-Za-z0-9+/=\s]+$/.test(key)) {
    const decoded = Buffer.from(key.replace(/\s+/g, ""), "base64").toString("utf8");
    if (PEM_RE.test(decoded)) key = decoded.trim();
  }
  key = key
    .replace(/\\r\\n|\\n/g, "\n")
    .replace(/\r\n?/g, "\n")
    .trim();
  const oneLine = /^(-----BEGIN [A-Z0-9 ]+-----) (.+) (-----END [A-Z0-9 ]+-----)$/.exec(key);
  if (oneLine && !key.includes("\n"))
    key = `${oneLine[1]}\n${(oneLine[2] ?? "").trim().replace(/\s+/g, "\n")}\n${oneLine[3]}`;
  return key;
}

/**
 * Parse and check the environment for a command. Throws a `config_invalid` TriadError whose message
 * lists every problem, one per line.
 */
export function loadEnv(source: NodeJS.ProcessEnv, needs: EnvNeeds): TriadEnv {
  const problems: string[] = [];
  const parsed = baseEnv.safeParse(source);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(`${issue.path.join(".")}: ${issue.message}`);
    }
  }
  const env = parsed.success ? parsed.data : undefined;
  // Presence checks read the variables themselves: one invalid variable (a PORT that is not a
  // number) must not make valid ones look missing.
  const given = (name: string): string | undefined => {
    const value = source[name];
    return value === undefined || value.trim() === "" ? undefined : value;
  };

  let app: AppCredentials | undefined;
  const privateKeys: string[] = [];
  const keyText = given("PRIVATE_KEY");
  const keyPath = given("PRIVATE_KEY_PATH");
  let privateKey = keyText === undefined ? undefined : parsePrivateKey(keyText);
  if (keyPath) {
    try {
      const fromFile = readFileSync(keyPath, "utf8");
      privateKeys.push(fromFile, parsePrivateKey(fromFile));
      privateKey ??= parsePrivateKey(fromFile);
    } catch (error) {
      // PRIVATE_KEY wins when both are set; an unreadable path matters only when it is the key.
      if (!privateKey) {
        problems.push(`PRIVATE_KEY_PATH: cannot read ${keyPath} (${(error as Error).message})`);
      }
    }
  }
  if (privateKey) privateKeys.unshift(privateKey);
  if (privateKey && !PEM_RE.test(privateKey)) {
    problems.push("PRIVATE_KEY: not a PEM private key (expected '-----BEGIN RSA PRIVATE KEY-----')");
  }
  const appId = given("APP_ID");
  if (appId !== undefined && !/^\d+$/.test(appId)) problems.push("APP_ID: must be the app's numeric id");

  const needsApp = needs === "web" || needs === "worker" || needs === "start";
  if (needsApp) {
    if (!appId) problems.push("APP_ID: missing (the GitHub App's id, shown on its settings page)");
    if (!privateKey && !keyPath) {
      problems.push("PRIVATE_KEY or PRIVATE_KEY_PATH: missing (the app's private key, PEM)");
    }
  }
  if ((needs === "web" || needs === "start") && !given("WEBHOOK_SECRET")) {
    problems.push("WEBHOOK_SECRET: missing (the secret set in the app's webhook settings)");
  }

  if (needs === "worker" || needs === "start") {
    // The model side has its own schema (src/models/config.ts); its problems join the same list.
    try {
      resolveRoleModels(source);
    } catch (error) {
      problems.push(error instanceof TriadError ? error.message : String(error));
    }
  }

  if (problems.length > 0 || !env) {
    throw new TriadError(
      "config_invalid",
      `triad cannot start: ${problems.length} environment variable${problems.length === 1 ? "" : "s"} missing or wrong:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  }
  if (appId && privateKey) app = { appId: Number(appId), privateKey };
  return {
    ...env,
    app,
    webhookSecret: env.WEBHOOK_SECRET,
    privateKeys: [...new Set(privateKeys)],
    raw: source,
  };
}
