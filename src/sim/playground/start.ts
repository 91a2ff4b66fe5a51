/**
 * The playground: the GitHub simulator with the playground's page mounted on it, triad (web + worker,
 * wired as in production) against it, Redis (a private redis-server when nothing answers), and the
 * models — scripted without API keys, the vendors' with them. The sample repository (or a local
 * folder) is seeded with the demo's cast of users, each with a token the page acts with.
 */
import { answers, hasRedisServer, type PrivateRedis, startPrivateRedis } from "../../demo/private-redis.js";
import { hasAnyApiKey } from "../../models/config.js";
import { liveModels } from "../../models/provider.js";
import { EXAMPLES_DIR, readTree, SAMPLE, sampleIssue } from "../sample.js";
import { type LocalStack, startLocalStack } from "../stack.js";
import { importRepoDir } from "./import-repo.js";
import { type MountedPlayground, mountPlayground, type PlaygroundUser } from "./pages.js";

/** The demo's cast (src/sim/sample.ts) with the role each has on the repository. */
export const CAST: ReadonlyArray<{
  login: string;
  role: "admin" | "maintain" | "write" | "triage" | "read" | "outsider";
}> = [
  { login: SAMPLE.maintainer, role: "maintain" },
  { login: SAMPLE.writer, role: "write" },
  { login: SAMPLE.triager, role: "triage" },
  { login: SAMPLE.reader, role: "read" },
  { login: SAMPLE.outsider, role: "outsider" },
  { login: SAMPLE.owner, role: "admin" },
];

/** The page's users from the tokens a seeding handed out (logins without a token are left out). */
export function castUsers(tokens: Record<string, string>): PlaygroundUser[] {
  return CAST.flatMap((c) => {
    const token = tokens[c.login];
    return token ? [{ login: c.login, role: c.login === SAMPLE.owner ? "owner" : c.role, token }] : [];
  });
}

export interface PlaygroundOptions {
  /** A local folder or git checkout to import instead of the sample repository. */
  repoDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Lines about what was started (nothing by default). */
  print?: (line: string) => void;
}

export interface Playground {
  stack: LocalStack;
  page: MountedPlayground;
  /** `owner/name` of the seeded repository. */
  repository: string;
  /** The issue opened on the sample repository (none for an imported folder: type one in the page). */
  issue?: number;
  users: PlaygroundUser[];
  installationId: number;
  models: "scripted" | "live";
  redisUrl: string;
  /** What `--headless --json` prints: everything a script needs to drive triad through the API. */
  describe(): PlaygroundDescription;
  stop(): Promise<void>;
}

export interface PlaygroundDescription {
  api: string;
  page: string;
  repository: string;
  app: {
    id: number;
    slug: string;
    privateKey: string;
    webhookSecret: string;
    webhookUrl: string;
    installationId: number;
  };
  users: Record<string, { role: string; token: string }>;
  models: "scripted" | "live";
  redis: string;
}

export async function startPlayground(o: PlaygroundOptions = {}): Promise<Playground> {
  const env = o.env ?? process.env;
  const print = o.print ?? (() => undefined);
  // The folder first: a wrong path is said before anything is started.
  const imported = o.repoDir ? importRepoDir(o.repoDir) : undefined;
  const redis = await redisFor(env.REDIS_URL ?? "redis://127.0.0.1:6379", print);
  const live = hasAnyApiKey(env);
  let stack: LocalStack | undefined;
  try {
    stack = await startLocalStack({
      redisUrl: redis.url,
      logLevel: env.LOG_LEVEL ?? "silent",
      // Without keys the stack's default: the demo's scripted models, which follow the request.
      ...(live ? { models: liveModels(env) } : {}),
    });
    const { sim } = stack;
    if (imported && imported.skipped.length > 0)
      print(
        `· left out (too large): ${imported.skipped.slice(0, 5).join(", ")}${imported.skipped.length > 5 ? ", …" : ""}`,
      );
    const tokens: Record<string, string> = {};
    for (const c of CAST) tokens[c.login] = sim.createUser(c.login).token;
    const { fullName } = sim.createRepo({
      owner: SAMPLE.owner,
      name: imported?.name ?? SAMPLE.repo,
      files: imported?.files ?? readTree(`${EXAMPLES_DIR}sample-repo`),
      defaultBranch: "main",
    });
    for (const c of CAST) {
      if (c.role !== "outsider" && c.role !== "admin") sim.addCollaborator(fullName, c.login, c.role);
    }
    const { installationId } = sim.installApp(SAMPLE.owner);
    // Through the API, as the maintainer would: the labels triad listens for, and the sample issue.
    const maya = stack.as(tokens[SAMPLE.maintainer] as string);
    const [owner, repo] = fullName.split("/") as [string, string];
    for (const [name, color, description] of TRIAD_LABELS)
      await maya.rest.issues.createLabel({ owner, repo, name, color, description });
    let issue: number | undefined;
    if (!imported) {
      const text = sampleIssue();
      issue = (await maya.rest.issues.create({ owner, repo, title: text.title, body: text.body })).data
        .number;
      await sim.waitForIdle();
    }
    const users = castUsers(tokens);
    const page = mountPlayground(sim, {
      repos: [fullName],
      users,
      defaultUser: SAMPLE.maintainer,
      models: live ? "live" : "scripted",
    });
    const s = stack;
    return {
      stack: s,
      page,
      repository: fullName,
      ...(issue !== undefined ? { issue } : {}),
      users,
      installationId,
      models: live ? "live" : "scripted",
      redisUrl: redis.url,
      describe: () => ({
        api: s.sim.url,
        page: page.url(),
        repository: fullName,
        app: {
          id: s.sim.appId,
          slug: "triad",
          privateKey: s.sim.privateKey,
          webhookSecret: s.env.WEBHOOK_SECRET ?? "",
          webhookUrl: `${s.web.url}${s.env.WEBHOOK_PATH}`,
          installationId,
        },
        users: Object.fromEntries(users.map((u) => [u.login, { role: u.role, token: u.token }])),
        models: live ? "live" : "scripted",
        redis: redis.url,
      }),
      async stop() {
        page.unmount();
        await s.stop();
        await redis.stop();
      },
    };
  } catch (error) {
    await stack?.stop();
    await redis.stop();
    throw error;
  }
}

const TRIAD_LABELS: Array<[string, string, string]> = [
  ["triad", "5319e7", "triad plans, builds and reviews this issue"],
  ["triad:important", "b60205", "two reviewers instead of one"],
];

async function redisFor(
  url: string,
  print: (line: string) => void,
): Promise<{ url: string; stop(): Promise<void> }> {
  if (await answers(url)) {
    print(`· Redis: ${url}`);
    return { url, stop: async () => undefined };
  }
  if (!hasRedisServer())
    throw new Error(
      `nothing answers at ${url} and redis-server is not installed; install Redis (e.g. \`apt-get install redis-server\`) or set REDIS_URL`,
    );
  const own: PrivateRedis = await startPrivateRedis();
  print(`· Redis: nothing at ${url}, started a private redis-server at ${own.url}`);
  return { url: own.url, stop: () => own.stop() };
}
