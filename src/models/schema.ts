import { z } from "zod";
import type { JsonSchema, ToolDefinition, ToolSpec } from "./types.js";

/** zod → JSON schema (draft 2020-12) without the `$schema` key, which some vendors reject. */
export function toJsonSchema(schema: z.ZodType, io: "input" | "output" = "output"): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  return rest;
}

/** Tool inputs are what the model writes, so defaults and optionals are taken from the input side. */
export function toToolSpec(tool: Pick<ToolDefinition<unknown>, "name" | "description" | "input">): ToolSpec {
  return { name: tool.name, description: tool.description, inputSchema: toJsonSchema(tool.input, "input") };
}

/**
 * True when the schema meets OpenAI's strict structured-output rules (every object closed and every
 * property required). Strict mode is used only then; otherwise the vendor would refuse the schema.
 */
export function isStrictCompatible(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.every(isStrictCompatible);
  if (!schema || typeof schema !== "object") return true;
  const node = schema as Record<string, unknown>;
  if (node.type === "object" || node.properties) {
    const properties = (node.properties ?? {}) as Record<string, unknown>;
    const required = new Set((node.required as string[] | undefined) ?? []);
    if (node.additionalProperties !== false) return false;
    if (Object.keys(properties).some((key) => !required.has(key))) return false;
  }
  return Object.entries(node).every(([key, value]) => key === "required" || isStrictCompatible(value));
}

/** Pulls a JSON value out of a model's text: bare JSON, or inside a ``` fence, or between outer braces. */
export function extractJson(text: string): unknown {
  const trimmed = text.trim();
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(trimmed);
  const candidates = [trimmed, fenced?.[1]?.trim()];
  const first = trimmed.search(/[[{]/);
  const last = Math.max(trimmed.lastIndexOf("}"), trimmed.lastIndexOf("]"));
  if (first >= 0 && last > first) candidates.push(trimmed.slice(first, last + 1));
  let lastError: unknown;
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      return JSON.parse(candidate);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError ?? new SyntaxError("empty answer");
}
