import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseUnifiedDiff } from "../../src/diff/index.js";
import { gitBlobId, Overlay, OverlayBaseMismatchError } from "../../src/repo/overlay.js";
import type { FileView } from "../../src/repo/view.js";

function view(files: Record<string, string | Buffer>): FileView {
  const map = new Map(Object.entries(files).map(([p, c]) => [p, typeof c === "string" ? Buffer.from(c) : c]));
  return { list: () => map.keys(), read: (p) => map.get(p) };
}

const BASE: Record<string, string | Buffer> = {
  "README.md": "# demo\n\nA demo repository.\n",
  "src/a.ts": Array.from({ length: 30 }, (_, i) => `export const a${i} = ${i};\n`).join(""),
  "src/no-eol.ts": "export const x = 1;\nexport const y = 2;",
  "src/add-eol.ts": "first\nsecond",
  "src/drop-eol.ts": "keep\nme\n",
  "src/gone.ts": "export const gone = true;\n",
  "src/gone-no-eol.ts": "bye",
  "src/empty-gone.ts": "",
  "win/crlf.txt": "one\r\ntwo\r\nthree\r\n",
  "docs/with space.md": "spaced\n",
  "assets/logo.bin": Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]),
};

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" },
  });
}

/** A temp git repository holding `files`, committed. */
function repoWith(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), "triad-overlay-"));
  temps.push(dir);
  git(dir, "init", "-q", ".");
  git(dir, "config", "core.autocrlf", "false");
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  git(dir, "add", "-A");
  git(dir, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "base");
  return dir;
}

function treeOf(dir: string): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      if (name === ".git") continue;
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out[relative(dir, full)] = readFileSync(full);
    }
  };
  walk(dir);
  return out;
}

function applyAndCompare(overlay: Overlay): void {
  const dir = repoWith(BASE);
  const patch = join(dir, "..", `${dir.split("/").at(-1)}.diff`);
  temps.push(patch);
  writeFileSync(patch, overlay.unifiedDiff());
  git(dir, "apply", "--check", "--index", patch);
  git(dir, "apply", "--index", patch);
  const expected: Record<string, Buffer> = {};
  for (const path of overlay.list()) expected[path] = overlay.read(path) as Buffer;
  expect(treeOf(dir)).toEqual(expected);
}

describe("Overlay", () => {
  it("shows writes, edits and deletes in the merged view", () => {
    const overlay = new Overlay(view(BASE));
    overlay.write("src/new.ts", "export {};\n");
    overlay.write("README.md", "# demo\n");
    expect(overlay.delete("src/gone.ts")).toBe(true);
    expect(overlay.delete("src/never.ts")).toBe(false);
    expect(overlay.read("src/new.ts")?.toString()).toBe("export {};\n");
    expect(overlay.read("README.md")?.toString()).toBe("# demo\n");
    expect(overlay.read("src/gone.ts")).toBeUndefined();
    expect(overlay.list()).toContain("src/new.ts");
    expect(overlay.list()).not.toContain("src/gone.ts");
    expect(overlay.isDirectory("src")).toBe(true);
    expect(overlay.changes()).toEqual([
      { path: "README.md", status: "modified", content: Buffer.from("# demo\n") },
      { path: "src/gone.ts", status: "deleted" },
      { path: "src/new.ts", status: "added", content: Buffer.from("export {};\n") },
    ]);
  });

  it("treats a write that restores the base content as no change", () => {
    const overlay = new Overlay(view(BASE));
    overlay.write("README.md", "changed\n");
    overlay.write("README.md", BASE["README.md"] as string);
    overlay.delete("src/gone.ts");
    overlay.write("src/gone.ts", BASE["src/gone.ts"] as string);
    overlay.write("src/tmp.ts", "x");
    overlay.delete("src/tmp.ts");
    expect(overlay.changes()).toEqual([]);
    expect(overlay.unifiedDiff()).toBe("");
  });

  it("writes a git-style diff with new and deleted file modes and missing newlines", () => {
    const overlay = new Overlay(view(BASE));
    overlay.write("src/new.ts", "export const n = 1;\n");
    overlay.delete("src/gone.ts");
    overlay.write("src/no-eol.ts", "export const x = 1;\nexport const y = 3;");
    const diff = overlay.unifiedDiff();
    expect(diff).toContain("diff --git a/src/new.ts b/src/new.ts\nnew file mode 100644\n");
    expect(diff).toContain("diff --git a/src/gone.ts b/src/gone.ts\ndeleted file mode 100644\n");
    expect(diff).toContain("--- /dev/null\n+++ b/src/new.ts\n@@ -0,0 +1 @@\n+export const n = 1;\n");
    expect(diff).toContain("--- a/src/gone.ts\n+++ /dev/null\n@@ -1 +0,0 @@\n-export const gone = true;\n");
    expect(diff).toContain(
      "-export const y = 2;\n\\ No newline at end of file\n+export const y = 3;\n\\ No newline at end of file\n",
    );
    expect(diff).toContain(
      `index ${gitBlobId(Buffer.from(BASE["src/gone.ts"] as string))}..${"0".repeat(40)}\n`,
    );
    // Files in path order; our own parser reads it back.
    expect(parseUnifiedDiff(diff).map((f) => [f.status, f.newPath])).toEqual([
      ["deleted", "src/gone.ts"],
      ["added", "src/new.ts"],
      ["modified", "src/no-eol.ts"],
    ]);
  });

  it("produces a diff that git applies cleanly to the base", () => {
    const overlay = new Overlay(view(BASE));
    const a = (BASE["src/a.ts"] as string).split("\n");
    a[2] = "export const a2 = 'two';";
    a[25] = "export const a25 = 'twenty-five';";
    overlay.write("src/a.ts", a.join("\n")); // two hunks
    overlay.write("src/no-eol.ts", "export const x = 1;\nexport const y = 3;"); // still no newline
    overlay.write("src/add-eol.ts", "first\nsecond\n");
    overlay.write("src/drop-eol.ts", "keep\nme");
    overlay.delete("src/gone.ts");
    overlay.delete("src/gone-no-eol.ts");
    overlay.delete("src/empty-gone.ts");
    overlay.write("src/new.ts", "export const fresh = true;\n");
    overlay.write("src/new-no-eol.ts", "no newline here");
    overlay.write("src/empty.ts", "");
    overlay.write("win/crlf.txt", "one\r\n2\r\nthree\r\n");
    overlay.write("docs/with space.md", "spaced out\n");
    overlay.write("docs/café.md", "Bonjour\n");
    overlay.write("README.md", BASE["README.md"] as string); // unchanged
    expect(overlay.changes()).toHaveLength(13);
    applyAndCompare(overlay);
  });

  it("marks binary changes as git does", () => {
    const overlay = new Overlay(view(BASE));
    overlay.write("assets/logo.bin", Buffer.from([0x89, 0x50, 0, 9]));
    expect(overlay.unifiedDiff()).toContain("Binary files a/assets/logo.bin and b/assets/logo.bin differ\n");
  });

  it("diffs a deleted executable with its mode when the base knows it", () => {
    const base = { ...view({ "run.sh": "#!/bin/sh\n" }), modeOf: () => 0o755 };
    const overlay = new Overlay(base);
    overlay.delete("run.sh");
    expect(overlay.unifiedDiff()).toContain("deleted file mode 100755\n");
  });

  it("round-trips through JSON and refuses a different base", () => {
    const overlay = new Overlay(view(BASE));
    overlay.write("src/new.ts", "new\n");
    overlay.write("assets/logo.bin", Buffer.from([0, 1, 2]));
    overlay.delete("src/gone.ts");
    const json = JSON.parse(JSON.stringify(overlay));
    const restored = Overlay.fromJSON(view(BASE), json);
    expect(restored.changes()).toEqual(overlay.changes());
    expect(restored.unifiedDiff()).toBe(overlay.unifiedDiff());

    const moved = { ...BASE, "src/gone.ts": "changed upstream\n" };
    expect(() => Overlay.fromJSON(view(moved), json)).toThrow(OverlayBaseMismatchError);
    expect(Overlay.fromJSON(view(moved), json, { verifyBase: false }).changes()).toHaveLength(3);
  });
});
