/**
 * The commands and intents a comment can carry. Which one a comment carries is read from its first
 * visible line by `src/text/comment-intent.ts` (a Markdown parser, outside the core); the decisions
 * get the result as a fact.
 */
export type CommandName = "status" | "replan" | "stop" | "retry" | "fix" | "ignore" | "log" | "budget";

export const COMMANDS: readonly CommandName[] = [
  "status",
  "replan",
  "stop",
  "retry",
  "fix",
  "ignore",
  "log",
  "budget",
];

export type CommentIntent =
  | { type: "approval" }
  | { type: "command"; name: CommandName; args: string }
  | { type: "unknown_command"; text: string }
  | { type: "message" };

export const COMMAND_HELP = [
  "`/triad status` — where the workflow is, the plan version and the usage so far",
  "`/triad replan` — ask the architect for a new plan from the thread as it is now",
  "`/triad stop` — end the workflow (the label is removed)",
  "`/triad retry` — run the step that failed again",
  "`/triad log` — the last step's model calls: role, model, tool calls, tokens, cost, time",
  "`/triad budget +N` — raise the budget approved with the plan by N tokens (`+200k`, `+1.5M`) and resume a workflow paused for budget",
].join("\n");
