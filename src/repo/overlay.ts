import { createHash } from "node:crypto";
import { structuredPatch } from "diff";
import type { FileView } from "./view.js";

/**
 * The developer's working copy: writes, edits and deletes land in memory over a read-only base
 * snapshot; nothing touches GitHub until the round ends (ARCHITECTURE §3, §6). The overlay is itself a
 * `FileView`, so the read-only tools (`list_files`, `read_file`, `search`) work over the merged view.
 */

export type { FileView };

export type ChangeStatus = "added" | "modified" | "deleted";

export interface FileChange {
  path: string;
  status: ChangeStatus;
  /** The new content; absent for deletions. */
  content?: Buffer;
}

/** The stored form of an overlay, so a round's work survives between job attempts. */
export interface OverlayJSON {
  version: 1;
  changes: Array<
    | { path: string; status: "added" | "modified"; content: string; baseBlob: string | null }
    | { path: string; status: "deleted"; baseBlob: string | null }
  >;
}

/** Thrown by `Overlay.fromJSON` when the base no longer holds what the overlay was made over. */
export class OverlayBaseMismatchError extends Error {
  constructor(readonly paths: string[]) {
    super(`The base snapshot differs from the one this overlay was made over at: ${paths.join(", ")}`);
    this.name = "OverlayBaseMismatchError";
  }
}

/** Optional on a base view: a file's Unix mode bits, so a deleted executable diffs as `100755`. */
export interface ModeLookup {
  modeOf(path: string): number | undefined;
}

const DELETED = null;

/** git's blob id: sha1 of `blob <size>\0<content>`. */
export function gitBlobId(content: Buffer): string {
  return createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex");
}

const ZERO_ID = "0".repeat(40);

export class Overlay implements FileView {
  readonly #base: FileView;
  /** path → new content, or DELETED. Only paths that differ from the base are kept. */
  readonly #entries = new Map<string, Buffer | typeof DELETED>();

  constructor(base: FileView) {
    this.#base = base;
  }

  get base(): FileView {
    return this.#base;
  }

  read(path: string): Buffer | undefined {
    const entry = this.#entries.get(path);
    if (entry === DELETED) return undefined;
    return entry ?? this.#base.read(path);
  }

  has(path: string): boolean {
    return this.read(path) !== undefined;
  }

  /** Every file of the merged view, sorted. */
  list(): string[] {
    const paths = new Set<string>();
    for (const path of this.#base.list()) if (this.#entries.get(path) !== DELETED) paths.add(path);
    for (const [path, entry] of this.#entries) if (entry !== DELETED) paths.add(path);
    return [...paths].sort(compareBytes);
  }

  /** True when some file of the merged view lives under `path/`. */
  isDirectory(path: string): boolean {
    const prefix = `${path}/`;
    for (const [file, entry] of this.#entries) if (entry !== DELETED && file.startsWith(prefix)) return true;
    for (const file of this.#base.list()) {
      if (file.startsWith(prefix) && this.#entries.get(file) !== DELETED) return true;
    }
    return false;
  }

  /** Sets a file's content. Writing the base content back removes the change. */
  write(path: string, content: string | Buffer): void {
    const buffer = typeof content === "string" ? Buffer.from(content, "utf8") : Buffer.from(content);
    const base = this.#base.read(path);
    if (base?.equals(buffer)) this.#entries.delete(path);
    else this.#entries.set(path, buffer);
  }

  /** Removes a file from the merged view; false when there was no such file. */
  delete(path: string): boolean {
    if (!this.has(path)) return false;
    if (this.#base.read(path) === undefined) this.#entries.delete(path);
    else this.#entries.set(path, DELETED);
    return true;
  }

  /** The changes against the base, sorted by path. */
  changes(): FileChange[] {
    const out: FileChange[] = [];
    for (const path of [...this.#entries.keys()].sort(compareBytes)) {
      const entry = this.#entries.get(path);
      const base = this.#base.read(path);
      if (entry === DELETED || entry === undefined) {
        if (base !== undefined) out.push({ path, status: "deleted" });
      } else if (base === undefined) {
        out.push({ path, status: "added", content: entry });
      } else if (!base.equals(entry)) {
        out.push({ path, status: "modified", content: entry });
      }
    }
    return out;
  }

  get size(): number {
    return this.changes().length;
  }

  /**
   * A git-style unified diff of all changes (`git apply` accepts it), files in byte order of path.
   * Binary or non-UTF-8 content is shown as `Binary files … differ`, as `git diff` does.
   */
  unifiedDiff(options: { context?: number } = {}): string {
    const context = options.context ?? 3;
    let out = "";
    for (const change of this.changes()) {
      const oldContent = change.status === "added" ? undefined : this.#base.read(change.path);
      out += fileDiff(change.path, oldContent, change.content, context, this.#baseMode(change.path));
    }
    return out;
  }

  /** git's mode string for a base file: executable if the base says so (`modeOf`, when it has one). */
  #baseMode(path: string): string {
    const mode = (this.#base as Partial<ModeLookup>).modeOf?.(path);
    return mode !== undefined && (mode & 0o111) !== 0 ? "100755" : "100644";
  }

  toJSON(): OverlayJSON {
    return {
      version: 1,
      changes: this.changes().map((change) => {
        const base = this.#base.read(change.path);
        const baseBlob = base === undefined ? null : gitBlobId(base);
        return change.status === "deleted"
          ? { path: change.path, status: "deleted" as const, baseBlob }
          : {
              path: change.path,
              status: change.status,
              content: (change.content ?? Buffer.alloc(0)).toString("base64"),
              baseBlob,
            };
      }),
    };
  }

  /**
   * Rebuilds an overlay over `base`. By default, checks that every changed path still has the base
   * content it had when the overlay was stored, and throws `OverlayBaseMismatchError` if not.
   */
  static fromJSON(base: FileView, json: OverlayJSON, options: { verifyBase?: boolean } = {}): Overlay {
    if (json.version !== 1) throw new Error(`Unknown overlay format version: ${String(json.version)}`);
    const overlay = new Overlay(base);
    const mismatched: string[] = [];
    for (const change of json.changes) {
      const current = base.read(change.path);
      const currentBlob = current === undefined ? null : gitBlobId(current);
      if (currentBlob !== change.baseBlob) mismatched.push(change.path);
      if (change.status === "deleted") overlay.#entries.set(change.path, DELETED);
      else overlay.write(change.path, Buffer.from(change.content, "base64"));
    }
    if (mismatched.length > 0 && options.verifyBase !== false) throw new OverlayBaseMismatchError(mismatched);
    return overlay;
  }
}

/** Byte-order comparison of paths, the order git uses in trees and diffs. */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The content as text, or undefined when git would call it binary (NUL byte) or it is not UTF-8. */
function asText(content: Buffer | undefined): string | undefined {
  if (content === undefined) return "";
  if (content.subarray(0, 8000).includes(0)) return undefined;
  try {
    return utf8.decode(content);
  } catch {
    return undefined;
  }
}

/** Quotes a path the way git does (core.quotePath) when it has special or non-ASCII characters. */
function gitPath(prefix: string, path: string): string {
  const bytes = Buffer.from(`${prefix}${path}`, "utf8");
  const special = (byte: number) => byte < 0x20 || byte >= 0x7f || byte === 0x22 || byte === 0x5c;
  if (!bytes.some(special)) return `${prefix}${path}`;
  let quoted = "";
  for (const byte of bytes) {
    if (byte === 0x22 || byte === 0x5c) quoted += `\\${String.fromCharCode(byte)}`;
    else if (byte === 9) quoted += "\\t";
    else if (byte === 10) quoted += "\\n";
    else if (special(byte)) quoted += `\\${byte.toString(8).padStart(3, "0")}`;
    else quoted += String.fromCharCode(byte);
  }
  return `"${quoted}"`;
}

function range(start: number, lines: number): string {
  // git writes an empty range as the line before it (`-0,0` for an empty file) and omits a count of 1.
  const from = lines === 0 ? start - 1 : start;
  return lines === 1 ? `${from}` : `${from},${lines}`;
}

function fileDiff(
  path: string,
  oldContent: Buffer | undefined,
  newContent: Buffer | undefined,
  context: number,
  oldMode: string,
): string {
  const a = gitPath("a/", path);
  const b = gitPath("b/", path);
  const oldId = oldContent === undefined ? ZERO_ID : gitBlobId(oldContent);
  const newId = newContent === undefined ? ZERO_ID : gitBlobId(newContent);
  let out = `diff --git ${a} ${b}\n`;
  if (oldContent === undefined) out += `new file mode 100644\nindex ${oldId}..${newId}\n`;
  else if (newContent === undefined) out += `deleted file mode ${oldMode}\nindex ${oldId}..${newId}\n`;
  else out += `index ${oldId}..${newId} ${oldMode}\n`;
  const oldText = asText(oldContent);
  const newText = asText(newContent);
  const from = oldContent === undefined ? "/dev/null" : a;
  const to = newContent === undefined ? "/dev/null" : b;
  if (oldText === undefined || newText === undefined) {
    return `${out}Binary files ${from} and ${to} differ\n`;
  }
  const patch = structuredPatch(path, path, oldText, newText, undefined, undefined, { context });
  if (patch.hunks.length === 0) return out; // an empty file added or deleted
  out += `--- ${from}\n+++ ${to}\n`;
  for (const hunk of patch.hunks) {
    out += `@@ -${range(hunk.oldStart, hunk.oldLines)} +${range(hunk.newStart, hunk.newLines)} @@\n`;
    for (const line of hunk.lines) out += `${line}\n`;
  }
  return out;
}
