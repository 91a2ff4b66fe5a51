import { describe, expect, it } from "vitest";
import {
  checkWritePath,
  DEFAULT_READ_DENY,
  isProtectedPath,
  isReadDenied,
  protectedPathReason,
  readDenyGlob,
  type WritePolicy,
} from "../../src/repo/path-policy.js";
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
    ["café", { kind: "symlink", target: "src" }],
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
    ["secrets/prod.txt", "denied", "deny_paths"],
    ["certs/server.pem", "secret", "looks like a file that holds secrets"],
    [".env.production", "secret", "read_deny `.env.*`"],
    ["deploy/id_rsa", "secret", "read_deny `id_rsa*`"],
    [".github/triad.yml", "triad-config", "never changes its own configuration"],
    [".github/triad.yaml", "triad-config", '".github/triad.yml"'],
    [".github/triad/reviewer.md", "triad-config", "role contracts"],
    [".github/triad/nested/x.md", "triad-config", "default branch"],
    [".github/triad", "triad-config", "role contracts"],
    [".GitHub/Triad/Architect.md", "triad-config", "role contracts"],
    [".github/TRIAD.YML", "triad-config", "configuration"],
    [".github%2ftriad.yml", "triad-config", "configuration"],
    [".github/wor\u212Aflows/x.yml", "workflows", ".github/workflows/"],
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
    [".github/triad-notes.md", ".github/triad-notes.md"],
    [".github/ISSUE_TEMPLATE/bug.md", ".github/ISSUE_TEMPLATE/bug.md"],
    [".env.example", ".env.example"],
    ["keys/id_rsa.pub", "keys/id_rsa.pub"],
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

describe("checkWritePath: case and Unicode spellings a checkout would fold together", () => {
  it.each([
    ["Linked", "symlink"],
    ["LINKED/index.ts", "symlink"],
    ["linked./index.ts", "symlink"],
    ["Vendor/Lib/src/x.c", "submodule"],
    ["VENDOR/lib", "submodule"],
    ["cafe\u0301/x.ts", "symlink"],
    ["CAFÉ/x.ts", "symlink"],
    [".GitHub/Workflows/x.yml", "workflows"],
    [".github/workflows\u0020/x.yml", "workflows"],
    [".GITMODULES", "gitmodules"],
  ])("refuses %j (%s)", (path, rule) => {
    expect(refused(path).rule).toBe(rule);
  });

  it("names the entry the folded path runs into", () => {
    expect(refused("LINKED/index.ts").reason).toContain('"linked" is a symbolic link');
  });

  it("matches deny_paths whatever the normalisation form of the glob and the path", () => {
    const nfcGlob: WritePolicy = { ...policy, denyPaths: ["café/**", "*.crt"] };
    const nfdGlob: WritePolicy = { ...policy, denyPaths: ["cafe\u0301/**"] };
    for (const [p, path] of [
      [nfcGlob, "cafe\u0301/menu.md"],
      [nfcGlob, "café/menu.md"],
      [nfdGlob, "café/menu.md"],
      [nfdGlob, "cafe\u0301/menu.md"],
      [nfcGlob, "Café/menu.md"],
      [nfcGlob, "certs/SERVER.CRT"],
    ] as const) {
      const result = checkWritePath(path, { ...p, base: { kindOf: () => undefined } });
      expect(result).toMatchObject({ ok: false, rule: "denied" });
    }
  });

  it("deny_paths globs with a slash match from the root (not only the file name)", () => {
    const withSlash: WritePolicy = { ...policy, denyPaths: ["src/generated/*.ts", "docs/**/private"] };
    expect(checkWritePath("src/generated/api.ts", withSlash)).toMatchObject({ ok: false, rule: "denied" });
    expect(checkWritePath("docs/a/b/private/x.md", withSlash)).toMatchObject({ ok: false, rule: "denied" });
    expect(checkWritePath("lib/src/generated/api.ts", withSlash)).toMatchObject({ ok: true });
  });

  it("writes the path as the model spelled it, after checking its NFC form", () => {
    const plain: WritePolicy = { denyPaths: [], maxFileBytes: 10, base: { kindOf: () => undefined } };
    expect(checkWritePath("docs/cafe\u0301.md", plain)).toEqual({ ok: true, path: "docs/cafe\u0301.md" });
  });

  it("the repository's read_deny refuses writes too, and its exceptions lift a default", () => {
    const custom: WritePolicy = { ...policy, readDeny: ["config/*.secret.json", "!.npmrc"] };
    expect(checkWritePath("config/db.secret.json", custom)).toMatchObject({ ok: false, rule: "secret" });
    expect(checkWritePath(".npmrc", policy)).toMatchObject({ ok: false, rule: "secret" });
    expect(checkWritePath(".npmrc", custom)).toEqual({ ok: true, path: ".npmrc" });
  });
});

describe("protectedPathReason: the write rules a plan is checked against", () => {
  it.each([
    ".github/workflows/ci.yml",
    ".github/triad.yml",
    ".github/triad/reviewer.md",
    ".GitHub/Triad/developer.md",
    ".git/config",
    ".gitmodules",
    ".env",
    "deploy/prod.pem",
    "%2egithub/triad.yml",
    "./.github//triad/architect.md",
  ])("refuses %j with a reason", (path) => {
    expect(protectedPathReason(path)).toMatch(/^Refused/);
    expect(isProtectedPath(path)).toBe(true);
  });

  it.each(["src/index.ts", ".github/CODEOWNERS", ".github/dependabot.yml", ".env.example", "docs/triad.md"])(
    "allows %j",
    (path) => {
      expect(protectedPathReason(path)).toBeUndefined();
      expect(isProtectedPath(path)).toBe(false);
    },
  );

  it("takes the repository's deny_paths and read_deny", () => {
    const config = { deny_paths: ["infra/**"], read_deny: ["*.vault"] };
    expect(protectedPathReason("infra/main.tf", config)).toContain("deny_paths");
    expect(protectedPathReason("ops/prod.vault", config)).toContain("read_deny `*.vault`");
    expect(protectedPathReason("infra/main.tf")).toBeUndefined();
  });
});

describe("read_deny: files that look like secrets", () => {
  it.each([
    [".env", ".env"],
    [".env.production", ".env.*"],
    ["apps/web/.env.local", ".env.*"],
    ["prod.env", "*.env"],
    ["deploy/tls/server.pem", "*.pem"],
    ["config/master.key", "*.key"],
    ["certs/client.p12", "*.p12"],
    ["certs/client.PFX", "*.pfx"],
    ["id_rsa", "id_rsa*"],
    ["home/.ssh/id_ed25519", "id_ed25519*"],
    ["home/.ssh/known_hosts", "**/.ssh/**"],
    [".npmrc", ".npmrc"],
    ["home/.aws/credentials", "**/.aws/credentials"],
    [".docker/config.json", "**/.docker/config.json"],
    ["gcp/credentials.json", "credentials.json"],
    ["vault.kdbx", "*.kdbx"],
    ["infra/terraform.tfstate", "*.tfstate"],
    [".e\u0301nv", undefined],
  ])("%j → %j", (path, glob) => {
    expect(readDenyGlob(path)).toBe(glob);
  });

  it.each([
    ".env.example",
    ".env.sample",
    "keys/id_rsa.pub",
    "src/env.ts",
    "environment.md",
    "docs/keys.md",
    ".envrc.md",
  ])("%j is readable", (path) => {
    expect(isReadDenied(path)).toBe(false);
  });

  it("is case- and normalisation-insensitive", () => {
    expect(isReadDenied(".ENV")).toBe(true);
    expect(isReadDenied("Deploy/Server.PEM")).toBe(true);
    expect(isReadDenied("sécrets/x.txt", ["se\u0301crets"])).toBe(true);
  });

  it("the repository's globs add to the defaults; its ! globs lift them", () => {
    expect(isReadDenied("ops/db.vault", ["*.vault"])).toBe(true);
    expect(isReadDenied(".env.test", ["!.env.test"])).toBe(false);
    expect(isReadDenied(".env.prod", ["!.env.test"])).toBe(true);
    expect(DEFAULT_READ_DENY).toContain(".env.*");
  });
});
