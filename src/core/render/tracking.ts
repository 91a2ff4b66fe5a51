import { pausedNextLine, pausedNowLine } from "../budget-pause.js";
import { ciProgress } from "../ci-gate-state.js";
import { embedData, extractData, marker } from "../markers.js";
import type { ModelText } from "../model-text.js";
import { type Phase, type WorkflowState, workflowStateSchema } from "../state.js";
import { type UsageSnapshot, usageByRole, usageTotals } from "../usage.js";

/**
 * The one tracking comment per workflow, edited in place (ARCHITECTURE §2): where things stand, with
 * links to what triad posted, the developer's progress, rounds, cost against the budget, and one line
 * saying what a human can do now. It is also where the state document survives a Redis loss: the
 * state is embedded as hidden data at its end.
 */

/** The workflow's stages in order; a stage is done once the workflow has moved past it. */
const STAGES = ["plan", "approve", "implement", "review", "merge"] as const;
type Stage = (typeof STAGES)[number];

const STAGE_OF: Record<Phase, Stage> = {
  planning: "plan",
  "awaiting-approval": "approve",
  implementing: "implement",
  reviewing: "review",
  fixing: "review",
  ready: "merge",
  "needs-human": "review",
  stopped: "plan",
  merged: "merge",
  closed: "merge",
};

/** How far the workflow got: from the phases it has entered (a stopped workflow keeps what it did). */
function reachedStage(state: WorkflowState): number {
  let reached = STAGES.indexOf(STAGE_OF[state.phase]);
  for (const phase of Object.keys(state.phaseTimes) as Phase[]) {
    if (phase in STAGE_OF && !["stopped", "closed"].includes(phase))
      reached = Math.max(reached, STAGES.indexOf(STAGE_OF[phase]));
  }
  if (state.approved) reached = Math.max(reached, STAGES.indexOf("implement"));
  if (state.pr) reached = Math.max(reached, STAGES.indexOf("review"));
  return reached;
}

/** The one sentence under "Now". */
export function nowLine(state: WorkflowState): string {
  const paused = pausedNowLine(state);
  if (paused && !state.failed) return paused;
  if (state.failed)
    return `Failed: ${state.failed.label} could not finish. A maintainer can comment \`/triad retry\` once the cause is fixed.`;
  switch (state.phase) {
    case "planning":
      return state.architectTurns > 0 && !state.queued
        ? "Waiting for answers to the architect's questions (reply in a comment)."
        : state.queued?.step.mode === "spiral"
          ? "The architect is tracing the repeated fixes back to the plan."
          : "The architect is reading the repository and the issue…";
    case "awaiting-approval":
      return `Waiting for a maintainer to reply \`approved\` to plan v${state.plan?.version ?? "?"}, or to comment with changes.`;
    case "implementing":
      return `The developer is implementing plan v${state.approved?.version ?? "?"} (approved by ${who(state.approved?.by ?? "?")}).`;
    case "reviewing":
      return state.ci
        ? `Waiting for CI (${ciProgress(state.ci)}); the reviewers start when the repository's checks have passed.`
        : "Reviewers are reviewing the pull request.";
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

/** What a human can do now, naming the command. */
export function nextLine(state: WorkflowState): string {
  const pr = state.pr ? `[PR #${state.pr.number}](${state.pr.url})` : "the pull request";
  if (state.failed) return "Fix the cause (see the failure comment), then comment `/triad retry`.";
  const paused = pausedNextLine(state);
  if (paused) return paused;
  switch (state.phase) {
    case "planning":
      return state.architectTurns > 0 && !state.queued
        ? "Answer the architect's questions in a comment (one or several)."
        : "Nothing yet: the architect is working. `/triad stop` ends the workflow.";
    case "awaiting-approval":
      return `Reply \`approved\` to plan v${state.plan?.version ?? "?"} (write access), or comment with the changes you want.`;
    case "implementing":
    case "reviewing":
    case "fixing":
      return "Nothing needed now. `/triad status` for details; `/triad stop` stops the workflow.";
    case "ready":
      return `Review and merge ${pr}. A review with changes requested, or \`/triad fix <what>\` on the PR, starts another round.`;
    case "needs-human":
      return `Take over ${pr}, or comment \`/triad fix <what>\` on it, or \`/triad replan\` here.`;
    case "stopped":
    case "closed":
      return "Add the trigger label again to start a new run.";
    case "merged":
      return "Nothing: done.";
  }
}

const link = (text: string, url: string | undefined) => (url ? `[${text}](${url})` : text);

/**
 * A login as the tracking comment shows it: bold, without `@`. The tracking comment is posted once and
 * edited many times; people are told in comments of their own (src/core/mentions.ts), never by it.
 */
const who = (login: string) => `**${login}**`;

function checklist(state: WorkflowState, text: ModelText): string[] {
  const reached = reachedStage(state);
  const ended = ["stopped", "closed", "merged"].includes(state.phase);
  const resting = state.phase === "ready" || state.phase === "needs-human";
  const mark = (i: number) => (i < reached || state.phase === "merged" ? "x" : " ");
  const current = (i: number, label: string) =>
    i === reached && !ended && state.phase !== "merged"
      ? `**${label}** ${state.failed ? "⚠️" : resting ? "👤" : "⏳"}`
      : label;
  const plan = state.plan;
  const planLinks = [
    state.links.questions ? link("questions", state.links.questions) : undefined,
    plan ? link(`plan v${plan.version}`, state.links.plan) : undefined,
  ].filter(Boolean);
  const lines = [
    `- [${mark(0)}] ${current(0, "The architect plans")}${planLinks.length ? ` — ${planLinks.join(" · ")}` : ""}`,
    `- [${mark(1)}] ${current(1, "A maintainer approves the plan")}${state.approved ? ` — v${state.approved.version} by ${who(state.approved.by)}` : ""}`,
    `- [${mark(2)}] ${current(2, "The developer implements it")}${state.pr ? ` — ${link(`PR #${state.pr.number}`, state.pr.url)}` : ""}`,
  ];
  for (const [i, s] of (state.devSteps ?? []).entries())
    lines.push(`  - [${s.done ? "x" : " "}] ${i + 1}. ${text.line(s.title)}`);
  const reviewLinks = [
    ...state.links.reviews.map((url, i) => link(`review ${i + 1}`, url)),
    state.links.ruling ? link("ruling", state.links.ruling) : undefined,
  ].filter(Boolean);
  lines.push(
    `- [${mark(3)}] ${current(3, "Reviewers from other vendors review it")}${reviewLinks.length ? ` — ${reviewLinks.join(" · ")}` : ""}`,
    `- [${mark(4)}] ${current(4, state.phase === "merged" ? "Merged" : "A maintainer merges it")}`,
  );
  return lines;
}

function facts(state: WorkflowState): string[] {
  const rows: string[] = [];
  if (state.approved || state.fixRound > 0) rows.push(`| fix rounds | ${state.fixRound} |`);
  const t = usageTotals(state.usage);
  const tokens = t.inputTokens + t.outputTokens;
  if (t.calls > 0 || state.budget) {
    const cost = t.costUsd === undefined ? "n/a" : `$${t.costUsd.toFixed(2)}`;
    const of = state.budget
      ? ` of $${state.budget.maxCostUsd.toFixed(2)} · ${tokens.toLocaleString("en-US")} of ${state.budget.maxTokens.toLocaleString("en-US")} tokens`
      : ` · ${tokens.toLocaleString("en-US")} tokens`;
    rows.push(`| cost | ${cost}${of}${t.unpricedCalls > 0 ? ` (${t.unpricedCalls} calls unpriced)` : ""} |`);
  }
  if (rows.length === 0) return [];
  return ["| | |", "|---|---|", ...rows];
}

/** Every command and reaction, collapsed. */
export const HELP = [
  "<details><summary>Commands and reactions</summary>",
  "",
  "On the issue (write access): `approved` as a comment's first line approves the latest plan; `/triad status`; `/triad replan`; `/triad stop`; `/triad retry` (runs a failed step again); `/triad log` (the last step's model calls).",
  "",
  "On triad's pull request (write access): a review with changes requested and `/triad fix <what>` become findings for the next round; `/triad ignore` in a finding's thread, or a 👎 on it, overrules that finding.",
  "",
  "Anyone's comment reaches the architect only as the repository's `commenters` setting allows; nobody without write access steers the developer.",
  "",
  "</details>",
].join("\n");

export function renderTrackingComment(state: WorkflowState, text: ModelText): string {
  const lines = [
    marker("tracking"),
    `### triad · workflow for #${state.issue}`,
    "",
    `**Now:** ${nowLine(state)}`,
    "",
    `**You can:** ${nextLine(state)}`,
    "",
    ...checklist(state, text),
    "",
  ];
  if (state.queued && !state.failed) lines.push(`**Queued:** ${state.queued.label}${waitingNote(state)}`, "");
  if (state.failed)
    lines.push(
      `**Failed:** ${state.failed.label}: ${text.line(state.failed.error)} — comment \`/triad retry\` to run it again.`,
      "",
    );
  const table = facts(state);
  if (table.length) lines.push(...table, "");
  const usage = renderUsage(state.usage);
  if (usage) lines.push("<details><summary>Usage by role</summary>", "", usage, "", "</details>", "");
  lines.push(`<sub>started by ${who(state.startedBy)}</sub>`);
  if (state.note) lines.push("", state.note);
  if (state.issueEditedSincePlan && state.plan)
    lines.push(
      "",
      `_The issue was edited after plan v${state.plan.version} was written — edited after the plan, not used: the developer works from the text the plan was made from. To change the plan, say so in a comment._`,
    );
  if (state.phase === "merged") lines.push("", renderSummary(state));
  if (state.notActedOn.length > 0) {
    const people = [...new Set(state.notActedOn.map((n) => who(n.by)))].join(", ");
    lines.push(
      "",
      `**Not acted on:** reviews or \`/triad fix\` from ${people}, who have no write access — shown here, never sent to a model. A maintainer can repeat what should be fixed.`,
    );
  }
  if (state.ignored.length > 0) {
    lines.push(
      "",
      `**Overruled by maintainers:** ${state.ignored.map((i) => `finding \`${i.key}\` by ${who(i.by)} (${i.how})`).join("; ")}`,
    );
  }
  // What the interpreter keeps about the comment itself is not part of it (its hash would change it).
  const { trackingHash: _hash, trackingOwed: _owed, ...kept } = state;
  lines.push("", HELP, "", embedData("state", kept));
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
  const lines = [
    `**triad status for #${state.issue}:** ${state.phase}. ${nowLine(state)}`,
    `- you can: ${nextLine(state)}`,
  ];
  if (state.plan)
    lines.push(
      `- latest plan: v${state.plan.version}${state.approved ? `; approved: v${state.approved.version} by ${who(state.approved.by)}` : ""}`,
    );
  if (state.queued) lines.push(`- queued: ${state.queued.label}${waitingNote(state)}`);
  if (state.failed) lines.push(`- failed: ${state.failed.label}`);
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
