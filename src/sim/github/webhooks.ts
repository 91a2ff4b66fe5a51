/**
 * Webhook delivery like GitHub's: queued after the API response, signed with X-Hub-Signature-256,
 * recorded with the receiver's answer, never retried by itself (docs.github.com, "Handling failed
 * webhook deliveries": GitHub does not redeliver failed deliveries automatically).
 *
 * - Each attempt is a delivery with a numeric `deliveryId`; `id` is its GUID (X-GitHub-Delivery),
 *   shared by redeliveries ("Unique identifier for the event (shared with all deliveries for all
 *   webhooks that subscribe to this event)", @octokit/openapi hook-delivery-item).
 * - `status` text: "OK" for 2xx (the docs' redelivery script tests `delivery.status === "OK"`),
 *   "Invalid HTTP Response: 404" otherwise, "failed to connect to host" when nothing answers
 *   (composer/packagist#1664), "timed out" after 10 s ("If your server takes longer than that to
 *   respond, then GitHub terminates the connection and considers the delivery a failure",
 *   docs.github.com, Best practices for using webhooks). The 10 s are real time: they measure the
 *   receiver, which does not run on the simulator's clock.
 * - Order (`webhooks.order`): one at a time, either in order or any pending one next (seeded);
 *   `duplicateRate` sends some twice with the same GUID. Tests can also `hold` deliveries and
 *   release them later, to make any order they need.
 */
import { createHmac, randomUUID } from "node:crypto";
import type { WebhookDelivery } from "./behaviour.js";
import type { SimClock } from "./clock.js";
import { seededRandom } from "./faults.js";

export interface Delivery {
  /** The GUID, sent as X-GitHub-Delivery; the same for redeliveries of one event. */
  id: string;
  /** This attempt's own id (the deliveries API's `id`). */
  deliveryId: number;
  event: string;
  action?: string;
  /** The receiver's HTTP status, or "error" when nothing answered. */
  status: number | "error";
  /** GitHub's status text: "OK", "Invalid HTTP Response: 500", "failed to connect to host", "timed out". */
  statusText: string;
  payload: unknown;
  redelivery: boolean;
  /** GitHub time, ISO 8601. */
  deliveredAt: string;
  durationMs: number;
  installationId: number | null;
  repositoryId: number | null;
  url: string | undefined;
  requestHeaders: Record<string, string>;
  responseHeaders: Record<string, string>;
  responseBody: string;
}

interface Pending {
  guid: string;
  event: string;
  action?: string;
  body: string;
  redelivery: boolean;
  done?: (d: Delivery) => void;
}

export const HOOK_ID = 109948940;

export interface Hold {
  /** Deliveries held back so far. */
  readonly held: number;
  /** Queues the held deliveries (in the order they were held) and stops holding. */
  release(): void;
}

export class WebhookDispatcher {
  readonly deliveries: Delivery[] = [];
  private queue: Pending[] = [];
  private running = false;
  private idleWaiters: (() => void)[] = [];
  private nextDeliveryId = 17_000_000_000;
  private holds: Array<{
    match: (event: string, action: string | undefined, body: string) => boolean;
    items: Pending[];
  }> = [];
  private rng: () => number;
  url: string | undefined;

  constructor(
    private readonly secret: string,
    private readonly appId: number,
    url: string | undefined,
    /** Counts API requests in flight; idle also requires zero of these. */
    private readonly busy: () => boolean,
    private readonly clock: SimClock,
    private settings: WebhookDelivery,
  ) {
    this.url = url;
    this.rng = seededRandom(settings.seed);
  }

  configure(settings: WebhookDelivery): void {
    if (settings.seed !== this.settings.seed) this.rng = seededRandom(settings.seed);
    this.settings = settings;
  }

  sign(body: string): string {
    return `sha256=${createHmac("sha256", this.secret).update(body).digest("hex")}`;
  }

  enqueue(event: string, body: string, action?: string): string {
    const guid = randomUUID();
    const item: Pending = { guid, event, body, redelivery: false, ...(action ? { action } : {}) };
    this.push(item);
    if (this.settings.duplicateRate > 0 && this.rng() < this.settings.duplicateRate) this.push({ ...item });
    this.pump();
    return guid;
  }

  /** Redelivers the latest attempt of an event by its GUID; resolves with the receiver's status. */
  redeliver(guid: string): Promise<number> {
    const original = [...this.deliveries].reverse().find((d) => d.id === guid);
    if (!original) return Promise.reject(new Error(`no delivery ${guid}`));
    return this.redeliverAttempt(original).then((d) => (d.status === "error" ? 0 : d.status));
  }

  /** Redelivers one attempt (the deliveries API's POST …/attempts). */
  redeliverAttempt(original: Delivery): Promise<Delivery> {
    return new Promise((resolve) => {
      this.queue.push({
        guid: original.id,
        event: original.event,
        body: JSON.stringify(original.payload),
        redelivery: true,
        ...(original.action ? { action: original.action } : {}),
        done: resolve,
      });
      this.pump();
    });
  }

  /** Holds back deliveries that match until `release()`; others go on as usual. */
  hold(match: (event: string, action: string | undefined, body: string) => boolean): Hold {
    const h = { match, items: [] as Pending[] };
    this.holds.push(h);
    return {
      get held() {
        return h.items.length;
      },
      release: () => {
        this.holds = this.holds.filter((x) => x !== h);
        this.queue.push(...h.items);
        h.items = [];
        this.pump();
      },
    };
  }

  /** Idle: nothing being delivered, nothing queued (held deliveries do not count), no API call in flight. */
  get idle(): boolean {
    return !this.running && this.queue.length === 0 && !this.busy();
  }

  waitForIdle(): Promise<void> {
    return new Promise((resolve) => {
      // Settle over a few macrotasks so responses whose webhooks are about to be queued count as work.
      const check = (stableTicks: number) => {
        if (!this.idle) {
          this.idleWaiters.push(() => check(0));
          return;
        }
        if (stableTicks >= 2) resolve();
        else setTimeout(() => check(stableTicks + 1), 1);
      };
      check(0);
    });
  }

  /** Called when an API request finishes, so idle waiters can re-check. */
  notify(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) setImmediate(w);
  }

  private push(item: Pending): void {
    const hold = this.holds.find((h) => h.match(item.event, item.action, item.body));
    if (hold) hold.items.push(item);
    else this.queue.push(item);
  }

  private pump(): void {
    if (this.running) return;
    const index =
      this.settings.order === "shuffled" && this.queue.length > 1
        ? Math.floor(this.rng() * this.queue.length)
        : 0;
    const next = this.queue.splice(index, 1)[0];
    if (!next) {
      this.notify();
      return;
    }
    this.running = true;
    void this.deliver(next).finally(() => {
      this.running = false;
      this.pump();
    });
  }

  private async deliver(p: Pending): Promise<void> {
    const headers: Record<string, string> = {
      accept: "*/*",
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/sim",
      "x-github-event": p.event,
      "x-github-delivery": p.guid,
      "x-github-hook-id": String(HOOK_ID),
      "x-github-hook-installation-target-type": "integration",
      "x-github-hook-installation-target-id": String(this.appId),
      "x-hub-signature-256": this.sign(p.body),
    };
    let status: number | "error" = "error";
    let statusText = "failed to connect to host";
    let responseHeaders: Record<string, string> = {};
    let responseBody = "";
    const started = performance.now();
    if (this.url) {
      try {
        const res = await fetch(this.url, {
          method: "POST",
          headers,
          body: p.body,
          signal: AbortSignal.timeout(10_000),
        });
        responseBody = await res.text().catch(() => "");
        responseHeaders = Object.fromEntries(res.headers.entries());
        status = res.status;
        statusText = res.ok ? "OK" : `Invalid HTTP Response: ${res.status}`;
      } catch (error) {
        statusText = (error as Error).name === "TimeoutError" ? "timed out" : "failed to connect to host";
      }
    }
    const payload = JSON.parse(p.body) as Record<string, unknown>;
    const delivery: Delivery = {
      id: p.guid,
      deliveryId: this.nextDeliveryId++,
      event: p.event,
      ...(p.action ? { action: p.action } : {}),
      status,
      statusText,
      payload,
      redelivery: p.redelivery,
      deliveredAt: this.clock.iso(),
      durationMs: performance.now() - started,
      installationId: idOf(payload.installation),
      repositoryId: idOf(payload.repository),
      url: this.url,
      requestHeaders: headers,
      responseHeaders,
      responseBody,
    };
    this.deliveries.push(delivery);
    p.done?.(delivery);
  }
}

function idOf(v: unknown): number | null {
  const id = v && typeof v === "object" ? (v as { id?: unknown }).id : undefined;
  return typeof id === "number" ? id : null;
}
