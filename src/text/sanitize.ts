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
 *    Then what GitHub keeps in the source but does not show (`markdown-hidden.ts`): link reference
 *    definitions, link titles, image alt text, text-carrying HTML attributes, hidden elements.
 * 2. Quote it as data inside delimiters that the text itself cannot close.
 * 3. As a last guard on a finished prompt, redact any configured secret value.
 *
 * The other direction, model-written text on its way into triad's own comments, is `escapeModelText`
 * (below): escaped, not stripped, so the maintainer sees exactly what the model wrote.
 */
import { createHash } from "node:crypto";
import { endOf, parseMarkdown, startOf, walk } from "./markdown.js";
import { stripHiddenParts } from "./markdown-hidden.js";

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

/**
 * Everything a model must not see that a human would not see: invisible characters, HTML comments,
 * then the hidden parts of Markdown and HTML (`stripHiddenParts`: link reference definitions, link
 * titles, image alt text, text-carrying HTML attributes, hidden elements). Repeated until nothing
 * changes, so that removing one hidden part cannot assemble another.
 */
export function sanitizeUntrusted(text: string): string {
  let current = stripInvisible(text.replace(/\r\n?/g, "\n"));
  for (let i = 0; i < 5; i++) {
    const commentsGone = stripHtmlComments(current).replace(MARKDOWN_COMMENT_RE, "");
    const pass = stripHiddenParts(commentsGone);
    if (!pass.htmlChanged) return stripHtmlComments(pass.text);
    current = pass.text;
  }
  // Pathological nesting: whatever is left after the last pass, with no comment opener in it.
  return stripHtmlComments(current).replaceAll("<!--", "");
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

// --- model text in triad's own comments --------------------------------------------------------------

const INVISIBLE_ONE_RE = new RegExp(`[${Object.values(INVISIBLE_CLASSES).join("")}]`, "u");
const PICTOGRAPH_RE = /\p{Extended_Pictographic}/u;

/**
 * Invisible characters shown as `\u{…}`, so the maintainer sees that they are there. The joiner and
 * the emoji presentation selector stay next to an emoji (👨‍👩‍👧, ❤️), where they are part of it.
 */
function showInvisible(text: string): string {
  const chars = [...text];
  return chars
    .map((ch, i) => {
      if (ch === "\t" || ch === "\n" || !INVISIBLE_ONE_RE.test(ch)) return ch;
      const emojiJoiner =
        (ch === "\u200D" || ch === "\uFE0F") &&
        (PICTOGRAPH_RE.test(chars[i - 1] ?? "") || PICTOGRAPH_RE.test(chars[i + 1] ?? ""));
      return emojiJoiner
        ? ch
        : `\\u{${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}}`;
    })
    .join("");
}

/** Every ASCII punctuation character as a numeric reference: no Markdown or HTML can start in it. */
function inertText(text: string): string {
  return text.replace(/[!-/:-@[-`{-~]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Fenced-code languages GitHub renders as something other than code (math, diagrams, maps, 3D). */
const RENDERED_LANGUAGES = new Set(["math", "mermaid", "geojson", "topojson", "stl"]);

/**
 * Model-written code as a fenced block, for a template to put on its own lines: closed, with a fence
 * longer than any backtick run inside, and a language only when GitHub would render it as code. Code
 * holding `<!--` becomes `<pre><code>` with every punctuation character as a numeric reference, so
 * the raw comment never holds a marker's opening.
 */
export function modelCodeBlock(value: string, lang?: string | null): string {
  if (value.includes("<!--")) return `<pre><code>${inertText(value)}</code></pre>`;
  const longest = Math.max(0, ...(value.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  const info =
    lang && /^[\w#+.-]{1,40}$/.test(lang) && !RENDERED_LANGUAGES.has(lang.toLowerCase()) ? lang : "";
  const body = value.replace(/\n$/, "");
  return `${fence}${info}\n${body}${body === "" ? "" : "\n"}${fence}`;
}

/**
 * Model-written code for inline use. A code span with a backtick fence longer than any run inside
 * (CommonMark: nothing in a code span is Markdown or HTML), padded when the code starts or ends with
 * a backtick; code holding `<!--` becomes `<code>` with every punctuation character as a numeric
 * reference instead, so the raw comment never holds a marker's opening.
 */
export function modelInlineCode(value: string): string {
  const one = value.replace(/\s*\n\s*/g, " ");
  if (one.includes("<!--") || one.trim() === "") return `<code>${inertText(one)}</code>`;
  const longest = Math.max(0, ...(one.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad =
    one.startsWith("`") || one.endsWith("`") || (one.startsWith(" ") && one.endsWith(" ")) ? " " : "";
  return `${fence}${pad}${one}${pad}${fence}`;
}

/**
 * Prose: `<` (HTML, comments, markers, `</details>`), `[` (links with hidden titles, definitions,
 * images with alt text, footnotes), backticks that open no code span, runs of three tildes (fences),
 * `$` (math, which can hide text with `\phantom`) and character references (`&#8203;` is an
 * invisible character) are escaped.
 * A backslash escape the model wrote is kept as it is.
 */
function escapeProse(text: string, line: boolean): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    const next = text[i + 1] ?? "";
    if (ch === "\\" && /[!-/:-@[-`{-~]/.test(next)) {
      // The model's own escape already shows the character. `\<` becomes `&lt;` all the same, so the
      // raw comment never holds `<!--`; a dollar is shown GitHub's way (below).
      out += next === "<" ? "&lt;" : next === "$" ? "<span>$</span>" : ch + next;
      i++;
      continue;
    }
    if (ch === "\\" && next === "") out += "\\\\";
    else if (ch === "<") out += "&lt;";
    else if (ch === "[" || ch === "`" || (line && ch === "|")) out += `\\${ch}`;
    else if (ch === "$") out += "<span>$</span>";
    else if (ch === "~") {
      // Three or more open a tilde fence: escaped, so no fence appears where the parse saw none.
      const run = /^~+/.exec(text.slice(i))?.[0] ?? "~";
      out += run.length >= 3 ? "\\~".repeat(run.length) : run;
      i += run.length - 1;
    } else if (ch === "&" && /^&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);/i.test(text.slice(i, i + 40)))
      out += "&amp;";
    else out += ch;
  }
  return out;
}

/**
 * Model-written text made safe to put in a triad comment (issue "Trust boundaries" Part 2): what
 * GitHub shows is what the model wrote, and nothing in it can act on the rest of the comment.
 *
 * - No raw `<` survives outside code: no HTML comment can open (hiding what follows, or forging a
 *   `<!-- triad:… -->` marker), no `<details>` can close or open, no tag that GitHub keeps (`<sup>`,
 *   `<sub>`, `<img>`, `<a title>`, `<picture>` …) can hide or disguise text.
 * - Nothing that GitHub keeps in the source but does not show: link titles and definitions, image
 *   alt text, footnotes, math (`$\phantom{…}$`) and character references for invisible characters are
 *   shown as the characters they are written with; invisible characters are shown as `\u{…}`.
 * - Code stays code. Inline code becomes `<code>` with every punctuation character as a numeric
 *   reference (it renders as the same code, and no other backtick can pair with it). A top-level
 *   fenced block is re-fenced with a fence longer than any backtick run inside and always closed, on
 *   its own line; one that holds `<!--` becomes `<pre><code>` the same way, so the raw comment never
 *   contains a marker's opening. Code nested in a list or quote is escaped as prose (still readable).
 * - Ordinary Markdown stays readable: emphasis, lists, headings, quotes and bare URLs render as usual.
 *
 * Put the result where a block or a line may start (after "- ", after a heading's `## `, on its own
 * lines), and leave a blank line after a multi-line result: a trailing list or quote would otherwise
 * take the next line in. Never inside a code span, link text or an HTML attribute.
 */
export function escapeModelText(text: string): string {
  return escapeModel(text, false);
}

/**
 * `escapeModelText` for a one-line place (a list item's first line, a heading, a table cell): line
 * breaks become spaces and `|` is escaped, so the text stays in its line and its cell.
 */
export function escapeModelLine(text: string): string {
  return escapeModel(text.replace(/\s*[\r\n]+\s*/g, " "), true);
}

function escapeModel(text: string, line: boolean): string {
  const source = showInvisible(text.replace(/\r\n?/g, "\n"));
  const tree = parseMarkdown(source, { withoutHtmlAndLinks: true });
  const code: { from: number; to: number; render: string }[] = [];
  // A line has no blocks: there a fence is escaped as prose. In a text, a fence on the first line gets
  // a line of its own, as the template puts something before that line.
  for (const node of line ? [] : tree.children) {
    if (node.type === "code" && /^ {0,3}(?:`{3,}|~{3,})/.test(source.slice(startOf(node), endOf(node)))) {
      const render = modelCodeBlock(node.value, node.lang);
      const firstLine = !source.slice(0, startOf(node)).includes("\n");
      code.push({ from: startOf(node), to: endOf(node), render: firstLine ? `\n${render}` : render });
    }
  }
  for (const node of walk(tree)) {
    if (node.type !== "inlineCode") continue;
    const inside = code.some((c) => startOf(node) >= c.from && endOf(node) <= c.to);
    if (!inside) code.push({ from: startOf(node), to: endOf(node), render: modelInlineCode(node.value) });
  }
  code.sort((a, b) => a.from - b.from);
  let out = "";
  let at = 0;
  for (const piece of code) {
    out += escapeProse(source.slice(at, piece.from), line) + piece.render;
    at = piece.to;
  }
  return out + escapeProse(source.slice(at), line);
}

/** The core's `ModelText` (src/core/model-text.ts): how model-written text goes into triad's comments. */
export const modelText = {
  block: escapeModelText,
  line: escapeModelLine,
  code: modelInlineCode,
};
