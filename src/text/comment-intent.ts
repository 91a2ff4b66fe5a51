/**
 * What a human comment asks for: an approval, a `/triad` command, or just words for the architect.
 * Pure, so the rules are tested without GitHub.
 *
 * Both are read from the comment's first *visible* line (ARCHITECTURE §2, issue "Trust boundaries"
 * Part 5): quotes (`> approved` is someone else's word), strike-through (`~~approved~~` was taken back),
 * code (`` `approved` `` mentions the word) and HTML comments (`<!-- approved -->` is invisible) are
 * removed first, as a reader of the rendered thread would not read them as what the commenter says.
 * An approval is then exactly an approval word, with optional trailing punctuation other than a
 * question mark (`approved?` asks, it does not approve).
 */

import { COMMANDS, type CommandName, type CommentIntent } from "../core/commands.js";
import { endOf, type Nodes, parseMarkdown, startOf } from "./markdown.js";
import { stripHtmlComments, stripInvisible } from "./sanitize.js";

/** Stands in for an image: visible, but not a word. */
const OBJECT = "\uFFFC";

/**
 * The visible text of inline content. Strike-through is dropped; inline code and raw HTML tags stay as
 * written (with their backticks and angle brackets), so a line holding them is never exactly a word;
 * images become a placeholder for the same reason.
 */
function inlineText(nodes: readonly Nodes[], text: string): string {
  let out = "";
  for (const node of nodes) {
    switch (node.type) {
      case "text":
        out += node.value;
        break;
      case "break":
        out += "\n";
        break;
      case "delete":
        break;
      case "inlineCode":
      case "html":
        out += text.slice(startOf(node), endOf(node));
        break;
      case "image":
      case "imageReference":
        out += OBJECT;
        break;
      case "linkReference":
        // Written with its brackets, so the line does not depend on a definition further down.
        out += `[${inlineText(node.children, text)}]`;
        break;
      default:
        out +=
          "children" in node
            ? inlineText(node.children as Nodes[], text)
            : text.slice(startOf(node), endOf(node));
    }
  }
  return out;
}

/**
 * The lines a top-level block shows, or undefined when the block is removed for this purpose: quotes,
 * code, definitions (never rendered) and footnotes (rendered at the end, not here). A list, a table or
 * raw HTML shows its source lines, which never equal a bare word or start with `/triad`.
 */
function blockLines(block: Nodes, text: string): string[] | undefined {
  switch (block.type) {
    case "blockquote":
    case "code":
    case "definition":
    case "footnoteDefinition":
      return undefined;
    case "paragraph":
    case "heading":
      return inlineText(block.children, text).split("\n");
    default:
      return text.slice(startOf(block), endOf(block)).split("\n");
  }
}

/** The first visible line of `text` and where its block ends, or undefined when it has none. */
function firstLineIn(text: string): { line: string; blockEnd: number } | undefined {
  for (const block of parseMarkdown(text).children) {
    const line = blockLines(block, text)?.find((l) => l.trim() !== "");
    if (line !== undefined) return { line: line.trim(), blockEnd: endOf(block) };
  }
  return undefined;
}

/** Parsing is linear but not cheap (about 100 KB/s on dense Markdown); most answers are near the top. */
const PREFIX_CHARS = 4000;

/** The comment's first visible line (see the module comment), trimmed; "" when there is none. */
export function firstVisibleLine(body: string): string {
  const text = stripHtmlComments(stripInvisible(body.replace(/\r\n?/g, "\n")));
  const cut = text.indexOf("\n", PREFIX_CHARS);
  if (cut !== -1) {
    // A block that ends before the prefix's last line parses the same in the whole text: what follows
    // a block can change it only through the next line (a setext underline, a table's delimiter row).
    const prefix = text.slice(0, cut);
    const found = firstLineIn(prefix);
    if (found && found.blockEnd < prefix.lastIndexOf("\n")) return found.line;
  }
  return firstLineIn(text)?.line ?? "";
}

const QUESTION = /[?¿‽⁇⁈⁉⸮؟]/u;
const TRAILING_PUNCTUATION = /[\s\p{P}]+$/u;

/**
 * The comparable form of a line or an approval word: compatibility-normalised (full-width letters are
 * letters), lower case, single spaces, trailing punctuation cut. Undefined when that punctuation holds
 * a question mark.
 */
function approvalForm(line: string): string | undefined {
  const folded = line.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
  const trailing = TRAILING_PUNCTUATION.exec(folded)?.[0] ?? "";
  if (QUESTION.test(trailing)) return undefined;
  return folded.slice(0, folded.length - trailing.length);
}

/** True when `line` is exactly one of the approval words (optional trailing punctuation, no `?`). */
export function isApprovalLine(line: string, approvalWords: readonly string[]): boolean {
  const form = approvalForm(line);
  if (!form) return false;
  return approvalWords.some((word) => approvalForm(word) === form);
}

export function classifyComment(body: string, approvalWords: readonly string[]): CommentIntent {
  const line = firstVisibleLine(body);
  // The name is the letters after `/triad`, so `/triad ignore: intended` is the ignore command.
  const command = /^\/triad\b\s*([a-z]*)[:,.]?\s*(.*)$/i.exec(line);
  if (command) {
    const name = (command[1] ?? "").toLowerCase();
    if ((COMMANDS as readonly string[]).includes(name)) {
      return { type: "command", name: name as CommandName, args: (command[2] ?? "").trim() };
    }
    return { type: "unknown_command", text: line };
  }
  if (isApprovalLine(line, approvalWords)) return { type: "approval" };
  return { type: "message" };
}
