import type { Logger } from "pino";
import { Probot, ProbotOctokit } from "probot";
import type { AppCredentials } from "../config/env.js";
import type { GitHubClient } from "./client.js";
import { github } from "./errors.js";
import { type HookableOctokit, installRequestLayer, type RequestLayerOptions } from "./paced-client.js";

export interface AppAuth {
  /** `<slug>[bot]`: the login of the app's own comments, used to trust markers. */
  botLogin: string;
  installation(installationId: number): Promise<GitHubClient>;
  /** The client authenticated as the app itself (its JWT): app endpoints such as webhook deliveries. */
  app: GitHubClient;
}

/**
 * Probot's Octokit with its own pacing and retries off; triad's request layer (paced-client.ts)
 * does both. plugin-throttling paces inside one process only (100 workflows on two workers would
 * each count on their own), and plugin-retry re-sends a POST after a 502 that GitHub had already
 * carried out — a second comment, review, check run or reply.
 */
const TriadOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  throttle: { ...(options.throttle as object | undefined), enabled: false },
  retry: { ...(options.retry as object | undefined), enabled: false },
}));

/** The request layer's settings for every installation client (without the installation's id). */
export type RequestLayerSettings = Omit<RequestLayerOptions, "installationId"> & {
  /**
   * Hooks each installation client first, inside the request layer, so it sees every answer GitHub
   * gives (the limits and transient errors the layer waits out and retries, too): the metrics.
   */
  observe?: (octokit: HookableOctokit, installationId: number) => void;
};

/**
 * GitHub App authentication through probot (JWT → installation token, cached and refreshed, with
 * triad's request layer: paced per installation, limits waited out, timeouts). Asks GitHub once for the app's slug.
 */
export async function createAppAuth(
  creds: AppCredentials,
  baseUrl: string,
  log: Logger,
  layer?: RequestLayerSettings,
): Promise<AppAuth> {
  const probot = new Probot({
    appId: creds.appId,
    privateKey: creds.privateKey,
    baseUrl,
    // probot names its clients' loggers "github" itself; a name here would repeat the key in every line.
    log,
    Octokit: TriadOctokit,
  });
  const appClient = await probot.auth();
  const { data: app } = await github("get the app (check APP_ID and PRIVATE_KEY)", () =>
    appClient.rest.apps.getAuthenticated(),
  );
  const slug = app?.slug;
  if (!slug) throw new Error("GitHub did not return the app's slug");
  return {
    botLogin: `${slug}[bot]`,
    app: appClient as unknown as GitHubClient,
    async installation(installationId) {
      const octokit = await probot.auth(installationId);
      const hookable = octokit as unknown as HookableOctokit;
      layer?.observe?.(hookable, installationId);
      if (layer) installRequestLayer(hookable, { ...layer, installationId });
      return octokit as unknown as GitHubClient;
    },
  };
}
