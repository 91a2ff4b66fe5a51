import type { StopReason } from "../types.js";

/**
 * Anthropic `stop_reason` → ours, the one place it is read. Values from the SDK's `StopReason`
 * (@anthropic-ai/sdk resources/messages/messages.d.ts): `pause_turn` belongs to server tools, which
 * triad does not use, so it counts as `other`.
 */
export function mapAnthropicStopReason(reason: string | null | undefined, hasToolCalls: boolean): StopReason {
  switch (reason) {
    case "end_turn":
    case "stop_sequence":
      return hasToolCalls ? "tool_use" : "end";
    case "tool_use":
      return "tool_use";
    case "max_tokens":
      return "max_tokens";
    case "refusal":
      return "refusal";
    case "model_context_window_exceeded":
      return "context_overflow";
    default:
      return "other";
  }
}
