import type { ChatMessage, SystemBlock } from "../../models/types.js";
import { quoteUntrusted } from "../../text/sanitize.js";
import type { Thread } from "../thread.js";

/**
 * The architect's prompt. Layout for prompt caching (ARCHITECTURE §4): the stable prefix first —
 * contract, then repository facts, with a cache breakpoint — then the thread, which grows each turn.
 * Everything a human wrote is quoted as data inside delimiters (src/workflow/sanitize.ts); the code
 * adds facts here, never rules: the rules are the contract's.
 */
export interface ArchitectPromptInput {
  contract: string;
  repo: { fullName: string; defaultBranch: string; sha: string };
  repoMap: string;
  thread: Thread;
  /** The highest comment id the architect has already read (newer ones are marked new). */
  seenCommentId: number;
  latestPlanVersion: number;
  reason: string;
}

const BODY_LIMIT = 20_000;
const COMMENT_LIMIT = 8_000;

export function buildArchitectPrompt(input: ArchitectPromptInput): {
  system: SystemBlock[];
  messages: ChatMessage[];
} {
  const system: SystemBlock[] = [
    { text: input.contract.trim() },
    {
      text: [
        `# Repository ${input.repo.fullName}`,
        `Default branch \`${input.repo.defaultBranch}\` at ${input.repo.sha}. Your tools (list_files, read_file, search) read this commit.`,
        "",
        input.repoMap.trim(),
      ].join("\n"),
      cache: true,
    },
  ];

  const { issue } = input.thread;
  const parts = [
    `# Issue #${issue.number}, opened by @${issue.author}`,
    "",
    quoteUntrusted(
      `issue #${issue.number} by @${issue.author}`,
      `Title: ${oneLine(issue.title)}\n\n${issue.body || "(no description)"}`,
      {
        maxChars: BODY_LIMIT,
      },
    ),
    "",
    "# The thread so far (oldest first)",
  ];
  if (input.thread.entries.length === 0) parts.push("", "(no comments yet)");
  for (const entry of input.thread.entries) {
    parts.push("");
    if (entry.kind === "architect") {
      parts.push(`## Your earlier output (comment ${entry.id})`, "", entry.body);
    } else if (entry.kind === "developer") {
      parts.push(`## The developer's report (comment ${entry.id})`, "", entry.body);
    } else {
      const fresh = entry.id > input.seenCommentId ? " — NEW since your last output" : "";
      parts.push(
        `## Comment ${entry.id} by @${entry.author} (${entry.permission ?? "unknown"} access)${fresh}`,
        "",
        quoteUntrusted(`comment ${entry.id} by @${entry.author}`, entry.body, { maxChars: COMMENT_LIMIT }),
      );
    }
  }
  if (input.thread.skipped > 0) {
    parts.push(
      "",
      `(${input.thread.skipped} comment(s) by people without access to the repository are not shown.)`,
    );
  }
  parts.push(
    "",
    "# This turn",
    `- Why you are called: ${input.reason}.`,
    `- Latest plan posted: ${input.latestPlanVersion > 0 ? `v${input.latestPlanVersion}` : "none"}; a plan you submit now becomes v${input.latestPlanVersion + 1}.`,
    "- Submit your result with the `submit` tool.",
  );
  return { system, messages: [{ role: "user", content: parts.join("\n") }] };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim().slice(0, 300);
}
