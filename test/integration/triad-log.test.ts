import { afterEach, describe, expect, it } from "vitest";
import { SAMPLE } from "../../src/sim/sample.js";
import { ARCHITECT, planComment, say } from "../helpers/conversation.js";
import { botComments, type SampleStack, startSampleStack } from "../helpers/stack.js";
import { waitFor } from "../helpers/wait.js";

/** `/triad log` (issue [10/12] part 5): the last step's model calls, in one collapsed comment. */
let s: SampleStack | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

function replyTo(stack: SampleStack, issue: number, commentId: number) {
  return botComments(stack.thread(issue), `<!-- triad:reply id=${commentId} -->`)[0];
}

describe("/triad log", () => {
  it("posts the last step's calls: role, model, tool calls with clipped arguments, tokens, time; write+ only", async () => {
    s = await startSampleStack("triad-log");
    const stack = s;
    const issue = await stack.openIssue();
    await stack.label(issue, "triad");
    await waitFor("the questions", () => botComments(stack.thread(issue), ARCHITECT).length === 1, 20_000);
    await say(stack, issue, "Yes to all three, keep it small.");
    await waitFor("plan v1", () => planComment(stack, issue, 1), 20_000);

    const asked = await say(stack, issue, "/triad log");
    const reply = await waitFor("the log", () => replyTo(stack, issue, asked), 20_000);
    expect(reply.body).toMatch(
      /^<details><summary>\d+ model calls? of the last step \(architect\) · [\d,]+ tokens · \d+\.\d s<\/summary>/m,
    );
    // The plan turn, not the questions turn before it: the tools it called, with their arguments.
    // What a model wrote is shown as inline code (src/text/sanitize.ts): it cannot break out of the comment.
    expect(reply.body).toMatch(/1\. \*\*architect\*\* · `anthropic:scripted-architect` · [\d,]+ in/);
    expect(reply.body).toContain('   - `submit` `{"plan":{');
    expect(reply.body).not.toContain('"questions"');
    // Arguments are clipped, so a long plan does not fill the comment.
    expect(reply.body).toContain("…`");
    expect(reply.body.trimEnd().endsWith("</details>")).toBe(true);

    // Someone without write access gets nothing.
    const readerAsked = await say(stack, issue, "/triad log", SAMPLE.reader);
    await say(stack, issue, "/triad status");
    await waitFor(
      "the status reply",
      () => botComments(stack.thread(issue), "<!-- triad:reply id=").length === 2,
      20_000,
    );
    expect(replyTo(stack, issue, readerAsked)).toBeUndefined();

    // After the workflow ends, the log is still there to look at.
    await say(stack, issue, "/triad stop");
    await waitFor(
      "stopped",
      () => botComments(stack.thread(issue), "<!-- triad:tracking -->")[0]?.body.includes("Stopped"),
      20_000,
    );
    const after = await say(stack, issue, "/triad log");
    const late = await waitFor("the log after stop", () => replyTo(stack, issue, after), 20_000);
    expect(late.body).toContain("**architect**");
  });
});
