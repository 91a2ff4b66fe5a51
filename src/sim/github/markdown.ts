/**
 * GitHub's Markdown rendering, for `body_html` (media-types.ts) and `POST /markdown`: GitHub-flavoured
 * Markdown (marked, GFM on: tables, task lists, strike-through, autolinks), then GitHub's sanitising
 * allowlist (sanitize-html), so what a comment hides on GitHub is hidden here too — HTML comments and
 * with them triad's markers, scripts, styles, event attributes.
 *
 * Sources for the rules:
 * - the allowlist is html-pipeline's SanitizationFilter, the configuration extracted from GitHub
 *   (github.com/gjtorikian/html-pipeline, lib/html/pipeline/sanitization_filter.rb) and the GFM spec's
 *   "Disallowed Raw HTML" extension (github.github.com/gfm/#disallowed-raw-html-extension-);
 * - task lists get GitHub's classes (`task-list-item`, `contains-task-list`,
 *   `task-list-item-checkbox`), which github-markdown-css styles;
 * - in comments a single newline is a line break (`breaks`), in files it is not ("gfm" vs "markdown"
 *   mode of docs.github.com/rest/markdown/markdown#render-a-markdown-document);
 * - `#123` links to an existing issue or pull request of the context repository and `@login` to an
 *   existing user (docs.github.com "Autolinked references and URLs"); code is left alone;
 * - a ```` ```suggestion ```` block shows as a suggested change (docs.github.com "Incorporating feedback
 *   in your pull request").
 */
import { Marked, type Tokens } from "marked";
import sanitizeHtml from "sanitize-html";

export interface MarkdownContext {
  /** The simulator's origin: html URLs use it with github.com's path layout (payloads.ts). */
  baseUrl: string;
  /** `owner/repo` that `#123` refers to. */
  repo?: string;
  issueExists?(n: number): boolean;
  userExists?(login: string): boolean;
  /** Comments ("gfm", the default) break lines at newlines; files ("markdown") do not. */
  mode?: "gfm" | "markdown";
}

const ELEMENTS = [
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "h7",
  "h8",
  "br",
  "b",
  "i",
  "strong",
  "em",
  "a",
  "pre",
  "code",
  "img",
  "tt",
  "div",
  "ins",
  "del",
  "sup",
  "sub",
  "p",
  "picture",
  "ol",
  "ul",
  "table",
  "thead",
  "tbody",
  "tfoot",
  "blockquote",
  "dl",
  "dt",
  "dd",
  "kbd",
  "q",
  "samp",
  "var",
  "hr",
  "ruby",
  "rt",
  "rp",
  "li",
  "tr",
  "td",
  "th",
  "s",
  "strike",
  "summary",
  "details",
  "caption",
  "figure",
  "figcaption",
  "abbr",
  "bdo",
  "cite",
  "dfn",
  "mark",
  "small",
  "source",
  "span",
  "time",
  "wbr",
  // The task-list filter runs after sanitising on GitHub; here the checkbox is rendered before it.
  "input",
];

const ANY_ELEMENT = [
  "abbr",
  "accept",
  "accept-charset",
  "accesskey",
  "action",
  "align",
  "alt",
  "aria-describedby",
  "aria-hidden",
  "aria-label",
  "aria-labelledby",
  "axis",
  "border",
  "cellpadding",
  "cellspacing",
  "char",
  "charoff",
  "charset",
  "checked",
  "clear",
  "cols",
  "colspan",
  "color",
  "compact",
  "coords",
  "datetime",
  "dir",
  "disabled",
  "enctype",
  "for",
  "frame",
  "headers",
  "height",
  "hreflang",
  "hspace",
  "ismap",
  "label",
  "lang",
  "maxlength",
  "media",
  "method",
  "multiple",
  "name",
  "nohref",
  "noshade",
  "nowrap",
  "open",
  "progress",
  "prompt",
  "readonly",
  "rel",
  "rev",
  "role",
  "rows",
  "rowspan",
  "rules",
  "scope",
  "selected",
  "shape",
  "size",
  "span",
  "start",
  "summary",
  "tabindex",
  "target",
  "title",
  "type",
  "usemap",
  "valign",
  "value",
  "vspace",
  "width",
  "itemprop",
];

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: ELEMENTS,
  allowedAttributes: {
    "*": ANY_ELEMENT,
    a: ["href"],
    img: ["src", "longdesc"],
    source: ["srcset", "media"],
    div: ["itemscope", "itemtype"],
    blockquote: ["cite"],
    del: ["cite"],
    ins: ["cite"],
    q: ["cite"],
    code: ["class"],
  },
  // Only the classes this renderer itself emits; GitHub drops authors' classes.
  allowedClasses: {
    li: ["task-list-item"],
    ul: ["contains-task-list"],
    ol: ["contains-task-list"],
    input: ["task-list-item-checkbox"],
    code: [/^language-[\w-]+$/],
    div: ["suggested-change", "suggested-change-header"],
    pre: ["suggested-change-lines"],
    a: ["issue-link", "user-mention"],
  },
  allowedSchemes: ["http", "https", "mailto"],
  allowedSchemesByTag: { img: ["http", "https"] },
  allowProtocolRelative: false,
  // GitHub opens author links in the same tab but marks them nofollow.
  transformTags: {
    a: (tagName, attribs) => ({
      tagName,
      attribs: attribs.href?.startsWith("http") ? { ...attribs, rel: "nofollow" } : attribs,
    }),
  },
};

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** `#123` and `@login`, recognised where GitHub does: after a space, start or punctuation. */
function referenceExtension(ctx: MarkdownContext) {
  return {
    extensions: [
      {
        name: "reference",
        level: "inline" as const,
        start(src: string) {
          const m = /(^|[^\w&/])[#@][\w]/.exec(src);
          return m ? m.index + (m[1]?.length ?? 0) : undefined;
        },
        tokenizer(src: string): Tokens.Generic | undefined {
          const issue = /^#(\d+)(?![\w-])/.exec(src);
          if (issue && ctx.repo && ctx.issueExists?.(Number(issue[1]))) {
            return { type: "reference", raw: issue[0], kind: "issue", value: issue[1] };
          }
          const user = /^@([a-zA-Z0-9](?:-?[a-zA-Z0-9]){0,38})(?![\w-])/.exec(src);
          if (user && ctx.userExists?.(user[1] as string)) {
            return { type: "reference", raw: user[0], kind: "user", value: user[1] };
          }
          return undefined;
        },
        renderer(token: Tokens.Generic) {
          const v = String(token.value);
          return token.kind === "issue"
            ? `<a class="issue-link" href="${ctx.baseUrl}/${ctx.repo}/issues/${v}">#${v}</a>`
            : `<a class="user-mention" href="${ctx.baseUrl}/${encodeURIComponent(v)}">@${escapeHtml(v)}</a>`;
        },
      },
    ],
  };
}

function githubRenderer() {
  return {
    renderer: {
      checkbox({ checked }: Tokens.Checkbox) {
        return `<input type="checkbox" class="task-list-item-checkbox" disabled${checked ? " checked" : ""}> `;
      },
      list(this: { parser: { parse(tokens: Tokens.Generic[]): string } }, token: Tokens.List): string {
        const tag = token.ordered ? "ol" : "ul";
        const start =
          token.ordered && token.start !== 1 && token.start !== "" ? ` start="${token.start}"` : "";
        const task = token.items.some((i) => i.task) ? ' class="contains-task-list"' : "";
        const items = token.items
          .map((item) => {
            const body = this.parser.parse(item.tokens as Tokens.Generic[]);
            return `<li${item.task ? ' class="task-list-item"' : ""}>${body}</li>\n`;
          })
          .join("");
        return `<${tag}${start}${task}>\n${items}</${tag}>\n`;
      },
      code({ text, lang }: Tokens.Code): string | false {
        if ((lang ?? "").trim().split(/\s/)[0] !== "suggestion") return false;
        const lines = text.split("\n").map((l) => `+${escapeHtml(l)}`);
        return `<div class="suggested-change"><div class="suggested-change-header">Suggested change</div><pre class="suggested-change-lines"><code>${lines.join("\n")}</code></pre></div>\n`;
      },
    },
  };
}

/** Markdown as GitHub shows it: GFM, then GitHub's sanitiser (markers and other comments gone). */
export function renderMarkdown(text: string, ctx: MarkdownContext): string {
  const marked = new Marked(
    { gfm: true, breaks: (ctx.mode ?? "gfm") === "gfm", async: false },
    referenceExtension(ctx),
    githubRenderer(),
  );
  const html = marked.parse(text) as string;
  return sanitizeHtml(html, SANITIZE).trim();
}

/** The text-only rendering (`body_text` of the `text` and `full` media types). */
export function renderText(text: string, ctx: MarkdownContext): string {
  const html = renderMarkdown(text, ctx);
  return sanitizeHtml(html.replace(/<br\s*\/?>/g, "\n").replace(/<\/(p|li|h\d|tr|pre|div)>/g, "$&\n"), {
    allowedTags: [],
    allowedAttributes: {},
  })
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
