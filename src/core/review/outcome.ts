import type { DecideContext } from "../context.js";
import { type Decision, decided, type Effect } from "../effects.js";
import { LABELS, marker } from "../markers.js";
import { mentionsOf } from "../mentions.js";
import type { ModelText } from "../model-text.js";
import { type Phase, stepBase, type WorkflowState } from "../state.js";
import { type StepJob, stepJobId, stepLabel } from "../steps.js";
import type { AggregatedFinding } from "./aggregate.js";
import { shortfallText } from "./coverage.js";
import { decideReview, type ReviewDecision } from "./decide.js";

/**
 * What a review decision (ready, fix, escalate, needs a human, spiral) does to the workflow: its
 * labels, the `triad/review` check run, the next step. One place, used after the reviews are
 * aggregated, after the architect's ruling, after a maintainer overrules a finding, and when a human
 * or CI raises findings on a resting PR — so the fix-round cap and the spiral guard hold on every path.
 */
export interface OutcomeInput {
  /** The head sha the findings are about. */
  headSha: string;
  /** Finding key → inline review comment id (for the developer's replies in the threads). */
  comments: Record<string, number>;
  /** Extra lines for the note (e.g. a link to the ruling). */
  note?: string[];
}

/** Findings from any source → decideReview (cap, spiral, escalation) → its outcome. */
export function afterFindings(
  state: WorkflowState,
  findings: readonly AggregatedFinding[],
  input: OutcomeInput & { escalate?: boolean; earlierFindingKeys?: readonly string[] },
  ctx: DecideContext,
): Decision {
  const decision = decideReview(findings, {
    fixRound: state.fixRound,
    maxFixRounds: ctx.config.max_fix_rounds,
    ignored: state.ignored.map((i) => i.key),
    earlierFindingKeys: input.earlierFindingKeys ?? [],
    changes: state.changes,
    escalate: input.escalate ?? true,
  });
  return applyReviewDecision(state, decision, input, ctx);
}

const where = (f: AggregatedFinding, text: ModelText) =>
  f.path ? text.code(`${f.path}${f.line ? `:${f.line}` : ""}`) : "the pull request";

export function listFindings(findings: readonly AggregatedFinding[], text: ModelText): string {
  return findings
    .map(
      (f) =>
        `- **${f.severity}** ${where(f, text)}: ${text.line(firstLine(f.message))} (${f.raisedBy.map((r) => text.line(r)).join(", ")})`,
    )
    .join("\n");
}

function firstLine(message: string): string {
  const line = message.trim().split("\n")[0] ?? "";
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** The needs-human summary: what is still open, worst first, with who raised it. */
export function openFindingsSummary(
  findings: readonly AggregatedFinding[],
  fixRounds: number,
  text: ModelText,
): string {
  return [
    `The fix-round cap is reached (${fixRounds} round${fixRounds === 1 ? "" : "s"}) and ${findings.length} finding${findings.length === 1 ? " is" : "s are"} still open at blocker or major:`,
    "",
    listFindings(findings, text),
  ].join("\n");
}

export function applyReviewDecision(
  state: WorkflowState,
  decision: ReviewDecision,
  input: OutcomeInput,
  ctx: DecideContext,
): Decision {
  const { headSha } = input;
  const base: WorkflowState = {
    ...state,
    updatedAt: ctx.now,
    reviewedSha: headSha,
    queued: undefined,
    failed: undefined,
  };
  const check = (conclusion: "success" | "neutral" | "failure", title: string, summary: string): Effect => ({
    type: "check",
    headSha,
    state: { status: "completed", conclusion },
    title,
    summary,
  });
  const overruled = decision.dropped.ignored.length;

  switch (decision.kind) {
    case "ready": {
      const left =
        decision.remaining.length > 0
          ? `\n\nMinor findings left for the maintainer:\n${listFindings(decision.remaining, ctx.text)}`
          : "";
      const clean = `No blocker or major finding is open.${overruled ? ` ${overruled} overruled by a maintainer.` : ""}${left}`;
      // A review that saw too little of the change is no green light, however clean its findings.
      const short = state.notFullyReviewed && shortfallText(state.notFullyReviewed);
      return decided(
        {
          ...base,
          phase: "ready",
          note: short,
          phaseTimes: { ...base.phaseTimes, ready: base.phaseTimes.ready ?? ctx.now },
        },
        [
          labelsFor(state, "ready"),
          // Out of draft: triad's reviews passed, a maintainer's review is next.
          { type: "pr_ready_for_review" },
          notify(
            state,
            `ready-${headSha}`,
            short
              ? `${prLink(state)} has no open blocker or major finding, but it is **not fully reviewed**: the reviewers did not see enough of it (see the reviews' coverage).`
              : `${prLink(state)} is ready to merge: triad's reviews found nothing that holds it back.`,
          ),
          short
            ? check("neutral", "Not fully reviewed", `${short}\n\n${clean}`)
            : check("success", "Ready to merge", clean),
        ],
      );
    }
    case "fix": {
      const round = state.fixRound + 1;
      const step: StepJob = {
        ...stepBase(state),
        kind: "develop",
        round,
        reason: `fix round ${round}`,
        ...(state.approved ? { planVersion: state.approved.version } : {}),
        ...prOf(state, headSha),
      };
      const jobId = stepJobId(step, `fix-${round}-${headSha}`);
      return decided(
        {
          ...base,
          phase: "fixing",
          fixRound: round,
          queued: { jobId, label: stepLabel(step), step },
          note: [
            `Fix round ${round}: ${decision.findings.length} finding(s) to fix.`,
            ...(input.note ?? []),
          ].join("\n"),
          phaseTimes: { ...base.phaseTimes, fixing: ctx.now },
        },
        [
          {
            type: "save_findings",
            open: { round, headSha, findings: decision.findings, agreed: [], comments: input.comments },
          },
          labelsFor(state, "fixing"),
          check(
            "neutral",
            `Fix round ${round}`,
            `The developer is fixing ${decision.findings.length} finding(s):\n${listFindings(decision.findings, ctx.text)}`,
          ),
          { type: "enqueue", step, jobId },
        ],
      );
    }
    case "escalate": {
      const step: StepJob = {
        ...stepBase(state),
        kind: "architect",
        mode: "ruling",
        reason: `rule on ${decision.findings.length} disputed finding(s)`,
        ...prOf(state, headSha),
      };
      const jobId = stepJobId(step, `ruling-${headSha}`);
      return decided(
        {
          ...base,
          phase: "fixing",
          queued: { jobId, label: stepLabel(step), step },
          note: `The architect is ruling on ${decision.findings.length} disputed finding(s).`,
        },
        [
          {
            type: "save_findings",
            open: {
              round: state.fixRound,
              headSha,
              findings: decision.findings,
              agreed: decision.agreed,
              comments: input.comments,
            },
          },
          labelsFor(state, "fixing"),
          check(
            "neutral",
            "Architect ruling",
            `The reviewers disagree or question the plan; the architect rules on:\n${listFindings(decision.findings, ctx.text)}`,
          ),
          { type: "enqueue", step, jobId },
        ],
      );
    }
    case "needs-human": {
      const summary = openFindingsSummary(decision.findings, state.fixRound, ctx.text);
      return decided(
        {
          ...base,
          phase: "needs-human",
          note: `**Needs a human** after ${state.fixRound} fix round(s):\n\n${summary}`,
        },
        [
          labelsFor(state, "needs-human"),
          check("failure", "Needs a human", summary),
          notify(
            state,
            `needs-human-${headSha}`,
            `${prLink(state)} needs a human: the fix-round cap is reached with findings still open (see the tracking comment).`,
          ),
        ],
      );
    }
    case "spiral": {
      const what = [...decision.files, ...decision.components].map((f) => `\`${f}\``).join(", ");
      const step: StepJob = {
        ...stepBase(state),
        kind: "architect",
        mode: "spiral",
        reason: `trace the repeated fixes of ${what} back to the plan`,
        ...prOf(state, headSha),
      };
      const jobId = stepJobId(step, `spiral-${headSha}`);
      return decided(
        {
          ...base,
          phase: "planning",
          queued: { jobId, label: stepLabel(step), step },
          note: `Fixing stopped: ${what} changed in three consecutive fix rounds. The architect is tracing the failures back to the plan; the revised plan needs a new \`approved\`.`,
        },
        [
          {
            type: "save_findings",
            open: {
              round: state.fixRound,
              headSha,
              findings: decision.findings,
              agreed: [],
              comments: input.comments,
            },
          },
          labelsFor(state, "planning"),
          check(
            "failure",
            "Stopped: the same code keeps changing",
            `${what} changed in three fix rounds in a row; the architect is tracing it back to the plan, and a revised plan will need a new approval.`,
          ),
          { type: "enqueue", step, jobId },
        ],
      );
    }
  }
}

/** The PR's label for a phase: one of in review, ready, needs a human. */
function prLabel(phase: Phase): string {
  if (phase === "ready") return LABELS.ready;
  if (phase === "needs-human") return LABELS.needsHuman;
  return LABELS.inReview;
}

/** The label change from the workflow's phase now to `to` (nothing when the label stays). */
export function labelsFor(state: WorkflowState, to: Phase): Effect {
  const from = prLabel(state.phase);
  const next = prLabel(to);
  return from === next
    ? { type: "pr_labels", add: [], remove: [] }
    : { type: "pr_labels", add: [next], remove: [from] };
}

/** A comment that tells the starter and the approver (a mention notifies only in a new comment). */
function notify(state: WorkflowState, id: string, what: string): Effect {
  return { type: "comment", marker: marker("notify", id), body: `${mentionsOf(state)}, ${what}` };
}

function prLink(state: WorkflowState): string {
  return state.pr ? `[PR #${state.pr.number}](${state.pr.url})` : "the pull request";
}

function prOf(state: WorkflowState, headSha: string): Pick<StepJob, "prNumber" | "headSha"> {
  return { ...(state.pr ? { prNumber: state.pr.number } : {}), headSha };
}
