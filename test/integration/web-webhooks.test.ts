import { randomUUID } from "node:crypto";
import { request } from "node:http";
import { sign } from "@octokit/webhooks-methods";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEnv } from "../../src/config/env.js";
import { createLogger } from "../../src/log.js";
import { EVENTS_QUEUE, keys, queuePrefix } from "../../src/queue/names.js";
import { type RunningWeb, runWeb } from "../../src/runtime.js";
import { REDIS_URL, testPrefix } from "../helpers/redis.js";
import { webhookExample, webhookExamples } from "../helpers/webhook-examples.js";

const SECRET = "it's a secret to everybody";
// A syntactically valid key: the web side never calls GitHub, so it is never used.
const KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAK\n-----END RSA PRIVATE KEY-----";

let web: RunningWeb;
let queue: Queue;
let redis: Redis;
const prefix = testPrefix("web");

beforeAll(async () => {
  const env = loadEnv(
    {
      APP_ID: "1",
      PRIVATE_KEY: KEY,
      WEBHOOK_SECRET: SECRET,
      REDIS_URL,
      TRIAD_REDIS_PREFIX: prefix,
      PORT: "0",
      HOST: "127.0.0.1",
      // Nothing listens here: a GitHub call from the webhook side would fail the test.
      GITHUB_API_URL: "http://127.0.0.1:9",
    },
    "web",
  );
  web = await runWeb(env, createLogger("silent"));
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  queue = new Queue(EVENTS_QUEUE, { connection: redis, prefix: queuePrefix(prefix) });
});

afterAll(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  redis.disconnect();
  await web.stop();
});

interface Sent {
  status: number;
  body: string;
}

function post(path: string, body: string | Buffer, headers: Record<string, string>): Promise<Sent> {
  const url = new URL(path, web.url);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers }, (res) => {
      let text = "";
      res.on("data", (c) => {
        text += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function deliver(
  name: string,
  payload: unknown,
  o: { id?: string; signature?: string | null; raw?: string } = {},
) {
  const body = o.raw ?? JSON.stringify(payload);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-github-event": name,
    "x-github-delivery": o.id ?? randomUUID(),
  };
  if (o.signature !== null) headers["x-hub-signature-256"] = o.signature ?? (await sign(SECRET, body));
  return post("/api/github/webhooks", body, headers);
}

const labeledTriad = () => {
  const payload = webhookExample("issues", "labeled") as Record<string, unknown> & {
    label: { name: string };
  };
  payload.label = { ...payload.label, name: "triad" };
  return payload;
};

async function jobCount(): Promise<number> {
  const counts = await queue.getJobCounts(
    "waiting",
    "delayed",
    "active",
    "completed",
    "failed",
    "prioritized",
  );
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

describe("the webhook receiver", () => {
  it("accepts GitHub's example payloads of every event it listens to", async () => {
    for (const name of [
      "issues",
      "issue_comment",
      "pull_request",
      "pull_request_review",
      "check_run",
      "check_suite",
    ]) {
      for (const payload of webhookExamples(name)) {
        const res = await deliver(name, payload);
        expect(res.status, `${name}.${payload.action}`).toBe(200);
      }
    }
  });

  it("queues a labelled issue once, however often the delivery is sent", async () => {
    const before = await jobCount();
    const id = randomUUID();
    for (let i = 0; i < 5; i++) expect((await deliver("issues", labeledTriad(), { id })).status).toBe(200);
    expect(await jobCount()).toBe(before + 1);
    // The event waits in its workflow's inbox, once; a drain of that inbox is queued.
    const job = await queue.getJob(`drain-${id}`);
    expect(job?.data).toMatchObject({ type: "drain" });
    const data = job?.data as { repo: { owner: string; name: string }; issue: number };
    const waiting = await redis.zrange(
      keys(prefix).inbox(`${data.repo.owner}/${data.repo.name}#${data.issue}`),
      "0",
      "-1",
    );
    // Members are "<arrival count>|<event JSON>" (src/queue/inbox.ts).
    const mine = waiting
      .map((m) => JSON.parse(m.slice(m.indexOf("|") + 1)))
      .filter((e) => e.deliveryId === id);
    expect(mine).toEqual([
      expect.objectContaining({ kind: "issue_labeled", label: "triad", deliveryId: id }),
    ]);
  });

  it("refuses a forged or missing signature with a 4xx and queues nothing", async () => {
    const before = await jobCount();
    const forged = await deliver("issues", labeledTriad(), { signature: await sign("wrong secret", "{}") });
    expect(forged.status).toBe(401);
    const missing = await deliver("issues", labeledTriad(), { signature: null });
    expect(missing.status).toBe(400);
    expect(await jobCount()).toBe(before);
  });

  it("queues nothing for a bot sender", async () => {
    const before = await jobCount();
    const payload = labeledTriad();
    payload.sender = { ...(payload.sender as object), login: "triad[bot]", type: "Bot" };
    expect((await deliver("issues", payload)).status).toBe(200);
    expect(await jobCount()).toBe(before);
  });

  it("answers malformed JSON and an oversized body with a 4xx and stays up", async () => {
    const raw = '{"action": "labeled", ';
    const malformed = await deliver("issues", undefined, { raw, signature: await sign(SECRET, raw) });
    expect(malformed.status).toBe(400);

    const big = Buffer.alloc(25 * 1024 * 1024 + 1, 0x20);
    const oversized = await post("/api/github/webhooks", big, {
      "content-type": "application/json",
      "x-github-event": "issues",
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": "sha256=00",
    });
    expect(oversized.status).toBe(413);

    const health = await fetch(new URL("/healthz", web.url));
    expect(health.status).toBe(200);
  });

  it("reports readiness from Redis", async () => {
    const ready = await fetch(new URL("/readyz", web.url));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      ok: true,
      ready: true,
      parts: { web: { ready: true, detail: "Redis reachable" } },
    });
  });
});
