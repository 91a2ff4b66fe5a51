import type { Logger } from "pino";
import { SmeeClient } from "smee-client";

export interface WebhookProxy {
  close(): Promise<void>;
}

/**
 * Webhooks on a laptop (probot's `WEBHOOK_PROXY_URL`): GitHub posts to a public smee.io channel, and
 * this client (smee-client, the one probot uses) holds an event stream open to it and posts every
 * delivery, headers and signature included, to the local webhook path. Starting waits until the
 * channel answers (or `timeoutMs` passes), so a wrong URL stops the start with a clear message.
 */
export async function startWebhookProxy(
  source: string,
  target: string,
  log: Logger,
  timeoutMs: number,
): Promise<WebhookProxy> {
  const proxyLog = log.child({ name: "webhook-proxy" });
  const client = new SmeeClient({
    source,
    target,
    maxConnectionTimeout: timeoutMs,
    logger: {
      info: (message: unknown) => proxyLog.info(String(message)),
      error: (...args: unknown[]) => proxyLog.warn(args.map(String).join(" ")),
    },
  });
  try {
    await client.start();
  } catch (error) {
    await client.stop().catch(() => undefined);
    throw new Error(`WEBHOOK_PROXY_URL ${source} did not answer: ${(error as Error).message}`);
  }
  proxyLog.info({ source, target }, "relaying webhooks from the proxy channel");
  return { close: () => client.stop() };
}
