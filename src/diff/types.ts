/** A parsed diff, as reviewers see it and as review comments are anchored to it (ARCHITECTURE §3, §5). */

export type DiffLineKind = "add" | "del" | "context";

export interface DiffLine {
  kind: DiffLineKind;
  /** Line number in the old file (deleted and context lines). */
  oldLine?: number;
  /** Line number in the new file (added and context lines). */
  newLine?: number;
  /** The line without its `+`/`-`/` ` prefix and without its line end. */
  text: string;
  /** The line ended with CRLF in the file (the `\r` is not part of `text`). */
  crlf?: true;
  /** Followed by `\ No newline at end of file`: the last line of its side, with no line end. */
  noNewline?: true;
}

export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** The whole `@@ -a,b +c,d @@ section` line. */
  header: string;
  /** The section heading git prints after the second `@@` (often the enclosing function), or "". */
  section: string;
  lines: DiffLine[];
}

export type FileStatus = "added" | "deleted" | "modified" | "renamed";

export interface DiffFile {
  /** Path before the change (equal to newPath unless renamed or copied). */
  oldPath: string;
  /** Path after the change (equal to oldPath for a deleted file). */
  newPath: string;
  status: FileStatus;
  binary: boolean;
  /** Rename or copy similarity in percent, when git reported it. */
  similarity?: number;
  /** The file was created as a copy of oldPath (status is then "added"). */
  copied?: true;
  oldMode?: string;
  newMode?: string;
  hunks: Hunk[];
}
