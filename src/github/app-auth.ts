import type { Logger } from "pino";
import { Probot, ProbotOctokit } from "probot";
import type { AppCredentials } from "../config/env.js";
import type { GitHubClient } from "./client.js";
import { github } from "./errors.js";

export interface AppAuth {
  /** `<slug>[bot]`: the login of the app's own comments, used to trust markers. */
  botLogin: string;
  installation(installationId: number): Promise<GitHubClient>;
  /** The client authenticated as the app itself (its JWT): app endpoints such as webhook deliveries. */
  app: GitHubClient;
}

/**
 * Probot's Octokit without proactive pacing. plugin-throttling spaces every write of an installation
 * by at least 1 s (3 s for comments) inside one process: the 👀 and the tracking comment could not
 * both land within a second, and 100 workflows of one installation would queue behind each other.
 * Rate limits are handled where they are answered instead: a 403/429 with retry-after is classified
 * `rate_limited` (github/errors.ts) and the queue retries the step after the time GitHub asked for.
 */
const TriadOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  throttle: { ...(options.throttle as object | undefined), enabled: false },
}));

/**
 * GitHub App authentication through probot (JWT → installation token, cached and refreshed, with
 * probot's throttling and retry plugins). Asks GitHub once for the app's slug.
 */
export async function createAppAuth(creds: AppCredentials, baseUrl: string, log: Logger): Promise<AppAuth> {
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
      return (await probot.auth(installationId)) as unknown as GitHubClient;
    },
  };
}
