import { TriadError } from "../errors.js";
import { runToolLoop, type ToolLoopOptions } from "./tool-loop.js";

/**
 * Where a step keeps the finish tool's result of a model run that completed, so that a retried job
 * (a crash or a failed GitHub write after the model finished) reuses it instead of buying the same
 * model work again. The step runner persists it (e.g. in the workflow state) before its GitHub writes.
 */
export interface FinishCheckpoint<F> {
  load(): Promise<F | undefined>;
  save(value: F): Promise<void>;
}

export type RunUntilFinishedOptions<F> = ToolLoopOptions<F> & {
  finishTool: NonNullable<ToolLoopOptions<F>["finishTool"]>;
  role: string;
  /** A saved result is returned without a model call; a new one is saved before it is returned. */
  checkpoint?: FinishCheckpoint<F>;
};

/**
 * A tool loop that must end with its finish tool. A model that answers in prose instead is told once
 * to submit; past the turn limit or the budget the step fails with a classified, final error (posted
 * once on the issue by the worker, with `/triad retry`). Length stops, refusals, context overflow and
 * safety stops end it at once with their own named errors (src/models/stops.ts): no spinning to
 * `maxTurns`.
 */
export async function runUntilFinished<F>(options: RunUntilFinishedOptions<F>): Promise<F> {
  const saved = await options.checkpoint?.load();
  if (saved !== undefined) {
    options.log?.info({ role: options.role }, "model step already finished; reusing its result");
    return saved;
  }
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
    case "finish_tool": {
      const value = result.finish as F;
      await options.checkpoint?.save(value);
      return value;
    }
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
        `the ${options.role} answered twice without calling \`${options.finishTool.name}\``,
      );
  }
}
