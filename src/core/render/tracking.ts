import { embedData, extractData, marker } from "../markers.js";
import { type Phase, type WorkflowState, workflowStateSchema } from "../state.js";
import { type UsageSnapshot, usageByRole } from "../usage.js";

/**
 * The one tracking comment per workflow, edited in place (ARCHITECTURE §2). It is also where the
 * state document survives a Redis loss: the state is embedded as hidden data.
 */
const STEPS: Array<{ phase: Phase; label: string }> = [
  { phase: "planning", label: "Architect plans (asks questions, then posts a plan)" },
  { phase: "awaiting-approval", label: "A maintainer approves the plan (comment `approved`)" },
  { phase: "implementing", label: "Developer implements the approved plan and opens a pull request" },
  { phase: "reviewing", label: "Reviewers from other vendors review the pull request" },
  { phase: "ready", label: "Ready for a maintainer to merge" },
];

const ORDER: Phase[] = ["planning", "awaiting-approval", "implementing", "reviewing", "fixing", "ready"];

function now(state: WorkflowState): string {
  switch (state.phase) {
    case "planning":
      return state.architectTurns > 0 && !state.queued
        ? "Waiting for answers to the architect's questions (reply in a comment)."
        : "The architect is reading the repository and the issue…";
    case "awaiting-approval":
      return `Waiting for a maintainer to reply \`approved\` to plan v${state.plan?.version ?? "?"}, or to comment with changes.`;
    case "implementing":
      return `The developer is implementing plan v${state.approved?.version ?? "?"} (approved by @${state.approved?.by ?? "?"}).`;
    case "reviewing":
      return "Reviewers are reviewing the pull request.";
    case "fixing":
      return state.queued?.step.kind === "architect"
        ? "The architect is ruling on the reviewers' disputed findings."
        : `The developer is addressing review findings (fix round ${state.fixRound}).`;
    case "ready":
      return "Ready: a maintainer can merge the pull request.";
    case "needs-human":
      return "Needs a human: see the summary below.";
    case "stopped":
      return "Stopped. Add the trigger label again to start over.";
    case "merged":
      return "Merged. Done.";
    case "closed":
      return "Closed without merging.";
  }
}

export function renderTrackingComment(state: WorkflowState, links: { plan?: string } = {}): string {
  const reached = ORDER.indexOf(state.phase === "fixing" ? "reviewing" : state.phase);
  const lines = [
    marker("tracking"),
    `### triad · workflow for #${state.issue}`,
    "",
    `**Now:** ${now(state)}`,
    "",
  ];
  for (const step of STEPS) {
    const index = ORDER.indexOf(step.phase);
    const done = reached > index || state.phase === "ready" || state.phase === "merged";
    const current = index === reached && !done;
    lines.push(`- [${done ? "x" : " "}] ${current ? `**${step.label}** ⏳` : step.label}`);
  }
  lines.push("");
  if (state.queued) lines.push(`**Queued:** ${state.queued.label}${waitingNote(state)}`, "");
  if (state.failed)
    lines.push(
      `**Failed:** ${state.failed.label}: ${state.failed.error} — comment \`/triad retry\` to run it again.`,
      "",
    );
  const usage = renderUsage(state.usage);
  if (usage) lines.push(usage, "");
  const facts = [`started by @${state.startedBy}`];
  if (state.plan)
    facts.push(links.plan ? `[plan v${state.plan.version}](${links.plan})` : `plan v${state.plan.version}`);
  if (state.approved) facts.push(`approved v${state.approved.version} by @${state.approved.by}`);
  if (state.fixRound > 0) facts.push(`fix round ${state.fixRound}`);
  lines.push(
    `<sub>${facts.join(" · ")} · commands: \`/triad status\`, \`/triad replan\`, \`/triad stop\`, \`/triad retry\`</sub>`,
  );
  if (state.note) lines.push("", state.note);
  if (state.phase === "merged") lines.push("", renderSummary(state));
  if (state.ignored.length > 0) {
    lines.push(
      "",
      `**Overruled by maintainers:** ${state.ignored.map((i) => `finding \`${i.key}\` by @${i.by} (${i.how})`).join("; ")}`,
    );
  }
  lines.push("", embedData("state", state));
  return lines.join("\n");
}

/** The final summary once the PR is merged: rounds, findings, time per phase (usage is above it). */
export function renderSummary(state: WorkflowState): string {
  const bySeverity = ["blocker", "major", "minor", "nit"]
    .map((s) => `${state.findingStats[`severity:${s}`] ?? 0} ${s}`)
    .join(", ");
  const byWho = Object.entries(state.findingStats)
    .filter(([k]) => k.startsWith("by:"))
    .map(([k, n]) => `${k.slice(3)} ${n}`)
    .join(", ");
  // When each phase was last entered, counted from the label: where the time went.
  const start = Date.parse(state.startedAt);
  const reached = (["reviewing", "fixing", "ready", "merged"] as const)
    .filter((p) => state.phaseTimes[p])
    .map((p) => `${p} after ${formatDuration(Date.parse(state.phaseTimes[p] as string) - start)}`);
  return [
    "### Summary",
    `- plan v${state.approved?.version ?? state.plan?.version ?? "?"}, ${state.fixRound} fix round(s), ${state.architectTurns} architect turn(s)`,
    `- findings: ${bySeverity}${byWho ? ` (raised by ${byWho})` : ""}`,
    `- time from the label: ${reached.length > 0 ? reached.join(" · ") : "n/a"}`,
  ].join("\n");
}

function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "n/a";
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/** Tokens and cost per role, as a small table; empty when no model was called yet. */
export function renderUsage(snapshot: UsageSnapshot | undefined): string {
  if (!snapshot || snapshot.lines.length === 0) return "";
  const rows = Object.entries(usageByRole(snapshot)).map(([role, t]) => {
    const cost = t.costUsd === undefined ? "n/a" : `$${t.costUsd.toFixed(4)}`;
    return `| ${role} | ${t.calls} | ${t.inputTokens} (${t.cachedInputTokens} cached) | ${t.outputTokens} | ${cost}${t.unpricedCalls > 0 ? ` (+${t.unpricedCalls} unpriced)` : ""} |`;
  });
  return ["| role | calls | input tokens | output tokens | cost |", "|---|---|---|---|---|", ...rows].join(
    "\n",
  );
}

/** The reply to `/triad status`. */
export function renderStatus(state: WorkflowState): string {
  const lines = [`**triad status for #${state.issue}:** ${state.phase}. ${now(state)}`];
  if (state.plan)
    lines.push(
      `- latest plan: v${state.plan.version}${state.approved ? `; approved: v${state.approved.version} by @${state.approved.by}` : ""}`,
    );
  if (state.queued) lines.push(`- queued: ${state.queued.label}${waitingNote(state)}`);
  if (state.failed) lines.push(`- failed: ${state.failed.label}: ${state.failed.error}`);
  const usage = renderUsage(state.usage);
  lines.push(usage ? `\n${usage}` : "- no model calls yet");
  return lines.join("\n");
}

/** " — waiting: 3 workflows ahead in this installation" while the queued step waits its turn. */
function waitingNote(state: WorkflowState): string {
  const ahead = state.waiting?.ahead;
  if (ahead === undefined) return "";
  if (ahead === 0) return " — waiting: next in line in this installation";
  return ` — waiting: ${ahead} workflow${ahead === 1 ? "" : "s"} ahead in this installation`;
}

/** Rebuild the state document from a tracking comment's hidden data (after Redis lost it). */
export function stateFromTrackingComment(body: string, commentId: number): WorkflowState | undefined {
  const parsed = workflowStateSchema.safeParse(extractData(body, "state"));
  return parsed.success ? { ...parsed.data, trackingCommentId: commentId } : undefined;
}
