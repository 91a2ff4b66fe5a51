import { describe, expect, it } from "vitest";
import { type ToolDefinition, ToolInputError } from "../../src/models/types.js";
import { readOnlyTools } from "../../src/repo/read-tools.js";
import { Snapshot } from "../../src/repo/snapshot.js";
import type { FileView } from "../../src/repo/view.js";

const lines = (n: number, make = (i: number) => `line ${i}`) =>
  `${Array.from({ length: n }, (_, i) => make(i + 1)).join("\n")}\n`;

const snapshot = Snapshot.fromFiles("c".repeat(40), {
  "README.md": "# Demo\nSee src/.\n",
  "src/index.ts": 'import { helper } from "./util.js";\nexport const main = () => helper(1);\n',
  "src/util.ts": "export function helper(n: number) {\n  return n + 1; // TODO: overflow\n}\n",
  "src/big.ts": lines(1000),
  "src/deep/nested/x.ts": "export const TODO_LIST = [];\n",
  "src/wide.ts": `const s = "${"a".repeat(5000)}";\n`,
  "docs/guide.md": "TODO: write the guide\n",
  "package-lock.json": '{ "TODO": "lock files are skipped" }\n',
  "assets/logo.png": Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x54, 0x4f, 0x44, 0x4f]),
  "data.bin.txt": Buffer.from("TODO\u0000binary by sniffing"),
  "node_modules/lib/index.js": "// TODO vendored\n",
  "dist/app.min.js": "/* TODO minified */",
  "empty.txt": "",
});

function tool(view: FileView, name: string): ToolDefinition {
  const found = readOnlyTools(view).find((t) => t.name === name);
  if (!found) throw new Error(`no tool ${name}`);
  return found;
}

async function run(name: string, input: unknown, view: FileView = snapshot): Promise<string> {
  const t = tool(view, name);
  return t.run(t.input.parse(input));
}

describe("readOnlyTools", () => {
  it("exposes the three tools with zod input schemas", () => {
    const tools = readOnlyTools(snapshot);
    expect(tools.map((t) => t.name)).toEqual(["list_files", "read_file", "search"]);
    for (const t of tools) {
      expect(t.description.length).toBeGreaterThan(20);
      expect(typeof t.input.parse).toBe("function");
    }
  });
});

describe("list_files", () => {
  it("lists the root: directories with counts, files with sizes and kinds", async () => {
    const out = await run("list_files", {});
    expect(out.split("\n")[0]).toBe("(repository root) — 5 directories, 4 files");
    expect(out).toContain("src/  (5 files)");
    expect(out).toContain("node_modules/  (1 file) [vendored]");
    expect(out).toContain("package-lock.json  37 B [lock]");
    expect(out).toContain("data.bin.txt  23 B [binary]");
    expect(out).toContain("README.md  17 B");
  });

  it("lists recursively with full paths and summarizes vendored directories", async () => {
    const out = await run("list_files", { recursive: true });
    expect(out).toContain("src/deep/nested/x.ts  29 B");
    expect(out).toContain("node_modules/  (1 files, 17 B, vendored — not expanded)");
    expect(out).not.toContain("node_modules/lib/index.js");
    const sub = await run("list_files", { path: "./src/deep/", recursive: true });
    expect(sub).toBe("src/deep/ — 1 files (recursive)\nsrc/deep/nested/x.ts  29 B");
  });

  it("rejects unknown directories, files and paths outside the repository", async () => {
    await expect(run("list_files", { path: "nope" })).rejects.toThrow(ToolInputError);
    await expect(run("list_files", { path: "README.md" })).rejects.toThrow(/is a file/);
    await expect(run("list_files", { path: "../etc" })).rejects.toThrow(/leaves the repository/);
  });
});

describe("read_file", () => {
  it("numbers lines and reads ranges", async () => {
    const out = await run("read_file", { path: "src/util.ts" });
    expect(out).toBe(
      "src/util.ts — lines 1-3 of 3\n1\texport function helper(n: number) {\n2\t  return n + 1; // TODO: overflow\n3\t}",
    );
    const range = await run("read_file", { path: "src/big.ts", start_line: 98, end_line: 101 });
    expect(range).toBe(
      "src/big.ts — lines 98-101 of 1000\n 98\tline 98\n 99\tline 99\n100\tline 100\n101\tline 101\n[lines 102-1000 not shown; call read_file with start_line=102 to read more]",
    );
  });

  it("caps long reads with a note on how to read on", async () => {
    const out = await run("read_file", { path: "src/big.ts" });
    expect(out.split("\n")[0]).toBe("src/big.ts — lines 1-400 of 1000");
    expect(out).toContain("400\tline 400");
    expect(out).not.toContain("401\tline 401");
    expect(out).toMatch(/call read_file with start_line=401 to read more]$/);
    const tail = await run("read_file", { path: "src/big.ts", start_line: 990 });
    expect(tail.split("\n")[0]).toBe("src/big.ts — lines 990-1000 of 1000");
    expect(tail).not.toContain("not shown");
  });

  it("cuts very long lines and caps the characters returned", async () => {
    const wide = await run("read_file", { path: "src/wide.ts" });
    expect(wide).toContain("[line cut, 3013 more characters]");
    const view = Snapshot.fromFiles("d".repeat(40), { "long.txt": lines(300, () => "x".repeat(1000)) });
    const capped = await run("read_file", { path: "long.txt" }, view);
    expect(capped.length).toBeLessThan(26_000);
    expect(capped).toMatch(/\[lines \d+-300 not shown; call read_file with start_line=\d+ to read more]$/);
  });

  it("reports problems the model can fix as tool errors", async () => {
    await expect(run("read_file", { path: "src/nope.ts" })).rejects.toThrow(ToolInputError);
    await expect(run("read_file", { path: "lib/util.ts" })).rejects.toThrow(
      /Files with that name: src\/util\.ts/,
    );
    await expect(run("read_file", { path: "src" })).rejects.toThrow(/is a directory/);
    await expect(run("read_file", { path: "assets/logo.png" })).rejects.toThrow(/binary file/);
    await expect(run("read_file", { path: "src/util.ts", start_line: 10 })).rejects.toThrow(/past the end/);
    await expect(run("read_file", { path: "src/util.ts", start_line: 3, end_line: 2 })).rejects.toThrow(
      /before start_line/,
    );
    await expect(run("read_file", { path: "../secret" })).rejects.toThrow(ToolInputError);
  });

  it("reads empty files, and lock files when asked by path", async () => {
    expect(await run("read_file", { path: "empty.txt" })).toBe("empty.txt — empty file");
    expect(await run("read_file", { path: "/package-lock.json" })).toContain("lines 1-1 of 1 [lock]");
  });
});

describe("search", () => {
  it("finds regex matches with path:line and skips binary, vendored, generated and lock files", async () => {
    const out = await run("search", { pattern: "TODO" });
    expect(out.split("\n").slice(1)).toEqual([
      "docs/guide.md:1: TODO: write the guide",
      "src/deep/nested/x.ts:1: export const TODO_LIST = [];",
      "src/util.ts:2: return n + 1; // TODO: overflow",
    ]);
    expect(out.split("\n")[0]).toContain("5 binary, vendored, generated or lock files skipped");
    for (const skipped of ["package-lock.json", "logo.png", "data.bin.txt", "node_modules", "app.min.js"]) {
      expect(out).not.toContain(skipped);
    }
  });

  it("narrows with a path glob (a glob without / matches file names)", async () => {
    const byDir = await run("search", { pattern: "TODO", path_glob: "src/**" });
    expect(byDir).not.toContain("docs/guide.md");
    expect(byDir).toContain("src/util.ts:2:");
    const byName = await run("search", { pattern: "TODO", path_glob: "*.md" });
    expect(byName.split("\n").slice(1)).toEqual(["docs/guide.md:1: TODO: write the guide"]);
  });

  it("supports anchors per line and (?i)", async () => {
    const anchored = await run("search", { pattern: "^line 99$", path_glob: "src/big.ts" });
    expect(anchored).toContain("src/big.ts:99: line 99");
    const insensitive = await run("search", { pattern: "(?i)^# demo" });
    expect(insensitive).toContain("README.md:1: # Demo");
  });

  it("caps results with a note", async () => {
    const out = await run("search", { pattern: "^line \\d+$", max_results: 5 });
    expect(out.split("\n")[0]).toMatch(/^1000 matching lines in 1 files/);
    expect(out.split("\n").length).toBe(1 + 5 + 1);
    expect(out).toMatch(/\[showing the first 5 of 1000 matching lines;/);
  });

  it("says so when nothing matches", async () => {
    expect(await run("search", { pattern: "no-such-thing" })).toMatch(/^No matches for \/no-such-thing\//);
  });

  it("turns an invalid regex into a tool error", async () => {
    await expect(run("search", { pattern: "foo(" })).rejects.toThrow(ToolInputError);
    await expect(run("search", { pattern: "[z-a]" })).rejects.toThrow(/Invalid regular expression/);
  });

  it("works over any FileView, not only a snapshot", async () => {
    const files = new Map([["a/b.txt", Buffer.from("hello TODO\n")]]);
    const view: FileView = { list: () => files.keys(), read: (p) => files.get(p) };
    expect(await run("search", { pattern: "TODO" }, view)).toContain("a/b.txt:1: hello TODO");
    expect(await run("list_files", { path: "a" }, view)).toContain("b.txt  11 B");
  });
});

describe("search runs on a linear-time engine (RE2)", () => {
  const evil = (n: number) => Snapshot.fromFiles("e".repeat(40), { "src/a.txt": `${"a".repeat(n)}!\n` });

  it.each([26, 30, 40, 5_000])("(a+)+$ on a %i-character line answers at once", async (n) => {
    const started = performance.now();
    const out = await run("search", { pattern: "(a+)+$" }, evil(n));
    const elapsed = performance.now() - started;
    expect(out).toMatch(/^No matches/);
    // A backtracking engine takes about 2.8 s at 26 characters and doubles with each one more.
    expect(elapsed).toBeLessThan(250);
  });

  it.each(["(x+x+)+y", "(a|aa)+$", "(.*a){12}$", "^(\\w+\\s?)*$"])(
    "%s stays fast on a hostile line",
    async (pattern) => {
      const text = `${"a".repeat(3000)}${"x".repeat(3000)} ${"ab ".repeat(2000)}!\n`;
      const started = performance.now();
      await run("search", { pattern }, Snapshot.fromFiles("f".repeat(40), { "a.txt": text }));
      expect(performance.now() - started).toBeLessThan(500);
    },
  );

  it("explains what RE2 does not have, so the model can rewrite the pattern", async () => {
    await expect(run("search", { pattern: "foo(?=bar)" })).rejects.toThrow(/RE2 syntax.*no lookahead/);
    await expect(run("search", { pattern: "(a)\\1" })).rejects.toThrow(/backreferences/);
  });

  it("accepts JavaScript's \\u escapes and the usual escapes", async () => {
    expect(await run("search", { pattern: "\\u0054ODO: write" })).toContain("docs/guide.md:1:");
    expect(await run("search", { pattern: "\\u{54}ODO_LIST" })).toContain("src/deep/nested/x.ts:1:");
    expect(await run("search", { pattern: "helper\\(\\d\\)" })).toContain("src/index.ts:2:");
    expect(await run("search", { pattern: "\\\\u0054" })).toMatch(/^No matches/);
  });
});

describe("files that look like secrets are invisible to the read tools", () => {
  const repo = Snapshot.fromFiles("s".repeat(40), {
    "src/index.ts": "export const key = process.env.API_KEY; // TODO\n",
    ".env": "API_KEY=sk-live-0123456789 # TODO\n",
    ".env.production": "DATABASE_URL=postgres://admin:hunter2@db # TODO\n",
    ".env.example": "API_KEY= # TODO\n",
    "deploy/tls/server.pem": "-----BEGIN PRIVATE KEY-----\nMIIEvTODO\n-----END PRIVATE KEY-----\n",
    "home/.aws/credentials": "aws_secret_access_key = TODO\n",
    "ops/db.vault": "vault TODO\n",
  });
  const SECRET_WORDS = [
    "sk-live",
    "hunter2",
    "MIIEv",
    "aws_secret",
    ".env.production",
    "server.pem",
    "credentials",
  ];

  it("list_files does not list them, at any depth", async () => {
    const root = await run("list_files", { recursive: true }, repo);
    for (const word of SECRET_WORDS) expect(root).not.toContain(word);
    expect(root).toContain(".env.example");
    expect(root).toContain("src/index.ts");
    expect(root.split("\n")[0]).toBe("(repository root) — 3 files (recursive)");
    await expect(run("list_files", { path: "deploy" }, repo)).rejects.toThrow(ToolInputError);
    await expect(run("list_files", { path: "home/.aws" }, repo)).rejects.toThrow(/No directory/);
  });

  it("read_file refuses them with a reason and no content", async () => {
    for (const path of [".env", ".ENV.production", "./deploy/tls/server.pem", "home/.aws/credentials"]) {
      const error = await run("read_file", { path }, repo).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error).toBeInstanceOf(ToolInputError);
      expect(error?.message).toMatch(/hidden from triad: it looks like a file that holds secrets/);
      for (const word of ["sk-live", "hunter2", "MIIEv", "aws_secret"])
        expect(error?.message).not.toContain(word);
    }
    expect(await run("read_file", { path: ".env.example" }, repo)).toContain("API_KEY=");
  });

  it("search does not look inside them", async () => {
    const out = await run("search", { pattern: "TODO" }, repo);
    for (const word of SECRET_WORDS) expect(out).not.toContain(word);
    expect(out.split("\n").slice(1)).toEqual([
      ".env.example:1: API_KEY= # TODO",
      "ops/db.vault:1: vault TODO",
      "src/index.ts:1: export const key = process.env.API_KEY; // TODO",
    ]);
    expect(await run("search", { pattern: "sk-live|hunter2|MIIEv" }, repo)).toMatch(/^No matches/);
  });

  it("the repository's read_deny hides more, and its ! globs lift a default", async () => {
    const tools = readOnlyTools(repo, {}, { readDeny: ["*.vault", "!.env"] });
    const search = tools.find((t) => t.name === "search") as ToolDefinition;
    const out = await search.run(search.input.parse({ pattern: "TODO" }));
    expect(out).not.toContain("ops/db.vault");
    expect(out).toContain(".env:1:");
    expect(out).not.toContain(".env.production");
  });

  it("hides them in the developer's overlay too, new ones included", async () => {
    const { Overlay } = await import("../../src/repo/overlay.js");
    const overlay = new Overlay(repo);
    overlay.write("config/.env.staging", "TOKEN=ghp_secret TODO\n");
    const out = await run("search", { pattern: "TODO" }, overlay);
    expect(out).not.toContain("ghp_secret");
    await expect(run("read_file", { path: "config/.env.staging" }, overlay)).rejects.toThrow(
      /hidden from triad/,
    );
  });
});
