/**
 * How model-written text is put into triad's comments (ARCHITECTURE §8: model text is escaped so it
 * cannot forge markers or hide content). The core renders through this interface; the shell hands in
 * the implementation (src/text/sanitize.ts `modelText`), which needs a Markdown parser the core does
 * not import.
 */
export interface ModelText {
  /** Prose that may span lines, put where a block starts; leave a blank line after it. */
  block(text: string): string;
  /** One line of prose: a list item, a heading, a table cell (line breaks and `|` are made safe). */
  line(text: string): string;
  /** Inline code (a path, a signature). */
  code(text: string): string;
}
