import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { scriptedModels } from "../../src/phases/models.js";
import { createScriptedRoleModels, type ScriptedRoleModels } from "../../src/sim/models/scripted-model.js";
import { SAMPLE, sampleIssue } from "../../src/sim/sample.js";
import { DEMO_ANSWERS, demoScenario } from "../../src/sim/scenario.js";
import { contentHash } from "../../src/workflow/markers.js";
import { allJobs } from "../helpers/queue.js";
import { botComments, repo, type SampleStack, startSampleStack } from "../helpers/stack.js";
import { waitFor } from "../helpers/wait.js";

let stack: SampleStack | undefined;
let models: ScriptedRoleModels;

afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function start(name: string, o: Parameters<typeof startSampleStack>[1] = {}) {
  models = createScriptedRoleModels(demoScenario());
  stack = await startSampleStack(name, { models: scriptedModels(models), ...o });
  return stack;
}

const ARCHITECT = "<!-- triad:architect id=";
const planComment = (s: SampleStack, issue: number, version: number) =>
  botComments(s.thread(issue), `<!-- triad:plan id=v${version} -->`)[0];

async function comment(s: SampleStack, issue: number, body: string, as: string = SAMPLE.maintainer) {
  const { data } = await s.user(as).rest.issues.createComment({ ...repo, issue_number: issue, body });
  return data.id;
}

async function readState(s: SampleStack, issue: number) {
  const redis = new Redis(s.env.REDIS_URL);
  try {
    return JSON.parse(
      (await redis.get(`${s.env.TRIAD_REDIS_PREFIX}:state:${repo.owner}/${repo.repo}#${issue}`)) ?? "null",
    );
  } finally {
    redis.disconnect();
  }
}

async function developerJobs(s: SampleStack) {
  return allJobs(s.env.REDIS_URL, s.env.TRIAD_REDIS_PREFIX, "developer");
}

/** Label the sample issue and play the conversation up to plan v1. */
async function toPlanV1(s: SampleStack): Promise<number> {
  const { title, body } = sampleIssue();
  const issue = await s.openIssue(title, body);
  await s.label(issue, "triad");
  await waitFor("the architect's questions", () => botComments(s.thread(issue), ARCHITECT).length === 1);
  await comment(s, issue, DEMO_ANSWERS.answers);
  await waitFor("plan v1", () => planComment(s, issue, 1));
  return issue;
}

describe("the architect phase and the approval gate (simulator, scripted models)", () => {
  it("label → questions → answer → plan v1 → change request → plan v2 → approved → developer job for v2", async () => {
    const s = await start("architect-e2e");
    const issue = await toPlanV1(s);

    const [questions] = botComments(s.thread(issue), ARCHITECT);
    expect(questions?.body).toMatch(/The architect has questions before planning/);
    expect(questions?.body).toMatch(/1\. \*\*Should `subscribeAlerts`/);

    const v1 = planComment(s, issue, 1);
    for (const section of [
      "## Plan v1",
      "**Goal.**",
      "### Decisions",
      "_Rejected:_",
      "### Steps",
      "`src/retry.ts` (create)",
      "### Tests to add",
      "### Out of scope",
      "### Risks",
    ]) {
      expect(v1?.body).toContain(section);
    }
    expect(v1?.body).toMatch(/Reply \*\*`approved`\*\*/);
    expect(v1?.body).not.toContain("```");

    await comment(s, issue, DEMO_ANSWERS.change);
    await waitFor("plan v2", () => planComment(s, issue, 2));
    expect(planComment(s, issue, 2)?.body).toContain("Report the number of attempts on ApiError");

    const approval = await comment(s, issue, "Approved.");
    await waitFor("👍 on the approval", () =>
      s
        .thread(issue)
        .comments.find((c) => c.id === approval)
        ?.reactions.some((r) => r.content === "+1" && r.user === "triad[bot]"),
    );
    const tracking = await waitFor("tracking comment at implementing", () => {
      const found = botComments(s.thread(issue), "<!-- triad:tracking -->");
      return found[0]?.body.includes("The developer is implementing plan v2") ? found : false;
    });
    expect(tracking).toHaveLength(1);
    expect(tracking[0]?.body).toMatch(/The developer is implementing plan v2 \(approved by @maya\)/);
    expect(tracking[0]?.body).toMatch(/Queued:\*\* developer: implement plan v2/);
    expect(tracking[0]?.body).toMatch(/\| architect \| \d+ \| \d+ \(\d+ cached\) \| \d+ \|/);

    const jobs = await developerJobs(s);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.data).toMatchObject({ kind: "develop", issue, planVersion: 2 });
    // The state froze plan v2's exact text: its id and the hash of its body as GitHub holds it.
    const state = await readState(s, issue);
    const v2 = planComment(s, issue, 2);
    expect(state.approved).toMatchObject({
      version: 2,
      commentId: v2?.id,
      hash: contentHash(v2?.body ?? ""),
      by: SAMPLE.maintainer,
    });
  });
});
