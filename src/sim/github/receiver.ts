/** A tiny webhook receiver for tests: records every POST and checks its signature. */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedWebhook {
  event: string;
  deliveryId: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  payload: Record<string, unknown>;
  signatureValid: boolean;
}

export interface WebhookReceiver {
  readonly url: string;
  readonly received: ReceivedWebhook[];
  /** Status code answered to every delivery (default 200). */
  status: number;
  close(): Promise<void>;
}

export function verifySignature(secret: string, body: string, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
  const got = Buffer.from(header);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const receiver = { status: 200 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const header = req.headers["x-hub-signature-256"];
      received.push({
        event: String(req.headers["x-github-event"]),
        deliveryId: String(req.headers["x-github-delivery"]),
        headers: req.headers,
        body,
        payload: JSON.parse(body) as Record<string, unknown>,
        signatureValid: verifySignature(secret, body, typeof header === "string" ? header : undefined),
      });
      res.writeHead(receiver.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
