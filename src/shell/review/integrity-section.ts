import type { FindingInput } from "../../core/review/finding.js";
import type { DiffFile } from "../../diff/index.js";
import { safePath } from "../../diff/receipt.js";
import {
  checkTestIntegrity,
  type IntegrityFlag,
  integrityFindings,
  type PlanStepLike,
  plannedBySteps,
} from "../../diff/test-integrity.js";
import { isReadDenied } from "../../repo/path-policy.js";
import { stripInvisible } from "../../text/sanitize.js";

/**
 * The test-integrity guard on one developer round (issue [12/12] item 3): code, not a model, reads the
 * diff the reviewers got for deleted or renamed-away tests, new skips, removed or weakened assertions,
 * lowered coverage gates, relaxed lint and type checks and snapshots rewritten wholesale. Each flag is a
 * blocker finding that says the change is not in the plan (`conflicts_with_plan`), so the aggregation
 * sends it to the architect for a ruling; a plan step that names the change allows it.
 *
 * Inline suppressions (`// eslint-disable-next-line`, `# type: ignore`, …) are not flagged: mature
 * repositories add them routinely, each with a reason, and a blocker on every one would drown the
 * flags that matter. Configuration-level lint and type relaxations still are.
 */

/** Who raised the guard's findings, as aggregation and the tracking comment name it. */
export const INTEGRITY_REVIEWER = "check:test-integrity";

export interface IntegrityCheck {
  /** Blocker findings for the aggregate (origin `check`). */
  findings: FindingInput[];
  /** The section of the review body; empty when there is nothing to say. */
  section: string;
}

export function checkRoundIntegrity(
  files: readonly DiffFile[],
  plan: { steps: readonly PlanStepLike[] },
  readDeny: readonly string[],
): IntegrityCheck {
  // A secret-looking file's lines are never quoted in a review body.
  const visible = files.filter(
    (f) => !isReadDenied(f.newPath, readDeny) && !isReadDenied(f.oldPath, readDeny),
  );
  const options = { inlineSuppressions: false } as const;
  const flags = checkTestIntegrity(visible, { ...options, planned: plannedBySteps(plan.steps) });
  const all = flags.length > 0 ? flags : checkTestIntegrity(visible, options);
  const allowed = all.filter((f) => !flags.some((x) => sameFlag(x, f)));
  return { findings: integrityFindings(flags), section: renderIntegrity(flags, allowed) };
}

const sameFlag = (a: IntegrityFlag, b: IntegrityFlag) =>
  a.rule === b.rule && a.path === b.path && a.line === b.line && a.side === b.side;

/** A fenced block of file lines: no fence inside can close it, no triad marker gets in through it. */
function fence(lines: readonly string[]): string {
  const text = stripInvisible(lines.join("\n")).replace(/<!--(?=\s*triad:)/gi, "<!-\u200B-");
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const ticks = "`".repeat(Math.max(3, longest + 1));
  return `${ticks}\n${text}\n${ticks}`;
}

function where(f: IntegrityFlag): string {
  const at = f.line === undefined ? "" : ` ${f.side === "LEFT" ? "removed line" : "line"} ${f.line}`;
  return `${safePath(f.path)}${at}`;
}

function flagEntry(n: number, f: IntegrityFlag): string {
  const head = `**${n}.** 🛑 **Blocker** · ${where(f)} — ${f.message}`;
  return f.lines.length > 0 ? `${head}\n\n${fence(f.lines)}` : head;
}

/** The guard's section of the review body: the flags with their lines, and what the plan allowed. */
export function renderIntegrity(flags: readonly IntegrityFlag[], allowed: readonly IntegrityFlag[]): string {
  const parts: string[] = [];
  if (flags.length > 0) {
    parts.push(
      "#### Test-integrity guard",
      "",
      `Found by code, not a model: ${flags.length} change${flags.length === 1 ? "" : "s"} that can make the tests pass without the code being right. Each is a blocker the architect rules on; only a plan step that names the change allows it.`,
      "",
      flags.map((f, i) => flagEntry(i + 1, f)).join("\n\n"),
    );
  }
  if (allowed.length > 0) {
    const list = allowed.map((f) => `${f.message.split(":")[0]} in ${where(f)}`).join("; ");
    parts.push(
      ...(parts.length > 0 ? [""] : ["#### Test-integrity guard", ""]),
      `_Allowed by the approved plan (a step names the change): ${list}._`,
    );
  }
  return parts.length > 0 ? `${parts.join("\n")}\n` : "";
}
