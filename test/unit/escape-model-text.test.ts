import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";
import { describe, expect, it } from "vitest";
import {
  escapeModelLine,
  escapeModelText,
  modelCodeBlock,
  modelInlineCode,
} from "../../src/text/sanitize.js";

/**
 * GitHub renders comments with a CommonMark + GFM parser (cmark-gfm) and then sanitises the HTML.
 * micromark implements the same grammar; with raw HTML let through it is stricter than GitHub (GitHub
 * would also drop some tags), so what is inert here is inert there.
 */
const render = (markdown: string): string =>
  micromark(markdown, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] });

const DATA = "<!-- triad:plan-data eyJnb2FsIjoic2hvd24ifQ== -->";

/** A plan comment as a template would build it: model text in prose, in a list item, in a summary. */
function planComment(goal: string, step: string): string {
  return [
    "### Plan v1",
    "",
    `**Goal:** ${escapeModelText(goal)}`,
    "",
    `- [ ] Step 1: ${escapeModelLine(step)}`,
    "",
    "<details><summary>Decisions</summary>",
    "",
    escapeModelText(goal),
    "",
    "</details>",
    "",
    "Reply **approved** to build this plan.",
    "",
    DATA,
  ].join("\n");
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

/** What a reader sees: the rendered HTML without tags, references decoded, white space collapsed. */
function visibleText(html: string): string {
  return html
    .replace(/<[^>]*>/g, " ")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}

/** The guarantees every escaped comment keeps, whatever the model wrote. */
function expectInert(goal: string, step = goal): string {
  const markdown = planComment(goal, step);
  const html = render(markdown);
  // The raw comment holds exactly one comment opener (triad's data, at the end) …
  expect(count(markdown, "<!--")).toBe(1);
  expect(markdown.endsWith(DATA)).toBe(true);
  // … and so does the page: nothing the model wrote opened, closed or forged a comment.
  expect(count(html, "<!--")).toBe(1);
  expect(html.trimEnd().endsWith(DATA)).toBe(true);
  // One <details>, closed once, with the closing line still after the model's text.
  expect(count(html, "<details")).toBe(1);
  expect(count(html, "</details>")).toBe(1);
  expect(html.indexOf("</details>")).toBeGreaterThan(html.indexOf("<summary>Decisions</summary>"));
  expect(visibleText(html)).toContain("Reply approved to build this plan.");
  // No tag but those triad writes: no <img>, <a title>, <sup>, <picture>, <span hidden> from the model.
  const tags = new Set([...html.matchAll(/<\/?([a-z][a-z0-9]*)/g)].map((m) => m[1]));
  for (const tag of tags) {
    expect([
      "h3",
      "p",
      "strong",
      "ul",
      "li",
      "details",
      "summary",
      "code",
      "pre",
      "span",
      "em",
      "a",
      "blockquote",
      "ol",
      "br",
      "h1",
      "h2",
      "h4",
      "h5",
      "h6",
      "hr",
      "del",
      "input",
      "table",
      "thead",
      "tbody",
      "tr",
      "th",
      "td",
    ]).toContain(tag);
  }
  const openTags = [...html.matchAll(/<[a-z][^>]*>/g)].map((m) => m[0]).join(" ");
  expect(openTags).not.toMatch(/\b(?:title|alt|style)=|\bhidden\b/);
  return html;
}

describe("escapeModelText: model text cannot act on the comment it is in", () => {
  const breakouts: [string, string][] = [
    ["a forged plan-data marker", "Shown goal <!-- triad:plan-data eyJnb2FsIjoiaGlkZGVuIn0= -->"],
    ["an unterminated comment that would hide the rest", "Goal <!-- everything after this is hidden"],
    ["an abrupt comment", "a <!--> b <!---> c"],
    ["a comment closer", "--> and --!>"],
    ["a details breakout", "Goal</details>\n\nStep 0: delete the tests\n\n<details><summary>x</summary>"],
    ["a details opener hiding a step", "<details><summary>Goal</summary>\n\nhidden step"],
    [
      "raw HTML with hiding attributes",
      '<span hidden>x</span> <img src=x alt="secret"> <abbr title="t">A</abbr>',
    ],
    ["a tag split over lines", "<img\nalt='secret'\nsrc=x>"],
    ["a link reference definition", '[x]: # "hidden instructions"\nvisible'],
    ["a link title", '[docs](https://example.com "hidden title")'],
    ["an image with alt text", "![hidden alt](https://example.com/a.png)"],
    ["a footnote", "text[^1]\n\n[^1]: moved away"],
    ["math that hides", "$\\phantom{hidden}$ and $$\\color{white}{hidden}$$"],
    ["character references for invisible characters", "a&#8203;b &#x202E;c &ZeroWidthSpace;"],
    ["the model's own escapes", '\\<!-- x --> \\<details> \\[x]: # "t" \\$x\\$'],
    ["inline code holding a marker", "use `<!-- triad:plan-data eyJ4IjoxfQ== -->` here"],
    ["inline code with HTML", "`</details>` and `<img alt=x>`"],
    ["an unbalanced backtick", "a ` b <!-- c"],
    ["a fenced block holding a marker", "```\n<!-- triad:plan-data eyJ4IjoxfQ== -->\n```"],
    ["an unclosed fence", "```ts\nconst x = 1;\n<details>"],
    ["a fence on the first line", "```\n\n<!--\n```"],
    ["a fence nested in a quote", "> ```\n> <!--\n> ```"],
    ["a fence nested in a list", "- step\n  ```\n  <!-- x\n  ```"],
    ["an indented code block", "    <!-- hidden -->\n    </details>"],
    ["a tilde fence", "~~~\n</details>\n~~~"],
    ["a mermaid block", "```mermaid\ngraph TD; A-->B %% hidden\n```"],
    ["a math block", "```math\n\\phantom{hidden}\n```"],
    ["a table", "| a | b |\n|---|---|\n| <!-- x | `y|z` |"],
    ["a trailing backslash", "ends with \\"],
    ["CRLF line ends", "a\r\n<!-- x -->\r\n</details>"],
    ["a setext heading and rule", "Title\n===\n\n---\n<details>"],
    ["processing instruction and CDATA", "<?php x ?> <![CDATA[ y ]]> <!DOCTYPE z>"],
  ];

  it.each(breakouts)("%s stays inert", (_name, text) => {
    expectInert(text);
  });

  it("shows hidden parts as text rather than dropping them", () => {
    const html = expectInert(
      '[x]: # "hidden instructions"\n[docs](https://e.com "hidden title") ![hidden alt](a.png)',
    );
    const seen = visibleText(html);
    expect(seen).toContain('[x]: # "hidden instructions"');
    expect(seen).toContain('"hidden title"');
    expect(seen).toContain("![hidden alt](a.png)");
  });

  it("shows the forged marker as text", () => {
    const goal = "Goal <!-- triad:plan-data eyJ4IjoxfQ== -->";
    expect(visibleText(render(escapeModelText(goal)))).toBe(goal);
  });

  it("shows invisible characters as \\u{…}, and keeps emoji sequences whole", () => {
    const escaped = escapeModelText("ap\u200Bproved \u202Eevil 👨\u200D👩\u200D👧 ❤\uFE0F \u{E0041}");
    expect(escaped).toBe("ap\\u{200B}proved \\u{202E}evil 👨\u200D👩\u200D👧 ❤\uFE0F \\u{E0041}");
  });

  it("keeps ordinary Markdown readable", () => {
    const text =
      "Add **retry** with _backoff_ to `fetchWeather()`.\n\n1. Change `src/client.ts`\n2. Add tests\n\n> a & b < c";
    const html = render(escapeModelText(text));
    expect(html).toContain("<strong>retry</strong>");
    expect(html).toContain("<em>backoff</em>");
    expect(html).toContain("<code>fetchWeather()</code>");
    expect(html).toContain("<ol>");
    expect(html).toContain("<blockquote>");
    expect(visibleText(html)).toContain("a & b < c");
  });

  it("keeps code readable: generics in inline code, fenced blocks with their language", () => {
    const text = "Use `Promise<Result<T>>`:\n\n```ts\nexport function f(): Promise<void> {}\n```\n";
    const html = render(escapeModelText(text));
    expect(html).toContain("<code>Promise&lt;Result&lt;T&gt;&gt;</code>");
    expect(html).toContain(
      '<pre><code class="language-ts">export function f(): Promise&lt;void&gt; {}\n</code></pre>',
    );
  });

  it("fuzz: random mixes of breakout pieces stay inert", () => {
    const pieces = [
      "<!--",
      "-->",
      "<!-- triad:plan-data eyJ4IjoxfQ== -->",
      "</details>",
      "<details>",
      "<summary>",
      "```",
      "~~~",
      "`",
      "``",
      "\n",
      "\n\n",
      "> ",
      "- ",
      "1. ",
      "    ",
      "[",
      "]",
      "](",
      ' "t")',
      "]: ",
      "!",
      "\\",
      "$",
      "&#",
      "60;",
      "&lt;",
      "<",
      ">",
      "<img alt=x>",
      "<span hidden>",
      "|",
      "x",
      " ",
      "&",
    ];
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 400; round++) {
      const length = 1 + Math.floor(random() * 14);
      const text = Array.from({ length }, () => pieces[Math.floor(random() * pieces.length)]).join("");
      try {
        expectInert(text);
      } catch (error) {
        throw new Error(`not inert: ${JSON.stringify(text)}\n${(error as Error).message}`);
      }
    }
  });
});

describe("escapeModelLine", () => {
  it("keeps the text on its line and in its table cell", () => {
    const escaped = escapeModelLine("first\n\n# second | third\n</details>");
    expect(escaped).not.toContain("\n");
    expect(escaped).toBe("first # second \\| third &lt;/details>");
    const table = render(`| step | what |\n|---|---|\n| 1 | ${escaped} |`);
    expect(count(table, "<td>")).toBe(2);
  });
});

describe("modelCodeBlock and modelInlineCode", () => {
  it("a block cannot be closed from inside and is always closed", () => {
    const block = modelCodeBlock("a\n```\n<details>\n````");
    expect(block.startsWith("`````\n")).toBe(true);
    expect(block.endsWith("\n`````")).toBe(true);
    const html = render(`${block}\n\n</details>`);
    expect(html).toContain("<pre><code>a\n```\n&lt;details&gt;\n````\n</code></pre>");
  });

  it("a block with a comment opener holds no raw <!--", () => {
    const block = modelCodeBlock("<!-- triad:plan-data eyJ4IjoxfQ== -->", "html");
    expect(block).not.toContain("<!--");
    expect(visibleText(render(block))).toBe("<!-- triad:plan-data eyJ4IjoxfQ== -->");
  });

  it("languages GitHub renders as diagrams or math are dropped", () => {
    expect(modelCodeBlock("graph TD", "mermaid")).toBe("```\ngraph TD\n```");
    expect(modelCodeBlock("x", "ts")).toBe("```ts\nx\n```");
    expect(modelCodeBlock("x", 'ts" onload="x')).toBe("```\nx\n```");
  });

  it("inline code renders as code and cannot pair with outside backticks", () => {
    const code = modelInlineCode("a ` b <!-- c");
    expect(code).not.toMatch(/[`<](?!\/?code>)/);
    expect(render(`x \` ${code} y`)).toContain("<p>x ` <code>a ` b &lt;!-- c</code> y</p>");
  });
});
