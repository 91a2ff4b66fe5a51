import { Readable } from "node:stream";
import { describe, expect, it, vi } from "vitest";
import { TriadError } from "../../src/errors.js";
import { fetchSnapshot, readTarball, Snapshot, SnapshotCache } from "../../src/repo/snapshot.js";
import { makeTarball } from "../fixtures/repo/make-tarball.js";

const SHA = "0123abcd0123abcd0123abcd0123abcd0123abcd";
const binary = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02, 0xff, 0x00]);
const longName = `deep/${"d".repeat(120)}/file.ts`;

async function sampleTarball(): Promise<Buffer> {
  return makeTarball(
    [
      { name: "README.md", content: "# widgets\n" },
      { name: "src/", type: "directory" },
      { name: "src/index.ts", content: "export const a = 1;\n" },
      { name: "src/nested/deeper/util.ts", content: "export function f() {}\n" },
      { name: "bin/run.sh", content: "#!/bin/sh\necho hi\n", mode: 0o775 },
      { name: "assets/logo.png", content: binary },
      { name: "empty.txt", content: "" },
      { name: "docs/my notes/ünïcödé 文件.md", content: "héllo\n" },
      { name: "link-to-readme", type: "symlink", linkname: "README.md" },
      { name: "libs/submodule-a", type: "directory" },
      { name: longName, content: "long path\n" }, // longer than ustar allows: tar-stream writes a pax header
    ],
    { paxComment: SHA },
  );
}

describe("readTarball", () => {
  it("strips the top directory and reads files, modes, empty files and unicode paths", async () => {
    const data = await readTarball(await sampleTarball());
    expect(data.topDir).toBe("acme-widgets-0123abc");
    expect([...data.files.keys()].sort()).toEqual(
      [
        "README.md",
        "assets/logo.png",
        "bin/run.sh",
        longName,
        "docs/my notes/ünïcödé 文件.md",
        "empty.txt",
        "src/index.ts",
        "src/nested/deeper/util.ts",
      ].sort(),
    );
    expect(data.files.get("src/index.ts")?.content.toString()).toBe("export const a = 1;\n");
    expect(data.files.get("assets/logo.png")?.content.equals(binary)).toBe(true);
    expect(data.files.get("empty.txt")?.size).toBe(0);
    expect(data.files.get("empty.txt")?.content.length).toBe(0);
    expect(data.files.get("bin/run.sh")?.mode).toBe(0o775);
    expect(data.files.get("docs/my notes/ünïcödé 文件.md")?.content.toString()).toBe("héllo\n");
    expect(data.bytes).toBe([...data.files.values()].reduce((n, f) => n + f.size, 0));
  });

  it("skips the pax global header and records symlinks and submodules without reading them", async () => {
    const data = await readTarball(await sampleTarball());
    expect([...data.files.keys()].some((p) => p.includes("pax"))).toBe(false);
    expect(data.files.has("link-to-readme")).toBe(false);
    expect(data.special.get("link-to-readme")).toEqual({ kind: "symlink", target: "README.md" });
    // An empty directory in a git archive is a gitlink (submodule): git cannot store empty directories.
    expect(data.special.get("libs/submodule-a")).toEqual({ kind: "submodule" });
    expect(data.special.has("src")).toBe(false);
  });

  it("reads from a stream in small chunks the same as from bytes", async () => {
    const bytes = await sampleTarball();
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7));
    const fromStream = await readTarball(Readable.from(chunks));
    const fromBytes = await readTarball(new Uint8Array(bytes));
    expect([...fromStream.files.keys()].sort()).toEqual([...fromBytes.files.keys()].sort());
    for (const [path, file] of fromBytes.files) {
      expect(fromStream.files.get(path)?.content.equals(file.content)).toBe(true);
    }
  });

  it("records submodules named in .gitmodules and refuses unsafe paths", async () => {
    const data = await readTarball(
      await makeTarball([
        {
          name: ".gitmodules",
          content: '[submodule "x"]\n\tpath = third/x\n\turl = https://example.com/x.git\n',
        },
        { name: "ok.txt", content: "ok" },
        { name: "../escape.txt", content: "no" },
      ]),
    );
    expect(data.special.get("third/x")).toEqual({ kind: "submodule" });
    expect(data.files.has("ok.txt")).toBe(true);
    expect([...data.files.keys()].some((p) => p.includes(".."))).toBe(false);
    expect(data.skippedUnsafe).toBe(1);
  });

  it("rejects corrupt input", async () => {
    await expect(readTarball(Buffer.from("not a gzip stream"))).rejects.toThrow();
  });

  it("enforces maxBytes", async () => {
    const tar = await makeTarball([{ name: "big.txt", content: "x".repeat(5000) }]);
    await expect(readTarball(tar, { maxBytes: 1000 })).rejects.toBeInstanceOf(TriadError);
  });
});

describe("Snapshot", () => {
  it("has, read, list and kindOf", async () => {
    const snap = new Snapshot(SHA, await readTarball(await sampleTarball()));
    expect(snap.sha).toBe(SHA);
    expect(snap.has("src/index.ts")).toBe(true);
    expect(snap.has("src")).toBe(false);
    expect(snap.read("nope")).toBeUndefined();
    expect(snap.readText("README.md")).toBe("# widgets\n");
    expect(snap.list("src")).toEqual(["src/index.ts", "src/nested/deeper/util.ts"]);
    expect(snap.list("src/")).toEqual(snap.list("./src"));
    expect(snap.list("sr")).toEqual([]);
    expect(snap.list()).toEqual([...snap.list()].sort());
    expect(snap.list().length).toBe(snap.fileCount);
    expect(snap.kindOf("src/nested")).toBe("directory");
    expect(snap.kindOf("src/index.ts")).toBe("file");
    expect(snap.kindOf("link-to-readme")).toBe("symlink");
    expect(snap.kindOf("libs/submodule-a")).toBe("submodule");
    expect(snap.kindOf("missing")).toBeUndefined();
  });
});

describe("SnapshotCache", () => {
  const snap = (sha: string, size: number) => Snapshot.fromFiles(sha, { "a.txt": "x".repeat(size) });

  it("evicts the least recently used snapshot past the byte bound", () => {
    const cache = new SnapshotCache({ maxBytes: 250 });
    cache.set("a", snap("a", 100));
    cache.set("b", snap("b", 100));
    expect(cache.get("a")?.sha).toBe("a"); // a is now most recent
    cache.set("c", snap("c", 100));
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")?.sha).toBe("a");
    expect(cache.get("c")?.sha).toBe("c");
    expect(cache.totalBytes).toBe(200);
    cache.set("huge", snap("huge", 1000));
    expect(cache.get("huge")).toBeUndefined();
  });
});

describe("fetchSnapshot", () => {
  function fakeOctokit(tarball: Buffer) {
    const downloadTarballArchive = vi.fn(async () => ({
      data: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength),
    }));
    const getCommit = vi.fn(async () => ({ data: { sha: SHA } }));
    const octokit = { rest: { repos: { downloadTarballArchive, getCommit } } };
    return {
      octokit: octokit as unknown as Parameters<typeof fetchSnapshot>[0],
      downloadTarballArchive,
      getCommit,
    };
  }

  it("downloads once per sha (concurrent callers included) and resolves branch names", async () => {
    const { octokit, downloadTarballArchive, getCommit } = fakeOctokit(await sampleTarball());
    const cache = new SnapshotCache();
    const [a, b] = await Promise.all([
      fetchSnapshot(octokit, { owner: "acme", repo: "widgets", ref: SHA }, { cache }),
      fetchSnapshot(octokit, { owner: "acme", repo: "widgets", ref: SHA }, { cache }),
    ]);
    expect(a).toBe(b);
    const c = await fetchSnapshot(octokit, { owner: "Acme", repo: "widgets", ref: "main" }, { cache });
    expect(c).toBe(a);
    expect(getCommit).toHaveBeenCalledTimes(1);
    expect(downloadTarballArchive).toHaveBeenCalledTimes(1);
    expect(downloadTarballArchive).toHaveBeenCalledWith({ owner: "acme", repo: "widgets", ref: SHA });
    expect(a.readText("src/index.ts")).toBe("export const a = 1;\n");
  });

  it("classifies a 404 and does not cache the failure", async () => {
    const error = Object.assign(new Error("Not Found"), { status: 404 });
    const downloadTarballArchive = vi
      .fn()
      .mockRejectedValueOnce(error)
      .mockResolvedValueOnce({ data: await sampleTarball() });
    const octokit = { rest: { repos: { downloadTarballArchive } } } as unknown as Parameters<
      typeof fetchSnapshot
    >[0];
    const cache = new SnapshotCache();
    const ref = { owner: "acme", repo: "widgets", ref: SHA };
    await expect(fetchSnapshot(octokit, ref, { cache })).rejects.toMatchObject({ code: "not_found" });
    const snap = await fetchSnapshot(octokit, ref, { cache });
    expect(snap.has("README.md")).toBe(true);
  });
});
