/** The codeload tarball: gzip'd tar with one top directory `{owner}-{repo}-{sha7}/`, like GitHub's. */
import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";
import type { Repo } from "./state.js";

export async function buildTarball(repo: Repo, sha: string): Promise<Buffer> {
  const commit = repo.objects.commit(sha);
  if (!commit) throw new Error(`unknown commit ${sha}`);
  const top = `${repo.owner.login}-${repo.name}-${sha.slice(0, 7)}`;
  const mtime = new Date(Date.parse(commit.committer.date) || 0);
  const p = pack();
  const chunks: Buffer[] = [];
  p.on("data", (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((resolve, reject) => {
    p.on("end", () => resolve());
    p.on("error", reject);
  });
  p.entry({ name: `${top}/`, type: "directory", mode: 0o775, mtime });
  const dirs = new Set<string>();
  const flat = repo.objects.flatten(commit.tree);
  for (const path of [...flat.keys()].sort()) {
    const entry = flat.get(path);
    if (!entry) continue;
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i += 1) {
      const dir = parts.slice(0, i).join("/");
      if (dirs.has(dir)) continue;
      dirs.add(dir);
      p.entry({ name: `${top}/${dir}/`, type: "directory", mode: 0o775, mtime });
    }
    const content = repo.objects.blob(entry.sha);
    if (entry.mode === "160000" || !content) continue;
    if (entry.mode === "120000") {
      p.entry({
        name: `${top}/${path}`,
        type: "symlink",
        linkname: content.toString("utf8"),
        mode: 0o777,
        mtime,
      });
      continue;
    }
    p.entry({ name: `${top}/${path}`, mode: entry.mode === "100755" ? 0o775 : 0o664, mtime }, content);
  }
  p.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}
