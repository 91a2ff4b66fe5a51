/**
 * Read-only tools over a repository view: `list_files`, `read_file`, `search`. They run locally on a
 * `FileView` (a snapshot, or the developer's overlay over one); no API call per file. Problems the model
 * can fix (bad path, no such file, invalid regex) are thrown as `ToolInputError`.
 *
 * Files that look like secrets (`read_deny`, `src/repo/path-policy.ts`) do not exist for these tools:
 * not listed, not searched, and `read_file` says it will not read them. `search` runs the model's
 * regular expression on RE2 (re2js, a pure-JavaScript port), whose matching time is linear in the
 * input: a pattern like `(a+)+$` cannot hold the event loop (and the workflow's lock) for seconds.
 */
import picomatch from "picomatch";
import { RE2JS } from "re2js";
import { z } from "zod";
import { type ToolDefinition, ToolInputError } from "../models/types.js";
import { classifyFile, type FileKind, vendoredRoot } from "./file-kinds.js";
import { readDenyGlob, readDenyReason } from "./path-policy.js";
import { comparePaths } from "./snapshot.js";
import type { FileView } from "./view.js";

/** What the read tools may show. */
export interface ReadPolicy {
  /** The repository's `read_deny` globs, on top of `DEFAULT_READ_DENY` (which always applies). */
  readDeny?: readonly string[];
}

/**
 * `view` without the files that look like secrets: they are neither listed nor readable. The read
 * tools and the repository map use it; so can anything else that shows repository files to a model.
 */
export function withoutSecretFiles(view: FileView, readDeny: readonly string[] = []): FileView {
  const hidden = new Map<string, boolean>();
  const isHidden = (path: string) => {
    let known = hidden.get(path);
    if (known === undefined) {
      known = readDenyGlob(path, readDeny) !== undefined;
      hidden.set(path, known);
    }
    return known;
  };
  return {
    list: () => [...view.list()].filter((path) => !isHidden(path)),
    read: (path) => (isHidden(path) ? undefined : view.read(path)),
  };
}

export interface ReadToolLimits {
  /** Lines `read_file` shows when no end_line is given (default 400). */
  readLines: number;
  /** Characters `read_file` returns at most (default 24,000). */
  readChars: number;
  /** A longer line is cut (default 2,000 characters). */
  lineChars: number;
  /** Entries `list_files` returns at most (default 1,000). */
  listEntries: number;
  /** Default and maximum of `search`'s max_results (defaults 50 and 200). */
  searchDefault: number;
  searchMax: number;
  /** Characters of a matching line shown (default 240). */
  matchChars: number;
  /** `search` stops scanning after this many milliseconds (default 3,000). */
  searchMillis: number;
}

export const DEFAULT_READ_TOOL_LIMITS: ReadToolLimits = {
  readLines: 400,
  readChars: 24_000,
  lineChars: 2_000,
  listEntries: 1_000,
  searchDefault: 50,
  searchMax: 200,
  matchChars: 240,
  searchMillis: 3_000,
};

const listInput = z.object({
  path: z
    .string()
    .optional()
    .describe('Directory relative to the repository root; "" or omitted for the root.'),
  recursive: z
    .boolean()
    .optional()
    .describe("List every file below the directory, not only its direct entries."),
});
export type ListFilesInput = z.infer<typeof listInput>;

const readInput = z.object({
  path: z.string().describe("File path relative to the repository root."),
  start_line: z.number().int().min(1).optional().describe("First line to show (1-based, default 1)."),
  end_line: z.number().int().min(1).optional().describe("Last line to show (inclusive)."),
});
export type ReadFileInput = z.infer<typeof readInput>;

const searchInput = z.object({
  pattern: z
    .string()
    .min(1)
    .max(500)
    .describe(
      "Regular expression (RE2 syntax: like JavaScript's, without lookaround or backreferences), matched line by line. Start with (?i) to ignore case.",
    ),
  path_glob: z
    .string()
    .optional()
    .describe(
      'Only search files matching this glob, e.g. "src/**/*.ts"; a glob without "/" matches file names.',
    ),
  max_results: z.number().int().min(1).optional().describe("Most matching lines to return."),
});
export type SearchInput = z.infer<typeof searchInput>;

/** Normalize a model-given path: relative, `/`-separated, no `.`/`..` segments. "" is the root. */
export function normalizeToolPath(raw: string): string {
  const trimmed = raw.trim().replace(/\\/g, "/");
  if (trimmed.includes("\0")) throw new ToolInputError("Path contains a NUL character.");
  const segments: string[] = [];
  for (const segment of trimmed.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      throw new ToolInputError(
        `Path "${raw}" leaves the repository ("..") — use paths relative to the root.`,
      );
    }
    segments.push(segment);
  }
  return segments.join("/");
}

function sortedPaths(view: FileView): string[] {
  return [...view.list()].sort(comparePaths);
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

function kindTag(kind: FileKind): string {
  return kind === "source" ? "" : ` [${kind}]`;
}

function isDirectory(paths: readonly string[], dir: string): boolean {
  if (dir === "") return true;
  const prefix = `${dir}/`;
  return paths.some((p) => p.startsWith(prefix));
}

function notFound(paths: readonly string[], path: string): ToolInputError {
  const base = path.slice(path.lastIndexOf("/") + 1).toLowerCase();
  const similar = paths.filter((p) => p.slice(p.lastIndexOf("/") + 1).toLowerCase() === base).slice(0, 5);
  const hint =
    similar.length > 0 ? ` Files with that name: ${similar.join(", ")}.` : " Use list_files or search.";
  return new ToolInputError(`No file at "${path}".${hint}`);
}

function listFiles(view: FileView, input: ListFilesInput, limits: ReadToolLimits): string {
  const dir = normalizeToolPath(input.path ?? "");
  const paths = sortedPaths(view);
  if (dir !== "" && view.read(dir) !== undefined) {
    throw new ToolInputError(`"${dir}" is a file, not a directory; use read_file to read it.`);
  }
  if (!isDirectory(paths, dir))
    throw new ToolInputError(`No directory "${dir}". Use list_files without a path.`);
  const prefix = dir === "" ? "" : `${dir}/`;
  const below = paths.filter((p) => p.startsWith(prefix));
  const title = dir === "" ? "(repository root)" : `${dir}/`;
  const lines: string[] = [];
  let omitted = 0;

  const push = (line: string) => {
    if (lines.length < limits.listEntries) lines.push(line);
    else omitted++;
  };

  if (input.recursive) {
    // Vendored directories below the listed one are summarized, not expanded.
    const vendored = new Map<string, { files: number; bytes: number }>();
    for (const path of below) {
      const root = vendoredRoot(path);
      if (root !== undefined && root.length > dir.length) {
        const entry = vendored.get(root) ?? { files: 0, bytes: 0 };
        entry.files++;
        entry.bytes += view.read(path)?.length ?? 0;
        vendored.set(root, entry);
        continue;
      }
      const content = view.read(path);
      push(`${path}  ${formatBytes(content?.length ?? 0)}${kindTag(classifyFile(path, content))}`);
    }
    for (const [root, entry] of [...vendored].sort((a, b) => comparePaths(a[0], b[0]))) {
      push(`${root}/  (${entry.files} files, ${formatBytes(entry.bytes)}, vendored — not expanded)`);
    }
    const header = `${title} — ${below.length} files (recursive)`;
    const note = omitted > 0 ? `\n[${omitted} more entries not shown; list a subdirectory to see them]` : "";
    return `${header}\n${lines.join("\n")}${note}`;
  }

  const dirs = new Map<string, number>();
  const files: string[] = [];
  for (const path of below) {
    const rest = path.slice(prefix.length);
    const slash = rest.indexOf("/");
    if (slash === -1) files.push(path);
    else {
      const name = rest.slice(0, slash);
      dirs.set(name, (dirs.get(name) ?? 0) + 1);
    }
  }
  for (const [name, count] of [...dirs].sort((a, b) => comparePaths(a[0], b[0]))) {
    const vendoredTag = vendoredRoot(`${prefix}${name}/x`) === `${prefix}${name}` ? " [vendored]" : "";
    push(`${name}/  (${count} file${count === 1 ? "" : "s"})${vendoredTag}`);
  }
  for (const path of files) {
    const content = view.read(path);
    push(
      `${path.slice(prefix.length)}  ${formatBytes(content?.length ?? 0)}${kindTag(classifyFile(path, content))}`,
    );
  }
  const header = `${title} — ${dirs.size} directories, ${files.length} files`;
  const note = omitted > 0 ? `\n[${omitted} more entries not shown]` : "";
  return `${header}\n${lines.join("\n")}${note}`;
}

function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function readFile(view: FileView, input: ReadFileInput, limits: ReadToolLimits): string {
  const path = normalizeToolPath(input.path);
  if (path === "") throw new ToolInputError("read_file needs a file path; use list_files for directories.");
  const content = view.read(path);
  if (content === undefined) {
    const paths = sortedPaths(view);
    if (isDirectory(paths, path))
      throw new ToolInputError(`"${path}" is a directory; use list_files to list it.`);
    throw notFound(paths, path);
  }
  const kind = classifyFile(path, content);
  if (kind === "binary") {
    throw new ToolInputError(
      `"${path}" is a binary file (${formatBytes(content.length)}); it cannot be shown as text.`,
    );
  }
  const lines = splitLines(content.toString("utf8"));
  const total = lines.length;
  const tag = kindTag(kind);
  if (total === 0) return `${path} — empty file${tag}`;

  const start = input.start_line ?? 1;
  if (start > total) {
    throw new ToolInputError(`"${path}" has ${total} lines; start_line ${start} is past the end.`);
  }
  if (input.end_line !== undefined && input.end_line < start) {
    throw new ToolInputError(`end_line (${input.end_line}) is before start_line (${start}).`);
  }
  const wantedEnd = Math.min(total, input.end_line ?? start + limits.readLines - 1);
  const width = String(wantedEnd).length;
  const out: string[] = [];
  let chars = 0;
  let shownEnd = start - 1;
  for (let n = start; n <= wantedEnd; n++) {
    let line = lines[n - 1] as string;
    if (line.length > limits.lineChars) {
      line = `${line.slice(0, limits.lineChars)} … [line cut, ${line.length - limits.lineChars} more characters]`;
    }
    const rendered = `${String(n).padStart(width)}\t${line}`;
    if (chars + rendered.length + 1 > limits.readChars && out.length > 0) break;
    out.push(rendered);
    chars += rendered.length + 1;
    shownEnd = n;
  }
  const header = `${path} — lines ${start}-${shownEnd} of ${total}${tag}`;
  const more =
    shownEnd < total
      ? `\n[lines ${shownEnd + 1}-${total} not shown; call read_file with start_line=${shownEnd + 1} to read more]`
      : "";
  return `${header}\n${out.join("\n")}${more}`;
}

/** A compiled search pattern: a line matcher, and a multiline twin to skip files without a match. */
interface LinePattern {
  line: { test(input: string): boolean };
  file: { test(input: string): boolean };
}

/**
 * Compile the model's pattern on RE2. `(?i)` is RE2's own flag syntax. What RE2 does not have
 * (lookahead, lookbehind, backreferences) is a tool error that says so, so the model rewrites it.
 */
function compilePattern(pattern: string): LinePattern {
  // JavaScript's `\u0041` and `\u{1F600}` are RE2's `\x{41}` (unless the backslash is itself escaped).
  const source = pattern.replace(
    /(?<!\\)((?:\\\\)*)\\u(?:\{([0-9a-fA-F]{1,6})\}|([0-9a-fA-F]{4}))/g,
    (_, escapes: string, braced: string | undefined, four: string | undefined) =>
      `${escapes}\\x{${braced ?? four}}`,
  );
  try {
    return { line: RE2JS.compile(source), file: RE2JS.compile(source, RE2JS.MULTILINE) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ToolInputError(
      `Invalid regular expression /${pattern}/: ${reason}. search uses RE2 syntax (matching in linear time): no lookahead, lookbehind or backreferences.`,
    );
  }
}

function compileGlob(glob: string): (path: string) => boolean {
  try {
    const pattern = glob.replace(/^\.?\/+/, "");
    const matcher = picomatch(pattern, { dot: true });
    // picomatch's own `basename` option breaks patterns like "src/**"; apply it only to slash-free globs.
    if (pattern.includes("/")) return (path) => matcher(path);
    return (path) => matcher(path.slice(path.lastIndexOf("/") + 1));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ToolInputError(`Invalid path_glob "${glob}": ${reason}`);
  }
}

function search(view: FileView, input: SearchInput, limits: ReadToolLimits): string {
  const re = compilePattern(input.pattern);
  const matchesGlob = input.path_glob ? compileGlob(input.path_glob) : () => true;
  const max = Math.min(input.max_results ?? limits.searchDefault, limits.searchMax);
  const started = Date.now();
  const results: string[] = [];
  let totalMatches = 0;
  let filesWithMatches = 0;
  let searched = 0;
  let skipped = 0;
  let timedOut = false;

  for (const path of sortedPaths(view)) {
    if (!matchesGlob(path)) continue;
    if (Date.now() - started > limits.searchMillis) {
      timedOut = true;
      break;
    }
    const content = view.read(path);
    if (content === undefined) continue;
    if (classifyFile(path, content) !== "source") {
      skipped++;
      continue;
    }
    searched++;
    const text = content.toString("utf8");
    if (!re.file.test(text)) continue;
    const lines = splitLines(text);
    let fileHad = false;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as string;
      if (!re.line.test(line)) continue;
      fileHad = true;
      totalMatches++;
      if (results.length < max) {
        const trimmed = line.trim();
        const shown =
          trimmed.length > limits.matchChars ? `${trimmed.slice(0, limits.matchChars)} …` : trimmed;
        results.push(`${path}:${i + 1}: ${shown}`);
      }
    }
    if (fileHad) filesWithMatches++;
  }

  const scope = input.path_glob ? ` matching "${input.path_glob}"` : "";
  const skippedNote = skipped > 0 ? `; ${skipped} binary, vendored, generated or lock files skipped` : "";
  const timeNote = timedOut
    ? `\n[search stopped after ${limits.searchMillis / 1000} s; counts are partial — narrow path_glob]`
    : "";
  if (totalMatches === 0) {
    return `No matches for /${input.pattern}/ in ${searched} files${scope}${skippedNote}.${timeNote}`;
  }
  const header = `${totalMatches} matching lines in ${filesWithMatches} files for /${input.pattern}/ (${searched} files searched${scope}${skippedNote})`;
  const capNote =
    totalMatches > results.length
      ? `\n[showing the first ${results.length} of ${totalMatches} matching lines; narrow the pattern or path_glob, or raise max_results (up to ${limits.searchMax})]`
      : "";
  return `${header}\n${results.join("\n")}${capNote}${timeNote}`;
}

/**
 * `list_files`, `read_file` and `search` over a view, without the files that look like secrets
 * (`DEFAULT_READ_DENY` plus `policy.readDeny`).
 */
export function readOnlyTools(
  view: FileView,
  limits: Partial<ReadToolLimits> = {},
  policy: ReadPolicy = {},
): ToolDefinition[] {
  const l: ReadToolLimits = { ...DEFAULT_READ_TOOL_LIMITS, ...limits };
  const readDeny = policy.readDeny ?? [];
  const visible = withoutSecretFiles(view, readDeny);
  const refuseSecret = (raw: string) => {
    const path = normalizeToolPath(raw);
    const glob = path === "" ? undefined : readDenyGlob(path, readDeny);
    if (glob !== undefined) throw new ToolInputError(readDenyReason(path, glob));
  };
  const tools: [ToolDefinition<ListFilesInput>, ToolDefinition<ReadFileInput>, ToolDefinition<SearchInput>] =
    [
      {
        name: "list_files",
        description:
          "List a directory of the repository: its subdirectories (with file counts) and files (with sizes). " +
          "With recursive, every file below it; vendored directories are summarized. Files marked [binary], " +
          "[vendored], [generated] or [lock] are not searched.",
        input: listInput,
        run: async (input) => {
          refuseSecret(input.path ?? "");
          return listFiles(visible, input, l);
        },
      },
      {
        name: "read_file",
        description:
          `Read a text file with numbered lines. Shows up to ${l.readLines} lines from start_line unless ` +
          "end_line is given; long output is cut with a note saying how to read on.",
        input: readInput,
        run: async (input) => {
          refuseSecret(input.path);
          return readFile(visible, input, l);
        },
      },
      {
        name: "search",
        description:
          "Search file contents with a regular expression, line by line; returns path:line: text. " +
          "Binary, vendored, generated and lock files are skipped. Narrow with path_glob.",
        input: searchInput,
        run: async (input) => search(visible, input, l),
      },
    ];
  return tools as unknown as ToolDefinition[];
}
