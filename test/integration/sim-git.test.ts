import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { Octokit } from "@octokit/rest";
import { extract } from "tar-stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type GitHubSimulator, startSimulator } from "../../src/sim/github/index.js";

const repo = { owner: "acme", repo: "widgets" };
const silent = { debug() {}, info() {}, warn() {}, error() {} };
let sim: GitHubSimulator;
let gh: Octokit;
let dir: string;

const git = (args: string[], input?: string, env: Record<string, string> = {}) =>
  execFileSync("git", args, { cwd: dir, input, env: { ...process.env, ...env }, encoding: "utf8" }).trim();

beforeEach(async () => {
  sim = await startSimulator({ webhookSecret: "x" });
  const owner = sim.createUser("acme");
  sim.createRepo({ owner: "acme", name: "widgets", files: { "README.md": "hi\n" } });
  gh = new Octokit({ baseUrl: sim.url, auth: owner.token, log: silent });
  dir = mkdtempSync(join(tmpdir(), "sim-git-"));
  git(["init", "-q"]);
});
afterEach(async () => {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("simulator: git objects match the git CLI", () => {
  it("blob ids (utf-8, base64 binary, empty)", async () => {
    for (const content of ["hello\n", "", "ünïcode ✓\nno newline"]) {
      const { data } = await gh.rest.git.createBlob({ ...repo, content });
      expect(data.sha).toBe(git(["hash-object", "-t", "blob", "--stdin"], content));
    }
    const bin = Buffer.from([0, 1, 2, 255, 254, 10]);
    writeFileSync(join(dir, "bin"), bin);
    const { data } = await gh.rest.git.createBlob({
      ...repo,
      content: bin.toString("base64"),
      encoding: "base64",
    });
    expect(data.sha).toBe(git(["hash-object", "bin"]));
    const { data: back } = await gh.rest.git.getBlob({ ...repo, file_sha: data.sha });
    expect(Buffer.from(back.content, "base64")).toEqual(bin);
  });

  it("tree and commit ids for nested dirs and an executable file", async () => {
    const files: Record<string, string> = {
      "README.md": "# w\n",
      "src/index.ts": "export const a = 1;\n",
      "src/lib/deep.ts": "x\n",
      "src-other.txt": "ordering vs src/\n",
      "a.b": "dot sorts before dir\n",
    };
    for (const [p, c] of Object.entries(files)) {
      mkdirSync(join(dir, p, ".."), { recursive: true });
      writeFileSync(join(dir, p), c);
    }
    mkdirSync(join(dir, "bin"));
    writeFileSync(join(dir, "bin/run.sh"), "#!/bin/sh\necho hi\n");
    chmodSync(join(dir, "bin/run.sh"), 0o755);
    git(["add", "-A"]);
    git(["update-index", "--chmod=+x", "bin/run.sh"]);
    const expectedTree = git(["write-tree"]);

    const { data: tree } = await gh.rest.git.createTree({
      ...repo,
      tree: [
        ...Object.entries(files).map(([path, content]) => ({
          path,
          mode: "100644" as const,
          type: "blob" as const,
          content,
        })),
        { path: "bin/run.sh", mode: "100755", type: "blob", content: "#!/bin/sh\necho hi\n" },
      ],
    });
    expect(tree.sha).toBe(expectedTree);
    expect(git(["rev-parse", `${expectedTree}:src`])).toBe(
      (await gh.rest.git.getTree({ ...repo, tree_sha: tree.sha })).data.tree.find((e) => e.path === "src")
        ?.sha,
    );

    const who = { name: "Ada Lovelace", email: "ada@example.com", date: "2024-05-06T07:08:09Z" };
    const env = {
      GIT_AUTHOR_NAME: who.name,
      GIT_AUTHOR_EMAIL: who.email,
      GIT_AUTHOR_DATE: "2024-05-06T07:08:09Z",
      GIT_COMMITTER_NAME: who.name,
      GIT_COMMITTER_EMAIL: who.email,
      GIT_COMMITTER_DATE: "2024-05-06T07:08:09Z",
    };
    const root = git(["commit-tree", expectedTree, "-m", "root"], undefined, env);
    const { data: c1 } = await gh.rest.git.createCommit({
      ...repo,
      message: "root\n",
      tree: tree.sha,
      parents: [],
      author: who,
      committer: who,
    });
    expect(c1.sha).toBe(root);

    // A second commit with a parent, a deletion via sha: null and an offset timezone.
    const { data: tree2 } = await gh.rest.git.createTree({
      ...repo,
      base_tree: tree.sha,
      tree: [
        { path: "src/lib/deep.ts", mode: "100644", type: "blob", sha: null },
        { path: "src/new.ts", mode: "100644", type: "blob", content: "new\n" },
      ],
    });
    git(["rm", "-q", "--cached", "src/lib/deep.ts"]);
    writeFileSync(join(dir, "src/new.ts"), "new\n");
    git(["add", "src/new.ts"]);
    expect(tree2.sha).toBe(git(["write-tree"]));
    const later = { ...who, date: "2024-05-07T10:00:00+02:00" };
    const child = git(["commit-tree", tree2.sha, "-p", root, "-m", "second"], undefined, {
      ...env,
      GIT_AUTHOR_DATE: "2024-05-07T10:00:00+02:00",
      GIT_COMMITTER_DATE: "2024-05-07T10:00:00+02:00",
    });
    const { data: c2 } = await gh.rest.git.createCommit({
      ...repo,
      message: "second\n",
      tree: tree2.sha,
      parents: [c1.sha],
      author: later,
      committer: later,
    });
    expect(c2.sha).toBe(child);
    expect(c2.verification).toMatchObject({ verified: false, reason: "unsigned" });
    const { data: recursive } = await gh.rest.git.getTree({ ...repo, tree_sha: tree2.sha, recursive: "1" });
    expect(recursive.tree.map((e) => e.path)).toContain("src/new.ts");
    expect(recursive.tree.map((e) => e.path)).not.toContain("src/lib/deep.ts");
  });

  it("refs: create, 422 on duplicate, fast-forward only unless forced, delete", async () => {
    const main = (await gh.rest.git.getRef({ ...repo, ref: "heads/main" })).data.object.sha;
    const { data: c } = await gh.rest.git.getCommit({ ...repo, commit_sha: main });
    const { data: next } = await gh.rest.git.createCommit({
      ...repo,
      message: "n",
      tree: c.tree.sha,
      parents: [main],
    });
    const { data: other } = await gh.rest.git.createCommit({
      ...repo,
      message: "o",
      tree: c.tree.sha,
      parents: [main],
    });
    await gh.rest.git.createRef({ ...repo, ref: "refs/heads/feature/x", sha: next.sha });
    await expect(
      gh.rest.git.createRef({ ...repo, ref: "refs/heads/feature/x", sha: next.sha }),
    ).rejects.toMatchObject({
      status: 422,
      response: { data: { message: "Reference already exists" } },
    });
    await expect(
      gh.rest.git.updateRef({ ...repo, ref: "heads/feature/x", sha: other.sha }),
    ).rejects.toMatchObject({
      status: 422,
      response: { data: { message: "Update is not a fast forward" } },
    });
    await gh.rest.git.updateRef({ ...repo, ref: "heads/feature/x", sha: other.sha, force: true });
    const { data: matching } = await gh.rest.git.listMatchingRefs({ ...repo, ref: "heads/feature" });
    expect(matching.map((r) => [r.ref, r.object.sha])).toEqual([["refs/heads/feature/x", other.sha]]);
    await gh.rest.git.deleteRef({ ...repo, ref: "heads/feature/x" });
    await expect(gh.rest.git.getRef({ ...repo, ref: "heads/feature/x" })).rejects.toMatchObject({
      status: 404,
    });
  });

  it("tarball: a redirect to a gzip tar with one top directory holding the files", async () => {
    sim.createRepo({
      owner: "acme",
      name: "tarred",
      files: { "README.md": "# t\n", "src/a/b.ts": "b\n", "img.bin": new Uint8Array([0, 1, 2]) },
    });
    const sha = (await gh.rest.repos.getBranch({ owner: "acme", repo: "tarred", branch: "main" })).data.commit
      .sha;
    const res = await gh.rest.repos.downloadTarballArchive({ owner: "acme", repo: "tarred", ref: "main" });
    const bytes = Buffer.from(res.data as ArrayBuffer);
    const files = new Map<string, Buffer>();
    const names: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const ex = extract();
      ex.on("entry", (header, stream, next) => {
        names.push(header.name);
        const chunks: Buffer[] = [];
        stream.on("data", (c: unknown) => {
          chunks.push(c as Buffer);
        });
        stream.on("end", () => {
          if (header.type === "file") files.set(header.name, Buffer.concat(chunks));
          next();
        });
      });
      ex.on("finish", resolve);
      ex.on("error", reject);
      ex.end(gunzipSync(bytes));
    });
    const top = `acme-tarred-${sha.slice(0, 7)}/`;
    expect(names.every((n) => n.startsWith(top))).toBe(true);
    expect(files.get(`${top}README.md`)?.toString()).toBe("# t\n");
    expect(files.get(`${top}src/a/b.ts`)?.toString()).toBe("b\n");
    expect(files.get(`${top}img.bin`)).toEqual(Buffer.from([0, 1, 2]));
    expect(sim.calls.some((c) => c.path === "/repos/acme/tarred/tarball/main" && c.status === 302)).toBe(
      true,
    );
  });
});
