/**
 * `--repo DIR`: a local folder or git checkout as the files of a simulated repository's first commit.
 * `.gitignore` files are honoured at every level (the `ignore` package implements git's rules), `.git/`
 * is never imported, and files too large for a playground are left out and named.
 */
import { lstatSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import ignore, { type Ignore } from "ignore";

export interface ImportedRepo {
  /** A repository name GitHub would accept, from the folder's name. */
  name: string;
  files: Record<string, Uint8Array>;
  /** Paths left out for their size (ignored paths are not listed: git does not show them either). */
  skipped: string[];
  bytes: number;
}

export interface ImportLimits {
  /** Default 5 MB a file. */
  maxFileBytes?: number;
  /** Default 200 MB in all. */
  maxTotalBytes?: number;
}

interface Level {
  /** The directory's path relative to the root, with a trailing slash ("" for the root). */
  prefix: string;
  rules: Ignore;
}

export function importRepoDir(dir: string, limits: ImportLimits = {}): ImportedRepo {
  const root = resolve(dir);
  if (!existsDir(root)) throw new Error(`--repo ${dir}: not a folder`);
  const maxFile = limits.maxFileBytes ?? 5_000_000;
  const maxTotal = limits.maxTotalBytes ?? 200_000_000;
  const files: Record<string, Uint8Array> = {};
  const skipped: string[] = [];
  let bytes = 0;

  const ignored = (levels: Level[], rel: string, isDir: boolean) =>
    levels.some((l) => {
      const local = rel.slice(l.prefix.length);
      return local !== "" && l.rules.ignores(isDir ? `${local}/` : local);
    });

  const walk = (abs: string, rel: string, parents: Level[]) => {
    const levels = [...parents];
    const gitignore = readText(join(abs, ".gitignore"));
    if (gitignore !== undefined) levels.push({ prefix: rel, rules: ignore().add(gitignore) });
    for (const name of readdirSync(abs).sort()) {
      if (name === ".git") continue;
      const path = `${rel}${name}`;
      const st = lstatSync(join(abs, name));
      // Symlinks are left out: the simulator's trees hold regular files only.
      if (st.isSymbolicLink()) continue;
      if (st.isDirectory()) {
        if (!ignored(levels, path, true)) walk(join(abs, name), `${path}/`, levels);
        continue;
      }
      if (!st.isFile() || ignored(levels, path, false)) continue;
      if (st.size > maxFile || bytes + st.size > maxTotal) {
        skipped.push(path);
        continue;
      }
      files[path] = readFileSync(join(abs, name));
      bytes += st.size;
    }
  };
  walk(root, "", []);
  return { name: repoName(basename(root)), files, skipped, bytes };
}

function existsDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** GitHub keeps letters, digits, `-`, `_` and `.` in repository names and turns the rest into `-`. */
export function repoName(folder: string): string {
  const name = folder.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "");
  return name === "" || name === "." || name === ".." ? "repository" : name;
}
