import picomatch from "picomatch";

/**
 * The write policy (ARCHITECTURE §6), in one place. Every write, edit and delete the developer makes
 * passes `checkWritePath` before it touches the overlay. Reasons are sentences the model reads and can
 * act on, so they say what was wrong and what to do instead.
 */

/**
 * The part of the base snapshot the policy needs: what is at a path. `Snapshot.kindOf` fits: it
 * answers "file", "directory", "symlink", "hardlink", "submodule", "other" or undefined. Anything but
 * a regular file or a directory is refused, as is any path below it.
 */
export interface KindLookup {
  kindOf(path: string): string | undefined;
}

export interface WritePolicy {
  /**
   * Globs from `deny_paths` in the repository config (picomatch, dot files included, case-insensitive).
   * As in `.gitignore`, a glob without a slash matches the name at any depth (`*.pem`), and a glob that
   * matches a directory denies everything below it (`infra`).
   */
  denyPaths: readonly string[];
  /** Size cap per written file, in bytes. */
  maxFileBytes: number;
  /** The base snapshot, for symlink and submodule checks. */
  base: KindLookup;
}

/** Which rule refused a path; `reason` is the text for the model, `rule` is for code and logs. */
export type PathRule =
  | "empty"
  | "control-char"
  | "invisible-char"
  | "absolute"
  | "parent-segment"
  | "encoded"
  | "backslash"
  | "directory"
  | "too-long"
  | "git-dir"
  | "workflows"
  | "gitmodules"
  | "symlink"
  | "submodule"
  | "special"
  | "denied"
  | "too-large";

export type PathCheck = { ok: true; path: string } | { ok: false; rule: PathRule; reason: string };

const MAX_PATH_LENGTH = 4096;
// C0 controls, DEL and C1 controls.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// Zero-width and bidi formatting characters: invisible in a review, and ignored by some file systems
// (HFS+ ignores several when comparing names, so `.g\u200cit` is `.git` there).
const INVISIBLE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x061c, 0x061c],
  [0x115f, 0x1160],
  [0x17b4, 0x17b5],
  [0x180b, 0x180f],
  [0x200b, 0x200f],
  [0x202a, 0x202e],
  [0x2060, 0x206f],
  [0x3164, 0x3164],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
  [0xffa0, 0xffa0],
];

function isInvisible(ch: string): boolean {
  const code = ch.codePointAt(0) ?? 0;
  return INVISIBLE_RANGES.some(([from, to]) => code >= from && code <= to);
}

const hasInvisible = (text: string): boolean => [...text].some(isInvisible);
const withoutInvisible = (text: string): string => [...text].filter((ch) => !isInvisible(ch)).join("");

const matcherCache = new Map<string, (path: string) => boolean>();

function denyMatcher(globs: readonly string[]): (path: string) => boolean {
  const key = JSON.stringify(globs);
  let matcher = matcherCache.get(key);
  if (!matcher) {
    matcher =
      globs.length === 0 ? () => false : picomatch([...globs], { dot: true, nocase: true, basename: true });
    matcherCache.set(key, matcher);
  }
  return matcher;
}

function refuse(rule: PathRule, reason: string): PathCheck {
  return { ok: false, rule, reason };
}

/** Decodes percent-escapes repeatedly (`%252e` → `%2e` → `.`); undefined when nothing was encoded. */
function percentDecoded(path: string): string | undefined {
  if (!/%[0-9a-f]{2}/i.test(path)) return undefined;
  let current = path;
  for (let i = 0; i < 5; i++) {
    const next = current.replace(/%([0-9a-f]{2})/gi, (_, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
    if (next === current) break;
    current = next;
  }
  return current;
}

/** A name as a case-insensitive file system may see it: lower case, trailing dots and spaces dropped. */
function foldName(segment: string): string {
  return withoutInvisible(segment.normalize("NFC"))
    .replace(/[. ]+$/, "")
    .toLowerCase();
}

function isDotGit(segment: string): boolean {
  const folded = foldName(segment);
  // `git~1` is the NTFS short name of `.git`.
  return folded === ".git" || folded === "git~1";
}

/**
 * The structural checks that do not depend on the repository: shape, characters, `..`, absolute
 * paths. Runs on the literal path and again on its percent-decoded form.
 */
function checkShape(path: string, shown: string): PathCheck {
  if (CONTROL.test(path)) {
    return refuse(
      "control-char",
      `Refused "${shown}": the path contains a NUL or another control character. Use a plain relative path such as "src/index.ts".`,
    );
  }
  if (/^[/\\]/.test(path) || /^[a-z]:/i.test(path) || path.startsWith("~")) {
    return refuse(
      "absolute",
      `Refused "${shown}": absolute paths are not allowed. Give a path relative to the repository root, such as "src/index.ts".`,
    );
  }
  const segments = path.split(/[/\\]+/);
  if (segments.some((s) => s === ".." || /^\.\.[. ]*$/.test(s))) {
    return refuse(
      "parent-segment",
      `Refused "${shown}": ".." segments are not allowed; every path must stay inside the repository. Give the path from the repository root without "..".`,
    );
  }
  return { ok: true, path };
}

/**
 * Checks that `path` may be written (or deleted) under `policy`. `size` is the byte length of the new
 * content, when there is one. Returns the normalised path (`./a//b` → `a/b`) to use from then on.
 */
export function checkWritePath(path: string, policy: WritePolicy, size?: number): PathCheck {
  if (typeof path !== "string" || path.trim() === "") {
    return refuse(
      "empty",
      'Refused: the path is empty. Give a file path relative to the repository root, such as "src/index.ts".',
    );
  }
  const shown = JSON.stringify(path).slice(1, -1);
  if (path.length > MAX_PATH_LENGTH) {
    return refuse(
      "too-long",
      `Refused the path: it is ${path.length} characters long; the limit is ${MAX_PATH_LENGTH}.`,
    );
  }
  const literal = checkShape(path, shown);
  if (!literal.ok) return literal;
  if (hasInvisible(path)) {
    return refuse(
      "invisible-char",
      `Refused "${shown}": the path contains invisible Unicode characters (zero-width or bidirectional controls). Use only visible characters.`,
    );
  }
  const decoded = percentDecoded(path);
  if (decoded !== undefined) {
    const check = checkShape(decoded, shown);
    if (!check.ok || decoded.includes("\\") || hasInvisible(decoded)) {
      return refuse(
        "encoded",
        `Refused "${shown}": its percent-encoded characters decode to "${JSON.stringify(decoded).slice(1, -1)}", which is not an allowed path. Write the path literally, relative to the repository root, without "..".`,
      );
    }
  }
  if (path.includes("\\")) {
    return refuse(
      "backslash",
      `Refused "${shown}": backslashes are not allowed in paths. Use forward slashes, e.g. "${path.replaceAll("\\", "/")}".`,
    );
  }
  if (path.endsWith("/")) {
    return refuse(
      "directory",
      `Refused "${shown}": the path ends with "/", so it names a directory. Name a file instead.`,
    );
  }
  const segments = path.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.length === 0) {
    return refuse("directory", `Refused "${shown}": the path names the repository root, not a file.`);
  }
  const normalised = segments.join("/");
  // The same checks on the decoded form, so `%2egit/config` or `.github%2fworkflows/x` is caught too.
  const forms = [segments];
  if (decoded !== undefined) forms.push(decoded.split("/").filter((s) => s !== "" && s !== "."));
  for (const form of forms) {
    if (form.some(isDotGit)) {
      return refuse(
        "git-dir",
        `Refused "${shown}": nothing inside a ".git" directory may be written; it is git's own data, not part of the repository's files.`,
      );
    }
    if (
      form.length >= 2 &&
      foldName(form[0] ?? "") === ".github" &&
      foldName(form[1] ?? "") === "workflows"
    ) {
      return refuse(
        "workflows",
        `Refused "${shown}": triad never changes files under ".github/workflows/" (GitHub Actions workflows). Leave CI changes to a maintainer and mention them in your summary.`,
      );
    }
    if (form.length === 1 && foldName(form[0] ?? "") === ".gitmodules") {
      return refuse(
        "gitmodules",
        `Refused "${shown}": triad does not add, change or remove git submodules, so ".gitmodules" cannot be written.`,
      );
    }
  }
  for (let i = 1; i <= segments.length; i++) {
    const prefix = segments.slice(0, i).join("/");
    const kind = policy.base.kindOf(prefix);
    if (kind === undefined || kind === "file" || (kind === "directory" && i < segments.length)) continue;
    const last = i === segments.length;
    if (kind === "directory") {
      return refuse(
        "directory",
        `Refused "${shown}": it is a directory in the repository. Name a file inside it instead.`,
      );
    }
    if (kind === "symlink") {
      return refuse(
        "symlink",
        last
          ? `Refused "${shown}": it is a symbolic link in the repository, and triad does not write, replace or delete symlinks. Change the file the link points to instead, by its real path.`
          : `Refused "${shown}": "${prefix}" is a symbolic link in the repository, and triad does not write through symlinks. Use the real path of the directory it points to.`,
      );
    }
    if (kind === "submodule") {
      return refuse(
        "submodule",
        `Refused "${shown}": "${prefix}" is a git submodule (another repository); its files cannot be changed from this one.`,
      );
    }
    return refuse(
      "special",
      `Refused "${shown}": "${prefix}" is not a regular file in the repository (${kind}), so triad does not change it.`,
    );
  }
  const deny = denyMatcher(policy.denyPaths);
  for (let i = segments.length; i >= 1; i--) {
    const prefix = segments.slice(0, i).join("/");
    if (deny(prefix)) {
      const what = i === segments.length ? "this path" : `the directory "${prefix}"`;
      return refuse(
        "denied",
        `Refused "${shown}": the repository's triad config lists ${what} in deny_paths, so triad may not change it. Leave it as it is and mention the needed change in your summary.`,
      );
    }
  }
  if (size !== undefined && size > policy.maxFileBytes) {
    return refuse(
      "too-large",
      `Refused "${shown}": the new content is ${size} bytes, over the limit of ${policy.maxFileBytes} bytes per file. Write a smaller file (split it if needed).`,
    );
  }
  return { ok: true, path: normalised };
}
