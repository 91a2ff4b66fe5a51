import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { importRepoDir, repoName } from "../../src/sim/playground/import-repo.js";

const dirs: string[] = [];
function folder(files: Record<string, string>, name = "my project"): string {
  const root = join(mkdtempSync(join(tmpdir(), "triad-import-")), name);
  dirs.push(dirname(root));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("--repo DIR: a folder as a repository's first commit", () => {
  it("honours .gitignore at every level, negations included, and never imports .git/", () => {
    const root = folder({
      ".gitignore": "node_modules/\n*.log\n!keep.log\n/build\n",
      "README.md": "# hi\n",
      "src/a.ts": "export {};\n",
      "node_modules/x/index.js": "x",
      "debug.log": "x",
      "keep.log": "kept",
      "build/out.js": "x",
      "src/build/kept.ts": "anchored /build only matches at the root",
      "sub/.gitignore": "secret.txt\n",
      "sub/secret.txt": "x",
      "sub/ok.txt": "ok",
      "other/secret.txt": "a nested .gitignore rules only below it",
      ".git/HEAD": "ref: refs/heads/main\n",
    });
    const imported = importRepoDir(root);
    expect(Object.keys(imported.files).sort()).toEqual([
      ".gitignore",
      "README.md",
      "keep.log",
      "other/secret.txt",
      "src/a.ts",
      "src/build/kept.ts",
      "sub/.gitignore",
      "sub/ok.txt",
    ]);
    expect(Buffer.from(imported.files["keep.log"] as Uint8Array).toString()).toBe("kept");
    expect(imported.name).toBe("my-project");
  });

  it("leaves out files over the size cap and names them", () => {
    const root = folder({ "big.bin": "x".repeat(2000), "small.txt": "s" });
    const imported = importRepoDir(root, { maxFileBytes: 1000 });
    expect(Object.keys(imported.files)).toEqual(["small.txt"]);
    expect(imported.skipped).toEqual(["big.bin"]);
  });

  it("says so when the path is no folder", () => {
    expect(() => importRepoDir(join(tmpdir(), "no-such-folder-for-triad"))).toThrow(/not a folder/);
  });

  it("makes a repository name GitHub accepts from the folder's name", () => {
    expect(repoName("weather client (copy)")).toBe("weather-client-copy");
    expect(repoName("ok.name_1-2")).toBe("ok.name_1-2");
    expect(repoName("..")).toBe("repository");
  });
});
