import { toStrictJsonSchema } from "openai/lib/transform";
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
 * The keywords OpenAI's strict mode accepts (platform.openai.com/docs/guides/structured-outputs,
 * "Supported schemas": strings `pattern`, `format`; numbers `multipleOf`, `minimum`, `maximum`,
 * `exclusiveMinimum`, `exclusiveMaximum`; arrays `minItems`, `maxItems`; plus the structural ones).
 * `default` is not among them.
 */
const STRICT_KEYWORDS = new Set([
  "type",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "enum",
  "const",
  "anyOf",
  "$ref",
  "$defs",
  "definitions",
  "description",
  "title",
  "pattern",
  "format",
  "multipleOf",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minItems",
  "maxItems",
]);

/**
 * Gemini's documented JSON-schema subset (@google/genai `responseJsonSchema` doc: `$id`, `$defs`,
 * `$ref`, `$anchor`, `type`, `format`, `title`, `description`, `enum`, `items`, `prefixItems`,
 * `minItems`, `maxItems`, `minimum`, `maximum`, `anyOf`, `oneOf`, `properties`,
 * `additionalProperties`, `required`, `propertyOrdering`).
 */
const GEMINI_KEYWORDS = new Set([
  "$id",
  "$defs",
  "$ref",
  "$anchor",
  "type",
  "format",
  "title",
  "description",
  "enum",
  "items",
  "prefixItems",
  "minItems",
  "maxItems",
  "minimum",
  "maximum",
  "anyOf",
  "oneOf",
  "properties",
  "additionalProperties",
  "required",
  "propertyOrdering",
]);

/** Keywords whose value is a schema, or a map or list of schemas. */
const CHILD_SCHEMA = new Set(["items", "additionalProperties", "not"]);
const CHILD_MAP = new Set(["properties", "$defs", "definitions"]);
const CHILD_LIST = new Set(["anyOf", "oneOf", "allOf", "prefixItems"]);

type Node = Record<string, unknown>;
/** Converted nodes whose source had a `default` (the property may be made required). */
const HAD_DEFAULT = new WeakSet<object>();
const isNode = (value: unknown): value is Node =>
  Boolean(value) && typeof value === "object" && !Array.isArray(value);

/** A constraint a vendor cannot enforce, said in words so the model still reads it. */
function describeKeyword(key: string, value: unknown): string {
  switch (key) {
    case "minLength":
      return `at least ${value} character${value === 1 ? "" : "s"}`;
    case "maxLength":
      return `at most ${value} characters`;
    case "exclusiveMinimum":
      return `greater than ${value}`;
    case "exclusiveMaximum":
      return `less than ${value}`;
    case "default":
      return `default ${JSON.stringify(value)}`;
    case "const":
      return `exactly ${JSON.stringify(value)}`;
    default:
      return `${key}: ${JSON.stringify(value)}`;
  }
}

/** Copies a schema keeping `allowed` keywords; the others become words in `description`. */
function keepKeywords(
  schema: unknown,
  allowed: ReadonlySet<string>,
  mapNode?: (node: Node) => Node,
): unknown {
  if (Array.isArray(schema)) return schema.map((item) => keepKeywords(item, allowed, mapNode));
  if (!isNode(schema)) return schema;
  const out: Node = {};
  const moved: string[] = [];
  for (const [key, value] of Object.entries(schema)) {
    if (CHILD_MAP.has(key) && isNode(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, child]) => [name, keepKeywords(child, allowed, mapNode)]),
      );
    } else if (CHILD_LIST.has(key) && Array.isArray(value)) {
      out[key] = value.map((child) => keepKeywords(child, allowed, mapNode));
    } else if (CHILD_SCHEMA.has(key) && isNode(value)) {
      out[key] = keepKeywords(value, allowed, mapNode);
    } else if (key === "$schema") {
      // dropped: some vendors refuse it
    } else if (allowed.has(key) || (key === "required" && Array.isArray(value))) {
      out[key] = value;
    } else if (key === "const" && allowed.has("enum")) {
      out.enum = [value];
    } else {
      moved.push(describeKeyword(key, value));
    }
  }
  if ("default" in schema) HAD_DEFAULT.add(out);
  if (moved.length) {
    const note = `(${moved.join("; ")})`;
    out.description = typeof out.description === "string" ? `${out.description} ${note}` : note;
  }
  return mapNode ? mapNode(out) : out;
}

const isNullable = (node: Node): boolean =>
  node.type === "null" ||
  (Array.isArray(node.type) && node.type.includes("null")) ||
  (Array.isArray(node.anyOf) && node.anyOf.some((branch) => isNode(branch) && isNullable(branch)));

/**
 * The schema as OpenAI strict mode takes it, or undefined when it cannot be: keywords outside the
 * strict subset move into descriptions (zod still checks them on our side), every object is closed
 * and lists every property as required. A property that was optional must already accept null
 * (`.nullish()` in zod) or have a default (then the model must send it); otherwise strict mode would
 * force a value the tool does not want, and the schema is sent non-strict.
 */
export function toStrictSchema(schema: JsonSchema): JsonSchema | undefined {
  if (schema.type !== "object") return undefined;
  let convertible = true;
  const closed = keepKeywords(schema, STRICT_KEYWORDS, (node) => {
    if (node.type !== "object" && !node.properties) return node;
    const properties = isNode(node.properties) ? node.properties : {};
    const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
    for (const [key, child] of Object.entries(properties)) {
      if (required.has(key) || !isNode(child)) continue;
      if (!isNullable(child) && !HAD_DEFAULT.has(child)) convertible = false;
    }
    return { ...node, properties, required: Object.keys(properties), additionalProperties: false };
  }) as JsonSchema;
  return convertible && isStrictCompatible(closed) ? closed : undefined;
}

/** Gemini's documented subset; other keywords move into descriptions. */
export function toGeminiSchema(schema: JsonSchema): JsonSchema {
  return keepKeywords(schema, GEMINI_KEYWORDS) as JsonSchema;
}

function strictNode(node: unknown): boolean {
  if (Array.isArray(node)) return node.every(strictNode);
  if (!isNode(node)) return true;
  for (const [key, value] of Object.entries(node)) {
    if (!STRICT_KEYWORDS.has(key)) return false;
    if (CHILD_MAP.has(key)) {
      if (!isNode(value) || !Object.values(value).every(strictNode)) return false;
    } else if ((CHILD_LIST.has(key) || CHILD_SCHEMA.has(key)) && !strictNode(value)) return false;
  }
  if (node.type === "object" || node.properties) {
    const properties = isNode(node.properties) ? node.properties : {};
    const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
    if (node.additionalProperties !== false) return false;
    if (Object.keys(properties).some((key) => !required.has(key))) return false;
  }
  return true;
}

/**
 * True when OpenAI strict mode accepts the schema as it is: an object root (not a union), only
 * supported keywords (no `default`, no `minLength`), every object closed with every property
 * required, and openai's own strict conversion (`toStrictJsonSchema`, behind `zodResponsesFunction`)
 * finds nothing to refuse.
 */
export function isStrictCompatible(schema: unknown): boolean {
  if (!isNode(schema) || schema.type !== "object" || schema.anyOf !== undefined) return false;
  if (!strictNode(schema)) return false;
  try {
    toStrictJsonSchema(structuredClone(schema) as never);
    return true;
  } catch {
    return false;
  }
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
