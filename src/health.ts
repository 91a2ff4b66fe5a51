/**
 * What `/healthz` and `/readyz` say, per role (ARCHITECTURE §1). A process is made of parts (web,
 * worker); each reports whether it is alive (it can go on without a restart) and ready (it can do its
 * work now). A part that is still starting is alive but not ready; the process is ready only when every
 * part it runs is.
 *
 * - web: alive while its server listens; ready while Redis takes writes (webhooks can be queued).
 * - worker: alive while its queue workers run; ready while they run and Redis answers.
 */
export interface PartHealth {
  live: boolean;
  ready: boolean;
  /** Why not, or what the part depends on, for people. */
  detail?: string;
}

export interface HealthReport {
  live: boolean;
  ready: boolean;
  parts: Record<string, PartHealth>;
}

export type HealthCheck = () => Promise<PartHealth>;

export class HealthBoard {
  private readonly parts = new Map<string, HealthCheck>();

  /** The part is on its way up: alive, not ready. */
  starting(name: string): void {
    this.parts.set(name, async () => ({ live: true, ready: false, detail: "starting" }));
  }

  set(name: string, check: HealthCheck): void {
    this.parts.set(name, check);
  }

  /** The part could not start (the process is about to exit). */
  failed(name: string, why: string): void {
    this.parts.set(name, async () => ({ live: false, ready: false, detail: why }));
  }

  async report(): Promise<HealthReport> {
    const entries = await Promise.all(
      [...this.parts].map(async ([name, check]) => {
        const health = await check().catch(
          (error: Error): PartHealth => ({ live: false, ready: false, detail: error.message }),
        );
        return [name, health] as const;
      }),
    );
    const parts = Object.fromEntries(entries);
    const all = Object.values(parts);
    return {
      live: all.every((p) => p.live),
      ready: all.length > 0 && all.every((p) => p.ready),
      parts,
    };
  }
}
