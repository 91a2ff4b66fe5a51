import { isMap, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { TriadError } from "../errors.js";
import { outputTokensSchema } from "../models/config.js";

/** Where the repository's configuration lives, read from the default branch. */
export const REPO_CONFIG_PATH = ".github/triad.yml";

const modelRef = z
  .string()
  .regex(
    /^(anthropic|openai|openai-compatible|google):\S+$/,
    "a model as vendor:model, e.g. anthropic:claude-sonnet-5-5",
  );

/**
 * `.github/triad.yml`. Written once here; `schema/triad.schema.json` is generated from it
 * (`npm run schema`) so editors can validate the file. Unknown keys are errors: a typo must not
 * silently fall back to a default.
 */
export const repoConfigSchema = z
  .object({
    trigger_label: z.string().min(1).default("triad").describe("Label that starts a workflow on an issue."),
    approval_words: z
      .array(z.string().min(1))
      .min(1)
      .default(["approved"])
      .describe("A maintainer's comment whose first line is one of these words approves the current plan."),
    commenters: z
      .enum(["collaborators", "anyone"])
      .default("collaborators")
      .describe("Whose comments the architect reads: repository collaborators only, or anyone."),
    models: z
      .object({
        architect: modelRef.optional(),
        developer: modelRef.optional(),
        reviewers: z.array(modelRef).min(1).max(2).optional(),
        output_tokens: outputTokensSchema
          .optional()
          .describe(
            "Output tokens per role for the first attempt of a model call (thinking included); a call that stops for length is retried once with up to twice as many, within the model's cap.",
          ),
      })
      .strict()
      .default({})
      .describe("Models per role as vendor:model; keys and base URLs come only from the deployment."),
    reviewers: z
      .number()
      .int()
      .min(1)
      .max(2)
      .default(1)
      .describe("How many reviewers review each round (two when the issue has the important label)."),
    important_label: z.string().min(1).default("triad:important"),
    max_fix_rounds: z.number().int().min(0).max(10).default(3),
    ci_timeout_minutes: z
      .number()
      .positive()
      .max(24 * 60)
      .default(30)
      .describe(
        "How long the reviewers wait for the repository's own CI checks on a new head before they start anyway (with a note). No checks: they start at once.",
      ),
    ci_checks: z
      .array(z.string().min(1))
      .optional()
      .describe(
        "Names of the check runs the reviewers wait for on each new head. Absent: the checks that ran on the default branch's head and those that register on the new head. [] never waits.",
      ),
    review_coverage_threshold: z
      .number()
      .min(0)
      .max(1)
      .default(0.9)
      .describe(
        'Share of the changed lines outside lock and generated files a review must have seen; below it the triad/review check is neutral ("not fully reviewed"), never success.',
      ),
    deny_paths: z
      .array(z.string().min(1))
      .default([])
      .describe("Globs the developer may never write (in addition to .github/workflows/**)."),
    read_deny: z
      .array(z.string().min(1))
      .default([])
      .describe(
        "Globs of files that hold secrets: hidden from every read tool and the repository map, never sent to a model, never written. Added to the defaults (.env, .env.*, *.pem, *.key, id_rsa*, *.p12, .npmrc, .aws/credentials, …); a glob starting with ! lifts one (e.g. !.env.test).",
      ),
    components: z
      .array(z.string().min(1))
      .default([])
      .describe("Globs that count as one component for the confidence-spiral guard."),
    max_file_bytes: z.number().int().min(1).max(10_000_000).default(1_000_000),
    nits_inline: z
      .boolean()
      .default(false)
      .describe(
        "Post nit findings as inline review comments. By default they are listed in the review body, so the diff's threads carry only what matters.",
      ),
    precision: z
      .object({
        fold_minor_below: z
          .number()
          .min(0)
          .max(1)
          .default(0.3)
          .describe(
            "A reviewer whose precision on this repository (findings fixed or confirmed by another vendor, against overruled) is below this share gets its minor and nit findings listed in the review body instead of inline. 0 turns it off.",
          ),
        min_judged: z
          .number()
          .int()
          .min(1)
          .default(10)
          .describe("Findings with a verdict a reviewer needs before its precision folds anything."),
      })
      .strict()
      .default({ fold_minor_below: 0.3, min_judged: 10 })
      .describe("Reviewer precision per repository, shown in /triad status, the merge summary and /metrics."),
    budgets: z
      .object({
        max_tokens: z.number().int().min(1).default(3_000_000),
        max_cost_usd: z.number().min(0).default(25),
      })
      .strict()
      .default({ max_tokens: 3_000_000, max_cost_usd: 25 }),
    budget_margin: z
      .number()
      .min(0)
      .max(10)
      .default(0.5)
      .describe(
        "How far past the plan's budget estimate an approval reaches (0.5 = 50%). Beyond it the workflow pauses until someone with write access comments `/triad budget +N` (N tokens).",
      ),
  })
  .strict();

export type RepoConfig = z.infer<typeof repoConfigSchema>;

export const defaultRepoConfig: RepoConfig = repoConfigSchema.parse({});

/**
 * Parse the file's text. Throws a `config_invalid` TriadError whose message says what is wrong and
 * where (line numbers), ready to post as an issue comment.
 */
export function parseRepoConfig(text: string | undefined): RepoConfig {
  if (text === undefined || text.trim() === "") return defaultRepoConfig;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => {
      const pos = lineCounter.linePos(e.pos[0]);
      return `line ${pos.line}: ${e.message.split("\n")[0]}`;
    });
    throw configError(lines);
  }
  const value = doc.toJS() ?? {};
  const result = repoConfigSchema.safeParse(value);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const path = issue.path.map(String);
    const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
    let node = path.length > 0 ? doc.getIn(path, true) : doc.contents;
    if (keys.length > 0 && (isMap(node) || node === doc.contents)) {
      const map = isMap(node) ? node : doc.contents;
      if (isMap(map)) {
        const pair = map.items.find((p) => String((p.key as { value?: unknown })?.value) === keys[0]);
        node = pair?.key ?? node;
      }
    }
    const range = (node as { range?: [number, number] } | undefined)?.range;
    const where = range ? `line ${lineCounter.linePos(range[0]).line}` : "top level";
    const name = path.length > 0 ? `\`${path.join(".")}\`` : "";
    if (keys.length > 0)
      return `${where}: unknown key${keys.length > 1 ? "s" : ""} ${keys.map((k) => `\`${k}\``).join(", ")}${name ? ` in ${name}` : ""}`;
    return `${where}: ${name ? `${name}: ` : ""}${issue.message}`;
  });
  throw configError(lines);
}

function configError(lines: string[]): TriadError {
  return new TriadError(
    "config_invalid",
    `\`${REPO_CONFIG_PATH}\` is not valid:\n${lines.map((l) => `- ${l}`).join("\n")}`,
  );
}

/** The JSON schema for editors (checked in as schema/triad.schema.json). */
export function repoConfigJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(repoConfigSchema, { io: "input", target: "draft-7" }),
    $id: "https://github.com/triad-app/triad/schema/triad.schema.json",
    title: "triad repository configuration (.github/triad.yml)",
  };
}
