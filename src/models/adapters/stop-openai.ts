import type { StopReason } from "../types.js";

/**
 * Chat Completions `finish_reason` → ours (openai `ChatCompletion.Choice.finish_reason`:
 * stop | length | tool_calls | content_filter | function_call).
 */
export function mapChatFinishReason(reason: string | null | undefined, hasToolCalls: boolean): StopReason {
  switch (reason) {
    case "stop":
      return hasToolCalls ? "tool_use" : "end";
    case "tool_calls":
    case "function_call":
      return "tool_use";
    case "length":
      return "max_tokens";
    case "content_filter":
      return "safety";
    default:
      return hasToolCalls ? "tool_use" : "other";
  }
}

/**
 * Responses `status` / `incomplete_details.reason` → ours (openai `Response.status`,
 * `Response.IncompleteDetails.reason`: max_output_tokens | content_filter). A message whose content
 * is a `refusal` part is a refusal.
 */
export function mapResponsesStatus(
  status: string | null | undefined,
  incompleteReason: string | null | undefined,
  hasToolCalls: boolean,
  refused: boolean,
): StopReason {
  if (status === "incomplete") {
    if (incompleteReason === "max_output_tokens") return "max_tokens";
    if (incompleteReason === "content_filter") return "safety";
    return "other";
  }
  if (refused && !hasToolCalls) return "refusal";
  if (status === "completed" || status === undefined || status === null)
    return hasToolCalls ? "tool_use" : "end";
  return "other";
}
