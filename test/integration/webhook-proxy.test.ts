import { createServer, type ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { botComments, type SampleStack, startSampleStack } from "../helpers/stack.js";
import { waitFor } from "../helpers/wait.js";

/**
 * Webhooks on a laptop: GitHub posts to a public channel (WEBHOOK_PROXY_URL, a smee.io URL) and
 * triad's web relays them from it to its own webhook path. The channel here behaves as smee.io's
 * does for smee-client (github.com/probot/smee.io): a POST to the channel is pushed to every
 * EventSource reading it as one `message` whose data is the request's headers (lower case) with the
 * JSON body under `body` and the query under `query`.
 */
interface Channel {
  url: string;
  posted: number;
  close(): Promise<void>;
}

async function smeeChannel(): Promise<Channel> {
  const readers = new Set<ServerResponse>();
  let posted = 0;
  const server = createServer((req, res) => {
    if (req.method === "GET") {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      res.write("event: ready\ndata: {}\n\n");
      readers.add(res);
      req.on("close", () => readers.delete(res));
      return;
    }
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      posted++;
      const message = { ...req.headers, body: JSON.parse(body), query: {} };
      for (const r of readers) r.write(`data: ${JSON.stringify(message)}\n\n`);
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/triad-channel`,
    get posted() {
      return posted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of readers) r.end();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let s: SampleStack | undefined;
let channel: Channel | undefined;
afterEach(async () => {
  await s?.stop();
  await channel?.close();
});

describe("WEBHOOK_PROXY_URL", () => {
  it("relays webhooks from the channel to triad: a label through the proxy gets 👀 and the tracking comment", async () => {
    channel = await smeeChannel();
    s = await startSampleStack("proxy", { extraEnv: { WEBHOOK_PROXY_URL: channel.url } });
    // GitHub (the simulator) delivers to the public channel, never to triad directly.
    s.sim.setWebhookUrl(channel.url);
    const issue = await s.openIssue();
    await s.label(issue, "triad");
    await waitFor(
      // The tracking comment comes first, then the 👀 (writes are paced a second apart).
      "the tracking comment and the 👀",
      () =>
        botComments(s?.thread(issue) ?? { comments: [] }, "<!-- triad:tracking -->").length === 1 &&
        (s?.thread(issue).reactions.some((r) => r.content === "eyes") ?? false),
      20_000,
    );
    expect(s.thread(issue).reactions.some((r) => r.content === "eyes")).toBe(true);
    expect(channel.posted).toBeGreaterThanOrEqual(2);
  });

  it("a channel that does not answer stops the start with the URL named", async () => {
    await expect(
      startSampleStack("proxy-down", {
        extraEnv: { WEBHOOK_PROXY_URL: "http://127.0.0.1:9/nothing-here", TRIAD_START_TIMEOUT_MS: "2000" },
      }),
    ).rejects.toThrow(
      /triad cannot start web: WEBHOOK_PROXY_URL http:\/\/127\.0\.0\.1:9\/nothing-here did not answer/,
    );
  });
});
