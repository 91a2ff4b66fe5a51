import { describe, expect, it } from "vitest";
import { ToolInputError } from "../../src/models/types.js";
import { Overlay } from "../../src/repo/overlay.js";
import type { WritePolicy } from "../../src/repo/path-policy.js";
import { writeTools } from "../../src/repo/write-tools.js";

const FILES: Record<string, string> = {
  "src/retry.ts": [
    "export function retry() {",
    "  let attempt = 0;",
    "  attempt += 1;",
    "  log('try');",
    "  attempt += 1;",
    "  return attempt;",
    "}",
    "",
  ].join("\n"),
  "win.txt": "alpha\r\nbeta\r\n",
  "bin.dat": "\u0000\u0001",
  ".env.production": "API_KEY=sk-live-0123456789\n",
  ".github/triad/reviewer.md": "Review carefully.\n",
};

function setup(special: Record<string, string> = { "link.ts": "symlink" }) {
  const map = new Map(Object.entries(FILES).map(([p, c]) => [p, Buffer.from(c)]));
  const base = {
    list: () => map.keys(),
    read: (p: string) => map.get(p),
    kindOf: (p: string) => special[p] ?? (map.has(p) ? "file" : undefined),
  };
  const overlay = new Overlay(base);
  const policy: WritePolicy = { denyPaths: ["secrets/**"], maxFileBytes: 200, base };
  const tools = Object.fromEntries(writeTools(overlay, policy).map((t) => [t.name, t]));
  const call = async (name: string, input: unknown) => {
    const tool = tools[name];
    if (!tool) throw new Error(`no tool ${name}`);
    return tool.run(tool.input.parse(input));
  };
  const failure = async (name: string, input: unknown): Promise<string> => {
    const error = await call(name, input).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ToolInputError);
    return (error as Error).message;
  };
  return { overlay, call, failure, tools };
}

describe("write tools", () => {
  it("are write_file, edit_file and delete_file with zod inputs", () => {
    const { tools } = setup();
    expect(Object.keys(tools)).toEqual(["write_file", "edit_file", "delete_file"]);
    for (const tool of Object.values(tools)) expect(tool.description.length).toBeGreaterThan(20);
  });

  it("write_file creates and replaces files in the overlay", async () => {
    const { overlay, call } = setup();
    expect(await call("write_file", { path: "./src/new.ts", content: "export {};\n" })).toBe(
      "Created src/new.ts (11 bytes).",
    );
    expect(await call("write_file", { path: "src/retry.ts", content: "x\n" })).toMatch(
      /^Replaced src\/retry.ts/,
    );
    expect(overlay.changes().map((c) => [c.status, c.path])).toEqual([
      ["added", "src/new.ts"],
      ["modified", "src/retry.ts"],
    ]);
  });

  it("edit_file replaces a unique exact match", async () => {
    const { overlay, call } = setup();
    expect(
      await call("edit_file", {
        path: "src/retry.ts",
        old_string: "  log('try');",
        new_string: "  log('again');",
      }),
    ).toBe("Edited src/retry.ts: replaced 1 occurrence (line 4).");
    expect(overlay.read("src/retry.ts")?.toString()).toContain("  log('again');\n");
  });

  it("edit_file with a missing match says so and shows the nearest lines", async () => {
    const { overlay, failure } = setup();
    const message = await failure("edit_file", {
      path: "src/retry.ts",
      old_string: '  log("try");',
      new_string: "x",
    });
    expect(message).toContain("old_string was not found");
    expect(message).toContain("closest lines");
    expect(message).toContain("4:   log('try');");
    expect(overlay.changes()).toEqual([]);
  });

  it("edit_file notices a whitespace-only difference", async () => {
    const { failure } = setup();
    const message = await failure("edit_file", {
      path: "src/retry.ts",
      old_string: "log('try');\n attempt += 1;",
      new_string: "x",
    });
    expect(message).toContain("different whitespace");
  });

  it("edit_file with an ambiguous match gives the count and lines", async () => {
    const { overlay, failure } = setup();
    const message = await failure("edit_file", {
      path: "src/retry.ts",
      old_string: "attempt += 1;",
      new_string: "attempt++;",
    });
    expect(message).toContain("occurs 2 times (at lines 3, 5)");
    expect(message).toContain("replace_all");
    expect(overlay.changes()).toEqual([]);
  });

  it("edit_file with replace_all replaces every occurrence", async () => {
    const { overlay, call } = setup();
    expect(
      await call("edit_file", {
        path: "src/retry.ts",
        old_string: "attempt += 1;",
        new_string: "attempt++;",
        replace_all: true,
      }),
    ).toBe("Edited src/retry.ts: replaced 2 occurrences (lines 3, 5).");
    const text = overlay.read("src/retry.ts")?.toString() ?? "";
    expect(text).not.toContain("+= 1");
    expect(text.match(/attempt\+\+;/g)).toHaveLength(2);
  });

  it("edit_file matches LF text in a CRLF file and keeps CRLF", async () => {
    const { overlay, call } = setup();
    await call("edit_file", { path: "win.txt", old_string: "alpha\nbeta", new_string: "alpha\ngamma" });
    expect(overlay.read("win.txt")?.toString()).toBe("alpha\r\ngamma\r\n");
  });

  it("edit_file refuses missing files, binary files and no-op edits", async () => {
    const { failure } = setup();
    expect(await failure("edit_file", { path: "src/none.ts", old_string: "a", new_string: "b" })).toContain(
      "does not exist",
    );
    expect(await failure("edit_file", { path: "bin.dat", old_string: "a", new_string: "b" })).toContain(
      "binary",
    );
    expect(await failure("edit_file", { path: "src/retry.ts", old_string: "", new_string: "b" })).toContain(
      "empty",
    );
    expect(
      await failure("edit_file", { path: "src/retry.ts", old_string: "return", new_string: "return" }),
    ).toContain("identical");
  });

  it("delete_file deletes, and refuses a missing file", async () => {
    const { overlay, call, failure } = setup();
    expect(await call("delete_file", { path: "src/retry.ts" })).toBe("Deleted src/retry.ts.");
    expect(overlay.changes()).toEqual([{ path: "src/retry.ts", status: "deleted" }]);
    expect(await failure("delete_file", { path: "src/retry.ts" })).toContain("does not exist");
  });

  it.each([
    ["write_file", { path: "../x", content: "x" }, '".." segments'],
    ["write_file", { path: "/etc/passwd", content: "x" }, "absolute"],
    ["write_file", { path: ".github/workflows/ci.yml", content: "x" }, ".github/workflows/"],
    ["write_file", { path: "secrets/key", content: "x" }, "deny_paths"],
    ["write_file", { path: "link.ts", content: "x" }, "symbolic link"],
    ["write_file", { path: "src/big.ts", content: "x".repeat(201) }, "201 bytes"],
    ["edit_file", { path: "../src/retry.ts", old_string: "a", new_string: "b" }, '".." segments'],
    ["edit_file", { path: "src/retry.ts", old_string: "}", new_string: "}".repeat(300) }, "over the limit"],
    ["delete_file", { path: ".git/config" }, '".git"'],
    ["delete_file", { path: "link.ts" }, "symbolic link"],
    ["write_file", { path: "src/retry.ts/x.ts", content: "x" }, "is a file"],
    ["write_file", { path: "src", content: "x" }, "directory"],
  ])("%s refuses %j with a ToolInputError and writes nothing", async (name, input, text) => {
    const { overlay, failure } = setup();
    const message = await failure(name, input);
    expect(message).toContain(text);
    expect(overlay.changes()).toEqual([]);
  });

  it("refuses a file under a new file of the overlay", async () => {
    const { call, failure } = setup();
    await call("write_file", { path: "lib", content: "x" });
    expect(await failure("write_file", { path: "lib/a.ts", content: "x" })).toContain('"lib" is a file');
  });
});

describe("write tools: files the developer may never touch", () => {
  it.each([
    [".env.production", "looks like a file that holds secrets"],
    ["deploy/new.pem", "looks like a file that holds secrets"],
    [".github/triad/reviewer.md", "role contracts"],
    [".GitHub/Triad/architect.md", "role contracts"],
    [".github/triad.yml", "configuration"],
    [".github/Workflows/ci.yml", ".github/workflows/"],
  ])("write_file, edit_file and delete_file refuse %j", async (path, reason) => {
    const { overlay, failure } = setup();
    expect(await failure("write_file", { path, content: "x" })).toContain(reason);
    expect(await failure("edit_file", { path, old_string: "API_KEY", new_string: "X" })).toContain(reason);
    expect(await failure("delete_file", { path })).toContain(reason);
    expect(overlay.changes()).toEqual([]);
  });

  it("an edit of a secret file shows none of its content", async () => {
    const { failure } = setup();
    const message = await failure("edit_file", {
      path: ".env.production",
      old_string: "API_KEY=x",
      new_string: "y",
    });
    expect(message).not.toContain("sk-live");
    expect(message).not.toContain("API_KEY=");
  });
});
