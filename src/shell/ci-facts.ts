import type { CiFacts } from "../core/ci-gate.js";
import { isFailingConclusion } from "../core/ci-gate-state.js";
import type { FindingSet } from "../core/review/finding.js";
import {
  type CiAnnotation,
  listCiAnnotations,
  listCiCheckRuns,
  listDefaultBranchRuns,
} from "../github/ci-checks.js";
import type { WorkflowContext } from "./context.js";
import { fromCheckFailure } from "./review/human-findings.js";

/**
 * The repository's CI as a published round meets it (src/core/ci-gate.ts): the checks that ran on the
 * default branch's head are the ones to wait for — a CI registers its runs a moment after the push,
 * so the new head alone would often look check-free — together with those already on the new head.
 * The default branch's runs come from a few minutes' cache (`listDefaultBranchRuns`: every round of
 * the repository asks the same), read at `defaultSha` when the round knows the branch's head; the new
 * head's are read every time. A repository without CI answers both with nothing, and is reviewed at
 * once. With `ci_checks` configured, those names are the ones to wait for (the default branch is not
 * read).
 */
export async function ciFactsForRound(
  w: WorkflowContext,
  o: {
    defaultBranch: string;
    /** The default branch's head as the round just read it (a plan's first round), if it did. */
    defaultSha?: string | undefined;
    headSha: string;
    configured?: readonly string[] | undefined;
  },
): Promise<CiFacts> {
  // `ci_checks: []` turns the gate off: nothing is read.
  if (o.configured?.length === 0) return { expected: [], done: [] };
  const onBase = o.configured
    ? []
    : await listDefaultBranchRuns(w.gh, w.repo, {
        branch: o.defaultBranch,
        sha: o.defaultSha,
        cache: w.deps.defaultBranchRuns,
      });
  const onHead = await listCiCheckRuns(w.gh, w.repo, o.headSha);
  const counts = (name: string) => !o.configured || o.configured.includes(name);
  const completed = onHead.filter((r) => r.status === "completed" && counts(r.name));
  const failed = completed.find((r) => isFailingConclusion(r.conclusion));
  return {
    expected: o.configured ? [...o.configured] : [...new Set([...onBase, ...onHead].map((r) => r.name))],
    ...(o.configured ? { fixed: true } : {}),
    done: completed.filter((r) => !isFailingConclusion(r.conclusion)).map((r) => r.name),
    ...(failed
      ? {
          failed: await failedCheckFindings(w, {
            name: failed.name,
            conclusion: failed.conclusion,
            summary: [failed.output.title, failed.output.summary, failed.output.text]
              .filter(Boolean)
              .join("\n\n"),
            checkRunId: failed.id,
            annotations: failed.output.annotations,
          }),
        }
      : {}),
  };
}

/**
 * A failed check as the developer's finding: its output (title, summary, text) and its annotations
 * (failures first, then warnings and notices), each with the file and lines it names.
 */
export async function failedCheckFindings(
  w: WorkflowContext,
  check: {
    name: string;
    conclusion: string | null;
    summary: string;
    checkRunId?: number;
    annotations: number;
  },
): Promise<FindingSet> {
  const annotations =
    check.checkRunId !== undefined && check.annotations > 0
      ? await listCiAnnotations(w.gh, w.repo, check.checkRunId)
      : [];
  const output = check.summary || `${check.name} ended with ${check.conclusion}`;
  return fromCheckFailure(check.name, [output, annotationLines(annotations)].filter(Boolean).join("\n\n"));
}

const LEVEL_ORDER = ["failure", "warning", "notice"];

function annotationLines(annotations: CiAnnotation[]): string {
  if (annotations.length === 0) return "";
  const sorted = [...annotations].sort((a, b) => LEVEL_ORDER.indexOf(a.level) - LEVEL_ORDER.indexOf(b.level));
  const lines = sorted.map((a) => {
    const where =
      a.endLine > a.startLine ? `${a.path}:${a.startLine}-${a.endLine}` : `${a.path}:${a.startLine}`;
    const text = [a.title, a.message]
      .filter(Boolean)
      .join(": ")
      .replace(/\s*\n\s*/g, " ");
    return `- ${where} (${a.level}): ${text}`;
  });
  return ["Annotations:", ...lines].join("\n");
}
