import { isUtf8 } from "node:buffer";
import { z } from "zod";
import { type ToolDefinition, ToolInputError } from "../models/types.js";
import type { Overlay } from "./overlay.js";
import { checkWritePath, type WritePolicy } from "./path-policy.js";

/**
 * The developer's write tools: `write_file`, `edit_file` (exact-match replace) and `delete_file`.
 * Every call passes the path policy first; a refusal, a missing or ambiguous match is a
 * `ToolInputError` the model reads, nothing is written, and the loop goes on.
 */

const writeInput = z.object({
  path: z.string().describe("File path relative to the repository root, e.g. src/retry.ts"),
  content: z.string().describe("The complete new content of the file"),
});

const editInput = z.object({
  path: z.string().describe("File path relative to the repository root"),
  old_string: z
    .string()
    .describe(
      "Exact text to replace, including whitespace and indentation; must occur exactly once unless replace_all is true",
    ),
  new_string: z.string().describe("The text to put in its place"),
  replace_all: z.boolean().optional().describe("Replace every occurrence instead of requiring exactly one"),
});

const deleteInput = z.object({
  path: z.string().describe("File path relative to the repository root"),
});

export type WriteFileInput = z.infer<typeof writeInput>;
export type EditFileInput = z.infer<typeof editInput>;
export type DeleteFileInput = z.infer<typeof deleteInput>;

function allowed(path: string, policy: WritePolicy, size?: number): string {
  const check = checkWritePath(path, policy, size);
  if (!check.ok) throw new ToolInputError(`${check.reason} Nothing was written.`);
  return check.path;
}

/** Refuses a write that would turn a directory into a file, or put a file under a file. */
function assertNoTreeConflict(overlay: Overlay, path: string): void {
  const segments = path.split("/");
  for (let i = 1; i < segments.length; i++) {
    const parent = segments.slice(0, i).join("/");
    if (overlay.has(parent)) {
      throw new ToolInputError(
        `Cannot write "${path}": "${parent}" is a file, so it cannot contain other files. Choose another path. Nothing was written.`,
      );
    }
  }
  if (overlay.isDirectory(path)) {
    throw new ToolInputError(
      `Cannot write "${path}": it is a directory in the repository. Name a file inside it instead. Nothing was written.`,
    );
  }
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < index; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

function occurrences(text: string, needle: string): number[] {
  const found: number[] = [];
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) found.push(i);
  return found;
}

const squash = (s: string): string => s.trim().replace(/\s+/g, " ");

/** Dice coefficient over character bigrams: a cheap similarity for "did you mean" lines. */
function similarity(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length < 2 || b.length < 2) return 0;
  const grams = new Map<string, number>();
  for (let i = 0; i < a.length - 1; i++) {
    const g = a.slice(i, i + 2);
    grams.set(g, (grams.get(g) ?? 0) + 1);
  }
  let shared = 0;
  for (let i = 0; i < b.length - 1; i++) {
    const g = b.slice(i, i + 2);
    const n = grams.get(g) ?? 0;
    if (n > 0) {
      shared++;
      grams.set(g, n - 1);
    }
  }
  return (2 * shared) / (a.length - 1 + (b.length - 1));
}

/** The file lines most like the first non-blank line of `oldString`, numbered, for an error message. */
export function nearestLines(text: string, oldString: string, limit = 3): string {
  const wanted = squash(oldString.split("\n").find((l) => l.trim() !== "") ?? "");
  const lines = text.split("\n");
  const scored = lines
    .map((line, i) => ({ line: line.replace(/\r$/, ""), n: i + 1, score: similarity(squash(line), wanted) }))
    .filter((l) => l.score > 0.3)
    .sort((x, y) => y.score - x.score || x.n - y.n)
    .slice(0, limit)
    .sort((x, y) => x.n - y.n);
  if (scored.length === 0) return "";
  const width = String(scored.at(-1)?.n ?? 0).length;
  return scored.map((l) => `${String(l.n).padStart(width)}: ${l.line}`).join("\n");
}

interface EditResult {
  text: string;
  count: number;
  lines: number[];
}

/**
 * Applies an exact-match replacement, or throws a `ToolInputError` that says what to fix. Pure, so
 * the rules are tested without an overlay. A file with CRLF line ends also matches an `old_string`
 * written with plain `\n` (the model rarely reproduces `\r`); the replacement then uses CRLF too.
 */
export function applyEdit(path: string, text: string, input: Omit<EditFileInput, "path">): EditResult {
  const { old_string: oldString, new_string: newString, replace_all: replaceAll } = input;
  if (oldString === "") {
    throw new ToolInputError(
      `edit_file on "${path}": old_string is empty. Give the exact text to replace, or use write_file to write the whole file.`,
    );
  }
  if (oldString === newString) {
    throw new ToolInputError(
      `edit_file on "${path}": old_string and new_string are identical, so there is nothing to change.`,
    );
  }
  let needle = oldString;
  let replacement = newString;
  let found = occurrences(text, needle);
  if (found.length === 0 && text.includes("\r\n") && !oldString.includes("\r") && oldString.includes("\n")) {
    needle = oldString.replaceAll("\n", "\r\n");
    replacement = newString.replace(/\r?\n/g, "\r\n");
    found = occurrences(text, needle);
  }
  if (found.length === 0) {
    const near = nearestLines(text, oldString);
    const squashedHit = squash(text).includes(squash(oldString)) && squash(oldString) !== "";
    throw new ToolInputError(
      `edit_file on "${path}": old_string was not found in the file. It must match the current content exactly, including whitespace and indentation.` +
        (squashedHit ? " The text is there with different whitespace or line breaks; copy it exactly." : "") +
        (near ? `\nThe closest lines in the file are:\n${near}` : "") +
        "\nRead the file again with read_file and retry with the exact text.",
    );
  }
  const lines = found.map((index) => lineOf(text, index));
  if (found.length > 1 && !replaceAll) {
    throw new ToolInputError(
      `edit_file on "${path}": old_string occurs ${found.length} times (at lines ${lines.join(", ")}). ` +
        "Include more surrounding lines so it matches exactly once, or pass replace_all: true to replace every occurrence.",
    );
  }
  const next = replaceAll ? text.split(needle).join(replacement) : text.replace(needle, () => replacement);
  return { text: next, count: found.length, lines };
}

/** The write tools over `overlay`, each guarded by `policy`. */
export function writeTools(overlay: Overlay, policy: WritePolicy): ToolDefinition[] {
  const writeFile: ToolDefinition<WriteFileInput> = {
    name: "write_file",
    description:
      "Create a file or replace its whole content. Paths are relative to the repository root. Prefer edit_file for small changes to existing files.",
    input: writeInput,
    async run({ path: raw, content }) {
      const path = allowed(raw, policy, byteLength(content));
      assertNoTreeConflict(overlay, path);
      const existed = overlay.has(path);
      const before = overlay.read(path);
      if (before?.equals(Buffer.from(content, "utf8")))
        return `${path} already has this content; nothing changed.`;
      overlay.write(path, content);
      return `${existed ? "Replaced" : "Created"} ${path} (${byteLength(content)} bytes).`;
    },
  };

  const editFile: ToolDefinition<EditFileInput> = {
    name: "edit_file",
    description:
      "Replace an exact piece of text in an existing file. old_string must match the file exactly (whitespace included) and occur once, unless replace_all is true.",
    input: editInput,
    async run({ path: raw, ...edit }) {
      const path = allowed(raw, policy);
      const current = overlay.read(path);
      if (current === undefined) {
        throw new ToolInputError(`edit_file: "${path}" does not exist. Use write_file to create it.`);
      }
      if (current.subarray(0, 8000).includes(0) || !isUtf8(current)) {
        throw new ToolInputError(`edit_file: "${path}" is a binary file and cannot be edited as text.`);
      }
      const result = applyEdit(path, current.toString("utf8"), edit);
      allowed(path, policy, byteLength(result.text));
      overlay.write(path, result.text);
      const where =
        result.lines.length === 1 ? `line ${result.lines[0]}` : `lines ${result.lines.join(", ")}`;
      return `Edited ${path}: replaced ${result.count} occurrence${result.count === 1 ? "" : "s"} (${where}).`;
    },
  };

  const deleteFile: ToolDefinition<DeleteFileInput> = {
    name: "delete_file",
    description: "Delete a file. Paths are relative to the repository root.",
    input: deleteInput,
    async run({ path: raw }) {
      const path = allowed(raw, policy);
      if (!overlay.delete(path))
        throw new ToolInputError(`delete_file: "${path}" does not exist, so there is nothing to delete.`);
      return `Deleted ${path}.`;
    },
  };

  return [writeFile, editFile, deleteFile];
}
