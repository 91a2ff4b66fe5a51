/**
 * Untrusted text (issue and PR bodies, comments, README excerpts) before any model sees it
 * (ARCHITECTURE §8).
 *
 * 1. Strip what a human reading the rendered thread cannot see but a model would read: HTML comments
 *    and invisible Unicode. GitHub documents that the Copilot coding agent filters hidden characters
 *    and HTML comments out of issue text before the agent sees it ("Risks and mitigations for GitHub
 *    Copilot coding agent": hidden characters are filtered; GitHub's agentic security principles:
 *    "block usage of invisible Unicode or hidden HTML tags"). GitHub does not publish the exact list, so
 *    the classes below follow anthropics/claude-code-action `src/github/utils/sanitizer.ts`
 *    (zero-width, BOM, soft hyphen, bidi embeddings/overrides/isolates, C0/C1 controls) plus the other
 *    known smuggling channels: Unicode tag characters (U+E0000–E007F, "ASCII smuggling"), variation
 *    selectors (data hidden in emoji), bidi marks, invisible operators and fillers.
 * 2. Quote it as data inside delimiters that the text itself cannot close.
 * 3. As a last guard on a finished prompt, redact any configured secret value.
 */
import { createHash } from "node:crypto";

/**
 * Invisible code points, by class. Each is a character class body for a `u`-flag regexp.
 * Tab, LF and CR are kept; every other C0 control, DEL and the C1 controls go.
 */
export const INVISIBLE_CLASSES = {
  zeroWidth: "\\u200B\\u200C\\u200D\\u2060\\uFEFF\\u180E",
  bidi: "\\u200E\\u200F\\u061C\\u202A-\\u202E\\u2066-\\u2069",
  tags: "\\u{E0000}-\\u{E007F}",
  variationSelectors: "\\uFE00-\\uFE0F\\u{E0100}-\\u{E01EF}",
  softHyphen: "\\u00AD",
  invisibleOperators: "\\u2061-\\u2064",
  fillers: "\\u034F\\u115F\\u1160\\u3164\\uFFA0\\u17B4\\u17B5",
  annotations: "\\uFFF9-\\uFFFB",
  controls: "\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F",
} as const;

const INVISIBLE_RE = new RegExp(`[${Object.values(INVISIBLE_CLASSES).join("")}]`, "gu");

/** Remove invisible and control characters (see `INVISIBLE_CLASSES`). */
export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE_RE, "");
}

/**
 * HTML comments as a browser parses them: `<!--` up to `-->` or `--!>`, the abrupt forms `<!-->` and
 * `<!--->`, and an unterminated `<!--` that hides everything after it.
 */
const HTML_COMMENT_RE = /<!--(?:-?>|[\s\S]*?(?:--!?>|$))/g;

/** Markdown's comment idiom: a link reference definition to `#` or `<>`, e.g. `[//]: # (hidden)`. */
const MARKDOWN_COMMENT_RE =
  /^ {0,3}\[[^\]\n]+\]:[ \t]*(?:#|<>)(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\)))?[ \t]*$/gm;

/** Remove HTML comments (repeated until none is left: removing one must not assemble another). */
export function stripHtmlComments(text: string): string {
  let current = text;
  for (let i = 0; i < 10; i++) {
    const next = current.replace(HTML_COMMENT_RE, "");
    if (next === current) return next;
    current = next;
  }
  // Pathological nesting: drop anything from the first remaining opener.
  const at = current.indexOf("<!--");
  return at === -1 ? current : current.slice(0, at);
}

/** Everything a model must not see that a human would not see: invisible characters, then comments. */
export function sanitizeUntrusted(text: string): string {
  const visible = stripInvisible(text.replace(/\r\n?/g, "\n"));
  return stripHtmlComments(visible).replace(MARKDOWN_COMMENT_RE, "");
}

export interface QuoteOptions {
  /** Clip the (sanitized) text to this many characters (default 20,000). */
  maxChars?: number;
}

const DEFAULT_MAX_CHARS = 20_000;

/**
 * Sanitize `text` and wrap it as data:
 *
 * ```
 * <untrusted-3f9a1c2b7d4e source="issue #12 body by @alice">
 * …text…
 * </untrusted-3f9a1c2b7d4e>
 * ```
 *
 * The tag carries an id derived from a hash of the label and the quoted text, so the same input quotes
 * the same way every time (stable prompts, golden tests, prompt caching), and the text cannot contain
 * its own closing tag: that would need a text that contains a prefix of its own SHA-256. The id is still
 * checked against the text, and changed if the text happens to contain it.
 *
 * Text longer than `maxChars` is clipped at a line break where one is near, and the block says how many
 * characters were clipped.
 */
export function quoteUntrusted(label: string, text: string, options: QuoteOptions = {}): string {
  const maxChars = Math.max(1, options.maxChars ?? DEFAULT_MAX_CHARS);
  const clean = sanitizeUntrusted(text);
  let body = clean;
  let clippedNote = "";
  if (clean.length > maxChars) {
    let cut = maxChars;
    const lineBreak = clean.lastIndexOf("\n", cut);
    if (lineBreak > maxChars * 0.8) cut = lineBreak;
    // Never split a surrogate pair.
    const code = clean.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut--;
    body = clean.slice(0, cut).replace(/\n+$/, "");
    const clipped = clean.length - cut;
    clippedNote = `\n[… ${formatCount(clipped)} of ${formatCount(clean.length)} characters clipped]`;
  }
  const source = quoteLabel(label);
  let salt = 0;
  let id = delimiterId(source, body, salt);
  while (body.includes(`untrusted-${id}`)) id = delimiterId(source, body, ++salt);
  const tag = `untrusted-${id}`;
  return `<${tag} source="${source}">\n${body}${clippedNote}\n</${tag}>`;
}

function delimiterId(label: string, body: string, salt: number): string {
  return createHash("sha256").update(`${salt}\0${label}\0${body}`).digest("hex").slice(0, 12);
}

/** A label is ours, but may carry user-chosen parts (titles, logins): keep it to one inert line. */
function quoteLabel(label: string): string {
  return stripInvisible(label)
    .replace(/[\r\n\t]+/g, " ")
    .replace(/["<>]/g, "'")
    .slice(0, 200);
}

function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

/** Secrets shorter than this are ignored: redacting "abc" everywhere would wreck the prompt. */
export const MIN_SECRET_LENGTH = 6;
export const REDACTED = "[REDACTED]";

/** The forms in which a secret value may show up in text: raw, JSON-escaped, URL-encoded, base64. */
function secretForms(secret: string): string[] {
  const forms = new Set<string>([secret]);
  forms.add(JSON.stringify(secret).slice(1, -1));
  forms.add(encodeURIComponent(secret));
  forms.add(Buffer.from(secret, "utf8").toString("base64").replace(/=+$/, ""));
  forms.add(Buffer.from(secret, "utf8").toString("base64url"));
  return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

function allForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH) continue;
    for (const form of secretForms(secret)) forms.add(form);
  }
  // Longest first, so a secret that contains another is replaced whole.
  return [...forms].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
}

/**
 * Replace every occurrence of every configured secret value (and its JSON-escaped, URL-encoded and
 * base64 forms) with `[REDACTED]`. The final guard on a prompt before it leaves the process.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const form of allForms(secrets)) {
    if (out.includes(form)) out = out.split(form).join(REDACTED);
  }
  return out;
}

/** True when any configured secret value (in any of the forms above) occurs in the text. */
export function containsSecret(text: string, secrets: readonly string[]): boolean {
  return allForms(secrets).some((form) => text.includes(form));
}
