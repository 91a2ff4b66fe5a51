/**
 * A snapshot: an immutable in-memory view of one commit, built from one tarball download
 * (ARCHITECTURE §6). `list_files`, `read_file` and `search` run on it locally; no API call per file.
 *
 * The tarball is read as a stream (gunzip → tar-stream); file contents are kept as the slices that
 * tar-stream hands out (views into the decompressed chunks, no per-file copy unless a file spans two
 * chunks). Symlinks, hard links and submodules are not readable files: they are recorded in `special`
 * so that a write policy can refuse to write through them.
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { extract as tarExtract } from "tar-stream";
import { TriadError } from "../errors.js";
import type { GitHubClient } from "../github/client.js";
import { github } from "../github/errors.js";
import type { FileView } from "./view.js";

export interface SnapshotFile {
  size: number;
  /** Unix mode bits from the tar header (git archive writes 0644/0755-style modes). */
  mode: number;
  /** Treat as read-only: it may share memory with other files of the snapshot. */
  content: Buffer;
}

export type SpecialKind = "symlink" | "hardlink" | "submodule" | "other";

export interface SpecialEntry {
  kind: SpecialKind;
  /** Link target for symlinks and hard links (as written in the archive, top directory stripped for hard links). */
  target?: string;
}

/** What `readTarball` returns: the input of a `Snapshot`. */
export interface SnapshotData {
  files: Map<string, SnapshotFile>;
  special: Map<string, SpecialEntry>;
  /** Sum of regular file sizes. */
  bytes: number;
  /** The stripped top directory (GitHub: `owner-repo-<short sha>`), or "" when none was stripped. */
  topDir: string;
  /** Entries skipped because their path was unsafe (absolute, `..`) or not under the top directory. */
  skippedUnsafe: number;
}

export interface ReadTarballOptions {
  /** Strip the single top directory that GitHub puts around every archive (default true). */
  stripTopDir?: boolean;
  /** Refuse archives whose regular files add up to more than this (default 2 GiB). */
  maxBytes?: number;
}

const GUNZIP_CHUNK = 1024 * 1024;
const DEFAULT_MAX_BYTES = 2 * 1024 * 1024 * 1024;

function isSafeRelative(path: string): boolean {
  if (path === "" || path.startsWith("/") || path.includes("\0")) return false;
  for (const segment of path.split("/")) {
    if (segment === ".." || segment === ".") return false;
  }
  return true;
}

/**
 * Read a gzip-compressed tarball into memory. Accepts the whole archive as bytes or a readable stream
 * of it. Pax headers are consumed by tar-stream (their `path`/`size` records are applied to the entry
 * they precede); directories are not stored, except that a directory with nothing in it is recorded as a
 * submodule (git cannot store an empty directory; `git archive` writes a gitlink as one).
 */
export async function readTarball(
  source: Uint8Array | Readable,
  options: ReadTarballOptions = {},
): Promise<SnapshotData> {
  const stripTopDir = options.stripTopDir ?? true;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const files = new Map<string, SnapshotFile>();
  const special = new Map<string, SpecialEntry>();
  const directories: string[] = [];
  let bytes = 0;
  let topDir: string | undefined;
  let skippedUnsafe = 0;

  const toRelative = (name: string): string | undefined => {
    let path = name;
    while (path.startsWith("./")) path = path.slice(2);
    if (path.endsWith("/")) path = path.slice(0, -1);
    if (stripTopDir) {
      const slash = path.indexOf("/");
      const head = slash === -1 ? path : path.slice(0, slash);
      if (topDir === undefined) topDir = head;
      if (head !== topDir) return undefined;
      path = slash === -1 ? "" : path.slice(slash + 1);
      if (path === "") return ""; // the top directory itself
    }
    return isSafeRelative(path) ? path : undefined;
  };

  const extract = tarExtract();
  extract.on("entry", (header, stream, next) => {
    const path = toRelative(header.name);
    const type = header.type ?? "file";
    if (path === undefined) skippedUnsafe++;
    if (path === undefined || path === "" || (type !== "file" && type !== "contiguous-file")) {
      if (path) {
        if (type === "directory") directories.push(path);
        else if (type === "symlink") special.set(path, { kind: "symlink", target: header.linkname ?? "" });
        else if (type === "link") {
          const target = header.linkname ? (toRelative(header.linkname) ?? header.linkname) : "";
          special.set(path, { kind: "hardlink", target });
        } else special.set(path, { kind: "other" });
      }
      stream.on("end", next);
      stream.resume();
      return;
    }
    const mode = header.mode ?? 0o644;
    let first: Buffer | undefined;
    let chunks: Buffer[] | undefined;
    stream.on("data", (data: unknown) => {
      const chunk = data as Buffer;
      if (first === undefined) first = chunk;
      else if (chunks === undefined) chunks = [first, chunk];
      else chunks.push(chunk);
    });
    stream.on("end", () => {
      const content = chunks ? Buffer.concat(chunks) : (first ?? Buffer.alloc(0));
      bytes += content.length;
      if (bytes > maxBytes) {
        next(new TriadError("internal", `repository archive is larger than ${maxBytes} bytes unpacked`));
        return;
      }
      files.set(path, { size: content.length, mode, content });
      next();
    });
  });

  const input =
    source instanceof Readable
      ? source
      : Readable.from([Buffer.from(source.buffer, source.byteOffset, source.byteLength)]);
  await pipeline(input, createGunzip({ chunkSize: GUNZIP_CHUNK }), extract);

  markSubmodules(files, special, directories);
  return { files, special, bytes, topDir: stripTopDir ? (topDir ?? "") : "", skippedUnsafe };
}

/** Directories with no entry below them are gitlinks (submodules); `.gitmodules` paths are too. */
function markSubmodules(
  files: Map<string, SnapshotFile>,
  special: Map<string, SpecialEntry>,
  directories: string[],
): void {
  const nonEmpty = new Set<string>();
  const markAncestors = (path: string) => {
    let end = path.lastIndexOf("/");
    while (end > 0) {
      const dir = path.slice(0, end);
      if (nonEmpty.has(dir)) return;
      nonEmpty.add(dir);
      end = dir.lastIndexOf("/");
    }
  };
  for (const path of files.keys()) markAncestors(path);
  for (const path of special.keys()) markAncestors(path);
  for (const dir of directories) markAncestors(dir);
  for (const dir of directories) {
    if (!nonEmpty.has(dir) && !special.has(dir)) special.set(dir, { kind: "submodule" });
  }
  const gitmodules = files.get(".gitmodules");
  if (gitmodules) {
    for (const match of gitmodules.content.toString("utf8").matchAll(/^\s*path\s*=\s*(.+?)\s*$/gm)) {
      const path = match[1];
      if (path && isSafeRelative(path) && !files.has(path) && !special.has(path)) {
        special.set(path, { kind: "submodule" });
      }
    }
  }
}

export type EntryKind = "file" | "directory" | SpecialKind;

/** An immutable view of one commit. */
export class Snapshot implements FileView {
  readonly sha: string;
  readonly files: ReadonlyMap<string, SnapshotFile>;
  /** Symlinks, hard links, submodules and other non-regular entries: present, but not readable. */
  readonly special: ReadonlyMap<string, SpecialEntry>;
  /** Sum of regular file sizes. */
  readonly bytes: number;
  #sorted: readonly string[] | undefined;
  #directories: ReadonlySet<string> | undefined;

  constructor(sha: string, data: Pick<SnapshotData, "files" | "special"> & { bytes?: number }) {
    this.sha = sha;
    this.files = data.files;
    this.special = data.special;
    let bytes = data.bytes;
    if (bytes === undefined) {
      bytes = 0;
      for (const file of data.files.values()) bytes += file.size;
    }
    this.bytes = bytes;
  }

  /** Build a snapshot from plain contents (tests, the simulator). */
  static fromFiles(sha: string, contents: Record<string, string | Buffer>): Snapshot {
    const files = new Map<string, SnapshotFile>();
    for (const [path, value] of Object.entries(contents)) {
      const content = typeof value === "string" ? Buffer.from(value, "utf8") : value;
      files.set(path, { size: content.length, mode: 0o644, content });
    }
    return new Snapshot(sha, { files, special: new Map() });
  }

  get fileCount(): number {
    return this.files.size;
  }

  /** True when a regular file is at this path. */
  has(path: string): boolean {
    return this.files.has(path);
  }

  read(path: string): Buffer | undefined {
    return this.files.get(path)?.content;
  }

  readText(path: string): string | undefined {
    return this.files.get(path)?.content.toString("utf8");
  }

  /** What is at a path: a regular file, a directory (of regular files), a special entry, or nothing. */
  kindOf(path: string): EntryKind | undefined {
    if (this.files.has(path)) return "file";
    const entry = this.special.get(path);
    if (entry) return entry.kind;
    return this.#dirs().has(path) ? "directory" : undefined;
  }

  /** Regular files, sorted by path; with `dir`, only those below that directory (recursively). */
  list(dir?: string): readonly string[] {
    const all = this.#sortedPaths();
    const prefix = normalizeDir(dir);
    if (prefix === "") return all;
    // Sorted order keeps a directory's files contiguous: binary-search the first one.
    const start = lowerBound(all, prefix);
    let end = start;
    while (end < all.length && (all[end] as string).startsWith(prefix)) end++;
    return all.slice(start, end);
  }

  #sortedPaths(): readonly string[] {
    if (!this.#sorted) this.#sorted = [...this.files.keys()].sort(comparePaths);
    return this.#sorted;
  }

  #dirs(): ReadonlySet<string> {
    if (!this.#directories) {
      const dirs = new Set<string>();
      for (const path of this.files.keys()) {
        let end = path.lastIndexOf("/");
        while (end > 0) {
          const dir = path.slice(0, end);
          if (dirs.has(dir)) break;
          dirs.add(dir);
          end = dir.lastIndexOf("/");
        }
      }
      this.#directories = dirs;
    }
    return this.#directories;
  }
}

/** Byte-wise path order (the same on every machine and locale). */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function normalizeDir(dir: string | undefined): string {
  if (!dir) return "";
  let d = dir;
  while (d.startsWith("./")) d = d.slice(2);
  d = d.replace(/^\/+|\/+$/g, "");
  return d === "" || d === "." ? "" : `${d}/`;
}

function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// ---------------------------------------------------------------------------------------------------
// Download and cache

export interface SnapshotRef {
  owner: string;
  repo: string;
  /** A commit sha (40 hex) skips the resolve call; a branch or tag name is resolved to its sha first. */
  ref: string;
}

/**
 * A small LRU of snapshots keyed by `owner/repo@sha`, bounded by the total bytes of the snapshots it
 * holds. Concurrent requests for the same key share one download.
 */
export class SnapshotCache {
  readonly maxBytes: number;
  #entries = new Map<string, Snapshot>();
  #pending = new Map<string, Promise<Snapshot>>();
  #bytes = 0;

  constructor(options: { maxBytes?: number } = {}) {
    this.maxBytes = options.maxBytes ?? 512 * 1024 * 1024;
  }

  static key(owner: string, repo: string, sha: string): string {
    return `${owner.toLowerCase()}/${repo.toLowerCase()}@${sha.toLowerCase()}`;
  }

  get size(): number {
    return this.#entries.size;
  }

  get totalBytes(): number {
    return this.#bytes;
  }

  get(key: string): Snapshot | undefined {
    const hit = this.#entries.get(key);
    if (hit) {
      this.#entries.delete(key);
      this.#entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, snapshot: Snapshot): void {
    const old = this.#entries.get(key);
    if (old) {
      this.#entries.delete(key);
      this.#bytes -= old.bytes;
    }
    if (snapshot.bytes > this.maxBytes) return; // too big to keep; the caller still has it
    this.#entries.set(key, snapshot);
    this.#bytes += snapshot.bytes;
    for (const [k, v] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(k);
      this.#bytes -= v.bytes;
    }
  }

  /** The cached snapshot, or the result of `load` (shared by concurrent callers, cached on success). */
  async getOrLoad(key: string, load: () => Promise<Snapshot>): Promise<Snapshot> {
    const hit = this.get(key);
    if (hit) return hit;
    const pending = this.#pending.get(key);
    if (pending) return pending;
    const promise = load().then(
      (snapshot) => {
        this.#pending.delete(key);
        this.set(key, snapshot);
        return snapshot;
      },
      (error: unknown) => {
        this.#pending.delete(key);
        throw error;
      },
    );
    this.#pending.set(key, promise);
    return promise;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}

/** The process-wide cache used when the caller passes none. */
export const defaultSnapshotCache = new SnapshotCache();

const SHA_RE = /^[0-9a-f]{40}$/i;

/**
 * One tarball download of a commit, cached by sha. A branch or tag `ref` costs one extra call to
 * resolve it to a sha (so the cache key is always a commit).
 */
export async function fetchSnapshot(
  octokit: GitHubClient,
  ref: SnapshotRef,
  options: { cache?: SnapshotCache } = {},
): Promise<Snapshot> {
  const cache = options.cache ?? defaultSnapshotCache;
  const { owner, repo } = ref;
  const sha = SHA_RE.test(ref.ref) ? ref.ref.toLowerCase() : await resolveSha(octokit, ref);
  return cache.getOrLoad(SnapshotCache.key(owner, repo, sha), async () => {
    const { data } = await github(`download the tarball of ${owner}/${repo}@${sha}`, () =>
      octokit.rest.repos.downloadTarballArchive({ owner, repo, ref: sha }),
    );
    return new Snapshot(sha, await readTarball(toBytes(data)));
  });
}

async function resolveSha(octokit: GitHubClient, ref: SnapshotRef): Promise<string> {
  const { data } = await github(`resolve ${ref.owner}/${ref.repo}@${ref.ref}`, () =>
    octokit.rest.repos.getCommit({ owner: ref.owner, repo: ref.repo, ref: ref.ref, per_page: 1 }),
  );
  return data.sha.toLowerCase();
}

function toBytes(data: unknown): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new TriadError("internal", `tarball download returned ${typeof data}, expected binary data`);
}
