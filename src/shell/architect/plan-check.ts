import type { z } from "zod";
import type { RepoConfig } from "../../config/repo-config.js";
import type { Plan } from "../../core/schemas/architect.js";
import type { FinishToolSpec } from "../../core/types.js";
import { protectedPathReason } from "../../repo/path-policy.js";

/**
 * A plan may only name files the developer may write (ARCHITECTURE §6, §8): never
 * `.github/workflows/**`, `.github/triad.yml`, `.github/triad/**`, the repository's `deny_paths`,
 * secret-looking files. A plan step that names one is refused when the architect submits it, with
 * the reason, so the architect revises the step before a maintainer ever sees it.
 */
export function planProblems(plan: Plan | null | undefined, config: RepoConfig): string[] {
  const problems: string[] = [];
  plan?.steps.forEach((step, i) => {
    for (const f of step.files) {
      const reason = protectedPathReason(f.path, {
        deny_paths: config.deny_paths,
        read_deny: config.read_deny,
      });
      if (reason)
        problems.push(
          `step ${i + 1} names ${JSON.stringify(f.path)}, which the developer may never write: ${reason}`,
        );
    }
  });
  return problems;
}

/** A finish tool whose plan (at `planOf`) is checked against the path policy as it is submitted. */
export function withPlanCheck<F>(
  tool: FinishToolSpec<F>,
  config: RepoConfig,
  planOf: (value: F) => Plan | null | undefined,
): FinishToolSpec<F> {
  const input = (tool.input as z.ZodType<F>).superRefine((value, ctx) => {
    for (const message of planProblems(planOf(value), config)) ctx.addIssue({ code: "custom", message });
  });
  return { ...tool, input: input as z.ZodType<F> };
}
