/**
 * GitHub time. With a time scale k, simulated GitHub time runs k times faster than real time; it
 * equals real time when the simulator starts. Every time the simulator shows a client is GitHub
 * time: the `date` header, `x-ratelimit-reset` (epoch seconds), `retry-after` (seconds), JSON
 * timestamps. Every duration in the simulator's options (rate-limit windows, lags, fault delays) is
 * GitHub time too, so an hour's window lasts 3.6 real seconds at k = 1000.
 *
 * A client that waits what the headers say must convert back: real ms = GitHub ms / k
 * (`toRealMs`). `reset - date` read from one response is GitHub seconds and needs no clock.
 *
 * Two things stay in real time because the other side keeps them by the machine's clock: the
 * lifetimes of app JWTs and installation tokens (`expires_at`; probot and @octokit/auth-app cache
 * them), and the 10 s a webhook receiver has to answer.
 */
export class SimClock {
  private realOrigin = Date.now();
  private githubOrigin = this.realOrigin;

  constructor(private scale = 1) {
    if (!(scale > 0)) throw new Error(`simulator: timeScale must be > 0, got ${scale}`);
  }

  get timeScale(): number {
    return this.scale;
  }

  /** Changes the scale from now on; GitHub time stays continuous. */
  setTimeScale(scale: number): void {
    if (!(scale > 0)) throw new Error(`simulator: timeScale must be > 0, got ${scale}`);
    this.githubOrigin = this.now();
    this.realOrigin = Date.now();
    this.scale = scale;
  }

  /** GitHub time in epoch milliseconds. */
  now(): number {
    return this.githubOrigin + (Date.now() - this.realOrigin) * this.scale;
  }

  /** GitHub time as GitHub writes timestamps: ISO 8601 without milliseconds. */
  iso(ms = this.now()): string {
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  toRealMs(githubMs: number): number {
    return githubMs / this.scale;
  }

  /** A real timer that fires after `githubMs` of GitHub time. */
  after(githubMs: number, fn: () => void): NodeJS.Timeout {
    return setTimeout(fn, Math.max(0, this.toRealMs(githubMs)));
  }

  sleep(githubMs: number): Promise<void> {
    return new Promise((resolve) => this.after(githubMs, resolve));
  }
}
