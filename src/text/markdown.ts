/**
 * GitHub-flavoured Markdown as GitHub parses it, for the rules that depend on what a reader of the
 * rendered thread sees: which line of a comment is its first visible one (approvals, commands), and
 * which parts of untrusted text are hidden (link titles, definitions, image alt text).
 *
 * micromark is a CommonMark-compliant parser with GFM extensions (strike-through, tables, footnotes,
 * autolink literals, task lists), the grammar GitHub documents for comments ("GitHub Flavored Markdown
 * Spec", github.github.com/gfm). Hand-written line rules miss its corners: a line after `> quote` is
 * part of the quote (a lazy continuation line), strike-through and code spans may span lines, a fence
 * may be unclosed. Pure: no I/O.
 */
import type { Nodes, Root } from "mdast";
import { fromMarkdown } from "mdast-util-from-markdown";
import { gfmFromMarkdown } from "mdast-util-gfm";
import { gfm } from "micromark-extension-gfm";

export type { Nodes, Root };

/**
 * Constructs that start with `<`, `[` or `&`. Text whose every such character is escaped (model text
 * on its way into a comment) has none of them, so it is parsed without them: its block structure is
 * then the structure of the escaped result (a line that looked like the start of an HTML block no
 * longer holds the lines after it, and a fence among them is a fence).
 */
const WITHOUT_HTML_AND_LINKS = {
  disable: {
    null: [
      "htmlFlow",
      "htmlText",
      "autolink",
      "definition",
      "labelStartLink",
      "labelStartImage",
      "characterReference",
      "gfmFootnoteDefinition",
      "gfmFootnoteCall",
      "gfmPotentialFootnoteCall",
    ],
  },
};

export interface ParseOptions {
  /** Parse as if raw HTML, links, images, definitions and character references did not exist. */
  withoutHtmlAndLinks?: boolean;
}

/** The syntax tree of `text`; every node carries its source offsets. */
export function parseMarkdown(text: string, options: ParseOptions = {}): Root {
  const extensions = options.withoutHtmlAndLinks ? [gfm(), WITHOUT_HTML_AND_LINKS] : [gfm()];
  return fromMarkdown(text, { extensions, mdastExtensions: [gfmFromMarkdown()] });
}

/** Offset of a node's first character in the parsed text. */
export function startOf(node: Nodes): number {
  return node.position?.start.offset ?? 0;
}

/** Offset just past a node's last character in the parsed text. */
export function endOf(node: Nodes): number {
  return node.position?.end.offset ?? 0;
}

/** The node's own source text. */
export function sourceOf(node: Nodes, text: string): string {
  return text.slice(startOf(node), endOf(node));
}

/** Every node below `node`, depth first, in document order (the node itself first). */
export function* walk(node: Nodes): Generator<Nodes> {
  yield node;
  if ("children" in node) for (const child of node.children) yield* walk(child as Nodes);
}
