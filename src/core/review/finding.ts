import { createHash } from "node:crypto";
import type { Severity } from "../schemas/review.js";
import type { Side } from "../types.js";
import { tokens } from "./similarity.js";

/**
 * A finding as aggregation sees it, whatever raised it: a reviewer's (`ReviewFinding` is assignable),
 * a human's review comment or `/triad fix`, or a failed CI check. A finding without a path is about
 * the pull request as a whole.
 */
export interface FindingInput {
  path?: string | null;
  /** A verbatim line (or lines) of the new code; absent for a finding about the whole pull request. */
  anchor?: string | null;
  near_line?: number | null;
  /** A position that is already known (a human's review comment); skips anchor mapping. */
  line?: number;
  side?: Side;
  /**
   * Where the anchor (or the known line) sits in the diff: the file's new path and the lines. Set
   * by the shell from the parsed diff before aggregation; not part of the finding's key.
   */
  at?: { path: string; line?: number; side?: Side; startLine?: number };
  severity: Severity;
  message: string;
  suggestion?: string | null;
  plan_step?: number | null;
  conflicts_with_plan?: boolean;
}

/** Who raised a set of findings: a configured reviewer, a human, or the repository's CI. */
export type FindingOrigin = "reviewer" | "human" | "check";

/** One source's findings, the unit `aggregateFindings` takes. */
export interface FindingSet {
  /** The reviewer slot (`reviewer-1`), the human's login, or `check:<name>`. */
  reviewer: string;
  /** Default `reviewer`. Human and check findings are always agreed and come first. */
  origin?: FindingOrigin;
  findings: readonly FindingInput[];
}

/** Trimmed lines, inner whitespace squashed, blank lines and a copied `12 +` / `+` prefix dropped. */
export function normaliseAnchor(anchor: string | null | undefined): string {
  if (!anchor) return "";
  return anchor
    .split(/\r?\n/)
    .map((l) =>
      l
        .replace(/^\s*\d+ [ +]/, "")
        .trim()
        .replace(/\s+/g, " "),
    )
    .filter((l) => l !== "")
    .join("\n");
}

export function normalisePath(path: string | null | undefined): string {
  return (path ?? "").trim().replace(/^\.\//, "").replace(/^\/+/, "");
}

/** The severity-agnostic gist of a message: its content tokens, sorted (word order and case ignored). */
export function gist(message: string): string {
  return [...tokens(message)].sort().join(" ");
}

/**
 * A stable key for a finding: sha256 of normalised path, normalised anchor and gist, first 16 hex
 * digits. The severity is not part of it, so a finding re-rated in a later round keeps its key; a
 * finding reworded with other words gets a new one. The same key names the finding in a maintainer's
 * `/triad ignore` and in the earlier-rounds list.
 */
export function findingKey(f: Pick<FindingInput, "path" | "anchor" | "message">): string {
  return createHash("sha256")
    .update(`${normalisePath(f.path)}\n${normaliseAnchor(f.anchor)}\n${gist(f.message)}`, "utf8")
    .digest("hex")
    .slice(0, 16);
}
