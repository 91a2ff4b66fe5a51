/**
 * Git's object model, byte-exact: blob, tree and commit ids are the sha1 of the object as git
 * serialises it (`<type> <len>\0<body>`), so `git hash-object` agrees with every id the simulator
 * hands out.
 */
import { createHash } from "node:crypto";

export type FileMode = "100644" | "100755" | "040000" | "160000" | "120000";

export interface TreeEntry {
  mode: FileMode;
  name: string;
  sha: string;
}

export interface Signature {
  name: string;
  email: string;
  /** ISO 8601; an explicit offset (e.g. +02:00) is kept, `Z` means +0000. */
  date: string;
}

export type GitObject =
  | { type: "blob"; sha: string; content: Buffer }
  | { type: "tree"; sha: string; entries: TreeEntry[] }
  | {
      type: "commit";
      sha: string;
      tree: string;
      parents: string[];
      author: Signature;
      committer: Signature;
      message: string;
    };

export function hashObject(type: "blob" | "tree" | "commit", body: Buffer): string {
  const header = Buffer.from(`${type} ${body.length}\0`, "utf8");
  return createHash("sha1").update(header).update(body).digest("hex");
}

/** Git orders tree entries by name, comparing a directory's name as if it ended in "/". */
export function sortTreeEntries(entries: TreeEntry[]): TreeEntry[] {
  const key = (e: TreeEntry) => Buffer.from(e.mode === "040000" ? `${e.name}/` : e.name, "utf8");
  return [...entries].sort((a, b) => Buffer.compare(key(a), key(b)));
}

export function serializeTree(entries: TreeEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of sortTreeEntries(entries)) {
    const mode = e.mode === "040000" ? "40000" : e.mode;
    parts.push(Buffer.from(`${mode} ${e.name}\0`, "utf8"), Buffer.from(e.sha, "hex"));
  }
  return Buffer.concat(parts);
}

function gitDate(iso: string): string {
  const ms = Date.parse(iso);
  const seconds = Math.floor((Number.isNaN(ms) ? Date.now() : ms) / 1000);
  const m = /([+-])(\d{2}):?(\d{2})$/.exec(iso);
  const tz = m ? `${m[1]}${m[2]}${m[3]}` : "+0000";
  return `${seconds} ${tz}`;
}

export function serializeCommit(c: {
  tree: string;
  parents: string[];
  author: Signature;
  committer: Signature;
  message: string;
}): Buffer {
  const lines = [`tree ${c.tree}`, ...c.parents.map((p) => `parent ${p}`)];
  lines.push(`author ${c.author.name} <${c.author.email}> ${gitDate(c.author.date)}`);
  lines.push(`committer ${c.committer.name} <${c.committer.email}> ${gitDate(c.committer.date)}`);
  return Buffer.from(`${lines.join("\n")}\n\n${c.message}`, "utf8");
}

/** Flat view of a tree: path → { mode, sha } for every non-tree entry, recursively. */
export type FlatTree = Map<string, { mode: FileMode; sha: string }>;

/** A repository's object database. */
export class ObjectStore {
  private readonly objects = new Map<string, GitObject>();

  get(sha: string): GitObject | undefined {
    return this.objects.get(sha);
  }

  blob(sha: string): Buffer | undefined {
    const o = this.objects.get(sha);
    return o?.type === "blob" ? o.content : undefined;
  }

  tree(sha: string): TreeEntry[] | undefined {
    const o = this.objects.get(sha);
    return o?.type === "tree" ? o.entries : undefined;
  }

  commit(sha: string): Extract<GitObject, { type: "commit" }> | undefined {
    const o = this.objects.get(sha);
    return o?.type === "commit" ? o : undefined;
  }

  putBlob(content: Buffer): string {
    const sha = hashObject("blob", content);
    if (!this.objects.has(sha)) this.objects.set(sha, { type: "blob", sha, content });
    return sha;
  }

  putTree(entries: TreeEntry[]): string {
    const sorted = sortTreeEntries(entries);
    const sha = hashObject("tree", serializeTree(sorted));
    if (!this.objects.has(sha)) this.objects.set(sha, { type: "tree", sha, entries: sorted });
    return sha;
  }

  putCommit(c: {
    tree: string;
    parents: string[];
    author: Signature;
    committer: Signature;
    message: string;
  }): string {
    const sha = hashObject("commit", serializeCommit(c));
    if (!this.objects.has(sha)) this.objects.set(sha, { type: "commit", sha, ...c });
    return sha;
  }

  /** Every blob/submodule/symlink under a tree, keyed by full path. */
  flatten(treeSha: string, prefix = "", out: FlatTree = new Map()): FlatTree {
    for (const e of this.tree(treeSha) ?? []) {
      const path = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.mode === "040000") this.flatten(e.sha, path, out);
      else out.set(path, { mode: e.mode, sha: e.sha });
    }
    return out;
  }

  /** Builds nested trees from a flat map and returns the root tree's sha (empty dirs vanish). */
  buildTree(flat: FlatTree): string {
    interface Dir {
      files: TreeEntry[];
      dirs: Map<string, Dir>;
    }
    const root: Dir = { files: [], dirs: new Map() };
    for (const [path, { mode, sha }] of flat) {
      const parts = path.split("/");
      const name = parts.pop() as string;
      let dir = root;
      for (const p of parts) {
        let next = dir.dirs.get(p);
        if (!next) {
          next = { files: [], dirs: new Map() };
          dir.dirs.set(p, next);
        }
        dir = next;
      }
      dir.files.push({ mode, name, sha });
    }
    const write = (dir: Dir): string => {
      const entries = [...dir.files];
      for (const [name, sub] of dir.dirs) entries.push({ mode: "040000", name, sha: write(sub) });
      return this.putTree(entries);
    };
    return write(root);
  }

  /** Resolves a path (file or directory) inside a tree. */
  lookup(treeSha: string, path: string): TreeEntry | undefined {
    const parts = path.split("/").filter((p) => p !== "");
    let entry: TreeEntry | undefined = { mode: "040000", name: "", sha: treeSha };
    for (const part of parts) {
      if (entry?.mode !== "040000") return undefined;
      entry = this.tree(entry.sha)?.find((e) => e.name === part);
    }
    return entry;
  }

  isAncestor(ancestor: string, of: string): boolean {
    const seen = new Set<string>();
    const stack = [of];
    while (stack.length > 0) {
      const sha = stack.pop() as string;
      if (sha === ancestor) return true;
      if (seen.has(sha)) continue;
      seen.add(sha);
      stack.push(...(this.commit(sha)?.parents ?? []));
    }
    return false;
  }

  /** Commits reachable from `head` but not from `base`, oldest first (like `git log base..head --reverse`). */
  commitsBetween(base: string, head: string): string[] {
    const excluded = this.ancestors(base);
    const out: string[] = [];
    const seen = new Set<string>();
    const visit = (sha: string) => {
      if (seen.has(sha) || excluded.has(sha)) return;
      seen.add(sha);
      for (const p of this.commit(sha)?.parents ?? []) visit(p);
      out.push(sha);
    };
    visit(head);
    return out;
  }

  ancestors(sha: string): Set<string> {
    const seen = new Set<string>();
    const stack = [sha];
    while (stack.length > 0) {
      const s = stack.pop() as string;
      if (seen.has(s)) continue;
      seen.add(s);
      stack.push(...(this.commit(s)?.parents ?? []));
    }
    return seen;
  }

  /** Nearest common ancestor (breadth-first from `b`). */
  mergeBase(a: string, b: string): string | undefined {
    const fromA = this.ancestors(a);
    const queue = [b];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const s = queue.shift() as string;
      if (fromA.has(s)) return s;
      if (seen.has(s)) continue;
      seen.add(s);
      queue.push(...(this.commit(s)?.parents ?? []));
    }
    return undefined;
  }
}
