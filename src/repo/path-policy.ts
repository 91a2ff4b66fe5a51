import picomatch from "picomatch";

/**
 * The path policy (ARCHITECTURE §6, §8), in one place. Every write, edit and delete the developer makes
 * passes `checkWritePath` before it touches the overlay; every read tool and the repository map hide
 * what `isReadDenied` names; the architect's plan check asks `protectedPathReason`. Reasons are
 * sentences the model reads and can act on, so they say what was wrong and what to do instead.
 *
 * Every check runs on the path as a case-insensitive, normalisation-insensitive file system (macOS,
 * Windows) sees it: NFC-normalised, and for the fixed rules (`.git`, `.github/…`, symlinks,
 * submodules) folded to lower case, so `.GitHub/Workflows/x.yml` and an NFD spelling of a denied name
 * are refused like the plain ones. The path that is written is the one the model gave (only `./` and
 * `//` are tidied), so an existing file keeps its own spelling.
 */

/**
 * The part of the base snapshot the policy needs: what is at a path. `Snapshot` fits: `kindOf`
 * answers "file", "directory", "symlink", "hardlink", "submodule", "other" or undefined, and `special`
 * lists the entries that are not regular files, for the case-insensitive check. Anything but a regular
 * file or a directory is refused, as is any path below it.
 */
export interface KindLookup {
  kindOf(path: string): string | undefined;
  special?: ReadonlyMap<string, { kind: string }>;
}

export interface WritePolicy {
  /**
   * Globs from `deny_paths` in the repository config (picomatch, dot files included, case-insensitive).
   * As in `.gitignore`, a glob without a slash matches the name at any depth (`*.pem`), and a glob that
   * matches a directory denies everything below it (`infra`).
   */
  denyPaths: readonly string[];
  /**
   * Globs from `read_deny` in the repository config, on top of `DEFAULT_READ_DENY`: files that look
   * like secrets are not read, so they are not written either (an edit would show their content).
   */
  readDeny?: readonly string[];
  /** Size cap per written file, in bytes. */
  maxFileBytes: number;
  /** The base snapshot, for symlink and submodule checks. */
  base: KindLookup;
}

/**
 * Files that look like secrets, hidden from every read tool and the repository map, and never
 * written. Same glob rules as `deny_paths`; a glob starting with `!` makes an exception. The
 * repository's `read_deny` adds to this list (its own `!` globs can lift a default).
 */
export const DEFAULT_READ_DENY: readonly string[] = [
  // Environment files; the committed templates of them hold no values.
  ".env",
  ".env.*",
  "*.env",
  "!.env.example",
  "!.env.sample",
  "!.env.template",
  "!.env.dist",
  // Keys and certificates (private keys, keystores, PKCS#12 bundles, SSH keys; public halves excepted).
  "*.pem",
  "*.key",
  "*.p12",
  "*.pfx",
  "*.jks",
  "*.keystore",
  "*.ppk",
  "id_rsa*",
  "id_dsa*",
  "id_ecdsa*",
  "id_ed25519*",
  "!*.pub",
  // Credential stores of tools.
  ".npmrc",
  ".pypirc",
  ".netrc",
  "_netrc",
  ".git-credentials",
  ".htpasswd",
  ".dockercfg",
  "**/.docker/config.json",
  "**/.aws/credentials",
  "**/.ssh/**",
  "**/.gnupg/**",
  "credentials.json",
  "client_secret*.json",
  "*.kdbx",
  "*.tfstate",
  "*.tfstate.backup",
];

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
  | "triad-config"
  | "gitmodules"
  | "secret"
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

/**
 * One matcher for a list of globs: NFC on both sides, dot files included, case-insensitive. A glob
 * without a slash matches the last segment (as in `.gitignore`); the others the whole path.
 * (picomatch's own `basename` option would also apply to globs with a slash and fail them all.)
 */
function globMatcher(globs: readonly string[]): (path: string) => boolean {
  const key = JSON.stringify(globs);
  let matcher = matcherCache.get(key);
  if (!matcher) {
    const nfc = globs.map((g) => g.normalize("NFC").replace(/^\.?\/+/, ""));
    const options = { dot: true, nocase: true };
    const names = nfc.filter((g) => !g.includes("/"));
    const paths = nfc.filter((g) => g.includes("/"));
    const byName = names.length > 0 ? picomatch(names, options) : () => false;
    const byPath = paths.length > 0 ? picomatch(paths, options) : () => false;
    matcher = (path) => byPath(path) || byName(path.slice(path.lastIndexOf("/") + 1));
    matcherCache.set(key, matcher);
  }
  return matcher;
}

/** The path itself, then each directory above it, longest first: a glob on a directory covers its files. */
function selfAndParents(segments: readonly string[]): string[] {
  return segments.map((_, i) => segments.slice(0, segments.length - i).join("/"));
}

/** The first prefix of `segments` (longest first) that `globs` match, or undefined. */
function matchedPrefix(globs: readonly string[], segments: readonly string[]): string | undefined {
  const matches = globMatcher(globs);
  return selfAndParents(segments).find((prefix) => matches(prefix));
}

/** NFC segments of a tidy relative path; "" and "." segments dropped. */
function nfcSegments(path: string): string[] {
  return path
    .normalize("NFC")
    .split("/")
    .filter((s) => s !== "" && s !== ".");
}

interface ReadDenyLayers {
  layers: { deny: boolean; globs: string[] }[];
}

const readDenyCache = new Map<string, ReadDenyLayers>();

/** Defaults, then the repository's globs; within each, `!` exceptions win over denials. */
function readDenyLayers(extra: readonly string[]): ReadDenyLayers {
  const key = JSON.stringify(extra);
  let found = readDenyCache.get(key);
  if (!found) {
    const split = (globs: readonly string[]) => [
      { deny: true, globs: globs.filter((g) => !g.startsWith("!")) },
      { deny: false, globs: globs.filter((g) => g.startsWith("!")).map((g) => g.slice(1)) },
    ];
    found = { layers: [...split(DEFAULT_READ_DENY), ...split(extra)] };
    readDenyCache.set(key, found);
  }
  return found;
}

/**
 * The `read_deny` glob that hides `path` (defaults plus the repository's `readDeny`), or undefined
 * when the path may be read. A later layer overrides an earlier one: the repository's globs come after
 * the defaults, and in each layer an exception (`!glob`) comes after the denials.
 */
export function readDenyGlob(path: string, readDeny: readonly string[] = []): string | undefined {
  const segments = nfcSegments(path);
  if (segments.length === 0) return undefined;
  let glob: string | undefined;
  for (const layer of readDenyLayers(readDeny).layers) {
    if (matchedPrefix(layer.globs, segments) === undefined) continue;
    glob = layer.deny
      ? (layer.globs.find((g) => matchedPrefix([g], segments) !== undefined) ?? "")
      : undefined;
  }
  return glob;
}

/** True when `path` looks like a secret and is hidden from every read (see `readDenyGlob`). */
export function isReadDenied(path: string, readDeny: readonly string[] = []): boolean {
  return readDenyGlob(path, readDeny) !== undefined;
}

/** Why a path that looks like a secret is not shown, for the model. */
export function readDenyReason(path: string, glob: string): string {
  return `"${path}" is hidden from triad: it looks like a file that holds secrets (read_deny \`${glob}\`), so its content is never read, shown to a model, or changed. Work without it and mention in your summary anything that needs a change there.`;
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

/** Fixed rules and repository globs that refuse a path whatever the base holds. */
export interface ProtectedPathConfig {
  deny_paths?: readonly string[];
  read_deny?: readonly string[];
}

/**
 * The paths triad never writes, whatever a plan says, checked on the segments of one spelling of the
 * path: `.git`, `.gitmodules`, `.github/workflows/**`, triad's own configuration and contracts
 * (`.github/triad.yml`, `.github/triad/**`: a PR must not rewrite how it is reviewed), files that
 * look like secrets, and `deny_paths`.
 */
function fixedRule(
  segments: readonly string[],
  shown: string,
  config: ProtectedPathConfig,
): PathCheck | undefined {
  if (segments.some(isDotGit)) {
    return refuse(
      "git-dir",
      `Refused "${shown}": nothing inside a ".git" directory may be written; it is git's own data, not part of the repository's files.`,
    );
  }
  const first = foldName(segments[0] ?? "");
  const second = foldName(segments[1] ?? "");
  if (segments.length >= 2 && first === ".github" && second === "workflows") {
    return refuse(
      "workflows",
      `Refused "${shown}": triad never changes files under ".github/workflows/" (GitHub Actions workflows). Leave CI changes to a maintainer and mention them in your summary.`,
    );
  }
  if (
    segments.length >= 2 &&
    first === ".github" &&
    (second === "triad" || (segments.length === 2 && (second === "triad.yml" || second === "triad.yaml")))
  ) {
    return refuse(
      "triad-config",
      `Refused "${shown}": triad never changes its own configuration (".github/triad.yml") or role contracts (".github/triad/"); they are read from the default branch and only a maintainer changes them. Mention the change you would make in your summary.`,
    );
  }
  if (segments.length === 1 && foldName(segments[0] ?? "") === ".gitmodules") {
    return refuse(
      "gitmodules",
      `Refused "${shown}": triad does not add, change or remove git submodules, so ".gitmodules" cannot be written.`,
    );
  }
  const secretGlob = readDenyGlob(segments.join("/"), config.read_deny ?? []);
  if (secretGlob !== undefined) {
    return refuse(
      "secret",
      `Refused "${shown}": it looks like a file that holds secrets (read_deny \`${secretGlob}\`), so triad neither reads nor writes it. Leave it as it is and mention the needed change in your summary.`,
    );
  }
  const nfc = segments.map((s) => s.normalize("NFC"));
  const denied = matchedPrefix(config.deny_paths ?? [], nfc);
  if (denied !== undefined) {
    const what = denied === nfc.join("/") ? "this path" : `the directory "${denied}"`;
    return refuse(
      "denied",
      `Refused "${shown}": the repository's triad config lists ${what} in deny_paths, so triad may not change it. Leave it as it is and mention the needed change in your summary.`,
    );
  }
  return undefined;
}

/**
 * Why triad would refuse to write `path` whatever the repository holds, or undefined: the rules of
 * `fixedRule` (`.git`, `.gitmodules`, `.github/workflows/**`, `.github/triad.yml`,
 * `.github/triad/**`, secret-looking files, `deny_paths`), case- and normalisation-insensitive, also
 * through percent-encoding. Pure, for the architect's plan check: a plan step that names such a file
 * is refused at planning, not left for the developer to fail on.
 */
export function protectedPathReason(path: string, config: ProtectedPathConfig = {}): string | undefined {
  const shown = JSON.stringify(path).slice(1, -1);
  const forms = [path];
  const decoded = percentDecoded(path);
  if (decoded !== undefined) forms.push(decoded);
  for (const form of forms) {
    const segments = nfcSegments(form.replaceAll("\\", "/"));
    const rule = fixedRule(segments, shown, config);
    if (rule && !rule.ok) return rule.reason;
  }
  return undefined;
}

/** True when `protectedPathReason` has a reason. */
export function isProtectedPath(path: string, config: ProtectedPathConfig = {}): boolean {
  return protectedPathReason(path, config) !== undefined;
}

/** Lookup of the base's special entries (symlinks, submodules…) by folded path, built once per base. */
const foldedSpecials = new WeakMap<KindLookup, Map<string, { path: string; kind: string }>>();

function foldedKey(segments: readonly string[]): string {
  return segments.map(foldName).join("/");
}

/** The special entry at `segments` as a case-insensitive file system would find it, if any. */
function specialAt(
  base: KindLookup,
  segments: readonly string[],
): { path: string; kind: string } | undefined {
  const exact = segments.join("/");
  const kind = base.kindOf(exact);
  if (kind !== undefined && kind !== "file" && kind !== "directory") return { path: exact, kind };
  if (!base.special) return undefined;
  let index = foldedSpecials.get(base);
  if (!index) {
    index = new Map();
    for (const [path, entry] of base.special)
      index.set(foldedKey(path.split("/")), { path, kind: entry.kind });
    foldedSpecials.set(base, index);
  }
  return index.get(foldedKey(segments));
}

/**
 * What the base holds at the path and each directory above it: a directory cannot become a file, and
 * nothing is written at or through a symlink, a submodule or another special entry, found as a
 * case-insensitive file system would find it (`Linked/x` goes through the symlink `linked` there).
 */
function checkAgainstBase(
  segments: readonly string[],
  shown: string,
  base: KindLookup,
): PathCheck | undefined {
  for (let i = 1; i <= segments.length; i++) {
    const prefix = segments.slice(0, i).join("/");
    const last = i === segments.length;
    if (last && base.kindOf(prefix) === "directory") {
      return refuse(
        "directory",
        `Refused "${shown}": it is a directory in the repository. Name a file inside it instead.`,
      );
    }
    const special = specialAt(base, segments.slice(0, i));
    if (!special) continue;
    const { path: at, kind } = special;
    if (kind === "symlink") {
      return refuse(
        "symlink",
        last
          ? `Refused "${shown}": it is a symbolic link in the repository ("${at}"), and triad does not write, replace or delete symlinks. Change the file the link points to instead, by its real path.`
          : `Refused "${shown}": "${at}" is a symbolic link in the repository, and triad does not write through symlinks. Use the real path of the directory it points to.`,
      );
    }
    if (kind === "submodule") {
      return refuse(
        "submodule",
        `Refused "${shown}": "${at}" is a git submodule (another repository); its files cannot be changed from this one.`,
      );
    }
    return refuse(
      "special",
      `Refused "${shown}": "${at}" is not a regular file in the repository (${kind}), so triad does not change it.`,
    );
  }
  return undefined;
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
  // The fixed rules on the NFC form and on the decoded form too, so an NFD spelling, `%2egit/config`
  // or `.github%2fworkflows/x` is caught like the plain one.
  const forms = [nfcSegments(normalised)];
  if (decoded !== undefined) forms.push(nfcSegments(decoded));
  const config = { deny_paths: policy.denyPaths, read_deny: policy.readDeny ?? [] };
  for (const form of forms) {
    const rule = fixedRule(form, shown, config);
    if (rule) return rule;
  }
  const baseCheck = checkAgainstBase(segments, shown, policy.base);
  if (baseCheck) return baseCheck;
  if (size !== undefined && size > policy.maxFileBytes) {
    return refuse(
      "too-large",
      `Refused "${shown}": the new content is ${size} bytes, over the limit of ${policy.maxFileBytes} bytes per file. Write a smaller file (split it if needed).`,
    );
  }
  return { ok: true, path: normalised };
}
