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
  const special = specials(lang);
  let code = "";
  let source = "";
  const comments: string[] = [];
  let pos = 0;
  while (pos < text.length) {
    special.lastIndex = pos;
    const m = special.exec(text);
    const at = m?.index ?? text.length;
    code += text.slice(pos, at);
    source += text.slice(pos, at);
    if (!m) break;
    const token = m[0];
    if (token === "#[") {
      code += "#";
      source += "#";
      pos = at + 1;
    } else if (lang.quotes.includes(token)) {
      const end = closingQuote(text, at + 1, token);
      code += end < 0 ? token : token + token;
      source += text.slice(at, end < 0 ? text.length : end + 1);
      pos = end < 0 ? text.length : end + 1;
    } else if (token === "/*") {
      const end = text.indexOf("*/", at + 2);
      comments.push(text.slice(at, end < 0 ? text.length : end + 2));
      pos = end < 0 ? text.length : end + 2;
    } else {
      // `# type: ignore  # noqa: E501`: each `#` pragma is its own comment (mypy and flake8 both read theirs).
      const rest = text.slice(at);
      comments.push(...(token === "#" ? rest.split(/(?=#)/) : [rest]));
      break;
    }
  }
  return { code, source, comment: comments.join(""), comments };
}

function closingQuote(text: string, from: number, quote: string): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === quote) return i;
  }
  return -1;
}

const SPECIALS = new WeakMap<LanguageRules, RegExp>();
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** Where something other than plain code may start: a quote, a comment marker, an attribute `#[`. */
function specials(lang: LanguageRules): RegExp {
  let re = SPECIALS.get(lang);
  if (!re) {
    const parts = ["#\\[", ...[...lang.quotes].map(escapeRe), ...lang.lineComments.map(escapeRe)];
    if (lang.blockComments) parts.push("\\/\\*");
    re = new RegExp(parts.join("|"), "g");
    SPECIALS.set(lang, re);
  }
  return re;
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

const SCOPE_KEY: Record<PairScope, (l: ChangedLine) => string | number> = {
  block: (l) => `${l.fileIndex}:${l.block}`,
  file: (l) => l.fileIndex,
  diff: () => 0,
};

/**
 * Pairs removed lines with added ones, nearest first, trying each scope in turn (a removed line
 * and its replacement share a block): within a scope, the first unpaired removed line takes the first
 * unpaired added one. Linear per scope. Returns the pairs and what stayed unpaired, in diff order.
 */
export function pairNearest<T extends { line: ChangedLine }>(
  removed: readonly T[],
  added: readonly T[],
  scopes: readonly PairScope[],
): { pairs: Array<[T, T]>; removed: T[]; added: T[] } {
  const pairs: Array<[T, T]> = [];
  const taken = new Set<T>();
  let dels = [...removed];
  for (const scope of scopes) {
    const key = SCOPE_KEY[scope];
    const queues = new Map<string | number, T[]>();
    for (const a of added) {
      if (taken.has(a)) continue;
      const k = key(a.line);
      const q = queues.get(k);
      if (q) q.push(a);
      else queues.set(k, [a]);
    }
    const left: T[] = [];
    for (const d of dels) {
      const a = queues.get(key(d.line))?.shift();
      if (a === undefined) {
        left.push(d);
        continue;
      }
      taken.add(a);
      pairs.push([d, a]);
    }
    dels = left;
  }
  return { pairs, removed: dels, added: added.filter((a) => !taken.has(a)) };
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
