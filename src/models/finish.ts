import { TriadError } from "../errors.js";
import { runToolLoop, type ToolLoopOptions } from "./tool-loop.js";

/**
 * A tool loop that must end with its finish tool. A model that answers in prose instead is told once
 * to submit; past the turn limit or the budget the step fails with a classified, final error (posted
 * once on the issue by the worker, with `/triad retry`).
 */
export async function runUntilFinished<F>(
  options: ToolLoopOptions<F> & { finishTool: NonNullable<ToolLoopOptions<F>["finishTool"]>; role: string },
): Promise<F> {
  let result = await runToolLoop(options);
  if (result.stopReason === "final") {
    result = await runToolLoop({
      ...options,
      messages: [
        ...result.transcript,
        {
          role: "user",
          content: `Hand in your result by calling the \`${options.finishTool.name}\` tool; a text answer is not read.`,
        },
      ],
      maxTurns: Math.max(1, options.maxTurns - result.turns),
    });
  }
  switch (result.stopReason) {
    case "finish_tool":
      return result.finish as F;
    case "budget":
      throw new TriadError(
        "budget_exceeded",
        `the ${options.role} stopped: ${result.budgetReason ?? "budget exceeded"}`,
      );
    case "max_turns":
      throw new TriadError(
        "model_output_invalid",
        `the ${options.role} did not finish within ${options.maxTurns} turns`,
      );
    default:
      throw new TriadError(
        "model_output_invalid",
        `the ${options.role} answered without calling \`${options.finishTool.name}\``,
      );
  }
}
