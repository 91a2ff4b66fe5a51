/**
 * A budget bound to the plan (issue [12/12] item 5): the plan states what building it should cost,
 * so `approved` approves that much (plus a margin) rather than an open-ended spend. Users of agent
 * tools ask for exactly this: a budget agreed with the plan, not discovered on the invoice.
 *
 * The model is deliberately simple, so a maintainer can check it by hand. Everything is in tokens of
 * ≈ 4 characters (as `estimateTokens` in src/diff/present.ts):
 *
 * - A file read costs the repository's average file size (`bytes / files / 4` tokens), at most one
 *   read's cap (`readTokens`, 24,000 characters in src/repo/read-tools.ts).
 * - Every model turn re-sends its conversation. A run of T turns whose context starts at `base` and
 *   grows by `g` a turn sends T·base + g·T(T−1)/2 input tokens; all but the new part of each turn is
 *   a repeated prefix, priced at the cached-input rate when the caller gives one (vendors cache it).
 * - Implementation: one developer run over all steps; per file of a step one read and one write
 *   (2 turns, each adding about a file's tokens), plus one turn per step and a final one. The base is
 *   the contract, the repository map (`mapTokens`) and the plan. Output: half a file per file written
 *   (edits, not rewrites) plus 200 tokens of tool call per turn.
 * - Review: each reviewer reads the contract, plan and the diff (half a file per planned file, capped
 *   at `diffTokens`), looks at `REVIEW_TURNS` more files, and writes ~2,000 tokens.
 * - Fix rounds: one expected, plus one per four steps, never more than the cap (`maxFixRounds`). A fix
 *   round redoes a third of the implementation's files and is reviewed on its own diff (a third).
 * - Architect rulings: one for every two fix rounds, when an architect price is given.
 * Planning is not in it: it is spent before the plan exists, and shown in the tracking comment.
 */

import { z } from "zod";

export interface RolePrice {
  /** USD per million input tokens. */
  input: number;
  /** USD per million output tokens. */
  output: number;
  /** USD per million cached input tokens; absent → the input price (no caching assumed). */
  cachedInput?: number;
}

export interface EstimateInput {
  repo: { files: number; bytes: number };
  /** The plan's steps (`Plan["steps"]` fits): only how many files each names matters. */
  steps: ReadonlyArray<{ files: ReadonlyArray<unknown> }>;
  /** Reviewers per round. */
  reviewers: number;
  /** Per role, from the model catalogue (`ModelPrice` fits); a role without a price is counted in tokens only. */
  prices: { developer?: RolePrice; reviewer?: RolePrice; architect?: RolePrice };
  /** The fix-round cap (default 3). */
  maxFixRounds?: number;
  /** How far past the estimate an approval reaches (default 0.5 = 50%). */
  margin?: number;
  mapTokens?: number;
  diffTokens?: number;
  readTokens?: number;
}

export type Phase = "implementation" | "review" | "fix rounds" | "rulings";

export interface PhaseEstimate {
  phase: Phase;
  role: "developer" | "reviewer" | "architect";
  /** All input tokens, the cached part included. */
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  /** Undefined when the role has no price. */
  costUsd?: number;
}

export interface BudgetEstimate {
  phases: PhaseEstimate[];
  /** Review rounds expected: the first and one per fix round. */
  reviewRounds: number;
  fixRounds: number;
  reviewers: number;
  tokens: number;
  /** Undefined when a phase has no price. */
  costUsd?: number;
  margin: number;
  /** What an approval allows: the estimate plus the margin. */
  limitTokens: number;
  limitCostUsd?: number;
}

/** The estimate as workflow state keeps it (frozen with the approval; `overEstimate` reads it back). */
export const budgetEstimateSchema = z.object({
  phases: z.array(
    z.object({
      phase: z.enum(["implementation", "review", "fix rounds", "rulings"]),
      role: z.enum(["developer", "reviewer", "architect"]),
      inputTokens: z.number(),
      cachedInputTokens: z.number(),
      outputTokens: z.number(),
      costUsd: z.number().optional(),
    }),
  ),
  reviewRounds: z.number().int(),
  fixRounds: z.number().int(),
  reviewers: z.number().int(),
  tokens: z.number(),
  costUsd: z.number().optional(),
  margin: z.number(),
  limitTokens: z.number(),
  limitCostUsd: z.number().optional(),
});

export const DEFAULT_MARGIN = 0.5;
const CONTRACT_TOKENS = 3_000;
const PLAN_TOKENS_BASE = 600;
const PLAN_TOKENS_PER_STEP = 250;
const TOOL_CALL_TOKENS = 200;
const REVIEW_TURNS = 4;
const REVIEW_OUTPUT_TOKENS = 2_000;
const RULING_OUTPUT_TOKENS = 1_500;
/** src/shell/developer/round.ts REPO_MAP_TOKENS. */
const MAP_TOKENS = 4_000;
/** src/shell/review/reviewer.ts DIFF_TOKENS. */
const DIFF_TOKENS = 40_000;
/** src/repo/read-tools.ts DEFAULT_READ_TOOL_LIMITS.readChars / 4. */
const READ_TOKENS = 6_000;

interface Run {
  turns: number;
  base: number;
  growth: number;
  output: number;
}

/** T·base + g·T(T−1)/2 sent; the new part of each turn (base once, then g a turn) is uncached. */
function runTokens(r: Run): { input: number; cached: number; output: number } {
  const input = r.turns * r.base + (r.growth * r.turns * (r.turns - 1)) / 2;
  const fresh = Math.min(input, r.base + r.growth * Math.max(0, r.turns - 1));
  return { input: Math.round(input), cached: Math.round(input - fresh), output: Math.round(r.output) };
}

function phase(
  name: Phase,
  role: PhaseEstimate["role"],
  runs: readonly Run[],
  times: number,
  price: RolePrice | undefined,
): PhaseEstimate {
  const t = runs
    .map(runTokens)
    .reduce(
      (a, b) => ({ input: a.input + b.input, cached: a.cached + b.cached, output: a.output + b.output }),
      { input: 0, cached: 0, output: 0 },
    );
  const out: PhaseEstimate = {
    phase: name,
    role,
    inputTokens: t.input * times,
    cachedInputTokens: t.cached * times,
    outputTokens: t.output * times,
  };
  if (price) {
    const fresh = out.inputTokens - out.cachedInputTokens;
    out.costUsd =
      (fresh * price.input +
        out.cachedInputTokens * (price.cachedInput ?? price.input) +
        out.outputTokens * price.output) /
      1_000_000;
  }
  return out;
}

export function expectedFixRounds(steps: number, cap: number): number {
  return Math.max(0, Math.min(cap, 1 + Math.floor(steps / 4)));
}

export function estimateBudget(i: EstimateInput): BudgetEstimate {
  const margin = i.margin ?? DEFAULT_MARGIN;
  const fileTokens = Math.min(i.readTokens ?? READ_TOKENS, i.repo.bytes / Math.max(1, i.repo.files) / 4);
  const files = i.steps.reduce((n, s) => n + s.files.length, 0);
  const planTokens = PLAN_TOKENS_BASE + PLAN_TOKENS_PER_STEP * i.steps.length;
  const base = CONTRACT_TOKENS + (i.mapTokens ?? MAP_TOKENS) + planTokens;
  const devRun = (fileCount: number, stepCount: number): Run => ({
    turns: 2 * fileCount + stepCount + 1,
    base,
    growth: fileTokens,
    output: fileCount * (fileTokens / 2) + (2 * fileCount + stepCount + 1) * TOOL_CALL_TOKENS,
  });
  const diff = (share: number) => Math.min(i.diffTokens ?? DIFF_TOKENS, (files * fileTokens * share) / 2);
  const reviewRun = (share: number): Run => ({
    turns: REVIEW_TURNS + 1,
    base: CONTRACT_TOKENS + planTokens + diff(share),
    growth: fileTokens,
    output: REVIEW_OUTPUT_TOKENS,
  });
  const fixRounds = expectedFixRounds(i.steps.length, i.maxFixRounds ?? 3);
  const reviewers = Math.max(1, i.reviewers);
  const fixFiles = Math.ceil(files / 3);
  const rulings = Math.ceil(fixRounds / 2);

  const phases: PhaseEstimate[] = [
    phase("implementation", "developer", [devRun(files, i.steps.length)], 1, i.prices.developer),
    phase(
      "review",
      "reviewer",
      [reviewRun(1), ...Array.from({ length: fixRounds }, () => reviewRun(1 / 3))],
      reviewers,
      i.prices.reviewer,
    ),
  ];
  if (fixRounds > 0)
    phases.push(phase("fix rounds", "developer", [devRun(fixFiles, 1)], fixRounds, i.prices.developer));
  if (rulings > 0 && i.prices.architect)
    phases.push(
      phase(
        "rulings",
        "architect",
        [
          {
            turns: 2,
            base: CONTRACT_TOKENS + planTokens + diff(1),
            growth: fileTokens,
            output: RULING_OUTPUT_TOKENS,
          },
        ],
        rulings,
        i.prices.architect,
      ),
    );

  const tokens = phases.reduce((n, p) => n + p.inputTokens + p.outputTokens, 0);
  const priced = phases.every((p) => p.costUsd !== undefined);
  const est: BudgetEstimate = {
    phases,
    reviewRounds: 1 + fixRounds,
    fixRounds,
    reviewers,
    tokens,
    margin,
    limitTokens: Math.ceil(tokens * (1 + margin)),
  };
  if (priced) {
    est.costUsd = phases.reduce((n, p) => n + (p.costUsd ?? 0), 0);
    est.limitCostUsd = est.costUsd * (1 + margin);
  }
  return est;
}

export interface BudgetOverrun {
  what: "cost" | "tokens";
  spent: number;
  limit: number;
}

/**
 * Whether what was spent since approval is past what the approval allowed: the estimate plus
 * `margin`, plus any extra a maintainer granted (`/triad budget +N`). Cost is checked when both sides
 * have one, tokens always. Undefined while within.
 */
export function overEstimate(
  spent: { tokens: number; costUsd?: number },
  estimate: BudgetEstimate,
  margin: number = estimate.margin,
  extra: { tokens?: number; costUsd?: number } = {},
): BudgetOverrun | undefined {
  if (spent.costUsd !== undefined && estimate.costUsd !== undefined) {
    const limit = estimate.costUsd * (1 + margin) + (extra.costUsd ?? 0);
    if (spent.costUsd > limit) return { what: "cost", spent: spent.costUsd, limit };
  }
  const limit = Math.ceil(estimate.tokens * (1 + margin)) + (extra.tokens ?? 0);
  if (spent.tokens > limit) return { what: "tokens", spent: spent.tokens, limit };
  return undefined;
}

const tok = (n: number) =>
  n >= 1_000_000
    ? `${(n / 1_000_000).toFixed(1)}M`
    : n >= 1_000
      ? `${Math.round(n / 1_000)}k`
      : String(Math.round(n));
const usd = (n: number | undefined) =>
  n === undefined ? "—" : n < 0.1 ? `$${n.toFixed(3)}` : `$${n.toFixed(2)}`;

const LABEL: Record<Phase, (e: BudgetEstimate) => string> = {
  implementation: () => "Implementation",
  review: (e) =>
    `Review (${e.reviewRounds} round${e.reviewRounds === 1 ? "" : "s"} × ${e.reviewers} reviewer${e.reviewers === 1 ? "" : "s"})`,
  "fix rounds": (e) => `Fix rounds (${e.fixRounds} expected)`,
  rulings: () => "Architect rulings",
};

/** The estimate as a section of the plan comment. */
export function renderEstimate(e: BudgetEstimate): string {
  const rows = e.phases.map(
    (p) =>
      `| ${LABEL[p.phase](e)} | ${p.role} | ${tok(p.inputTokens)} / ${tok(p.outputTokens)} | ${usd(p.costUsd)} |`,
  );
  const limit =
    e.limitCostUsd !== undefined
      ? `**${usd(e.limitCostUsd)}** (${tok(e.limitTokens)} tokens)`
      : `**${tok(e.limitTokens)} tokens**`;
  return [
    "### Budget estimate",
    "",
    "| Phase | Role | Tokens (input / output) | Cost |",
    "|---|---|---:|---:|",
    ...rows,
    `| **Total** | | **${tok(e.tokens)}** | **${usd(e.costUsd)}** |`,
    "",
    `Approving this plan approves spending up to ${limit}: the estimate plus ${Math.round(e.margin * 100)}%. Beyond that the workflow pauses and asks for \`/triad budget +N\` (N tokens) from someone with write access.`,
  ].join("\n");
}

/** Token counts and dollars as the estimate shows them (`12k`, `1.5M`; `$0.042`, `$3.10`). */
export { tok as formatTokens, usd as formatUsd };
