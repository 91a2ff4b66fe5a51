import { writeFileSync } from "node:fs";
import { SAMPLE, sampleIssue, seedSample } from "../sim/sample.js";
import { type LocalStack, startLocalStack } from "../sim/stack.js";
import { Narrator } from "./narrator.js";
import { answers, hasRedisServer, type PrivateRedis, startPrivateRedis } from "./private-redis.js";

export interface DemoOptions {
  dump?: string;
  live?: boolean;
  /** Where lines go (the terminal by default). */
  print?: (line: string) => void;
  timeoutMs?: number;
}

/**
 * `npm run demo`: the workflow on the sample issue against the GitHub simulator, printed as it
 * happens. Exits 0 when the scenario completes.
 */
export async function runDemo(o: DemoOptions = {}): Promise<number> {
  const print = o.print ?? ((line: string) => console.log(line));
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  let privateRedis: PrivateRedis | undefined;
  let stack: LocalStack | undefined;
  try {
    let url = redisUrl;
    if (!(await answers(redisUrl))) {
      if (!hasRedisServer()) {
        print(
          `triad demo: nothing answers at ${redisUrl} and redis-server is not installed; install Redis (e.g. \`apt-get install redis-server\`) or set REDIS_URL.`,
        );
        return 1;
      }
      privateRedis = await startPrivateRedis();
      url = privateRedis.url;
      print(`· Redis: nothing at ${redisUrl}, started a private redis-server at ${url}`);
    } else {
      print(`· Redis: ${redisUrl}`);
    }

    stack = await startLocalStack({ redisUrl: url, logLevel: process.env.LOG_LEVEL ?? "silent" });
    const { sim } = stack;
    print(`· GitHub simulator: ${sim.url}`);
    print(`· triad web (webhooks): ${stack.web.url}${stack.env.WEBHOOK_PATH}, one worker`);
    print("· models: not used yet in this step of the workflow");
    print("");

    const seeded = seedSample(sim);
    print(`· sample repository ${seeded.fullName} (maintainer @${SAMPLE.maintainer}), app installed`);
    const narrator = new Narrator((line) => print(`  ${line}`));
    const maya = stack.as(seeded.tokens[SAMPLE.maintainer] as string);
    const issue = sampleIssue();
    const { data: created } = await maya.rest.issues.create({
      owner: SAMPLE.owner,
      repo: SAMPLE.repo,
      title: issue.title,
      body: issue.body,
    });
    await sim.waitForIdle();
    narrator.observe(sim.dump());
    print("");
    print(`▶ @${SAMPLE.maintainer} labels #${created.number} "triad"`);
    const labelledAt = Date.now();
    await maya.rest.issues.addLabels({
      owner: SAMPLE.owner,
      repo: SAMPLE.repo,
      issue_number: created.number,
      labels: ["triad"],
    });

    const done = await until(o.timeoutMs ?? 30_000, async () => {
      await sim.waitForIdle();
      const dump = sim.dump();
      narrator.observe(dump);
      const thread = dump.repositories[0]?.issues.find((i) => i.number === created.number);
      const eyes = thread?.reactions.some((r) => r.content === "eyes" && r.user.endsWith("[bot]"));
      const tracking = thread?.comments.some(
        (c) => c.user.endsWith("[bot]") && c.body.includes("<!-- triad:tracking -->"),
      );
      return Boolean(eyes && tracking);
    });
    print("");
    if (!done) {
      print("✗ the app did not react within the time limit; run with LOG_LEVEL=info to see its log");
      return 1;
    }
    print(`✓ triad reacted and posted its tracking comment ${Date.now() - labelledAt} ms after the label`);
    print(
      "  Next (coming in later issues): the architect's questions and plan, approval, the pull request and reviews.",
    );
    if (o.dump) {
      writeFileSync(o.dump, `${JSON.stringify(sim.dump(), null, 2)}\n`);
      print(`· simulator state written to ${o.dump}`);
    }
    return 0;
  } finally {
    await stack?.stop();
    await privateRedis?.stop();
  }
}

async function until(timeoutMs: number, check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
