import { embedData, marker } from "../markers.js";
import type { ArchitectQuestion, Plan } from "../schemas/architect.js";

/**
 * The architect's comments, rendered as a maintainer reads them. Each carries the marker of the job
 * that wrote it, so a retried job finds its comment instead of asking the model again.
 */
export function renderQuestions(questions: ArchitectQuestion[], turnId: string): string {
  const lines = [
    marker("architect", turnId),
    "**The architect has questions before planning.** Answer in one comment or several; each answer starts a new turn.",
    "",
  ];
  questions.forEach((q, i) => {
    lines.push(`${i + 1}. **${q.question}**`, `   _Why it matters:_ ${q.why}`);
    if (q.options.length > 0) lines.push(`   _Options:_ ${q.options.join(" · ")}`);
  });
  lines.push("", embedData("architect", { kind: "questions", count: questions.length }));
  return lines.join("\n");
}

export function renderPlan(plan: Plan, version: number, turnId: string, approvalWord: string): string {
  const lines = [
    marker("architect", turnId),
    marker("plan", `v${version}`),
    `## Plan v${version}`,
    "",
    `**Goal.** ${plan.goal}`,
    "",
  ];
  lines.push("### Decisions", "");
  plan.decisions.forEach((d, i) => {
    lines.push(`${i + 1}. **${d.decision}** — ${d.why}`);
    for (const a of d.alternatives) lines.push(`   - _Rejected:_ ${a.option} — ${a.why_rejected}`);
  });
  lines.push("", "### Steps", "");
  plan.steps.forEach((s, i) => {
    lines.push(`${i + 1}. **${s.title}**`);
    lines.push(`   - Files: ${s.files.map((f) => `\`${f.path}\` (${f.action})`).join(", ")}`);
    for (const sig of s.signatures) lines.push(`   - \`${sig.replace(/`/g, "'")}\``);
    lines.push(`   - ${s.details.replace(/\n+/g, " ")}`);
  });
  lines.push("", "### Tests to add", "", ...plan.tests.map((t) => `- ${t}`));
  if (plan.out_of_scope.length > 0)
    lines.push("", "### Out of scope", "", ...plan.out_of_scope.map((t) => `- ${t}`));
  if (plan.risks.length > 0) lines.push("", "### Risks", "", ...plan.risks.map((t) => `- ${t}`));
  lines.push(
    "",
    "---",
    `Reply **\`${approvalWord}\`** as the first line of a comment to have the developer implement exactly this plan (write access needed), or comment with the changes you want and the architect will revise it.`,
    "",
    embedData("plan", { version, plan }),
  );
  return lines.join("\n");
}
