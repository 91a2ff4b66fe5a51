/**
 * What a human comment asks for: an approval, a `/triad` command, or just words for the architect.
 * Pure, so the rules are tested without GitHub.
 */
export type CommandName = "status" | "replan" | "stop" | "retry" | "fix" | "ignore";

export const COMMANDS: readonly CommandName[] = ["status", "replan", "stop", "retry", "fix", "ignore"];

export type CommentIntent =
  | { type: "approval" }
  | { type: "command"; name: CommandName; args: string }
  | { type: "unknown_command"; text: string }
  | { type: "message" };

/** Lower case, letters and digits only: "Approved!" and "approved." both become "approved". */
function normaliseWords(line: string): string {
  return line
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

export function classifyComment(body: string, approvalWords: readonly string[]): CommentIntent {
  const firstLine = body.replace(/\r\n?/g, "\n").trimStart().split("\n", 1)[0] ?? "";
  const command = /^\/triad\b\s*(\S*)\s*(.*)$/i.exec(firstLine.trim());
  if (command) {
    const name = (command[1] ?? "").toLowerCase();
    if ((COMMANDS as readonly string[]).includes(name)) {
      return { type: "command", name: name as CommandName, args: (command[2] ?? "").trim() };
    }
    return { type: "unknown_command", text: firstLine.trim() };
  }
  const words = normaliseWords(firstLine);
  if (words && approvalWords.some((w) => normaliseWords(w) === words)) return { type: "approval" };
  return { type: "message" };
}

export const COMMAND_HELP = [
  "`/triad status` — where the workflow is, the plan version and the usage so far",
  "`/triad replan` — ask the architect for a new plan from the thread as it is now",
  "`/triad stop` — end the workflow (the label is removed)",
  "`/triad retry` — run the step that failed again",
].join("\n");
