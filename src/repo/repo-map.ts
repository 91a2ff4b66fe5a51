/**
 * The repository map: the architect's first look at a repository, sized to a token budget (≈ chars/4).
 * Sections, in order: totals (with skipped kinds by count only), languages by extension, likely entry
 * points, a README excerpt, and a tree of source files with sizes. When the whole does not fit, the
 * deepest directories are collapsed first (shown as one summary line each), and the map says so.
 * Output is deterministic: every list is sorted, nothing depends on time or locale.
 */
import { quoteUntrusted, sanitizeUntrusted } from "../text/sanitize.js";
import { baseName, classifyFile, extensionOf, type FileKind } from "./file-kinds.js";
import { isReadDenied } from "./path-policy.js";
import type { Snapshot } from "./snapshot.js";

export interface RepoMapOptions {
  /** Budget for the whole map in tokens (≈ 4 characters each). */
  tokenBudget: number;
  /** README lines to excerpt at most (default 40). */
  readmeLines?: number;
  /**
   * The repository's `read_deny` globs, on top of `DEFAULT_READ_DENY` (which always applies): files
   * that look like secrets are left out of the map, and only their number is given.
   */
  readDeny?: readonly string[];
}

export const CHARS_PER_TOKEN = 4;

/** The part of a snapshot the map needs. */
export type RepoMapSource = Pick<Snapshot, "sha" | "list" | "read" | "special">;

const LANGUAGES: Readonly<Record<string, string>> = {
  ts: "TypeScript",
  tsx: "TypeScript",
  mts: "TypeScript",
  cts: "TypeScript",
  js: "JavaScript",
  jsx: "JavaScript",
  mjs: "JavaScript",
  cjs: "JavaScript",
  py: "Python",
  pyi: "Python",
  go: "Go",
  rs: "Rust",
  rb: "Ruby",
  java: "Java",
  kt: "Kotlin",
  kts: "Kotlin",
  scala: "Scala",
  swift: "Swift",
  m: "Objective-C",
  mm: "Objective-C",
  c: "C",
  h: "C",
  cc: "C++",
  cpp: "C++",
  cxx: "C++",
  hpp: "C++",
  hh: "C++",
  cs: "C#",
  fs: "F#",
  php: "PHP",
  ex: "Elixir",
  exs: "Elixir",
  erl: "Erlang",
  hs: "Haskell",
  ml: "OCaml",
  clj: "Clojure",
  dart: "Dart",
  lua: "Lua",
  r: "R",
  jl: "Julia",
  zig: "Zig",
  nim: "Nim",
  sh: "Shell",
  bash: "Shell",
  zsh: "Shell",
  fish: "Shell",
  ps1: "PowerShell",
  sql: "SQL",
  html: "HTML",
  htm: "HTML",
  css: "CSS",
  scss: "SCSS",
  sass: "Sass",
  less: "Less",
  vue: "Vue",
  svelte: "Svelte",
  astro: "Astro",
  md: "Markdown",
  mdx: "MDX",
  rst: "reStructuredText",
  txt: "Text",
  json: "JSON",
  jsonc: "JSON",
  json5: "JSON",
  yaml: "YAML",
  yml: "YAML",
  toml: "TOML",
  ini: "INI",
  xml: "XML",
  svg: "SVG",
  proto: "Protocol Buffers",
  graphql: "GraphQL",
  gql: "GraphQL",
  tf: "HCL",
  hcl: "HCL",
  nix: "Nix",
  gradle: "Gradle",
  cmake: "CMake",
};

const LANGUAGES_BY_NAME: Readonly<Record<string, string>> = {
  Dockerfile: "Dockerfile",
  Containerfile: "Dockerfile",
  Makefile: "Makefile",
  GNUmakefile: "Makefile",
  Rakefile: "Ruby",
  Gemfile: "Ruby",
  Jenkinsfile: "Groovy",
  Justfile: "Just",
  justfile: "Just",
  "CMakeLists.txt": "CMake",
};

function languageOf(path: string): { language: string; ext: string } {
  const name = baseName(path);
  const byName = LANGUAGES_BY_NAME[name];
  if (byName) return { language: byName, ext: name };
  if (/^Dockerfile\./.test(name)) return { language: "Dockerfile", ext: "Dockerfile" };
  const ext = extensionOf(path);
  if (ext === "") return { language: "Other", ext: "(none)" };
  return { language: LANGUAGES[ext] ?? "Other", ext: `.${ext}` };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MB`;
  return `${(n / (1024 * 1024 * 1024)).toFixed(2)} GB`;
}

function plural(n: number, word: string): string {
  if (n === 1) return `${n} ${word}`;
  return `${n} ${word.endsWith("y") ? `${word.slice(0, -1)}ies` : `${word}s`}`;
}

// --- tree -------------------------------------------------------------------------------------------

interface DirNode {
  name: string;
  path: string;
  depth: number;
  dirs: Map<string, DirNode>;
  files: { name: string; size: number }[];
  totalFiles: number;
  totalBytes: number;
  /** Characters of this directory's own lines when expanded: header + direct files. */
  ownChars: number;
  collapsed: boolean;
}

function newDir(name: string, path: string, depth: number): DirNode {
  return {
    name,
    path,
    depth,
    dirs: new Map(),
    files: [],
    totalFiles: 0,
    totalBytes: 0,
    ownChars: 0,
    collapsed: false,
  };
}

const INDENT = "  ";

function dirHeader(node: DirNode): string {
  return `${INDENT.repeat(node.depth)}${node.name}/ (${plural(node.totalFiles, "file")}, ${formatBytes(node.totalBytes)})`;
}

const COLLAPSED_MARK = " …";

function fileLine(depth: number, file: { name: string; size: number }): string {
  return `${INDENT.repeat(depth)}${file.name}  ${formatBytes(file.size)}`;
}

function sortedDirs(node: DirNode): DirNode[] {
  return [...node.dirs.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function renderTree(root: DirNode, out: string[]): void {
  const walk = (node: DirNode) => {
    for (const dir of sortedDirs(node)) {
      if (dir.collapsed) {
        out.push(dirHeader(dir) + COLLAPSED_MARK);
        continue;
      }
      out.push(dirHeader(dir));
      walk(dir);
    }
    const fileDepth = node.depth + 1;
    for (const file of node.files) out.push(fileLine(fileDepth, file));
  };
  walk(root);
}

interface CollapseResult {
  collapsed: DirNode[];
}

/**
 * Collapse directories, deepest first (then the larger subtree first, then by path), until the tree's
 * characters fit `budget`. Because all deeper directories are collapsed before any shallower one, the
 * saving of collapsing a directory is its own file lines plus its (already collapsed) child lines.
 */
function collapseToFit(root: DirNode, budget: number): CollapseResult {
  const all: DirNode[] = [];
  const subtreeChars = new Map<DirNode, number>();
  const measure = (node: DirNode): number => {
    let chars = node === root ? 0 : dirHeader(node).length + 1;
    for (const file of node.files) chars += fileLine(node.depth + 1, file).length + 1;
    node.ownChars = chars;
    for (const dir of node.dirs.values()) chars += measure(dir);
    if (node !== root) all.push(node);
    subtreeChars.set(node, chars);
    return chars;
  };
  let total = measure(root);
  const collapsed: DirNode[] = [];
  if (total <= budget) return { collapsed };
  all.sort(
    (a, b) =>
      b.depth - a.depth ||
      (subtreeChars.get(b) ?? 0) - (subtreeChars.get(a) ?? 0) ||
      (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
  );
  for (const node of all) {
    if (total <= budget) break;
    let expanded = node.ownChars;
    for (const child of node.dirs.values()) expanded += dirHeader(child).length + COLLAPSED_MARK.length + 1;
    const folded = dirHeader(node).length + COLLAPSED_MARK.length + 1;
    node.collapsed = true;
    collapsed.push(node);
    total -= expanded - folded;
  }
  return { collapsed };
}

// --- entry points -----------------------------------------------------------------------------------

const ENTRY_PATTERNS: readonly RegExp[] = [
  /^(?:src\/|lib\/|app\/)?(?:index|main|app|server|cli|mod)\.(?:[cm]?[jt]sx?|py|go|rs|rb|java|kt|c|cc|cpp|cs|php|swift|dart|ex|exs)$/,
  /^cmd\/[^/]+\/main\.go$/,
  /^src\/(?:main|lib)\.rs$/,
  /^(?:[^/]+\/)?__main__\.py$/,
  /^(?:manage|setup|wsgi|asgi)\.py$/,
  /^(?:pyproject\.toml|setup\.cfg|Cargo\.toml|go\.mod|pom\.xml|build\.gradle(?:\.kts)?|Gemfile|config\.ru|Procfile|mix\.exs|deno\.jsonc?|composer\.json|CMakeLists\.txt|Makefile|justfile|Justfile)$/,
  /^(?:[^/]+\/)?(?:Dockerfile|Containerfile)(?:\.[^/]+)?$/,
  /^(?:docker-)?compose\.ya?ml$/,
  /^docker-compose\.ya?ml$/,
  /^bin\/[^/]+$/,
  /^app\.ya?ml$/,
  /^action\.ya?ml$/,
];

const MAX_ENTRY_LINES = 25;

function clean(text: string, max: number): string {
  const one = sanitizeUntrusted(text).replace(/\s+/g, " ").trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

function describePackageJson(path: string, content: Buffer): string {
  let pkg: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(content.toString("utf8"));
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      return `${path} (not an object)`;
    pkg = parsed as Record<string, unknown>;
  } catch {
    return `${path} (invalid JSON)`;
  }
  const parts: string[] = [];
  if (typeof pkg.name === "string") parts.push(`name ${clean(pkg.name, 80)}`);
  if (typeof pkg.type === "string") parts.push(`type ${clean(pkg.type, 20)}`);
  for (const field of ["main", "module", "types", "browser"] as const) {
    const value = pkg[field];
    if (typeof value === "string") parts.push(`${field} ${clean(value, 80)}`);
  }
  if (typeof pkg.exports === "string") parts.push(`exports ${clean(pkg.exports, 80)}`);
  else if (pkg.exports && typeof pkg.exports === "object") {
    const keys = Object.keys(pkg.exports).sort();
    parts.push(`exports ${clean(keys.slice(0, 8).join(", "), 120)}${keys.length > 8 ? ", …" : ""}`);
  }
  if (typeof pkg.bin === "string") parts.push(`bin ${clean(pkg.bin, 80)}`);
  else if (pkg.bin && typeof pkg.bin === "object") {
    const bins = Object.entries(pkg.bin as Record<string, unknown>)
      .filter((e): e is [string, string] => typeof e[1] === "string")
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([name, target]) => `${clean(name, 40)} → ${clean(target, 60)}`);
    if (bins.length > 0) parts.push(`bin ${bins.join(", ")}`);
  }
  if (Array.isArray(pkg.workspaces)) {
    parts.push(`workspaces ${clean(pkg.workspaces.filter((w) => typeof w === "string").join(", "), 120)}`);
  }
  if (pkg.scripts && typeof pkg.scripts === "object") {
    const scripts = Object.entries(pkg.scripts as Record<string, unknown>)
      .filter((e): e is [string, string] => typeof e[1] === "string")
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .slice(0, 12)
      .map(([name, command]) => `${clean(name, 30)}: ${clean(command, 60)}`);
    if (scripts.length > 0) parts.push(`scripts: ${scripts.join("; ")}`);
  }
  return parts.length > 0 ? `${path}: ${parts.join("; ")}` : path;
}

function findEntryPoints(source: RepoMapSource, paths: readonly string[]): string[] {
  const lines: string[] = [];
  for (const path of paths) {
    if (lines.length >= MAX_ENTRY_LINES) break;
    const depth = path.split("/").length - 1;
    if (baseName(path) === "package.json" && depth <= 2) {
      const content = source.read(path);
      if (content) lines.push(describePackageJson(path, content));
      continue;
    }
    if (ENTRY_PATTERNS.some((re) => re.test(path))) lines.push(path);
  }
  // package.json files first (root first), then the rest; both already sorted by path.
  const pkgs = lines.filter((l) => /(?:^|\/)package\.json(?::|$| \()/.test(l));
  const rest = lines.filter((l) => !pkgs.includes(l));
  return [...pkgs, ...rest];
}

// --- README -----------------------------------------------------------------------------------------

const README_RE = /^readme(?:\.(?:md|markdown|rst|txt|adoc|org))?$/i;

function readmeExcerpt(
  source: RepoMapSource,
  paths: readonly string[],
  maxLines: number,
  maxChars: number,
): string {
  const path = paths.filter((p) => !p.includes("/") && README_RE.test(p)).sort()[0];
  if (!path || maxChars < 200) return "";
  const content = source.read(path);
  if (!content) return "";
  // Only the start is shown: sanitise that much (with room for what sanitising removes), not a
  // README of megabytes. A comment or hidden element left open at the cut hides the rest, as it should.
  const text = sanitizeUntrusted(content.toString("utf8").slice(0, Math.max(20_000, maxChars * 8)))
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  const lines = text.split("\n");
  const excerpt = lines.slice(0, maxLines).join("\n");
  const more = lines.length > maxLines ? ` (first ${maxLines} of ${lines.length} lines)` : "";
  // The quoted block adds its tags (~60 chars) to the excerpt; clip inside quoteUntrusted to fit.
  const quoted = quoteUntrusted(`${path}${more}`, excerpt, { maxChars: Math.max(100, maxChars - 160) });
  return `## README\n${quoted}`;
}

// --- the map ----------------------------------------------------------------------------------------

export function buildRepoMap(source: RepoMapSource, options: RepoMapOptions): string {
  const budget = Math.max(200, Math.floor(options.tokenBudget * CHARS_PER_TOKEN));
  const listed = source.list();
  const paths = listed.filter((path) => !isReadDenied(path, options.readDeny));
  const hiddenSecrets = listed.length - paths.length;

  const skipped: Record<Exclude<FileKind, "source">, number> = {
    vendored: 0,
    generated: 0,
    lock: 0,
    binary: 0,
  };
  const languages = new Map<string, { files: number; exts: Map<string, number> }>();
  const root = newDir("", "", -1);
  const sourcePaths: string[] = [];
  let totalBytes = 0;

  for (const path of paths) {
    const content = source.read(path);
    const size = content?.length ?? 0;
    totalBytes += size;
    const kind = classifyFile(path, content);
    if (kind !== "source") {
      skipped[kind]++;
      continue;
    }
    sourcePaths.push(path);
    const { language, ext } = languageOf(path);
    const lang = languages.get(language) ?? { files: 0, exts: new Map<string, number>() };
    lang.files++;
    lang.exts.set(ext, (lang.exts.get(ext) ?? 0) + 1);
    languages.set(language, lang);

    const segments = path.split("/");
    let node = root;
    node.totalFiles++;
    node.totalBytes += size;
    for (let i = 0; i < segments.length - 1; i++) {
      const name = segments[i] as string;
      let child = node.dirs.get(name);
      if (!child) {
        child = newDir(name, segments.slice(0, i + 1).join("/"), i);
        node.dirs.set(name, child);
      }
      node = child;
      node.totalFiles++;
      node.totalBytes += size;
    }
    node.files.push({ name: segments[segments.length - 1] as string, size });
  }

  const sections: string[] = [];

  // Totals.
  const specialCounts = new Map<string, number>();
  for (const entry of source.special.values())
    specialCounts.set(entry.kind, (specialCounts.get(entry.kind) ?? 0) + 1);
  const skippedParts = (Object.entries(skipped) as [string, number][])
    .filter(([, n]) => n > 0)
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([kind, n]) => `${n} ${kind}`);
  const specialParts = [...specialCounts]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([kind, n]) => plural(n, kind));
  const totals = [
    `# Repository map (commit ${source.sha.slice(0, 12)})`,
    `${plural(paths.length, "file")}, ${formatBytes(totalBytes)}; ${sourcePaths.length} mapped below.` +
      (skippedParts.length > 0 ? ` Skipped (count only): ${skippedParts.join(", ")}.` : "") +
      (specialParts.length > 0 ? ` Not regular files: ${specialParts.join(", ")}.` : "") +
      (hiddenSecrets > 0 ? ` Hidden because they look like secrets: ${plural(hiddenSecrets, "file")}.` : ""),
  ];
  sections.push(totals.join("\n"));

  // Languages (at most ~10% of the budget).
  if (languages.size > 0) {
    const langBudget = Math.max(120, Math.floor(budget * 0.1));
    const ranked = [...languages].sort((a, b) => b[1].files - a[1].files || (a[0] < b[0] ? -1 : 1));
    const parts: string[] = [];
    let used = 0;
    let shownLanguages = 0;
    for (const [language, { files, exts }] of ranked.slice(0, 10)) {
      const extParts = [...exts]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, 4)
        .map(([ext, n]) => `${ext} ${n}`);
      const part = `${language} ${files} (${extParts.join(", ")})`;
      if (parts.length > 0 && used + part.length + 3 > langBudget) break;
      parts.push(part);
      used += part.length + 3;
      shownLanguages++;
    }
    const rest = ranked.slice(shownLanguages).reduce((n, [, l]) => n + l.files, 0);
    if (rest > 0) parts.push(`${rest} more files in ${ranked.length - shownLanguages} other languages`);
    sections.push(`## Languages (files)\n${parts.join(" · ")}`);
  }

  // Entry points (at most ~15% of the budget; the first one always, cut if need be).
  const entries = findEntryPoints(source, sourcePaths);
  if (entries.length > 0) {
    const entryBudget = Math.max(160, Math.min(2400, Math.floor(budget * 0.15)));
    const lines: string[] = [];
    let used = 0;
    for (const entry of entries) {
      const max = Math.min(400, entryBudget - 2);
      const line = `- ${entry.length > max ? `${entry.slice(0, max - 1)}…` : entry}`;
      if (lines.length > 0 && used + line.length + 1 > entryBudget) break;
      lines.push(line);
      used += line.length + 1;
    }
    if (entries.length > lines.length) lines.push(`- … ${entries.length - lines.length} more`);
    sections.push(`## Entry points\n${lines.join("\n")}`);
  }

  // README (at most ~20% of the budget; left out when that is too small to say anything).
  const readme = readmeExcerpt(
    source,
    sourcePaths,
    options.readmeLines ?? 40,
    Math.min(2400, Math.floor(budget * 0.2)),
  );
  if (readme) sections.push(readme);

  // Tree: whatever budget is left.
  const before = sections.join("\n\n").length;
  const treeTitle = "## Tree (source files only; directories show file count and total size)";
  const reserve = treeTitle.length + 300; // title, collapse note, "more lines" note, separators
  const treeBudget = Math.max(0, budget - before - reserve);
  const { collapsed } = collapseToFit(root, treeBudget);
  const treeLines: string[] = [];
  renderTree(root, treeLines);

  let notes = "";
  if (collapsed.length > 0) {
    const minDepth = Math.min(...collapsed.map((d) => d.depth));
    const examples = collapsed
      .filter((d) => d.depth === minDepth)
      .map((d) => d.path)
      .sort()
      .slice(0, 3);
    notes =
      `Collapsed to fit the budget: ${plural(collapsed.length, "directory")}, deepest first ` +
      `(down to depth ${minDepth + 1}, e.g. ${examples.join(", ")}), marked "…"; list_files opens them.`;
  }
  // If even the fully collapsed tree does not fit, cut it and say how much is missing.
  let used = 0;
  let cut = treeLines.length;
  for (let i = 0; i < treeLines.length; i++) {
    const len = (treeLines[i] as string).length + 1;
    if (used + len > treeBudget) {
      cut = i;
      break;
    }
    used += len;
  }
  const shownLines = treeLines.slice(0, cut);
  if (cut < treeLines.length) {
    shownLines.push(`… ${treeLines.length - cut} more tree lines not shown (budget); use list_files.`);
  }
  sections.push([treeTitle, ...(notes ? [notes] : []), ...shownLines].join("\n"));

  let map = `${sections.join("\n\n")}\n`;
  if (map.length > budget) {
    const tail = "\n[map cut at the budget]\n";
    map = map.slice(0, Math.max(0, budget - tail.length)) + tail;
  }
  return map;
}
