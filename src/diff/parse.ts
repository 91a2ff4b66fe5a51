import type { DiffFile, DiffLine, FileStatus, Hunk } from "./types.js";

/**
 * Parsing of unified diffs: the output of `git diff` (extended headers, renames, copies, binary
 * files, quoted paths), plain unified diffs (`---`/`+++` only), and the `patch` field of GitHub's
 * `pulls.listFiles` (hunks only, no headers). Hunk line counts decide where a hunk ends, so a removed
 * line that reads `-- x` is never taken for a header.
 */

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/;

function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

const stripCr = (line: string): string => (line.endsWith("\r") ? line.slice(0, -1) : line);

/** Undoes git's C-style quoting of a path (`"a/caf\303\251"` → `a/café`). */
function unquote(quoted: string): string {
  const bytes: number[] = [];
  const body = quoted.slice(1, -1);
  const escapes: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, "\\": 92 };
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] ?? "";
    if (ch !== "\\") {
      bytes.push(...Buffer.from(ch, "utf8"));
      continue;
    }
    const next = body[i + 1] ?? "";
    if (/[0-7]/.test(next)) {
      const octal = body.slice(i + 1, i + 4);
      bytes.push(Number.parseInt(octal, 8));
      i += octal.length;
    } else {
      bytes.push(escapes[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

/** Reads one path token (quoted or not) from the start of `text`; returns it and the rest. */
function readQuoted(text: string): [string, string] {
  let i = 1;
  while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
  return [unquote(text.slice(0, i + 1)), text.slice(i + 1)];
}

function dropPrefix(path: string, prefix: "a/" | "b/"): string {
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

/** The two paths of a `diff --git a/x b/y` line. */
function gitHeaderPaths(rest: string): [string, string] {
  if (rest.startsWith('"')) {
    const [oldPath, after] = readQuoted(rest);
    const tail = after.trimStart();
    const newPath = tail.startsWith('"') ? readQuoted(tail)[0] : tail;
    return [dropPrefix(oldPath, "a/"), dropPrefix(newPath, "b/")];
  }
  const quotedNew = rest.indexOf(' "');
  if (quotedNew !== -1) {
    return [
      dropPrefix(rest.slice(0, quotedNew), "a/"),
      dropPrefix(readQuoted(rest.slice(quotedNew + 1))[0], "b/"),
    ];
  }
  // Unquoted: `a/X b/X` when the path is unchanged (the path may contain spaces), else split at " b/".
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest[half] === " " && rest.slice(2, half) === rest.slice(half + 3)) {
    const path = rest.slice(2, half);
    return [path, path];
  }
  const split = rest.indexOf(" b/");
  if (split === -1) return [rest, rest];
  return [dropPrefix(rest.slice(0, split), "a/"), rest.slice(split + 3)];
}

/** The path of a `---`/`+++` line, or null for `/dev/null`. */
function headerPath(value: string, prefix: "a/" | "b/"): string | null {
  let path: string;
  if (value.startsWith('"')) path = readQuoted(value)[0];
  else {
    const tab = value.indexOf("\t");
    path = tab === -1 ? value : value.slice(0, tab);
  }
  if (path === "/dev/null") return null;
  return dropPrefix(path, prefix);
}

function parsePathValue(value: string): string {
  return value.startsWith('"') ? readQuoted(value)[0] : value;
}

/**
 * Parses hunks starting at `lines[start]`; returns them and the index of the first line after them.
 * Stops at the first line that is neither a hunk header nor part of a hunk.
 */
function parseHunksAt(lines: readonly string[], start: number): [Hunk[], number] {
  const hunks: Hunk[] = [];
  let i = start;
  while (i < lines.length) {
    const header = stripCr(lines[i] ?? "");
    const match = HUNK_HEADER.exec(header);
    if (!match) break;
    const oldStart = Number(match[1]);
    const oldLines = match[2] === undefined ? 1 : Number(match[2]);
    const newStart = Number(match[3]);
    const newLines = match[4] === undefined ? 1 : Number(match[4]);
    const hunk: Hunk = { oldStart, oldLines, newStart, newLines, header, section: match[5] ?? "", lines: [] };
    let oldLeft = oldLines;
    let newLeft = newLines;
    let oldLine = oldStart;
    let newLine = newStart;
    i++;
    while (i < lines.length) {
      const raw = lines[i] ?? "";
      const marker = raw[0];
      if (marker === "\\") {
        const last = hunk.lines.at(-1);
        if (last) last.noNewline = true;
        i++;
        continue;
      }
      if (oldLeft <= 0 && newLeft <= 0) break;
      let line: DiffLine;
      const body = raw.slice(1);
      const text = stripCr(body);
      if (marker === "+" && newLeft > 0) {
        line = { kind: "add", newLine: newLine++, text };
        newLeft--;
      } else if (marker === "-" && oldLeft > 0) {
        line = { kind: "del", oldLine: oldLine++, text };
        oldLeft--;
      } else if ((marker === " " || raw === "" || raw === "\r") && oldLeft > 0 && newLeft > 0) {
        // Some tools strip the single space of an empty context line.
        line = { kind: "context", oldLine: oldLine++, newLine: newLine++, text: raw === "" ? "" : text };
        oldLeft--;
        newLeft--;
      } else {
        break; // a truncated or malformed hunk: keep what was read
      }
      if (body.endsWith("\r")) line.crlf = true;
      hunk.lines.push(line);
      i++;
    }
    hunks.push(hunk);
  }
  return [hunks, i];
}

/** Parses the hunks of one file: the `patch` field of GitHub's `pulls.listFiles`, for example. */
export function parseHunks(patch: string): Hunk[] {
  const lines = splitLines(patch);
  const first = lines.findIndex((l) => l.startsWith("@@ "));
  if (first === -1) return [];
  return parseHunksAt(lines, first)[0];
}

/** git's extended header lines (between `diff --git` and `---`) and what each sets. */
const EXTENDED_HEADERS: ReadonlyArray<[string, (f: DiffFile, value: string) => void]> = [
  [
    "new file mode ",
    (f, v) => {
      f.status = "added";
      f.newMode = v;
    },
  ],
  [
    "deleted file mode ",
    (f, v) => {
      f.status = "deleted";
      f.oldMode = v;
    },
  ],
  [
    "old mode ",
    (f, v) => {
      f.oldMode = v;
    },
  ],
  [
    "new mode ",
    (f, v) => {
      f.newMode = v;
    },
  ],
  [
    "similarity index ",
    (f, v) => {
      f.similarity = Number.parseInt(v, 10);
    },
  ],
  [
    "rename from ",
    (f, v) => {
      f.status = "renamed";
      f.oldPath = parsePathValue(v);
    },
  ],
  [
    "rename to ",
    (f, v) => {
      f.status = "renamed";
      f.newPath = parsePathValue(v);
    },
  ],
  [
    "copy from ",
    (f, v) => {
      f.status = "added";
      f.copied = true;
      f.oldPath = parsePathValue(v);
    },
  ],
  [
    "copy to ",
    (f, v) => {
      f.status = "added";
      f.copied = true;
      f.newPath = parsePathValue(v);
    },
  ],
];

interface Draft {
  file: DiffFile;
  /** `---`/`+++` seen (the file's hunks may follow). */
  headersDone: boolean;
}

function finish(draft: Draft): DiffFile {
  const f = draft.file;
  if (f.status === "added" || f.status === "deleted") {
    const path = f.status === "added" ? f.newPath : f.oldPath;
    if (!f.copied) f.oldPath = path;
    f.newPath = path;
  }
  return f;
}

/** Parses a whole unified diff (`git diff`, `git show`, `git format-patch`, or a plain `diff -u`). */
export function parseUnifiedDiff(text: string): DiffFile[] {
  const lines = splitLines(text);
  const files: DiffFile[] = [];
  let draft: Draft | undefined;
  const close = () => {
    if (draft) files.push(finish(draft));
    draft = undefined;
  };
  const blank = (oldPath: string, newPath: string): DiffFile => ({
    oldPath,
    newPath,
    status: "modified",
    binary: false,
    hunks: [],
  });

  let i = 0;
  while (i < lines.length) {
    const line = stripCr(lines[i] ?? "");
    if (line.startsWith("diff --git ")) {
      close();
      const [oldPath, newPath] = gitHeaderPaths(line.slice("diff --git ".length));
      draft = { file: blank(oldPath, newPath), headersDone: false };
      i++;
      continue;
    }
    if (line.startsWith("--- ") && stripCr(lines[i + 1] ?? "").startsWith("+++ ")) {
      if (!draft || draft.headersDone) {
        close();
        draft = { file: blank("", ""), headersDone: false };
      }
      const oldPath = headerPath(line.slice(4), "a/");
      const newPath = headerPath(stripCr(lines[i + 1] ?? "").slice(4), "b/");
      const f = draft.file;
      if (oldPath === null) f.status = "added";
      else if (f.status !== "renamed") f.oldPath = oldPath;
      if (newPath === null) f.status = "deleted";
      else if (f.status !== "renamed") f.newPath = newPath;
      if (oldPath === null && newPath !== null) f.oldPath = newPath;
      if (newPath === null && oldPath !== null) f.newPath = oldPath;
      draft.headersDone = true;
      i += 2;
      continue;
    }
    if (line.startsWith("@@ ") && HUNK_HEADER.test(line)) {
      if (!draft) draft = { file: blank("", ""), headersDone: true };
      const [hunks, next] = parseHunksAt(lines, i);
      draft.file.hunks.push(...hunks);
      draft.headersDone = true;
      i = next === i ? i + 1 : next;
      continue;
    }
    if (draft && !draft.headersDone) {
      const f = draft.file;
      const handled = EXTENDED_HEADERS.some(([prefix, apply]) => {
        if (!line.startsWith(prefix)) return false;
        apply(f, line.slice(prefix.length));
        return true;
      });
      if (handled) {
        // one of git's extended headers
      } else if (line.startsWith("Binary files ") || line === "GIT binary patch") {
        f.binary = true;
        draft.headersDone = true;
      }
    }
    i++;
  }
  close();
  return files;
}

/** One entry of GitHub's `pulls.listFiles` (the fields triad needs). */
export interface PullRequestFile {
  filename: string;
  status: "added" | "removed" | "modified" | "renamed" | "copied" | "changed" | "unchanged";
  previous_filename?: string;
  /** Absent for binary files and for diffs GitHub considers too large. */
  patch?: string;
  changes?: number;
}

/** Turns `pulls.listFiles` entries into parsed files (GitHub's `patch` has hunks, no headers). */
export function fromPullRequestFiles(entries: readonly PullRequestFile[]): DiffFile[] {
  return entries.map((entry) => {
    const status: FileStatus =
      entry.status === "removed"
        ? "deleted"
        : entry.status === "added" || entry.status === "copied"
          ? "added"
          : entry.status === "renamed"
            ? "renamed"
            : "modified";
    const file: DiffFile = {
      oldPath: entry.previous_filename ?? entry.filename,
      newPath: entry.filename,
      status,
      binary: entry.patch === undefined && (entry.changes ?? 1) > 0,
      hunks: entry.patch === undefined ? [] : parseHunks(entry.patch),
    };
    if (entry.status === "copied") file.copied = true;
    return file;
  });
}
