import { type BudgetEstimate, renderEstimate } from "../budget-estimate.js";
import { embedData, marker } from "../markers.js";
import type { ModelText } from "../model-text.js";
import type { ArchitectQuestion, Plan } from "../schemas/architect.js";
import { type PlanChanges, renderPlanChanges } from "./plan-diff.js";

/**
 * The architect's comments, rendered as a maintainer reads them. Each carries the marker of the job
 * that wrote it, so a retried job finds its comment instead of posting another. Every model-written
 * field goes through `ModelText`, so nothing the model wrote can open an HTML comment, close a
 * `<details>`, forge a marker or hide text: what the maintainer sees is what the model wrote.
 */
export function renderQuestions(
  questions: readonly ArchitectQuestion[],
  turnId: string,
  text: ModelText,
  mention = "",
): string {
  const lines = [
    marker("architect", turnId),
    `**The architect has questions before planning.**${mention ? ` ${mention}:` : ""} Answer in one comment or several; each answer starts a new turn.`,
    "",
  ];
  questions.forEach((q, i) => {
    lines.push(`${i + 1}. **${text.line(q.question)}**`, `   _Why it matters:_ ${text.line(q.why)}`);
    if (q.options.length > 0) lines.push(`   _Options:_ ${q.options.map((o) => text.line(o)).join(" · ")}`);
  });
  lines.push("", embedData("architect", { kind: "questions", questions }));
  return lines.join("\n");
}

/** What a plan comment carries as data: enough to render it again, byte for byte. */
export interface PlanData {
  version: number;
  plan: Plan;
  turnId: string;
  approvalWord: string;
  /** Who is told the plan waits for them (`@maya`). */
  mention?: string;
  /** What building it should cost (issue [12/12] item 5): approval allows this plus its margin. */
  estimate?: BudgetEstimate;
  /** A revised plan: what changed since version `since` (item 8). */
  changes?: PlanChanges;
  since?: number;
}

/** What a plan comment shows besides the plan itself (see `PlanData`). */
export type PlanExtras = Pick<PlanData, "estimate" | "changes" | "since">;

/**
 * A plan comment: the plan rendered once for the maintainer, and the same plan as compact data at
 * the end (src/core/markers.ts `embedData`). The developer gets the plan from that data, and only when
 * rendering the data again gives exactly the comment that was approved (src/core/approved-plan.ts).
 */
export function renderPlan(
  plan: Plan,
  version: number,
  turnId: string,
  approvalWord: string,
  text: ModelText,
  mention = "",
  extras: PlanExtras = {},
): string {
  const data: PlanData = { version, plan, turnId, approvalWord, ...(mention ? { mention } : {}), ...extras };
  return `${renderPlanView(data, text)}\n\n${embedData("plan", data)}`;
}

/** The visible part of a plan comment (and its markers), without the data. */
export function renderPlanView(d: PlanData, text: ModelText): string {
  const { plan, version } = d;
  const lines = [marker("architect", d.turnId), marker("plan", `v${version}`), `## Plan v${version}`, ""];
  if (d.changes) lines.push(renderPlanChanges(d.changes, text, d.since), "");
  lines.push(`**Goal.** ${text.line(plan.goal)}`, "", "### Decisions", "");
  plan.decisions.forEach((x, i) => {
    lines.push(`${i + 1}. **${text.line(x.decision)}** — ${text.line(x.why)}`);
    for (const a of x.alternatives)
      lines.push(`   - _Rejected:_ ${text.line(a.option)} — ${text.line(a.why_rejected)}`);
  });
  lines.push("", "### Steps", "");
  plan.steps.forEach((s, i) => {
    lines.push(`${i + 1}. **${text.line(s.title)}**`);
    lines.push(`   - Files: ${s.files.map((f) => `${text.code(f.path)} (${f.action})`).join(", ")}`);
    for (const sig of s.signatures) lines.push(`   - ${text.code(sig)}`);
    lines.push(`   - ${text.line(s.details)}`);
  });
  lines.push("", "### Tests to add", "", ...plan.tests.map((t) => `- ${text.line(t)}`));
  if (plan.out_of_scope.length > 0)
    lines.push("", "### Out of scope", "", ...plan.out_of_scope.map((t) => `- ${text.line(t)}`));
  if (plan.risks.length > 0) lines.push("", "### Risks", "", ...plan.risks.map((t) => `- ${text.line(t)}`));
  if (d.estimate) lines.push("", renderEstimate(d.estimate));
  lines.push(
    "",
    "---",
    `${d.mention ? `${d.mention}: reply` : "Reply"} **${text.code(d.approvalWord)}** as the first line of a comment to have the developer implement exactly this plan (write access needed), or comment with the changes you want and the architect will revise it.`,
  );
  return lines.join("\n");
}

/**
 * The line a superseded plan comment gets at its top (the rest, data block included, is left as it
 * was, so the plan can still be read back from it: `withoutSupersededBanner`).
 */
export function supersededBanner(by: number, url: string | undefined): string {
  const link = url ? `[plan v${by}](${url})` : `plan v${by}`;
  return `> ⚠️ **Superseded by ${link}.** Kept for the record: an approval answers the latest plan only.\n\n`;
}

const BANNER = /^> ⚠️ \*\*Superseded by (?:\[plan v\d+\]\([^()\s]*\)|plan v\d+)\.\*\* [^\n]*\n\n/;

export function isSuperseded(body: string): boolean {
  return BANNER.test(body);
}

/** A plan comment as it was posted, without the superseded banner triad may have put on top. */
export function withoutSupersededBanner(body: string): string {
  return body.replace(BANNER, "");
}
