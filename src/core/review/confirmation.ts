import type { ModelText } from "../model-text.js";
import type { AggregatedFinding } from "./aggregate.js";

/**
 * Cross-vendor confirmation (issue [12/12] item 6): a finding raised by reviewers of two different
 * model families is "confirmed by two vendors"; one raised by a single reviewer says so. Strong models
 * of different vendors still make correlated mistakes (Kim et al., ICML 2025), but two of the same
 * family agreeing is weaker evidence still, so two reviewers of one family are told apart from two
 * vendors. A family is what the model catalogue says is behind a reviewer slot (Claude via OpenRouter
 * is Anthropic); an unknown family never confirms anything.
 */

export type Confirmation =
  /** Raised by reviewers of at least two known, different families. */
  | { kind: "confirmed"; families: string[]; reviewers: string[] }
  /** Raised by several reviewers, but not of two known families. */
  | { kind: "same-vendor"; families: string[]; reviewers: string[] }
  | { kind: "single"; reviewer: string; family?: string }
  /** Raised only by a human or a CI check: no reviewer to confirm. */
  | { kind: "not-a-reviewer" };

const UNKNOWN = "unknown";

/** `familyOf`: reviewer slot (`reviewer-1`) → model family (`anthropic`, `openai`, …). */
export function confirmationOf(
  finding: Pick<AggregatedFinding, "members">,
  familyOf: Readonly<Record<string, string>>,
): Confirmation {
  const reviewers = [
    ...new Set(finding.members.filter((m) => m.origin === "reviewer").map((m) => m.reviewer)),
  ];
  if (reviewers.length === 0) return { kind: "not-a-reviewer" };
  const known = (slot: string) => {
    const f = familyOf[slot];
    return f && f !== UNKNOWN ? f : undefined;
  };
  if (reviewers.length === 1) {
    const reviewer = reviewers[0] as string;
    const family = known(reviewer);
    return family ? { kind: "single", reviewer, family } : { kind: "single", reviewer };
  }
  const families = [...new Set(reviewers.map(known).filter((f): f is string => f !== undefined))].sort();
  return families.length >= 2
    ? { kind: "confirmed", families, reviewers }
    : { kind: "same-vendor", families, reviewers };
}

/** Each finding's confirmation, by its key. */
export function confirmations(
  findings: readonly AggregatedFinding[],
  familyOf: Readonly<Record<string, string>>,
): Map<string, Confirmation> {
  return new Map(findings.map((f) => [f.key, confirmationOf(f, familyOf)]));
}

const NUMBER = ["zero", "one", "two", "three", "four", "five"];
const say = (n: number) => NUMBER[n] ?? String(n);

/** One line for a finding's comment or list entry; empty for a human's or a check's finding. */
export function confirmationNote(c: Confirmation, text: ModelText): string {
  switch (c.kind) {
    case "confirmed":
      return `✅ Confirmed by ${say(c.families.length)} vendors (${c.families.map((f) => text.line(f)).join(", ")})`;
    case "same-vendor": {
      const of =
        c.families.length === 1
          ? ` of one vendor (${text.line(c.families[0] ?? "")})`
          : " of unknown vendors";
      return `Raised by ${say(c.reviewers.length)} reviewers${of}: not an independent confirmation`;
    }
    case "single":
      return `Raised by one reviewer (${text.line(c.reviewer)}${c.family ? `, ${text.line(c.family)}` : ""})`;
    default:
      return "";
  }
}

/**
 * The round's findings with their confirmation marks, for the `triad/review` check run's summary
 * (written at every aggregation anyway, where a maintainer reads the round's result): empty with one
 * reviewer, when there is nothing to compare.
 */
export function confirmationSummary(
  findings: readonly AggregatedFinding[],
  familyOf: Readonly<Record<string, string>>,
  reviewerCount: number,
  text: ModelText,
): string {
  if (reviewerCount < 2) return "";
  const lines = findings.flatMap((f) => {
    const note = confirmationNote(confirmationOf(f, familyOf), text);
    if (!note) return [];
    const where = f.path ? text.code(`${f.path}${f.line ? `:${f.line}` : ""}`) : "the pull request";
    const first = (f.message.trim().split("\n")[0] ?? "").slice(0, 160);
    return [`- **${f.severity}** ${where} ${text.line(first)} — ${note}`];
  });
  return lines.length === 0 ? "" : ["#### Across reviewers", "", ...lines].join("\n");
}
