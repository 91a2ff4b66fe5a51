import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildRepoMap, CHARS_PER_TOKEN } from "../../src/repo/repo-map.js";
import { readTarball, Snapshot } from "../../src/repo/snapshot.js";
import { entriesFromDir, makeTarball } from "../fixtures/repo/make-tarball.js";

const SAMPLE_DIR = fileURLToPath(new URL("../fixtures/repo/sample", import.meta.url));
const GOLDEN = fileURLToPath(new URL("../fixtures/repo/sample.map.golden.txt", import.meta.url));
const SHA = "4f2a9c0d1e2b3a4c5d6e7f8091a2b3c4d5e6f708";

async function sampleSnapshot(): Promise<Snapshot> {
  const tarball = await makeTarball(entriesFromDir(SAMPLE_DIR), {
    topDir: "acme-tiny-retry-4f2a9c0",
    paxComment: SHA,
  });
  return new Snapshot(SHA, await readTarball(tarball));
}

/** A generated repository: `dirs` top-level packages, each `depth` levels deep with `perDir` files per level. */
function wideSnapshot(dirs: number, depth: number, perDir: number): Snapshot {
  const files: Record<string, string> = {
    "package.json": '{"name":"wide","main":"src/index.js"}',
    "src/index.js": "x\n",
  };
  for (let d = 0; d < dirs; d++) {
    let dir = `packages/pkg-${String(d).padStart(2, "0")}`;
    for (let level = 0; level < depth; level++) {
      for (let f = 0; f < perDir; f++)
        files[`${dir}/file-${f}.ts`] = `export const v${f} = ${f};\n`.repeat(level + 1);
      dir = `${dir}/level-${level}`;
    }
  }
  return Snapshot.fromFiles("f".repeat(40), files);
}

describe("buildRepoMap", () => {
  it("matches the golden map of the sample repository", async () => {
    const map = buildRepoMap(await sampleSnapshot(), { tokenBudget: 4000 });
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(GOLDEN, map);
    expect(map).toBe(readFileSync(GOLDEN, "utf8"));
  });

  it("lists skipped kinds by count only and never shows their paths", async () => {
    const map = buildRepoMap(await sampleSnapshot(), { tokenBudget: 4000 });
    expect(map).toContain("Skipped (count only): 1 binary, 1 generated, 1 lock, 1 vendored.");
    for (const hidden of ["logo.png", "package-lock.json", "version.ts", "ms.js"])
      expect(map).not.toContain(hidden);
    // The README's HTML comment never reaches the map.
    expect(map).not.toContain("maintainers: remember");
    expect(map).toContain("- package.json: name tiny-retry; type module; main dist/index.js");
  });

  it("is deterministic", async () => {
    const a = buildRepoMap(await sampleSnapshot(), { tokenBudget: 4000 });
    const b = buildRepoMap(await sampleSnapshot(), { tokenBudget: 4000 });
    expect(a).toBe(b);
  });

  it("collapses the deepest directories first to fit the budget, and says so", () => {
    const snap = wideSnapshot(6, 5, 4);
    const full = buildRepoMap(snap, { tokenBudget: 100_000 });
    expect(full).not.toContain("Collapsed");
    expect(full).toContain("packages/ (");
    expect(full).toContain("level-3/ (");

    const budget = 500;
    const small = buildRepoMap(snap, { tokenBudget: budget });
    expect(small.length).toBeLessThanOrEqual(budget * CHARS_PER_TOKEN);
    expect(small).toMatch(/Collapsed to fit the budget: \d+ directories, deepest first/);
    // The deepest level went first: level-3 directories are folded away, top-level packages remain.
    expect(small).not.toContain("level-3/ (");
    expect(small).toContain("pkg-00/ (");
    expect(small).toMatch(/level-\d\/ \(\d+ files, [\d.]+ [KB]+\) …/);
  });

  it("stays within even a tiny budget", async () => {
    for (const tokens of [50, 150, 300, 700]) {
      const map = buildRepoMap(wideSnapshot(30, 3, 5), { tokenBudget: tokens });
      expect(map.length).toBeLessThanOrEqual(Math.max(200, tokens) * CHARS_PER_TOKEN);
      expect(map.startsWith("# Repository map (commit ffffffffffff)")).toBe(true);
    }
  });

  it("records symlinks and submodules by count", () => {
    const snap = new Snapshot("a".repeat(40), {
      files: new Map([["a.ts", { size: 1, mode: 0o644, content: Buffer.from("x") }]]),
      special: new Map([
        ["link", { kind: "symlink" as const, target: "a.ts" }],
        ["sub", { kind: "submodule" as const }],
      ]),
    });
    expect(buildRepoMap(snap, { tokenBudget: 1000 })).toContain("Not regular files: 1 submodule, 1 symlink.");
  });

  it("leaves out files that look like secrets, giving only their number", () => {
    const snap = Snapshot.fromFiles("b".repeat(40), {
      "package.json": '{"name":"app","main":"src/index.js"}',
      "src/index.js": "x\n",
      ".env": "API_KEY=sk-live-0123456789\n",
      ".env.production": "DATABASE_URL=postgres://admin:hunter2@db\n",
      ".env.example": "API_KEY=\n",
      "deploy/server.pem": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n",
      "ops/db.vault": "v\n",
      "README.md": "# App\n",
    });
    const map = buildRepoMap(snap, { tokenBudget: 2000 });
    for (const hidden of [".env.production", "server.pem", "deploy", "sk-live", "hunter2"]) {
      expect(map).not.toContain(hidden);
    }
    expect(map).not.toMatch(/^\s*\.env\s/m);
    expect(map).toContain(".env.example");
    expect(map).toContain("Hidden because they look like secrets: 3 files.");
    expect(map).toContain("5 files,");
    const custom = buildRepoMap(snap, { tokenBudget: 2000, readDeny: ["*.vault"] });
    expect(custom).not.toContain("db.vault");
    expect(custom).toContain("Hidden because they look like secrets: 4 files.");
  });
});
