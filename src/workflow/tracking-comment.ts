import { embedData, extractData, marker } from "./markers.js";
import { type Phase, type WorkflowState, workflowStateSchema } from "./state.js";

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

const NOW: Record<Phase, string> = {
  planning: "The architect is reading the repository and the issue.",
  "awaiting-approval":
    "Waiting for a maintainer to reply `approved` to the latest plan, or to comment with changes.",
  implementing: "The developer is implementing the approved plan.",
  reviewing: "Reviewers are reviewing the pull request.",
  fixing: "The developer is addressing review findings.",
  ready: "Ready: a maintainer can merge the pull request.",
  "needs-human": "Needs a human: see the summary below.",
  stopped: "Stopped. Add the trigger label again to start over.",
  merged: "Merged. Done.",
  closed: "Closed without merging.",
};

export function renderTrackingComment(state: WorkflowState): string {
  const reached = ORDER.indexOf(state.phase === "fixing" ? "reviewing" : state.phase);
  const lines = [
    marker("tracking"),
    `### triad · workflow for #${state.issue}`,
    "",
    `**Now:** ${NOW[state.phase]}`,
    "",
  ];
  for (const step of STEPS) {
    const index = ORDER.indexOf(step.phase);
    const done = reached > index || state.phase === "ready" || state.phase === "merged";
    const current = index === reached && !done;
    lines.push(`- [${done ? "x" : " "}] ${current ? `**${step.label}** ⏳` : step.label}`);
  }
  lines.push("");
  const facts = [`started by @${state.startedBy}`];
  if (state.planVersion > 0) facts.push(`plan v${state.planVersion}`);
  if (state.fixRound > 0) facts.push(`fix round ${state.fixRound}`);
  lines.push(
    `<sub>${facts.join(" · ")} · commands: \`/triad status\`, \`/triad stop\`, \`/triad retry\`</sub>`,
  );
  if (state.note) lines.push("", state.note);
  lines.push("", embedData("state", state));
  return lines.join("\n");
}

/** Rebuild the state document from a tracking comment's hidden data (after Redis lost it). */
export function stateFromTrackingComment(body: string, commentId: number): WorkflowState | undefined {
  const parsed = workflowStateSchema.safeParse(extractData(body, "state"));
  return parsed.success ? { ...parsed.data, trackingCommentId: commentId } : undefined;
}
