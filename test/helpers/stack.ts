import { join } from "node:path";
import type { Octokit } from "@octokit/rest";
import { EXAMPLES_DIR, readTree, SAMPLE, type SeededSample, seedSample } from "../../src/sim/sample.js";
import { type LocalStack, type LocalStackOptions, startLocalStack } from "../../src/sim/stack.js";
import { REDIS_URL, testPrefix } from "./redis.js";

export interface SampleStack extends LocalStack {
  seeded: SeededSample;
  /** REST client acting as a user of the sample repository. */
  user(login: string): Octokit;
  /** The sample repository's issue/comment state as the simulator holds it. */
  thread(issue: number): ReturnType<LocalStack["sim"]["dump"]>["repositories"][number]["issues"][number];
  openIssue(title?: string, body?: string): Promise<number>;
  label(issue: number, label: string, by?: string): Promise<void>;
}

export const repo = { owner: SAMPLE.owner, repo: SAMPLE.repo };

/**
 * GitHub time in tests runs this many times faster (src/sim/github/clock.ts): the simulator is
 * faithful (rate limits, a second between writes, consistency lag), and triad keeps its clock, so a
 * workflow paced as on GitHub finishes in seconds.
 */
export const TEST_TIME_SCALE = 50;

export interface SampleStackOptions extends Partial<LocalStackOptions> {
  /** Replace or add files of the sample repository (a value of null removes the file). */
  files?: Record<string, string | null>;
}

export async function startSampleStack(name: string, o: SampleStackOptions = {}): Promise<SampleStack> {
  const stack = await startLocalStack({
    redisUrl: REDIS_URL,
    prefix: testPrefix(name),
    logLevel: process.env.TEST_LOG_LEVEL ?? "silent",
    ...o,
    github: { timeScale: TEST_TIME_SCALE, ...o.github },
  });
  const files: Record<string, string> = readTree(join(EXAMPLES_DIR, "sample-repo"));
  for (const [path, content] of Object.entries(o.files ?? {})) {
    if (content === null) delete files[path];
    else files[path] = content;
  }
  const seeded = seedSample(stack.sim, files);
  const user = (login: string) => stack.as(seeded.tokens[login] as string);
  return {
    ...stack,
    seeded,
    user,
    thread(issue) {
      const found = stack.sim
        .dump()
        .repositories.find((r) => r.fullName === seeded.fullName)
        ?.issues.find((i) => i.number === issue);
      if (!found) throw new Error(`no issue #${issue}`);
      return found;
    },
    async openIssue(title = "Add retry with exponential backoff", body = "Calls fail under load.") {
      const { data } = await user(SAMPLE.maintainer).rest.issues.create({ ...repo, title, body });
      return data.number;
    },
    async label(issue, label, by = SAMPLE.maintainer) {
      await user(by).rest.issues.addLabels({ ...repo, issue_number: issue, labels: [label] });
    },
  };
}

/**
 * The sample repository's `.github/triad.yml` with lines added (for `files`), e.g. a test whose
 * developer writes megabytes on purpose lifts the plan's budget bound with `budget_margin: 10`.
 */
export function sampleConfigWith(lines: string): Record<string, string> {
  const path = ".github/triad.yml";
  const config = readTree(join(EXAMPLES_DIR, "sample-repo"))[path] ?? "";
  return { [path]: `${config.trimEnd()}\n${lines.trim()}\n` };
}

export function botComments<C extends { user: string; body: string }>(
  thread: { comments: C[] },
  marker: string,
): C[] {
  return thread.comments.filter((c) => c.user.endsWith("[bot]") && c.body.includes(marker));
}
