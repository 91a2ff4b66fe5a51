import { z } from "zod";
import { contentHash, embedData, extractData, marker } from "../../core/markers.js";
import { quoteUntrusted } from "../../core/sanitize.js";
import type { WorkflowState } from "../../core/state.js";
import { parseUnifiedDiff } from "../../diff/index.js";
import { presentDiffForModel } from "../../diff/present.js";
import { TriadError } from "../../errors.js";
import type { IssueRef } from "../../github/client.js";
import { ensureComment, findOwnMarked, listComments } from "../../github/comments.js";
import { loadRepoConfig } from "../../github/repo-config.js";
import { runUntilFinished } from "../../models/finish.js";
import type { FinishTool } from "../../models/tool-loop.js";
import type { ChatMessage, SystemBlock } from "../../models/types.js";
import { meteredModel, UsageLedger } from "../../models/usage.js";
import type { StepJob } from "../../queue/steps.js";
import { classifyFile, isSkippedKind } from "../../repo/file-kinds.js";
import { readOnlyTools } from "../../repo/read-tools.js";
import { fetchSnapshot } from "../../repo/snapshot.js";
import { ensureTrackingComment } from "../../workflow/run-effects.js";
import { loadContract } from "../contracts.js";
import type { PhaseDeps } from "../deps.js";
import { renderPlanForModel } from "../developer/prompt.js";
import { loadApprovedPlan } from "../plan-source.js";
import type { AggregatedFinding } from "../review/aggregate.js";
import { applyReviewDecision, loadOpenFindings, outcomeContext, queueFixRound } from "../review/outcome.js";
import { diffText } from "../review/run-reviewer.js";
import { renderPlan } from "./render.js";
import { type Plan, planSchema } from "./schema.js";

/**
 * The architect at review time (ARCHITECTURE §2, §3): a ruling on disputed findings (accept or
 * reject each, with the reason; a revised plan when the plan's structure must change), or, when the
 * same code keeps changing round after round, a trace back to the plan decision behind it with a
 * revised plan. A revised plan always needs a new `approved`.
 */
const rulingSchema = z.object({
  rulings: z
    .array(
      z.object({
        finding: z.string().describe("The finding's label, e.g. F1."),
        decision: z.enum(["accept", "reject"]),
        reason: z.string().min(1),
      }),
    )
    .describe("One ruling per finding, every finding once."),
  revised_plan: planSchema
    .nullish()
    .describe("Only when a finding shows the plan's structure must change; null otherwise."),
});
const traceSchema = z.object({
  trace: z.string().min(1).describe("Which plan decision the repeated failures come from, and why."),
  revised_plan: planSchema,
});
type Ruling = z.infer<typeof rulingSchema>;
type Trace = z.infer<typeof traceSchema>;

const RULING_TOOL: FinishTool<Ruling> = {
  name: "submit_ruling",
  description: "Hand in your ruling on every finding.",
  input: rulingSchema,
};
const TRACE_TOOL: FinishTool<Trace> = {
  name: "submit_trace",
  description: "Hand in the trace and the revised plan.",
  input: traceSchema,
};

export async function runArchitectReviewStep(deps: PhaseDeps, job: StepJob, jobId: string): Promise<void> {
  const mode = job.mode === "spiral" ? "spiral" : "ruling";
  const gh = await deps.github(job.installationId);
  const repo = { owner: job.repo.owner, repo: job.repo.name };
  const ref: IssueRef = { ...repo, issue_number: job.issue };
  const log = deps.log.child({ workflow: `${repo.owner}/${repo.repo}#${job.issue}`, step: jobId });
  const state = await deps.store.load(gh, ref, deps.botLogin);
  const expected = mode === "spiral" ? "planning" : "fixing";
  if (!state || state.runId !== job.runId || state.phase !== expected || !state.pr) {
    log.info({ phase: state?.phase }, `architect ${mode} no longer wanted; skipped`);
    return;
  }
  const open = await loadOpenFindings(deps, state);
  if (!open) throw new TriadError("internal", "the findings to rule on are gone");
  const labels = open.findings.map((_, i) => `F${i + 1}`);
  const mark = marker("architect", jobId);
  const comments = await listComments(gh, ref);
  const posted = findOwnMarked(comments, mark, deps.botLogin);
  const { config } = await loadRepoConfig(gh, repo);
  let result = posted ? (extractData(posted.body, "architect") as Ruling | Trace | undefined) : undefined;
  let ledger = UsageLedger.fromJSON(state.usage);

  if (!result) {
    const { plan, version } = await loadApprovedPlan(gh, repo, state);
    const snapshot = await fetchSnapshot(gh, { ...repo, ref: state.pr.headSha }, { cache: deps.snapshots });
    const files = parseUnifiedDiff(await diffText(gh, repo, state.pr.number, state.pr.headSha));
    const prompt = buildPrompt({
      contract: loadContract("architect", snapshot).text,
      plan,
      version,
      diff: presentDiffForModel(files, { tokenBudget: 30_000, skip: (p) => isSkippedKind(classifyFile(p)) }),
      findings: open.findings,
      labels,
      mode,
      changedFiles: state.changedFiles,
    });
    ledger = UsageLedger.fromJSON(state.usage);
    const common = {
      model: meteredModel(deps.models.architect(config), ledger, "architect"),
      system: prompt.system,
      messages: prompt.messages,
      tools: readOnlyTools(snapshot),
      maxTurns: 30,
      log,
      role: "architect",
    };
    result =
      mode === "spiral"
        ? await runUntilFinished({ ...common, finishTool: TRACE_TOOL })
        : await runUntilFinished({ ...common, finishTool: RULING_TOOL });
  }

  const revised = result.revised_plan;
  const version = (state.plan?.version ?? 0) + 1;
  const body = renderOutcome(mode, result, open.findings, labels, jobId);
  const rulingComment =
    posted ?? (await ensureComment(gh, ref, { marker: mark, body, botLogin: deps.botLogin, comments }));
  let next: WorkflowState = {
    ...state,
    usage: ledger.toJSON(),
    updatedAt: deps.now().toISOString(),
    queued: undefined,
  };

  if (revised) {
    const planMark = marker("architect", `${jobId}-plan`);
    const planBody = renderPlan(
      revised as Plan,
      version,
      `${jobId}-plan`,
      config.approval_words[0] ?? "approved",
    );
    const planComment = await ensureComment(gh, ref, {
      marker: planMark,
      body: planBody,
      botLogin: deps.botLogin,
    });
    next = {
      ...next,
      phase: "awaiting-approval",
      plan: { version, commentId: planComment.id, hash: contentHash(planComment.body ?? planBody) },
      planVersion: version,
      note: `${mode === "spiral" ? "Fixing stopped: the same code kept changing." : "The architect's ruling changes the plan."} Plan v${version} needs a new \`approved\`.`,
    };
    await deps.store.save(await ensureTrackingComment({ gh, ref, botLogin: deps.botLogin }, next));
    log.info({ version }, "revised plan posted");
    return;
  }
  if (mode === "spiral")
    throw new TriadError("model_output_invalid", "the architect's trace came without a revised plan");

  const ruling = result as Ruling;
  const accepted = open.findings.filter((_, i) =>
    ruling.rulings.some((r) => r.finding === labels[i] && r.decision === "accept"),
  );
  const toFix = [...open.agreed, ...accepted].filter(
    (f, i, all) => all.findIndex((x) => x.key === f.key) === i,
  );
  const blocking = toFix.filter((f) => f.severity === "blocker" || f.severity === "major");
  const outcome = outcomeContext({
    deps,
    gh,
    ref,
    config,
    state: next,
    installationId: job.installationId,
    headSha: open.headSha,
    comments: open.comments,
  });

  if (blocking.length === 0) {
    await applyReviewDecision(outcome, {
      kind: "ready",
      dropped: { ignored: [], repeated: [] },
      remaining: toFix,
    });
  } else if (state.fixRound >= config.max_fix_rounds) {
    await applyReviewDecision(outcome, {
      kind: "needs-human",
      summary: `The fix-round cap (${config.max_fix_rounds}) is reached with accepted findings still open:\n${blocking.map((f) => `- ${f.severity}: ${f.message.split("\n")[0]}`).join("\n")}`,
      findings: blocking,
      dropped: { ignored: [], repeated: [] },
    });
  } else {
    const queued = await queueFixRound(outcome, next, blocking, [
      `The architect accepted ${accepted.length} of ${open.findings.length} disputed finding(s) ([ruling](${rulingComment.html_url})).`,
    ]);
    await deps.store.save(await ensureTrackingComment({ gh, ref, botLogin: deps.botLogin }, queued));
  }
  log.info({ accepted: accepted.length, disputed: open.findings.length }, "ruling posted");
}

function buildPrompt(o: {
  contract: string;
  plan: Plan;
  version: number;
  diff: string;
  findings: readonly AggregatedFinding[];
  labels: string[];
  mode: "ruling" | "spiral";
  changedFiles: readonly string[][];
}): { system: SystemBlock[]; messages: ChatMessage[] } {
  const system: SystemBlock[] = [
    { text: o.contract.trim() },
    { text: renderPlanForModel(o.plan, o.version), cache: true },
  ];
  const findings = o.findings
    .map((f, i) => {
      const where = f.path ? `${f.path}${f.line ? `:${f.line}` : ""}` : "the pull request";
      return `## ${o.labels[i]} — ${f.severity} at ${where}, raised by ${f.raisedBy.join(", ")} (${f.agreement}${f.conflicts_with_plan ? ", says the plan is wrong" : ""})\n${quoteUntrusted(`finding ${o.labels[i]}`, f.message, { maxChars: 4_000 })}`;
    })
    .join("\n\n");
  const task =
    o.mode === "ruling"
      ? "# This turn\n- Rule on every finding above with `submit_ruling`: accept or reject, with the reason. Add `revised_plan` only when the plan's structure must change (it will need a new approval)."
      : `# This turn\n- The same code changed in three fix rounds in a row (${o.changedFiles.map((r, i) => `round ${i + 1}: ${r.join(", ")}`).join("; ")}). Trace the failures back to the plan decision behind them and submit a revised plan with \`submit_trace\`.`;
  const content = [
    "# What the developer built (the pull request's diff)",
    o.diff,
    "",
    "# The findings",
    findings,
    "",
    task,
  ].join("\n");
  return { system, messages: [{ role: "user", content }] };
}

function renderOutcome(
  mode: "ruling" | "spiral",
  result: Ruling | Trace,
  findings: readonly AggregatedFinding[],
  labels: string[],
  jobId: string,
): string {
  const lines = [marker("architect", jobId)];
  if (mode === "spiral") {
    lines.push(
      "**The architect traced the repeated fixes back to the plan.**",
      "",
      (result as Trace).trace,
      "",
      "A revised plan follows; it needs a new `approved`.",
    );
  } else {
    lines.push(
      "**The architect's ruling on the disputed findings**",
      "",
      "| finding | ruling | reason |",
      "|---|---|---|",
    );
    findings.forEach((f, i) => {
      const r = (result as Ruling).rulings.find((x) => x.finding === labels[i]);
      const what = `${labels[i]}: ${f.severity} — ${f.message.split("\n")[0]?.replace(/\|/g, "\\|").slice(0, 140)}`;
      lines.push(
        `| ${what} | ${r ? (r.decision === "accept" ? "✅ accepted" : "❌ rejected") : "— not ruled"} | ${(r?.reason ?? "").replace(/\|/g, "\\|").replace(/\n/g, " ")} |`,
      );
    });
    if (result.revised_plan)
      lines.push(
        "",
        "The plan's structure has to change: a revised plan follows and needs a new `approved`.",
      );
  }
  lines.push("", embedData("architect", result));
  return lines.join("\n");
}
