import { describe, expect, it } from "vitest";
import { classifyComment, firstVisibleLine, isApprovalLine } from "../../src/text/comment-intent.js";

const words = ["approved"];
const intent = (body: string, approval: readonly string[] = words) => classifyComment(body, approval).type;

describe("approval: only the exact word on the first visible line", () => {
  it.each([
    ["approved"],
    ["Approved"],
    ["APPROVED."],
    ["approved!"],
    ["approved!!"],
    ["  approved  "],
    ["approved\nship it once CI is green"],
    ["**approved**"],
    ["_approved_"],
    ["ａｐｐｒｏｖｅｄ"],
    ["<!-- note to self: double-check step 3 -->\napproved"],
    ["> can you approve?\n\napproved"],
    ["~~changes needed~~\napproved"],
    ["~~not yet~~ approved"],
    ["```\nlog output\n```\napproved"],
    ["\n\n\napproved"],
    ["approved\r\nthanks"],
  ])("%j approves", (body) => {
    expect(intent(body)).toBe("approval");
  });

  it.each([
    ["> approved", "a quote of someone else"],
    [">approved", "a quote without a space"],
    ["> > approved", "a nested quote"],
    ["> she said\napproved", "a lazy continuation line belongs to the quote"],
    ["~~approved~~", "struck through"],
    ["~approved~", "struck through with single tildes"],
    ["~~approved\n~~", "strike-through over two lines"],
    ["approved?", "a question"],
    ["approved ?", "a question with a space"],
    ["approved?!", "a question with more punctuation"],
    ["approved!?", "punctuation ending in a question mark"],
    ["approved？", "a full-width question mark"],
    ["<!-- approved -->", "invisible"],
    ["<!-- approved -->\nlooks good, but change step 2", "invisible, then words"],
    ["<!--\napproved\n-->", "invisible over lines"],
    ["`approved`", "inline code"],
    ["```\napproved\n```", "a fenced code block"],
    ["~~~\napproved\n~~~", "a tilde fence"],
    ["    approved", "an indented code block"],
    ["approved, but change step 2", "more words"],
    ["not approved", "a word before"],
    ["approved `except step 3`", "inline code after the word"],
    ["<del>approved</del>", "HTML strike-through"],
    ["<details><summary>approved</summary>\n\nnot really\n</details>", "raw HTML"],
    ["- approved", "a list item"],
    ["![approved](https://example.com/a.png)", "an image"],
    ["[approved]: https://example.com", "a link reference definition (never rendered)"],
    ["approved 🚀", "an emoji after the word"],
    ["approve", "another word"],
    ["", "empty"],
    ["ap\u200Bproved?", "an invisible character and a question"],
  ])("%j does not approve (%s)", (body) => {
    expect(intent(body)).not.toBe("approval");
  });

  it("configured words are compared the same way: case, punctuation, spaces", () => {
    expect(intent("Ship it!", ["ship it"])).toBe("approval");
    expect(intent("ship   it.", ["Ship it!"])).toBe("approval");
    expect(intent("ship it?", ["ship it"])).toBe("message");
    expect(intent("> lgtm", ["lgtm"])).toBe("message");
    expect(intent("approved", ["lgtm"])).toBe("message");
  });

  it("isApprovalLine judges one line", () => {
    expect(isApprovalLine("approved.", words)).toBe(true);
    expect(isApprovalLine("approved?", words)).toBe(false);
    expect(isApprovalLine("!!!", words)).toBe(false);
  });
});

describe("commands: /triad on the first visible line", () => {
  it("parses a command and its arguments", () => {
    expect(classifyComment("/triad stop", words)).toEqual({ type: "command", name: "stop", args: "" });
    expect(classifyComment("/TRIAD Retry now\nplease", words)).toEqual({
      type: "command",
      name: "retry",
      args: "now",
    });
    expect(classifyComment("<!-- x -->\n/triad ignore `foo` is fine", words)).toEqual({
      type: "command",
      name: "ignore",
      args: "`foo` is fine",
    });
  });

  it("an unknown command is reported, not taken as a message", () => {
    expect(classifyComment("/triad frobnicate", words)).toEqual({
      type: "unknown_command",
      text: "/triad frobnicate",
    });
  });

  it.each([
    ["> /triad stop", "quoted"],
    ["`/triad stop`", "in inline code"],
    ["```\n/triad stop\n```", "in a code block"],
    ["<!-- /triad stop -->", "in an HTML comment"],
    ["~~/triad stop~~", "struck through"],
    ["please run /triad stop", "not at the start of the line"],
    ["- /triad stop", "in a list"],
    ["/triadstop", "no word boundary"],
  ])("%j is no command (%s)", (body) => {
    expect(classifyComment(body, words).type).toBe("message");
  });
});

describe("long comments", () => {
  const filler = "lorem ipsum dolor sit amet ".repeat(300);

  it("find the first visible line past a long quote or code block", () => {
    expect(intent(`> ${filler}\n> ${filler}\n\napproved`)).toBe("approval");
    expect(intent(`\`\`\`\n${filler}\n${filler}\n\`\`\`\napproved`)).toBe("approval");
    expect(intent(`\`\`\`\n${filler}\n${filler}\napproved`)).toBe("message");
  });

  it("read the first line of a long comment as of the whole comment", () => {
    expect(intent(`approved\n\n${filler}\n\n${filler}`)).toBe("approval");
    expect(intent(`approved?\n\n${filler}`)).toBe("message");
    // A definition far below does not make the first line a link.
    expect(firstVisibleLine(`[approved]\n\n${filler}\n\n[approved]: https://example.com`)).toBe("[approved]");
    expect(firstVisibleLine("[approved]\n\n[approved]: https://example.com")).toBe("[approved]");
    expect(intent(`[approved]\n\n${filler}\n\n[approved]: https://example.com`)).toBe("message");
  });
});

describe("firstVisibleLine", () => {
  it("skips quotes, code, comments, definitions and struck text", () => {
    expect(
      firstVisibleLine("> quoted\n> more\n\n```\ncode\n```\n<!-- c -->\n[r]: https://x\n\nhello\nworld"),
    ).toBe("hello");
    expect(firstVisibleLine("# Heading\ntext")).toBe("Heading");
    expect(firstVisibleLine("")).toBe("");
    expect(firstVisibleLine("> only a quote")).toBe("");
  });
});
