import { describe, expect, it } from "vitest";
import { checkWritePath, type WritePolicy } from "../../src/repo/path-policy.js";
import { Snapshot } from "../../src/repo/snapshot.js";

const base = new Snapshot("base", {
  files: new Map(
    ["src/index.ts", "README.md", "docs/guide.md"].map((p) => [
      p,
      { size: 1, mode: 0o644, content: Buffer.from("x") },
    ]),
  ),
  special: new Map([
    ["linked", { kind: "symlink", target: "src" }],
    ["config.yml", { kind: "symlink", target: "/etc/passwd" }],
    ["vendor/lib", { kind: "submodule" }],
  ]),
});

const policy: WritePolicy = { denyPaths: ["secrets/**", "*.pem", "infra"], maxFileBytes: 1000, base };

function refused(path: string, size?: number): { rule: string; reason: string } {
  const result = checkWritePath(path, policy, size);
  if (result.ok) throw new Error(`${path} was allowed`);
  return result;
}

describe("checkWritePath", () => {
  it.each([
    ["../x", "parent-segment", '".." segments are not allowed'],
    ["a/../../x", "parent-segment", '".." segments are not allowed'],
    ["src/../README.md", "parent-segment", '".." segments'],
    ["..\\x", "parent-segment", '".."'],
    ["/etc/passwd", "absolute", "absolute paths are not allowed"],
    ["C:\\x", "absolute", "absolute paths are not allowed"],
    ["c:/x", "absolute", "absolute"],
    ["\\\\server\\share", "absolute", "absolute"],
    ["~/x", "absolute", "absolute"],
    ["src\\x.ts", "backslash", 'Use forward slashes, e.g. "src/x.ts"'],
    ["%2e%2e/x", "encoded", "percent-encoded"],
    ["a/%2E%2E/%2e%2e/x", "encoded", "percent-encoded"],
    ["%252e%252e/x", "encoded", "percent-encoded"],
    ["%2fetc/passwd", "encoded", "percent-encoded"],
    ["a\u0000b", "control-char", "control character"],
    ["a\nb", "control-char", "control character"],
    [".g\u200cit/config", "invisible-char", "invisible"],
    ["src/\u202eevil.ts", "invisible-char", "invisible"],
    [".github/workflows/ci.yml", "workflows", ".github/workflows/"],
    [".GITHUB/workflows/x.yml", "workflows", ".github/workflows/"],
    [".GitHub/Workflows/deep/x.yml", "workflows", ".github/workflows/"],
    ["./.github//workflows/x.yml", "workflows", ".github/workflows/"],
    [".github./workflows/x.yml", "workflows", ".github/workflows/"],
    [".github%2fworkflows/x.yml", "workflows", ".github/workflows/"],
    [".git/config", "git-dir", '".git"'],
    [".GIT/hooks/pre-commit", "git-dir", '".git"'],
    ["sub/.git/config", "git-dir", '".git"'],
    ["git~1/config", "git-dir", '".git"'],
    [".gitmodules", "gitmodules", "submodules"],
    ["secrets/prod.env", "denied", "deny_paths"],
    ["certs/server.pem", "denied", "deny_paths"],
    ["infra/main.tf", "denied", 'the directory "infra"'],
    ["linked", "symlink", "is a symbolic link"],
    ["linked/index.ts", "symlink", '"linked" is a symbolic link'],
    ["config.yml", "symlink", "symbolic link"],
    ["vendor/lib", "submodule", "git submodule"],
    ["vendor/lib/src/x.c", "submodule", '"vendor/lib" is a git submodule'],
    ["src", "directory", "directory"],
    ["src/", "directory", "names a directory"],
    ["", "empty", "empty"],
    [".", "directory", "repository root"],
  ])("refuses %j (%s)", (path, rule, text) => {
    const result = refused(path);
    expect(result.rule).toBe(rule);
    expect(result.reason).toContain(text);
    expect(result.reason).toMatch(/^Refused/);
  });

  it("refuses an oversized file with both sizes in the reason", () => {
    const result = refused("src/big.ts", 1001);
    expect(result.rule).toBe("too-large");
    expect(result.reason).toContain("1001 bytes");
    expect(result.reason).toContain("1000 bytes");
    expect(checkWritePath("src/big.ts", policy, 1000)).toEqual({ ok: true, path: "src/big.ts" });
  });

  it.each([
    ["src/index.ts", "src/index.ts"],
    ["src/new/deep/file.ts", "src/new/deep/file.ts"],
    ["./src//x.ts", "src/x.ts"],
    ["README.md", "README.md"],
    [".github/triad.yml", ".github/triad.yml"],
    [".github/workflows-notes.md", ".github/workflows-notes.md"],
    [".gitignore", ".gitignore"],
    ["docs/100%.md", "docs/100%.md"],
    ["docs/a%20b.md", "docs/a%20b.md"],
    ["docs/café.md", "docs/café.md"],
    ["vendor/other/x.c", "vendor/other/x.c"],
    ["notsecrets/x", "notsecrets/x"],
    ["a..b/c", "a..b/c"],
  ])("allows %j as %j", (path, normalised) => {
    expect(checkWritePath(path, policy, 10)).toEqual({ ok: true, path: normalised });
  });

  it("works with a plain kind lookup and no deny list", () => {
    const plain: WritePolicy = { denyPaths: [], maxFileBytes: 10, base: { kindOf: () => undefined } };
    expect(checkWritePath("x.ts", plain, 5)).toEqual({ ok: true, path: "x.ts" });
  });
});
