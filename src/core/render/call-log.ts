/**
 * `/triad log`: the last step's model calls in one collapsed comment — role, model, the tools each
 * answer called with their (clipped) arguments, tokens, cost and time. Model-written parts (tool
 * names and arguments) arrive already made safe to show (the shell escapes them, src/text); this only
 * lays them out.
 */
export interface CallLogView {
  /** The step's job id (a review round's reviewers count as one step). */
  step: string;
  calls: Array<{
    role: string;
    /** `vendor:model`, as inline code. */
    model: string;
    /** Each as inline code: the tool's name and its arguments. */
    toolCalls: Array<{ name: string; args: string }>;
    inputTokens: number;
    cachedInputTokens: number;
    outputTokens: number;
    costUsd?: number | undefined;
    durationMs: number;
    stopReason: string;
  }>;
}

/** GitHub refuses comment bodies over 65,536 characters; the list stops short of it. */
const MAX_BODY = 60_000;

export function renderCallLog(log: CallLogView | undefined): string {
  if (!log || log.calls.length === 0)
    return "No model call is recorded for this workflow yet (calls are kept for 30 days).";
  const tokens = log.calls.reduce((n, c) => n + c.inputTokens + c.outputTokens, 0);
  const priced = log.calls.filter((c) => c.costUsd !== undefined);
  const cost = priced.reduce((n, c) => n + (c.costUsd ?? 0), 0);
  const ms = log.calls.reduce((n, c) => n + c.durationMs, 0);
  const roles = [...new Set(log.calls.map((c) => c.role))].join(", ");
  const summary = [
    `${log.calls.length} model call${log.calls.length === 1 ? "" : "s"} of the last step (${roles})`,
    `${tokens.toLocaleString("en-US")} tokens`,
    ...(priced.length > 0 ? [usd(cost)] : []),
    seconds(ms),
  ].join(" · ");
  const head = [`<details><summary>${summary}</summary>`, "", `Step \`${log.step}\`:`, ""];
  const tail = ["", "</details>"];
  const lines: string[] = [];
  let size = head.join("\n").length + tail.join("\n").length;
  for (const [i, c] of log.calls.entries()) {
    const entry = [
      `${i + 1}. **${c.role}** · ${c.model} · ${c.inputTokens.toLocaleString("en-US")} in` +
        (c.cachedInputTokens > 0 ? ` (${c.cachedInputTokens.toLocaleString("en-US")} cached)` : "") +
        ` / ${c.outputTokens.toLocaleString("en-US")} out` +
        (c.costUsd !== undefined ? ` · ${usd(c.costUsd)}` : "") +
        ` · ${seconds(c.durationMs)} · stop: ${c.stopReason}`,
      ...(c.toolCalls.length === 0
        ? ["   - no tool call (a final answer)"]
        : c.toolCalls.map((t) => `   - ${t.name} ${t.args}`)),
    ].join("\n");
    if (size + entry.length + 1 > MAX_BODY) {
      lines.push(
        `… ${log.calls.length - i} more call${log.calls.length - i === 1 ? "" : "s"} not shown (too long for one comment).`,
      );
      break;
    }
    lines.push(entry);
    size += entry.length + 1;
  }
  return [...head, ...lines, ...tail].join("\n");
}

function usd(n: number): string {
  return `$${n < 0.01 ? n.toFixed(4) : n.toFixed(2)}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
