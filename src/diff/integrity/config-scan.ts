/**
 * Reading settings out of single diff lines, whatever the format: JSON, JavaScript object literals,
 * YAML, TOML, INI, `.editorconfig`, XML elements and attributes, Makefile assignments and command-line
 * flags. A diff shows lines, not documents, so this reads what one line (and, for lists, the lines of
 * its hunk before it) can tell; a hunk that starts in the middle of a list whose key is beyond the
 * diff's context is read from git's section heading when git put the key there, and missed otherwise.
 */

export interface KeyValue {
  key: string;
  value: string;
}

/** Removes quotes, a trailing `,`/`;`, and takes the first element of an array (`["error", {…}]`). */
export function normaliseValue(raw: string): string {
  let v = raw.trim().replace(/[,;]+$/, "");
  if (v.startsWith("[")) v = (v.slice(1).split(",")[0] ?? "").trim();
  return v.replace(/^["'`]|["'`]$/g, "").trim();
}

const KV =
  /(?<![\w$@./-])["']?([A-Za-z_$@][\w$@./-]*(?:::[\w$@./-]+)*)["']?\s*(?::=|\?=|\+=|:|=)\s*("[^"]*"|'[^']*'|\[[^\]]*\]?|[^\s,;})\]]+)/g;
const XML_ELEMENT = /<([\w.:-]+)(?:\s[^>]*)?>\s*([^<]*?)\s*<\/\1>/g;
const CLI_FLAG = /(?<![\w-])(--?[A-Za-z][\w-]*)(?:=|\s+)(-?\d+(?:\.\d+)?%?)(?![\w.])/g;
const RUBY_CALL = /\b(minimum_coverage(?:_by_file)?)\s*\(?\s*(?:line:\s*)?(\d+(?:\.\d+)?)/g;

/** A line that is only a comment (`#`, `//`, `;`, `<!--`, `/*`, `*`). */
export function isCommentLine(text: string): boolean {
  return /^\s*(?:#|\/\/|;|<!--|\/\*|\*(?!\*))/.test(text);
}

/** Every `key: value`, `key = value`, `<key>value</key>`, `--flag value` on the line. */
export function keyValues(text: string): KeyValue[] {
  if (isCommentLine(text)) return [];
  const out: KeyValue[] = [];
  for (const m of text.matchAll(XML_ELEMENT))
    out.push({ key: m[1] ?? "", value: normaliseValue(m[2] ?? "") });
  const withoutXml = text.replace(XML_ELEMENT, " ");
  for (const m of withoutXml.matchAll(KV)) out.push({ key: m[1] ?? "", value: normaliseValue(m[2] ?? "") });
  for (const re of [CLI_FLAG, RUBY_CALL])
    for (const m of text.matchAll(re)) out.push({ key: m[1] ?? "", value: normaliseValue(m[2] ?? "") });
  return out;
}

/** One item of a list, with the list's dotted path (`tool.ruff.lint.ignore`). */
export interface ListItem {
  path: string;
  item: string;
}

interface Open {
  key: string;
  indent: number;
  /** Opened by `key:` with nothing after it (YAML block, INI continuation). */
  block: boolean;
}

const cleanItem = (s: string) =>
  s
    .trim()
    .replace(/\s+#.*$/, "")
    .replace(/[,;]+$/, "")
    .replace(/^["'`]|["'`]$/g, "")
    .trim();

function splitItems(s: string): string[] {
  return s
    .split(/[,;]/)
    .map(cleanItem)
    .filter((x) => x !== "" && !/^[[\]{}()]+$/.test(x));
}

const SECTION = /^\[\[?\s*([^\]]+?)\s*\]\]?$/;
const CLOSING = /^[\]})]+[,;]?$|^<\/[\w.:-]+>$/;
const XML_OPEN = /^<([\w.:-]+)(?:\s[^>]*)?>$/;
const XML_ONE = /^<([\w.:-]+)(?:\s[^>]*)?>([^<]*)<\/\1>$/;
const YAML_ITEM = /^-(?:\s+(.*))?$/;
/** `key:`, `key =`, `"key":` — a quoted key is quoted whole, so `"ignore:ast:…",` is an item, not a key. */
const KEY_LINE = /^(?:"([^"]+)"|'([^']+)'|([\w$@.*/-]+))\s*(?::=|\?=|\+=|=|:)(?!:)\s*(.*)$/;

/**
 * Follows one side of a hunk line by line and says which list items each line holds. The path is
 * the TOML/INI section plus the keys of the blocks the line is inside (by indentation and brackets).
 */
export class ListTracker {
  private section: string[] = [];
  private stack: Open[] = [];

  private path(extra?: string): string {
    return [...this.section, ...this.stack.map((o) => o.key), ...(extra === undefined ? [] : [extra])].join(
      ".",
    );
  }

  feed(raw: string): ListItem[] {
    if (raw.trim() === "" || isCommentLine(raw)) return [];
    const indent = /^\s*/.exec(raw)?.[0].length ?? 0;
    const line = raw.trim().replace(/\s+#\s.*$/, "");
    const section = SECTION.exec(line);
    if (section && !line.includes("=")) {
      this.section = (section[1] ?? "").split(".").map(cleanItem);
      this.stack = [];
      return [];
    }
    if (CLOSING.test(line)) {
      while (this.stack.length > 0 && (this.stack.at(-1)?.indent ?? 0) >= indent) this.stack.pop();
      return [];
    }
    const item = YAML_ITEM.exec(line);
    while (this.stack.length > 0) {
      const top = this.stack.at(-1) as Open;
      if (top.indent < indent || (top.indent === indent && item && top.block)) break;
      this.stack.pop();
    }
    if (item)
      return splitItems(item[1] ?? "").length > 0
        ? [{ path: this.path(), item: cleanItem(item[1] ?? "") }]
        : [];
    const one = XML_ONE.exec(line);
    if (one) return splitItems(one[2] ?? "").map((i) => ({ path: this.path(one[1]), item: i }));
    const open = XML_OPEN.exec(line);
    if (open) {
      this.stack.push({ key: open[1] ?? "", indent, block: false });
      return [];
    }
    const kv = KEY_LINE.exec(line);
    if (!kv)
      return this.stack.length > 0 ? splitItems(line).map((i) => ({ path: this.path(), item: i })) : [];
    const key = cleanItem(kv[1] ?? kv[2] ?? kv[3] ?? "");
    const rest = (kv[4] ?? "").trim().replace(/[,;]$/, "");
    const asItem: ListItem[] = [{ path: this.path(), item: key }];
    if (rest === "" || rest === "|" || rest === ">" || rest === "{" || rest === "(") {
      this.stack.push({ key, indent, block: rest === "" || rest === "|" || rest === ">" });
      return asItem;
    }
    if (rest.startsWith("[")) {
      const closed = rest.includes("]");
      const inner = rest.slice(1, closed ? rest.lastIndexOf("]") : undefined);
      if (!closed) this.stack.push({ key, indent, block: false });
      return [
        ...asItem,
        ...splitItems(inner).map((i) => ({ path: closed ? this.path(key) : this.path(), item: i })),
      ];
    }
    if (rest.startsWith("{")) return asItem;
    return [...asItem, ...splitItems(rest).map((i) => ({ path: this.path(key), item: i }))];
  }
}
