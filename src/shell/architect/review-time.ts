import type { OpenFindings } from "../../core/effects.js";
import type { PlanFacts } from "../../core/plan-extras.js";
import type { AggregatedFinding } from "../../core/review/aggregate.js";
import { type RoundOutcome, withRoundOutcomes } from "../../core/review/precision.js";
import type { Plan } from "../../core/schemas/architect.js";
import { RULING_TOOL, type Ruling, rulingLabel, TRACE_TOOL, type Trace } from "../../core/schemas/ruling.js";
import { onRuling, onTrace } from "../../core/step-results.js";
import type { StepJob } from "../../core/steps.js";
import type { UsageSnapshot } from "../../core/usage.js";
import { parseUnifiedDiff } from "../../diff/index.js";
import { presentDiffForModel } from "../../diff/present.js";
import { TriadError } from "../../errors.js";
import { pullDiffText } from "../../github/pull-diff.js";
import { loadRepoConfig } from "../../github/repo-config.js";
import { runUntilFinished } from "../../models/finish.js";
import type { ChatMessage, SystemBlock } from "../../models/types.js";
import { classifyFile, isSkippedKind } from "../../repo/file-kinds.js";
import { isReadDenied } from "../../repo/path-policy.js";
import { readOnlyTools } from "../../repo/read-tools.js";
import { fetchSnapshot } from "../../repo/snapshot.js";
import { quoteUntrusted } from "../../text/sanitize.js";
import { decideContext, type ShellDeps } from "../context.js";
import { defaultBranchContract } from "../contracts.js";
import { renderPlanForModel } from "../developer/prompt.js";
import { interpret } from "../interpret.js";
import { loadApprovedPlan } from "../plan-source.js";
import { recordPrecision, recordRejected } from "../review/precision.js";
import { type StepJobContext, startStep } from "../step.js";
import { snapshotOf, stepModel } from "../usage.js";
import { withPlanCheck } from "./plan-check.js";
import { planFacts } from "./plan-facts.js";

interface SavedResult {
  mode: "ruling" | "spiral";
  result: Ruling | Trace;
  usage: UsageSnapshot;
  /** A revised plan's estimate inputs and the plan it revises. */
  planFacts?: PlanFacts;
}

/**
 * The architect at review time (ARCHITECTURE §2, §3): a ruling on disputed findings, or, when the
 * same code keeps changing, a trace back to the plan decision behind it with a revised plan. The
 * core (`onRuling`, `onTrace`) decides what follows; the result is saved first, so a retry does not
 * buy it again.
 */
export async function runArchitectReviewStep(
  deps: ShellDeps,
  step: StepJob,
  job: StepJobContext,
): Promise<void> {
  const started = await startStep(deps, step, job);
  if (!started) return;
  const { w, state } = started;
  const mode = step.mode === "spiral" ? "spiral" : "ruling";
  const open = await deps.stores.findings.getOpen(w.workflow);
  if (!open || !state.pr) throw new TriadError("internal", "the findings to rule on are gone");
  const { config, defaultBranch } = await loadRepoConfig(w.gh, w.repo, { cache: w.deps.repoConfig });
  let saved = await deps.stores.results.get<SavedResult>(w.jobId);
  if (!saved) {
    const { plan, version } = await loadApprovedPlan(w, state);
    const snapshot = await fetchSnapshot(
      w.gh,
      { ...w.repo, ref: state.pr.headSha },
      { cache: deps.snapshots },
    );
    const files = parseUnifiedDiff(
      await pullDiffText(w.gh, w.repo, {
        pull: state.pr.number,
        headSha: state.pr.headSha,
        base: defaultBranch,
      }),
    );
    const prompt = buildPrompt({
      contract: (await defaultBranchContract(w.gh, w.repo, "architect", defaultBranch, deps.contracts)).text,
      plan,
      version,
      diff: presentDiffForModel(files, {
        tokenBudget: 30_000,
        skip: (p) => isSkippedKind(classifyFile(p)) || isReadDenied(p, config.read_deny),
      }),
      findings: open.findings,
      mode,
      changes: state.changes.map((c) => c.files),
    });
    const { model, ledger } = await stepModel(w, state, config, "architect", deps.models.architect(config));
    const common = {
      model,
      system: prompt.system,
      messages: prompt.messages,
      tools: readOnlyTools(snapshot, {}, { readDeny: config.read_deny }),
      maxTurns: 30,
      log: w.log,
      role: "architect",
      signal: w.signal,
    };
    const result =
      mode === "spiral"
        ? await runUntilFinished({
            ...common,
            finishTool: withPlanCheck(TRACE_TOOL, config, (o) => o.revised_plan),
          })
        : await runUntilFinished({
            ...common,
            finishTool: withPlanCheck(RULING_TOOL, config, (o) => o.revised_plan),
          });
    // The reviewers per round as configured (the important label is not read again here).
    const revised = result.revised_plan
      ? planFacts(deps, config, { snapshot, labels: [], previous: { version, plan } })
      : undefined;
    saved = { mode, result, usage: snapshotOf(ledger), ...(revised ? { planFacts: revised } : {}) };
    await deps.stores.results.set(w.jobId, saved);
  }
  const ctx = decideContext(w, config);
  // The architect's rejections count against the reviewers who raised them: recorded first (a retried
  // job records them again harmlessly), and kept in the state the ruling decides from, so the
  // tracking comment carries them.
  let outcome: RoundOutcome | undefined;
  if (saved.mode !== "spiral" && state.pr) {
    const ruling = saved.result as Ruling;
    const rejected = open.findings.filter((_, i) =>
      ruling.rulings.some((r) => r.finding === rulingLabel(i) && r.decision === "reject"),
    );
    await recordPrecision(w, async () => {
      outcome = await recordRejected(w, open.headSha, rejected);
    });
  }
  const ruled = withRoundOutcomes(state, outcome ? [outcome] : []);
  const d =
    saved.mode === "spiral"
      ? onTrace(state, w.jobId, saved.result as Trace, open, saved.usage, ctx, saved.planFacts)
      : onRuling(
          ruled,
          w.jobId,
          saved.result as Ruling,
          open as OpenFindings,
          saved.usage,
          ctx,
          saved.planFacts,
        );
  await interpret(w, state, d);
  w.log.info({ mode, next: d.state?.phase }, "architect review-time turn done");
}

function buildPrompt(o: {
  contract: string;
  plan: Plan;
  version: number;
  diff: string;
  findings: readonly AggregatedFinding[];
  mode: "ruling" | "spiral";
  changes: readonly (readonly string[])[];
}): { system: SystemBlock[]; messages: ChatMessage[] } {
  const system: SystemBlock[] = [
    { text: o.contract.trim() },
    { text: renderPlanForModel(o.plan, o.version), cache: true },
  ];
  const findings = o.findings
    .map((f, i) => {
      const label = rulingLabel(i);
      const where = f.path ? `${f.path}${f.line ? `:${f.line}` : ""}` : "the pull request";
      return `## ${label} — ${f.severity} at ${where}, raised by ${f.raisedBy.join(", ")} (${f.agreement}${f.conflicts_with_plan ? ", says the plan is wrong" : ""})\n${quoteUntrusted(`finding ${label}`, f.message, { maxChars: 4_000 })}`;
    })
    .join("\n\n");
  const task =
    o.mode === "ruling"
      ? "# This turn\n- Rule on every finding above with `submit_ruling`: accept or reject, with the reason. Add `revised_plan` only when the plan's structure must change (it will need a new approval)."
      : `# This turn\n- The same code changed in three fix rounds in a row (${o.changes.map((r, i) => `round ${i + 1}: ${r.join(", ")}`).join("; ")}). Trace the failures back to the plan decision behind them and submit a revised plan with \`submit_trace\`.`;
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
