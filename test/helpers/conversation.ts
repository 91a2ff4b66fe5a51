import { SAMPLE, sampleIssue } from "../../src/sim/sample.js";
import { DEMO_ANSWERS } from "../../src/sim/scenario.js";
import { botComments, repo, type SampleStack } from "./stack.js";
import { waitFor } from "./wait.js";

export const ARCHITECT = "<!-- triad:architect id=";
export const TRACKING = "<!-- triad:tracking -->";

export function planComment(s: SampleStack, issue: number, version: number) {
  return botComments(s.thread(issue), `<!-- triad:plan id=v${version} -->`)[0];
}

export function trackingNow(s: SampleStack, issue: number): string {
  return /\*\*Now:\*\* (.*)/.exec(botComments(s.thread(issue), TRACKING)[0]?.body ?? "")?.[1] ?? "";
}

export async function say(
  s: SampleStack,
  issue: number,
  body: string,
  as: string = SAMPLE.maintainer,
): Promise<number> {
  const { data } = await s.user(as).rest.issues.createComment({ ...repo, issue_number: issue, body });
  return data.id;
}

/**
 * Play the demo conversation on the sample issue up to an approved plan v2 (the scripted
 * architect's questions, the maintainer's answers, plan v1, a change, plan v2, approved).
 */
export async function toApprovedPlan(
  s: SampleStack,
  timeoutMs = 20_000,
  labels: string[] = [],
): Promise<number> {
  const { title, body } = sampleIssue();
  const issue = await s.openIssue(title, body);
  if (labels.length > 0)
    await s.user(SAMPLE.maintainer).rest.issues.addLabels({ ...repo, issue_number: issue, labels });
  await s.label(issue, "triad");
  await waitFor(
    "the architect's questions",
    () => botComments(s.thread(issue), ARCHITECT).length === 1,
    timeoutMs,
  );
  await say(s, issue, DEMO_ANSWERS.answers);
  await waitFor("plan v1", () => planComment(s, issue, 1), timeoutMs);
  await say(s, issue, DEMO_ANSWERS.change);
  await waitFor("plan v2", () => planComment(s, issue, 2), timeoutMs);
  await waitFor("awaiting approval of v2", () => trackingNow(s, issue).includes("to plan v2"), timeoutMs);
  await say(s, issue, "approved");
  return issue;
}
