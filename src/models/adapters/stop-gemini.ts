import type { StopReason } from "../types.js";

/**
 * Gemini `finishReason` → ours (@google/genai `FinishReason`). Every block or filter reason is a
 * safety stop; `MALFORMED_FUNCTION_CALL` is the model writing a call the API could not parse.
 */
export function mapGeminiFinishReason(
  reason: string | null | undefined,
  hasToolCalls: boolean,
  promptBlocked: boolean,
): StopReason {
  if (promptBlocked) return "safety";
  switch (reason) {
    case "STOP":
    case undefined:
    case null:
      return hasToolCalls ? "tool_use" : "end";
    case "MAX_TOKENS":
      return "max_tokens";
    case "SAFETY":
    case "RECITATION":
    case "BLOCKLIST":
    case "PROHIBITED_CONTENT":
    case "SPII":
    case "IMAGE_SAFETY":
    case "IMAGE_PROHIBITED_CONTENT":
      return "safety";
    case "MALFORMED_FUNCTION_CALL":
      return "malformed_tool_call";
    default:
      return "other";
  }
}
