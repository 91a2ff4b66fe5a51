import { afterEach, describe, expect, it } from "vitest";
import { SAMPLE } from "../../src/sim/sample.js";
import { settled } from "../helpers/settle.js";
import { botComments, repo, type SampleStack, startSampleStack } from "../helpers/stack.js";
import { waitFor } from "../helpers/wait.js";

const TRACKING = "<!-- triad:tracking -->";
let stack: SampleStack | undefined;

afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

describe("labelling an issue (simulator, real Redis, signed webhooks)", () => {
  it("reacts 👀 and posts one tracking comment through the queue", async () => {
    stack = await startSampleStack("start");
    const issue = await stack.openIssue();
    await stack.label(issue, "triad");
    const s = stack;
    await waitFor("tracking comment", () => botComments(s.thread(issue), TRACKING).length === 1);
    // The tracking comment is the first write; the 👀 follows a paced second (of GitHub time) later.
    await waitFor("the reaction", () => s.thread(issue).reactions.length > 0);
    const thread = stack.thread(issue);
    expect(thread.reactions).toEqual([expect.objectContaining({ content: "eyes", user: "triad[bot]" })]);
    const [tracking] = botComments(thread, TRACKING);
    expect(tracking?.body).toContain("The architect is reading the repository");
    expect(tracking?.body).toContain(`started by **${SAMPLE.maintainer}**`);
  });

  it("makes no GitHub call inside the webhook: the web side only queues", async () => {
    stack = await startSampleStack("nocall", { worker: false });
    const issue = await stack.openIssue();
    const callsBefore = stack.sim.calls.length;
    await stack.label(issue, "triad");
    await stack.sim.waitForIdle();
    // The only call is the user's own label request; the app made none.
    const appCalls = stack.sim.calls.slice(callsBefore).filter((c) => c.actor !== SAMPLE.maintainer);
    expect(appCalls).toEqual([]);
    expect(stack.sim.deliveries.at(-1)).toMatchObject({ event: "issues", action: "labeled", status: 200 });
  });

  it("does nothing for another label", async () => {
    stack = await startSampleStack("otherlabel");
    const issue = await stack.openIssue();
    await stack.label(issue, "bug");
    await settled(stack);
    const thread = stack.thread(issue);
    expect(thread.comments).toEqual([]);
    expect(thread.reactions).toEqual([]);
  });

  it("redelivering the same webhook 5 times gives one reaction and one tracking comment", async () => {
    stack = await startSampleStack("redeliver");
    const issue = await stack.openIssue();
    await stack.label(issue, "triad");
    await stack.sim.waitForIdle();
    const delivery = stack.sim.deliveries.find((d) => d.event === "issues" && d.action === "labeled");
    expect(delivery).toBeDefined();
    for (let i = 0; i < 5; i++) expect(await stack.sim.redeliver(delivery?.id as string)).toBe(200);
    const s = stack;
    await waitFor("tracking comment", () => botComments(s.thread(issue), TRACKING).length === 1);
    await settled(stack);
    const thread = stack.thread(issue);
    expect(botComments(thread, TRACKING)).toHaveLength(1);
    expect(thread.reactions.filter((r) => r.content === "eyes")).toHaveLength(1);
  });

  it("a bad .github/triad.yml gets one comment saying what is wrong and where; the app keeps running", async () => {
    stack = await startSampleStack("badconfig", {
      files: { ".github/triad.yml": "trigger_label: triad\nmax_fix_rounds: many\n" },
    });
    const maya = stack.user(SAMPLE.maintainer);
    const issue = await stack.openIssue();
    await stack.label(issue, "triad");
    const s = stack;
    const errors = await waitFor("config error comment", () => {
      const found = botComments(s.thread(issue), "<!-- triad:error");
      return found.length > 0 ? found : undefined;
    });
    expect(errors?.[0]?.body).toMatch(/line 2: `max_fix_rounds`/);
    // Label again: the same problem is not repeated, and the app still answers.
    await maya.rest.issues.removeLabel({ ...repo, issue_number: issue, name: "triad" });
    await stack.label(issue, "triad");
    await settled(stack);
    expect(botComments(stack.thread(issue), "<!-- triad:error")).toHaveLength(1);
    expect(botComments(stack.thread(issue), TRACKING)).toHaveLength(0);
    const health = await fetch(new URL("/healthz", stack.web.url));
    expect(health.status).toBe(200);
  });

  it("removing the label stops the workflow in the same tracking comment", async () => {
    stack = await startSampleStack("stop");
    const issue = await stack.openIssue();
    await stack.label(issue, "triad");
    const s = stack;
    await waitFor("tracking comment", () => botComments(s.thread(issue), TRACKING).length === 1);
    await stack
      .user(SAMPLE.maintainer)
      .rest.issues.removeLabel({ ...repo, issue_number: issue, name: "triad" });
    await waitFor("stopped", () => botComments(s.thread(issue), TRACKING)[0]?.body.includes("Stopped"));
    expect(botComments(stack.thread(issue), TRACKING)).toHaveLength(1);
  });
});
