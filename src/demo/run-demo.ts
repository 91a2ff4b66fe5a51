import { writeFileSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import type { Octokit } from "@octokit/rest";
import { workflowKey } from "../core/state.js";
import type { UsageSnapshot } from "../core/usage.js";
import { hasAnyApiKey } from "../models/config.js";
import { liveModels, type ModelProvider, scriptedModels } from "../models/provider.js";
import { keys } from "../queue/names.js";
import { createRedis, deleteKeysWithPrefix } from "../queue/redis.js";
import type { SimulatorDump } from "../sim/github/index.js";
import type { DemoVendors } from "../sim/models/demo-wire.js";
import { SAMPLE, sampleIssue, seedSample } from "../sim/sample.js";
import { DEMO_ANSWERS, demoModels } from "../sim/scenario.js";
import { type LocalStack, startLocalStack } from "../sim/stack.js";
import { redisStores } from "../stores/redis-stores.js";
import { Narrator } from "./narrator.js";
import { answers, hasRedisServer, type PrivateRedis, startPrivateRedis } from "./private-redis.js";
import { printWireModels, printWireSummary } from "./wire-summary.js";

export interface DemoOptions {
  dump?: string;
  /** The maintainer's answers come from the terminal instead of the script. */
  live?: boolean;
  /** Where lines go (the terminal by default). */
  print?: (line: string) => void;
  /** How long to wait for each step of the app (default 60 s; live models need longer). */
  stepTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Serve the scripted answers over the vendors' wire formats (local vendor servers, real SDKs). */
  wire?: boolean;
  /** When the scenario is done, keep everything running and open the playground on its result. */
  open?: boolean;
  /** With `open`: resolves when the playground should close (default: SIGINT or SIGTERM). */
  until?: () => Promise<unknown>;
  /** With `open`: shows the page (default: the system's browser, through the `open` package). */
  browser?: (url: string) => Promise<void>;
  /** Told how the scenario ended, before anything is stopped (tests and the benchmark read it). */
  onFinished?: (result: DemoResult) => void | Promise<void>;
}

export interface DemoResult {
  /** Tokens and cost per role and model, as the workflow recorded them (the tracking comment's table). */
  usage: UsageSnapshot | undefined;
  /** With --wire: the vendor servers, their models and every request they received. */
  wire?: DemoVendors;
}

type Issue = SimulatorDump["repositories"][number]["issues"][number];

/**
 * `npm run demo`: the workflow on the sample issue against the GitHub simulator, printed as it
 * happens. The maintainer's side is played by the script (or, with --live, typed at the terminal);
 * triad's side is the real app: webhooks, queue, worker, models (scripted without API keys, the
 * vendors' with them). Exits 0 when the scenario completes.
 */
export async function runDemo(o: DemoOptions = {}): Promise<number> {
  const print = o.print ?? ((line: string) => console.log(line));
  const env = o.env ?? process.env;
  const redisUrl = env.REDIS_URL ?? "redis://127.0.0.1:6379";
  // --wire plays the script over local vendor servers whatever keys the environment holds.
  const live = !o.wire && hasAnyApiKey(env);
  const stepTimeout = o.stepTimeoutMs ?? (live ? 600_000 : 60_000);
  let privateRedis: PrivateRedis | undefined;
  let stack: LocalStack | undefined;
  let wire: DemoVendors | undefined;
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

    if (o.wire) {
      // Loaded only with --wire: the plain demo keeps its in-process scripted models.
      const { startDemoVendors } = await import("../sim/models/demo-wire.js");
      wire = await startDemoVendors();
    }
    const models: ModelProvider = wire ? wire.models : live ? liveModels(env) : scriptedModels(demoModels());
    // GitHub as it is (rate limits, a second between writes, consistency lag), its clock 10x faster
    // so the paced writes of a whole workflow take seconds.
    stack = await startLocalStack({
      redisUrl: url,
      logLevel: env.LOG_LEVEL ?? "silent",
      models,
      github: { timeScale: 10 },
    });
    const { sim } = stack;
    print(`· GitHub simulator: ${sim.url} (GitHub's limits on; its clock runs 10× faster)`);
    if (!privateRedis)
      print(`· Redis keys under ${stack.env.TRIAD_REDIS_PREFIX}: (removed when the demo ends)`);
    print(`· triad web (webhooks): ${stack.web.url}${stack.env.WEBHOOK_PATH}, one worker`);
    if (wire) printWireModels(wire, print);
    else
      print(
        live
          ? "· models: live (API keys found in the environment)"
          : "· models: scripted (no API key set; set ANTHROPIC_API_KEY, OPENAI_API_KEY or GEMINI_API_KEY for real ones)",
      );
    print(`· the maintainer's replies: ${o.live ? "typed by you at this terminal" : "scripted"}`);
    print("");

    const seeded = seedSample(sim);
    print(`· sample repository ${seeded.fullName} (maintainer @${SAMPLE.maintainer}), app installed`);
    const narrator = new Narrator((line) => print(`  ${line}`));
    const maya = stack.as(seeded.tokens[SAMPLE.maintainer] as string);
    const say = sayAs(maya, print);
    const ask = o.live ? terminalAsker() : undefined;
    const issueText = sampleIssue();
    const { data: created } = await maya.rest.issues.create({
      ...REPO,
      title: issueText.title,
      body: issueText.body,
    });
    const n = created.number;
    const s = stack;
    const watch = async (what: string, done: (issue: Issue) => boolean): Promise<Issue> => {
      const deadline = Date.now() + stepTimeout;
      for (;;) {
        await s.sim.waitForIdle();
        const dump = s.sim.dump();
        narrator.observe(dump);
        const issue = dump.repositories[0]?.issues.find((i) => i.number === n);
        if (issue && done(issue)) return issue;
        if (Date.now() > deadline) throw new DemoStalled(what);
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    await watch("the issue", () => true);
    print("");
    print(
      `▶ @${SAMPLE.maintainer} labels #${n} "triad" and "triad:important" (two reviewers instead of one)`,
    );
    const labelledAt = Date.now();
    await maya.rest.issues.addLabels({ ...REPO, issue_number: n, labels: ["triad", "triad:important"] });
    await watch(
      "👀 and the tracking comment",
      (i) =>
        i.reactions.some((r) => r.content === "eyes") && ownComments(i, "<!-- triad:tracking -->").length > 0,
    );
    print(`  (👀 and the tracking comment ${Date.now() - labelledAt} ms after the label)`);

    // The architect asks until it has what it needs, then plans; the maintainer answers or approves.
    let planVersion = 0;
    let turns = 0;
    for (;;) {
      const seen = ownComments(await watch("the architect", () => true), ARCHITECT).length;
      const issue = await watch(
        "the architect's next comment",
        // Wait for the tracking comment too, so the narration keeps GitHub's order.
        (i) => ownComments(i, ARCHITECT).length > seen && !trackingNow(i).includes("is reading"),
      );
      turns++;
      const latest = ownComments(issue, ARCHITECT).at(-1)?.body ?? "";
      const plan = /## Plan v(\d+)/.exec(latest);
      if (!plan) {
        const answer = ask
          ? await ask("Your answers to the architect (an empty line ends): ")
          : DEMO_ANSWERS.answers;
        await say(n, answer, "answers the architect");
        continue;
      }
      planVersion = Number(plan[1]);
      const reply = ask
        ? await ask(
            `Reply to plan v${planVersion} ("approved", or the changes you want; an empty line ends): `,
          )
        : planVersion === 1
          ? DEMO_ANSWERS.change
          : DEMO_ANSWERS.approval;
      await say(n, reply, /^approved\b/i.test(reply.trim()) ? "approves" : "asks for a change");
      if (/^approved\b/i.test(reply.trim())) break;
      if (turns > 8) throw new DemoStalled("an approved plan (8 architect turns without one)");
    }

    await watch("the approval to be taken", (i) => trackingNow(i).includes("The developer is implementing"));
    const done = await watch(
      "the developer's pull request",
      (i) => !trackingNow(i).includes("The developer is implementing"),
    );
    const pr = s.sim.dump().repositories[0]?.pullRequests.at(-1);
    if (!pr) throw new DemoStalled(`a pull request (the workflow is at: ${trackingNow(done)})`);
    print("");
    print(
      `▶ pull request #${pr.number} "${pr.title}" from ${pr.head} into ${pr.base}, labels: ${pr.labels.join(", ")}`,
    );
    for (const f of pr.files)
      print(`    ${f.status.padEnd(8)} ${f.filename} (+${f.additions} −${f.deletions})`);
    print(indentBody(pr.body ?? ""));
    print("");
    print("▶ the reviewers review the pull request; disagreements go to the architect; the developer fixes");
    const finished = await watch("the reviews to conclude", (i) =>
      /^(Ready|Needs a human)/.test(trackingNow(i)),
    );
    print("");
    const final = s.sim.dump().repositories[0]?.pullRequests.find((p) => p.number === pr.number);
    print(`✓ ${trackingNow(finished)}`);
    const reviews = final?.reviews.filter((r) => r.body.trim() !== "").length ?? 0;
    print(
      `  PR #${pr.number}: labels ${final?.labels.join(", ")} · ${reviews} reviews · ${final?.files.length ?? 0} files`,
    );
    print(
      `  Look at it: ${s.sim.url}/repos/${REPO.owner}/${REPO.repo}/pulls/${pr.number} (the simulator's API)${o.open ? "" : "; run with --open to browse it in the playground, or --dump FILE for the whole state"}.`,
    );
    const usage = await workflowUsage(s, n);
    if (wire) printWireSummary(wire, usage, print);
    await o.onFinished?.({ usage, ...(wire ? { wire } : {}) });
    if (o.dump) {
      writeFileSync(o.dump, `${JSON.stringify(sim.dump(), null, 2)}\n`);
      print(`· simulator state written to ${o.dump}`);
    }
    if (o.open)
      await keepOpen(s, seeded.tokens, pr.number, wire ? "wire" : live ? "live" : "scripted", print, o);
    return 0;
  } catch (error) {
    if (error instanceof DemoStalled) {
      print(`✗ the demo stalled waiting for ${error.message}; run with LOG_LEVEL=info to see the app's log`);
      return 1;
    }
    throw error;
  } finally {
    await stack?.stop();
    // A Redis the demo did not start is someone's: leave nothing of the demo's in it.
    if (stack && !privateRedis) await forgetDemoKeys(stack.env.REDIS_URL, stack.env.TRIAD_REDIS_PREFIX);
    await privateRedis?.stop();
    await wire?.close();
  }
}

/** The workflow's recorded usage, read from its state before the stack stops. */
async function workflowUsage(stack: LocalStack, issue: number): Promise<UsageSnapshot | undefined> {
  const redis = createRedis(stack.env.REDIS_URL);
  try {
    const stores = redisStores(redis, keys(stack.env.TRIAD_REDIS_PREFIX));
    return (await stores.state.get(workflowKey(`${SAMPLE.owner}/${SAMPLE.repo}`, issue)))?.usage;
  } finally {
    redis.disconnect();
  }
}

/** `--open`: the playground's page on the finished scenario, until stopped. */
async function keepOpen(
  stack: LocalStack,
  tokens: Record<string, string>,
  pr: number,
  models: string,
  print: (line: string) => void,
  o: Pick<DemoOptions, "until" | "browser">,
): Promise<void> {
  // Loaded only with --open: the plain demo pays nothing for the playground.
  const { openInBrowser, untilStopped } = await import("./playground-cli.js");
  const { mountPlayground } = await import("../sim/playground/pages.js");
  const { castUsers } = await import("../sim/playground/start.js");
  const page = mountPlayground(stack.sim, {
    repos: [`${SAMPLE.owner}/${SAMPLE.repo}`],
    users: castUsers(tokens),
    defaultUser: SAMPLE.maintainer,
    models,
  });
  const url = page.url(`/${SAMPLE.owner}/${SAMPLE.repo}/pull/${pr}`);
  print("");
  print(`▶ The playground is open on the result: ${url} (Ctrl-C stops)`);
  await (o.browser ?? ((u: string) => openInBrowser(u, print)))(url);
  await (o.until ?? untilStopped)();
  page.unmount();
}

async function forgetDemoKeys(url: string, prefix: string): Promise<void> {
  const redis = createRedis(url);
  try {
    await deleteKeysWithPrefix(redis, prefix);
  } catch {
    // Best effort: a Redis that went away keeps what it had.
  } finally {
    redis.disconnect();
  }
}

const REPO = { owner: SAMPLE.owner, repo: SAMPLE.repo };
const ARCHITECT = "<!-- triad:architect id=";

class DemoStalled extends Error {}

function indentBody(body: string): string {
  return body
    .replace(/<!--[\s\S]*?-->\n?/g, "")
    .trim()
    .split("\n")
    .map((l) => `    │ ${l}`)
    .join("\n");
}

/** The "Now" line of the tracking comment. */
function trackingNow(issue: Issue): string {
  return /\*\*Now:\*\* (.*)/.exec(ownComments(issue, "<!-- triad:tracking -->")[0]?.body ?? "")?.[1] ?? "";
}

function ownComments(issue: Issue, marker: string) {
  return issue.comments.filter((c) => c.user.endsWith("[bot]") && c.body.includes(marker));
}

function sayAs(maya: Octokit, print: (line: string) => void) {
  return async (issue: number, body: string, what: string) => {
    print("");
    print(`▶ @${SAMPLE.maintainer} ${what}`);
    await maya.rest.issues.createComment({ ...REPO, issue_number: issue, body });
  };
}

/** Multi-line answers typed at the terminal (--live). */
function terminalAsker() {
  return async (question: string): Promise<string> => {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    try {
      const lines: string[] = [];
      let line = await rl.question(`\n${question}\n> `);
      while (line.trim() !== "") {
        lines.push(line);
        line = await rl.question("> ");
      }
      return lines.join("\n");
    } finally {
      rl.close();
    }
  };
}
