import type { DiffFile } from "../types.js";
import { isTestPath, languageOf, SNAPSHOT_PATH } from "./languages.js";
import type { LanguageRules } from "./types.js";

/** What the guard knows about one file of the diff. */
export interface FileFacts {
  file: DiffFile;
  /** The new path, or the old one for a deleted file. */
  path: string;
  lang: LanguageRules | undefined;
  isTest: boolean;
  isSnapshot: boolean;
}

/** One added or removed line, with where it is and whether it is test code. */
export interface ChangedLine {
  fileIndex: number;
  hunkIndex: number;
  /** A run of changed lines with no context line between: a removed line and its replacement share one. */
  block: number;
  kind: "add" | "del";
  text: string;
  /** The line's code, string literals emptied and comments removed (all of it without a language). */
  code: string;
  /** The line without its comments, string literals kept. */
  source: string;
  /** The line's comments, markers included. */
  comment: string;
  /** Each comment on the line on its own, marker first. */
  comments: string[];
  /** Its line number on its own side (new for added lines, old for removed ones). */
  line: number;
  /** In a test file, or in a hunk of inline tests (Rust's `#[cfg(test)]`). */
  test: boolean;
}

export function fileFacts(file: DiffFile): FileFacts {
  const path = file.status === "deleted" ? file.oldPath : file.newPath;
  return {
    file,
    path,
    lang: languageOf(path),
    isTest: isTestPath(path),
    isSnapshot: SNAPSHOT_PATH.test(path),
  };
}

/**
 * A line's code and its comments, by the language's comment and quote characters: strings are
 * emptied (`"it.skip"` → `""`), so a test's title or a message that mentions a skip is no skip, and
 * a commented-out assertion is no assertion. A line that starts inside a block comment (`*`) is all
 * comment. `#[` opens an attribute (Rust, PHP), never a comment. Regular-expression literals and
 * strings spanning lines are not followed; the rules tolerate that.
 */
export function splitLine(
  text: string,
  lang: LanguageRules | undefined,
): { code: string; source: string; comment: string; comments: string[] } {
  if (!lang) return { code: text, source: text, comment: "", comments: [] };
  if (lang.blockComments && /^\s*\*(?!\/)/.test(text))
    return { code: "", source: "", comment: text, comments: [text] };
  let code = "";
  let source = "";
  let comment = "";
  const comments: string[] = [];
  let quote = "";
  let inBlock = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (inBlock) {
      if (text.startsWith("*/", i)) {
        comment += "*/";
        comments[comments.length - 1] += "*/";
        inBlock = false;
        i++;
      } else {
        comment += ch;
        comments[comments.length - 1] += ch;
      }
    } else if (quote) {
      source += ch;
      if (ch === "\\") {
        source += text[i + 1] ?? "";
        i++;
      } else if (ch === quote) {
        code += ch;
        quote = "";
      }
    } else if (lang.quotes.includes(ch)) {
      code += ch;
      source += ch;
      quote = ch;
    } else if (lang.blockComments && text.startsWith("/*", i)) {
      comment += "/*";
      comments.push("/*");
      inBlock = true;
      i++;
    } else if (lang.lineComments.some((m) => text.startsWith(m, i)) && !text.startsWith("#[", i)) {
      comment += text.slice(i);
      // `# type: ignore  # noqa: E501`: each `#` pragma is its own comment (mypy and flake8 both read theirs).
      comments.push(...(text[i] === "#" ? text.slice(i).split(/(?=#)/) : [text.slice(i)]));
      break;
    } else {
      code += ch;
      source += ch;
    }
  }
  return { code, source, comment, comments };
}

/**
 * A directive is honoured only at the start of a comment (ESLint, TypeScript, golangci `//nolint`,
 * mypy): `// eslint-disable-line` is one, a doc comment that mentions `eslint-disable-line` is not.
 */
export function inCommentDirective(pattern: RegExp, comments: readonly string[]): boolean {
  return comments.some((c) => {
    const m = pattern.exec(c);
    const lead = /^\s*(?:\/\/+|\/\*+|#+|\*+)?\s*/.exec(c)?.[0].length ?? 0;
    return m !== null && m.index <= lead;
  });
}

/** Every added and removed line of the text files, in diff order. */
export function changedLines(facts: readonly FileFacts[]): ChangedLine[] {
  const out: ChangedLine[] = [];
  let block = 0;
  facts.forEach((f, fileIndex) => {
    if (f.file.binary) return;
    f.file.hunks.forEach((hunk, hunkIndex) => {
      const inline = f.lang?.inlineTests;
      const test =
        f.isTest ||
        (inline !== undefined && (inline.test(hunk.section) || hunk.lines.some((l) => inline.test(l.text))));
      block++;
      for (const l of hunk.lines) {
        if (l.kind === "context") {
          block++;
          continue;
        }
        const line = (l.kind === "add" ? l.newLine : l.oldLine) ?? 0;
        out.push({
          fileIndex,
          hunkIndex,
          block,
          kind: l.kind,
          text: l.text,
          ...splitLine(l.text, f.lang),
          line,
          test,
        });
      }
    });
  });
  return out;
}

/** How near a removed line and an added one must be to pair: the same block, the same file, anywhere. */
export type PairScope = "block" | "file" | "diff";

const SAME: Record<PairScope, (a: ChangedLine, b: ChangedLine) => boolean> = {
  block: (a, b) => a.block === b.block,
  file: (a, b) => a.fileIndex === b.fileIndex,
  diff: () => true,
};

/**
 * Pairs removed lines with added ones, nearest first, trying each scope in turn (a removed line
 * and its replacement share a block). Returns the pairs and what stayed unpaired, each in diff order.
 */
export function pairNearest<T extends { line: ChangedLine }>(
  removed: readonly T[],
  added: readonly T[],
  scopes: readonly PairScope[],
): { pairs: Array<[T, T]>; removed: T[]; added: T[] } {
  const pairs: Array<[T, T]> = [];
  let dels = [...removed];
  let adds = [...added];
  for (const scope of scopes) {
    const same = SAME[scope];
    const left: T[] = [];
    for (const d of dels) {
      const i = adds.findIndex((a) => same(d.line, a.line));
      if (i < 0) {
        left.push(d);
        continue;
      }
      pairs.push([d, adds[i] as T]);
      adds = [...adds.slice(0, i), ...adds.slice(i + 1)];
    }
    dels = left;
  }
  return { pairs, removed: dels, added: adds };
}

/** Groups lines into one run per file and hunk, in diff order. */
export function byHunk<T extends { line: ChangedLine }>(items: readonly T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const it of items) {
    const k = `${it.line.fileIndex}:${it.line.hunkIndex}`;
    const g = groups.get(k) ?? [];
    g.push(it);
    groups.set(k, g);
  }
  return [...groups.values()];
}
