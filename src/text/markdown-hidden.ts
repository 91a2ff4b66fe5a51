/**
 * Markdown and HTML that GitHub keeps in a comment's source but does not show on the page, removed
 * before a model reads the text (issue "Trust boundaries" Part 8). HTML comments and invisible
 * characters are handled by `sanitizeUntrusted` itself; this module does the rest:
 *
 * - link reference definitions (`[r]: https://x "text"`): never rendered, label and title included;
 * - link titles (`[a](https://x "text")`) and the label of a full reference (`[a][text]`): tooltips
 *   at most;
 * - image alt text (`![text](x.png)`): shown only when the image fails to load;
 * - HTML attributes that carry text: GitHub's sanitiser keeps `title`, `alt`, `summary`, `label`,
 *   `value`, `abbr`, `aria-*` and more (html-pipeline `SanitizationFilter::WHITELIST`, "attributes …
 *   :all"), none of which is shown as text. Only `href` and `src` are kept;
 * - elements whose content a browser does not show: the `hidden` attribute, `style` with
 *   `display: none` and the like (GitHub strips both, but other renderers and copies of the text do
 *   not), and `script`, `style`, `template`, `noscript`, `iframe`, `object`, `title`. An unclosed one
 *   hides the rest of the text, as an unclosed `<!--` does.
 *
 * `<details>` is kept: its content is one click away. Code (fenced, indented, inline) is left as
 * written: it is shown verbatim on the page. Pure: no I/O.
 */
import { endOf, type Nodes, parseMarkdown, startOf, walk } from "./markdown.js";

interface Edit {
  from: number;
  to: number;
  insert: string;
}

// CommonMark's raw HTML grammar (spec §6.6), on the source text: inside a quote or a list a tag's
// continuation line carries the container's `>` and indentation, hence `\n[ \t>]*`. At most one line
// break per run of white space, as in the spec, and bounded quoted values keep matching linear.
const WS = String.raw`[ \t]*(?:\n[ \t>]*)?`;
const SEP = String.raw`(?=[ \t\n])${WS}`;
const ATTR_NAME = "[A-Za-z_:][A-Za-z0-9_.:-]*";
const ATTR_VALUE = String.raw`(?:[^\s"'=<>\x60]{1,2000}|'[^']{0,2000}'|"[^"]{0,2000}")`;
const ATTR = `${SEP}(${ATTR_NAME})(?:${WS}=${WS}(${ATTR_VALUE}))?`;
const TAG_RE = new RegExp(
  `<([A-Za-z][A-Za-z0-9-]*)((?:${SEP}${ATTR_NAME}(?:${WS}=${WS}${ATTR_VALUE})?)*)${WS}(/?)>|</([A-Za-z][A-Za-z0-9-]*)${WS}>`,
  "g",
);
const ATTR_RE = new RegExp(ATTR, "g");

/** Attributes whose value is a link target, not text: kept, as the URL of a Markdown link is. */
const KEPT_ATTRIBUTES = new Set(["href", "src"]);
/** Elements whose content is never shown as text on a page. */
const CONTENT_HIDDEN = new Set(["script", "style", "template", "noscript", "iframe", "object", "title"]);
/** Elements without content (HTML "void elements"): a hidden one hides only itself. */
const VOID = new Set([
  "area",
  "base",
  "br",
  "col",
  "embed",
  "hr",
  "img",
  "input",
  "link",
  "meta",
  "param",
  "source",
  "track",
  "wbr",
]);
const HIDING_STYLE =
  /(?:display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)|opacity\s*:\s*0*(?:\.0*)?\s*(?:;|$|!)|font-size\s*:\s*0*(?:\.0*)?(?:px|em|rem|%|pt)?\s*(?:;|$|!))/i;

interface Tag {
  from: number;
  to: number;
  name: string;
  closing: boolean;
  attributes: { name: string; raw: string | undefined }[];
}

function tagsIn(source: string, offset: number): Tag[] {
  const tags: Tag[] = [];
  for (const match of source.matchAll(TAG_RE)) {
    const from = offset + (match.index ?? 0);
    const to = from + match[0].length;
    if (match[4] !== undefined) {
      tags.push({ from, to, name: match[4].toLowerCase(), closing: true, attributes: [] });
      continue;
    }
    const attributes = [...(match[2] ?? "").matchAll(ATTR_RE)].map((a) => ({
      name: (a[1] ?? "").toLowerCase(),
      raw: a[2],
    }));
    tags.push({ from, to, name: (match[1] ?? "").toLowerCase(), closing: false, attributes });
  }
  return tags;
}

function unquote(raw: string | undefined): string {
  if (raw === undefined) return "";
  return /^["']/.test(raw) ? raw.slice(1, -1) : raw;
}

function hides(tag: Tag): boolean {
  if (CONTENT_HIDDEN.has(tag.name)) return true;
  return tag.attributes.some(
    (a) => a.name === "hidden" || (a.name === "style" && HIDING_STYLE.test(unquote(a.raw))),
  );
}

/** The tag with only its link attributes, or undefined when nothing needs to go. */
function keptTag(tag: Tag, source: string): string | undefined {
  const kept = tag.attributes.filter((a) => KEPT_ATTRIBUTES.has(a.name) && a.raw !== undefined);
  if (kept.length === tag.attributes.length) return undefined;
  const selfClosing = source.slice(tag.from, tag.to).endsWith("/>");
  return `<${tag.name}${kept.map((a) => ` ${a.name}=${a.raw}`).join("")}${selfClosing ? " /" : ""}>`;
}

/**
 * Edits for the HTML tags in document order: hidden elements go whole (from their opening tag to the
 * matching closing tag, or to the end of the text), other tags lose their text-carrying attributes.
 */
function htmlEdits(tags: readonly Tag[], text: string): Edit[] {
  const edits: Edit[] = [];
  let hiding: { name: string; from: number; depth: number } | undefined;
  for (const tag of tags) {
    if (hiding) {
      if (tag.name !== hiding.name || VOID.has(tag.name)) continue;
      hiding.depth += tag.closing ? -1 : 1;
      if (hiding.depth === 0) {
        edits.push({ from: hiding.from, to: tag.to, insert: "" });
        hiding = undefined;
      }
      continue;
    }
    if (tag.closing) continue;
    if (hides(tag)) {
      if (VOID.has(tag.name)) edits.push({ from: tag.from, to: tag.to, insert: "" });
      else hiding = { name: tag.name, from: tag.from, depth: 1 };
      continue;
    }
    const replacement = keptTag(tag, text);
    if (replacement !== undefined) edits.push({ from: tag.from, to: tag.to, insert: replacement });
  }
  if (hiding) edits.push({ from: hiding.from, to: text.length, insert: "" });
  return edits;
}

/** A URL as a Markdown destination that parses back to the same URL. */
function destination(url: string): string {
  return /[\s()<>]/.test(url) ? `<${url.replace(/[<>\n]/g, encodeURIComponent)}>` : url;
}

/** Where the `](…)` or `][…]` part of a link starts: after its last child, or after `[`. */
function afterLabel(node: Nodes & { children: Nodes[] }): number {
  const last = node.children.at(-1);
  return last ? endOf(last) : startOf(node) + 1;
}

function markdownEdits(node: Nodes): Edit | undefined {
  switch (node.type) {
    case "definition":
      return { from: startOf(node), to: endOf(node), insert: "" };
    case "image":
      return { from: startOf(node), to: endOf(node), insert: `![](${destination(node.url)})` };
    case "imageReference":
      return { from: startOf(node), to: endOf(node), insert: "[image]" };
    case "link":
      if (node.title === null || node.title === undefined) return undefined;
      return { from: afterLabel(node), to: endOf(node), insert: `](${destination(node.url)})` };
    case "linkReference":
      if (node.referenceType !== "full") return undefined;
      return { from: afterLabel(node), to: endOf(node), insert: "]" };
    default:
      return undefined;
  }
}

/** Keeps the first of overlapping edits (a hidden element swallows the edits inside it). */
function nonOverlapping(edits: Edit[]): Edit[] {
  const sorted = [...edits].sort((a, b) => a.from - b.from || b.to - a.to);
  const out: Edit[] = [];
  let end = -1;
  for (const edit of sorted) {
    if (edit.from < end) continue;
    out.push(edit);
    end = Math.max(end, edit.to);
  }
  return out;
}

/** One pass: the text without the hidden parts listed in the module comment. */
export function stripHiddenMarkdown(text: string): string {
  return stripHiddenParts(text).text;
}

/**
 * One pass, and whether it changed any HTML. Only a change to HTML can assemble a new hidden part
 * from the pieces around it (`<sp<span hidden>x</span>an hidden>`), so only then is another pass
 * needed; removing a title, an alt text or a definition cannot.
 */
export function stripHiddenParts(text: string): { text: string; htmlChanged: boolean } {
  // Only these can start a hidden part: an HTML tag, a definition (`]:`), a link with a title (`](`),
  // a full reference (`][`), an image (`![`). Most text has none, and parsing is the costly step.
  if (!/<[A-Za-z/]|\]\s*:|\]\s*\(|\]\s*\[|!\[/.test(text)) return { text, htmlChanged: false };
  const tree = parseMarkdown(text);
  const edits: Edit[] = [];
  const tags: Tag[] = [];
  for (const node of walk(tree)) {
    if (node.type === "html") {
      tags.push(...tagsIn(text.slice(startOf(node), endOf(node)), startOf(node)));
      continue;
    }
    const edit = markdownEdits(node);
    if (edit) edits.push(edit);
  }
  const html = htmlEdits(tags, text);
  const pieces: string[] = [];
  let at = 0;
  for (const edit of nonOverlapping([...edits, ...html])) {
    pieces.push(text.slice(at, edit.from), edit.insert);
    at = edit.to;
  }
  pieces.push(text.slice(at));
  return { text: pieces.join(""), htmlChanged: html.length > 0 };
}
