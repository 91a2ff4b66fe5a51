/**
 * GitHub's size limits on what is written and on the diffs it serves (`limits.bodies`,
 * `limits.diffs`). Lengths are counted in code points, GitHub's "characters" for PR and issue bodies
 * (dead-claudia/github-limits#13: a PR body "of more than 65536 codepoints" fails, ASCII or astral).
 * Issue comments were measured at 262,144 UTF-8 bytes by the same source while GitHub's message still
 * says 65,536 characters; the simulator holds every body to 65,536 code points, the stricter reading,
 * so a body that passes here passes on GitHub.
 */
import type { FileChange } from "./diff.js";
import { HttpError, type SimContext } from "./http.js";

export const BODY_MAX_CHARS = 65_536;
export const CHECK_RUN_OUTPUT_MAX_CHARS = 65_535;
export const DIFF_MAX_FILES = 300;
export const DIFF_MAX_LINES = 20_000;
export const COMPARE_MAX_FILES = 300;
export const PULL_FILES_MAX = 3_000;

export function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n += 1;
  return n;
}

const tooLong = (b: string | null | undefined) => typeof b === "string" && codePoints(b) > BODY_MAX_CHARS;

/**
 * Issue and pull-request bodies: 422 `{"resource":"Issue","code":"custom","field":"body","message":"body is
 * too long (maximum is 65536 characters)"}` for both (renovatebot/renovate#2032,
 * potproject/code-agent#3 on pulls.create, trstringer/manual-approval#89 on issues.create).
 */
export function checkIssueBody(sim: SimContext, body: string | null | undefined, docs: string): void {
  if (!sim.behaviour.limits.bodies || !tooLong(body)) return;
  throw new HttpError(
    422,
    "Validation Failed",
    [
      {
        resource: "Issue",
        code: "custom",
        field: "body",
        message: `body is too long (maximum is ${BODY_MAX_CHARS} characters)`,
      },
    ],
    docs,
  );
}

/**
 * Issue comments: 422 `{"resource":"IssueComment","code":"unprocessable","field":"data","message":"Body is
 * too long (maximum is 65536 characters)"}` (jmikedupont2/ai-ticket#51, reg-viz/reg-actions#123,
 * suzuki-shunsuke/github-comment#125 — the same for edits).
 */
export function checkCommentBody(sim: SimContext, body: string, docs: string): void {
  if (!sim.behaviour.limits.bodies || !tooLong(body)) return;
  throw new HttpError(
    422,
    "Validation Failed",
    [
      {
        resource: "IssueComment",
        code: "unprocessable",
        field: "data",
        message: `Body is too long (maximum is ${BODY_MAX_CHARS} characters)`,
      },
    ],
    docs,
  );
}

/**
 * Reviews, their inline comments and replies: 422 "Unprocessable Entity" with the message as a
 * plain string in `errors` (reviewdog/reviewdog#1065: `[{Resource: Field: Code: Message:Body is too
 * long (maximum is 65536 characters)}]`, go-github's rendering of a string error).
 */
export function checkReviewBodies(sim: SimContext, bodies: Array<string | undefined>, docs: string): void {
  if (!sim.behaviour.limits.bodies || !bodies.some(tooLong)) return;
  throw new HttpError(
    422,
    "Unprocessable Entity",
    [`Body is too long (maximum is ${BODY_MAX_CHARS} characters)`],
    docs,
  );
}

/**
 * Check-run `output.summary` and `output.text`: 422 `Invalid request.\n\nOnly 65535 characters are
 * allowed; 68794 were supplied.` (reviewdog/action-languagetool#26, PATCH check-runs;
 * mergeability/mergeable#749). openapi: "summary … Maximum length: 65535 characters".
 */
export function checkCheckRunOutput(sim: SimContext, output: unknown, docs: string): void {
  if (!sim.behaviour.limits.bodies || !output || typeof output !== "object") return;
  for (const key of ["summary", "text"]) {
    const v = (output as Record<string, unknown>)[key];
    if (typeof v !== "string") continue;
    const n = codePoints(v);
    if (n > CHECK_RUN_OUTPUT_MAX_CHARS) {
      throw new HttpError(
        422,
        `Invalid request.\n\nOnly ${CHECK_RUN_OUTPUT_MAX_CHARS} characters are allowed; ${n} were supplied.`,
        undefined,
        docs,
      );
    }
  }
}

/**
 * The diff and patch media types of pull requests and comparisons: 406 above 300 files
 * (`{"message":"Sorry, the diff exceeded the maximum number of files (300). Consider using 'List pull
 * requests files' API or locally cloning the repository instead.","errors":[{"resource":"PullRequest","field":"diff","code":"too_large"}],"documentation_url":"https://docs.github.com/rest/pulls/pulls#list-pull-requests-files","status":"406"}`,
 * truongnh1992/gemini-ai-code-reviewer#51; github/docs#8124: "should be 300") or above 20,000 lines
 * ("In a pull request, no total diff may exceed 20,000 lines", github/docs#9078). The lines message is
 * written after the files one; no recorded answer for it was found. Lines are the diff's own lines.
 */
export function checkDiffSize(sim: SimContext, files: FileChange[], diff: string): void {
  if (!sim.behaviour.limits.diffs) return;
  const lines = diff === "" ? 0 : diff.split("\n").length - (diff.endsWith("\n") ? 1 : 0);
  const over =
    files.length > DIFF_MAX_FILES
      ? `files (${DIFF_MAX_FILES})`
      : lines > DIFF_MAX_LINES
        ? `lines (${DIFF_MAX_LINES})`
        : undefined;
  if (!over) return;
  throw new HttpError(
    406,
    `Sorry, the diff exceeded the maximum number of ${over}. Consider using 'List pull requests files' API or locally cloning the repository instead.`,
    [{ resource: "PullRequest", field: "diff", code: "too_large" }],
    "https://docs.github.com/rest/pulls/pulls#list-pull-requests-files",
  );
}
