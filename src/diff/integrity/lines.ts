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
        out.push({ fileIndex, hunkIndex, block, kind: l.kind, text: l.text, line, test });
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
