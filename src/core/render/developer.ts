import type { OpenFindings } from "../effects.js";
import { marker } from "../markers.js";
import type { ModelText } from "../model-text.js";
import type { Plan } from "../schemas/architect.js";
import type { DeveloperReport } from "../schemas/developer.js";
import { clipLine } from "./limits.js";

/** At most this many characters of the title in a branch name. */
const SLUG_MAX = 40;

/**
 * `triad/<issue>-<slug>`: the only kind of branch triad writes to. The slug keeps whole words up to
 * `SLUG_MAX` characters (a first word longer than that is cut, having nothing better).
 */
export function branchName(issue: number, title: string): string {
  const words = title
    .normalize("NFKD")
    // "Ü" is "U" and a combining mark once decomposed: the mark goes, the letter stays.
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .split("-")
    .filter(Boolean);
  let slug = "";
  for (const word of words) {
    const next = slug ? `${slug}-${word}` : word;
    if (next.length > SLUG_MAX) break;
    slug = next;
  }
  if (!slug && words[0]) slug = words[0].slice(0, SLUG_MAX);
  return `triad/${issue}-${slug || "change"}`;
}

const STATUS: Record<string, string> = { done: "✅ done", partly: "🟡 partly", not_done: "❌ not done" };

export interface PullRequestFacts {
  issue: number;
  planVersion: number;
  planUrl: string;
  approvedBy: string;
}

export function renderPullRequestBody(
  plan: Plan,
  report: DeveloperReport,
  facts: PullRequestFacts,
  text: ModelText,
): string {
  const lines = [
    marker("pr", String(facts.issue)),
    `Closes #${facts.issue}`,
    "",
    `Implements [plan v${facts.planVersion}](${facts.planUrl}), approved by @${facts.approvedBy}.`,
    "",
    "### What was built",
    "",
    text.block(report.summary.trim()),
    "",
    "### Not covered",
    "",
    ...(report.not_covered.length > 0
      ? report.not_covered.map((n) => `- ${text.line(n)}`)
      : ["- Nothing reported."]),
    "",
    "### Plan conformance",
    "",
    "| # | step | status | files |",
    "|---|---|---|---|",
  ];
  plan.steps.forEach((step, i) => {
    const reported = report.plan_steps.find((s) => s.step === i + 1);
    const status = reported ? (STATUS[reported.status] ?? reported.status) : "❔ not reported";
    const files = (reported?.files ?? []).map((f) => text.code(f)).join(", ") || "—";
    const note = reported?.note ? ` — ${text.line(reported.note)}` : "";
    lines.push(`| ${i + 1} | ${text.line(step.title)} | ${status}${note} | ${files} |`);
  });
  lines.push(
    "",
    "<sub>Written by triad's developer from the approved plan; reviewers from other vendors review it next.</sub>",
  );
  return lines.join("\n");
}

/** A fix round's answer to the findings it was given, as its block in the rounds section shows it. */
export interface RoundFindings {
  round: number;
  /** The list items, rendered (`roundFindingLines`). */
  lines: string[];
}

/** At most this many findings listed per round (the rest counted), and characters of a note. */
const FINDINGS_LISTED = 60;
const NOTE_MAX = 200;

/**
 * What a fix round did about each finding it was given — fixed or not changed, with the developer's
 * note — linked to the finding's review thread: the PR body says it once per round, instead of one
 * reply in each thread (one content-creating request per finding; issue [8/12]).
 */
export function roundFindingLines(
  open: OpenFindings,
  report: DeveloperReport,
  prUrl: string,
  text: ModelText,
): string[] {
  const lines: string[] = [];
  for (const f of report.findings) {
    const finding = open.findings.find((x) => x.key === f.id || x.keys.includes(f.id));
    if (!finding) continue;
    const commentId = finding.keys.map((k) => open.comments[k]).find((id) => id !== undefined);
    const where = finding.path
      ? `${finding.path}${finding.line === undefined ? "" : `:${finding.line}`}`
      : "the pull request";
    const label = `${finding.severity} · ${where}`;
    const what = f.status === "changed" ? "✅ fixed" : "⏸ not changed";
    const note = f.note.trim()
      ? `: ${text.line(clipLine(f.note.trim().split("\n")[0] ?? "", NOTE_MAX))}`
      : "";
    const linked =
      commentId === undefined ? text.line(label) : `[${text.line(label)}](${prUrl}#discussion_r${commentId})`;
    lines.push(`  - ${what} — ${linked}${note}`);
  }
  if (lines.length <= FINDINGS_LISTED) return lines;
  return [...lines.slice(0, FINDINGS_LISTED), `  - … and ${lines.length - FINDINGS_LISTED} more`];
}

/**
 * The PR body's rounds section: one line per fix round (what the developer says it did, the files),
 * each with what it did about the findings it was given (`roundFindingLines`), kept at the end of
 * the body after a marker and rewritten each round. `current` is the round being published; the
 * finding lists of earlier rounds are kept as the body has them.
 */
export function withRounds(
  body: string,
  notes: ReadonlyArray<{ round: number; summary: string; files: readonly string[] }>,
  text: ModelText,
  current?: RoundFindings,
): string {
  const start = marker("rounds");
  const at = body.indexOf(start);
  const base = (at === -1 ? body : body.slice(0, at)).trimEnd();
  const kept = at === -1 ? new Map<number, string[]>() : findingLinesByRound(body.slice(at));
  if (current) kept.set(current.round, current.lines);
  const fixes = notes.filter((n) => n.round > 0);
  if (fixes.length === 0) return base;
  const lines = fixes.flatMap((n) => [
    `- **Fix round ${n.round}:** ${text.line(n.summary)}${n.files.length ? ` — ${n.files.map((f) => text.code(f)).join(", ")}` : ""}`,
    ...(kept.get(n.round) ?? []),
  ]);
  return [base, "", start, "### Rounds", "", ...lines].join("\n");
}

/** The finding lines under each round's line of a rounds section (`withRounds` wrote them). */
function findingLinesByRound(section: string): Map<number, string[]> {
  const byRound = new Map<number, string[]>();
  let round: number | undefined;
  for (const line of section.split("\n")) {
    const head = /^- \*\*Fix round (\d+):\*\*/.exec(line);
    if (head) round = Number(head[1]);
    else if (round !== undefined && line.startsWith("  - "))
      byRound.set(round, [...(byRound.get(round) ?? []), line]);
    else round = undefined;
  }
  return byRound;
}

export function commitMessage(issueTitle: string, issue: number, planVersion: number, round: number): string {
  const subject =
    round === 0
      ? `${issueTitle.replace(/\s+/g, " ").trim().slice(0, 60)} (#${issue})`
      : `Address review findings, round ${round} (#${issue})`;
  return `${subject}\n\nImplements plan v${planVersion} of #${issue}${round > 0 ? `, fix round ${round}` : ""}.`;
}

export function renderBlocked(
  report: DeveloperReport,
  planVersion: number,
  turnId: string,
  text: ModelText,
): string {
  const b = report.blocked;
  return [
    marker("developer", turnId),
    `**🛑 The developer stopped: plan v${planVersion} cannot be followed as written (step ${b?.step ?? "?"}).**`,
    "",
    `- **Found:** ${text.line(b?.found ?? "")}`,
    `- **Why the step cannot be done:** ${text.line(b?.why ?? "")}`,
    `- **Decision needed:** ${text.line(b?.decision_needed ?? "")}`,
    "",
    "The architect will revise the plan; the new version needs a new `approved`. Nothing was pushed.",
  ].join("\n");
}
