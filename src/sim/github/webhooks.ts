/**
 * Webhook delivery like GitHub's: queued after the API response, delivered one at a time in order,
 * signed with X-Hub-Signature-256, recorded with the receiver's status, never retried.
 */
import { createHmac, randomUUID } from "node:crypto";

export interface Delivery {
  id: string;
  event: string;
  action?: string;
  status: number | "error";
  payload: unknown;
  redelivery: boolean;
  deliveredAt: string;
}

interface Pending {
  id: string;
  event: string;
  action?: string;
  body: string;
  redelivery: boolean;
  done?: (status: number | "error") => void;
}

export const HOOK_ID = 109948940;

export class WebhookDispatcher {
  readonly deliveries: Delivery[] = [];
  private readonly queue: Pending[] = [];
  private running = false;
  private idleWaiters: (() => void)[] = [];
  url: string | undefined;

  constructor(
    private readonly secret: string,
    private readonly appId: number,
    url: string | undefined,
    /** Counts API requests in flight; idle also requires zero of these. */
    private readonly busy: () => boolean,
  ) {
    this.url = url;
  }

  sign(body: string): string {
    return `sha256=${createHmac("sha256", this.secret).update(body).digest("hex")}`;
  }

  enqueue(event: string, body: string, action?: string): string {
    const id = randomUUID();
    this.queue.push({ id, event, body, redelivery: false, ...(action ? { action } : {}) });
    this.pump();
    return id;
  }

  redeliver(deliveryId: string): Promise<number> {
    const original = this.deliveries.find((d) => d.id === deliveryId);
    if (!original) return Promise.reject(new Error(`no delivery ${deliveryId}`));
    return new Promise((resolve) => {
      this.queue.push({
        id: original.id,
        event: original.event,
        body: JSON.stringify(original.payload),
        redelivery: true,
        ...(original.action ? { action: original.action } : {}),
        done: (status) => resolve(status === "error" ? 0 : status),
      });
      this.pump();
    });
  }

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

  private pump(): void {
    if (this.running) return;
    const next = this.queue.shift();
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
    let status: number | "error" = "error";
    if (this.url) {
      try {
        const res = await fetch(this.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "user-agent": "GitHub-Hookshot/sim",
            "x-github-event": p.event,
            "x-github-delivery": p.id,
            "x-github-hook-id": String(HOOK_ID),
            "x-github-hook-installation-target-type": "integration",
            "x-github-hook-installation-target-id": String(this.appId),
            "x-hub-signature-256": this.sign(p.body),
          },
          body: p.body,
          signal: AbortSignal.timeout(10_000),
        });
        await res.arrayBuffer().catch(() => undefined);
        status = res.status;
      } catch {
        status = "error";
      }
    }
    this.deliveries.push({
      id: p.id,
      event: p.event,
      ...(p.action ? { action: p.action } : {}),
      status,
      payload: JSON.parse(p.body) as unknown,
      redelivery: p.redelivery,
      deliveredAt: new Date().toISOString(),
    });
    p.done?.(status);
  }
}
