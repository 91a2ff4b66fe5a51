import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { GitHubSimulator } from "./github/index.js";

/** The demo's cast: who may do what on the sample repository. */
export const SAMPLE = {
  owner: "acme",
  repo: "weather-client",
  maintainer: "maya",
  writer: "sam",
  reader: "rita",
  triager: "tom",
  outsider: "olly",
} as const;

export const EXAMPLES_DIR = fileURLToPath(new URL("../../examples/", import.meta.url));

/** Every file of a directory tree, keyed by its path relative to the root (POSIX separators). */
export function readTree(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (name !== "node_modules") walk(path);
      } else {
        files[relative(root, path).split("\\").join("/")] = readFileSync(path, "utf8");
      }
    }
  };
  walk(root);
  return files;
}

export function sampleIssue(): { title: string; body: string } {
  const text = readFileSync(join(EXAMPLES_DIR, "sample-issue.md"), "utf8");
  const [first, ...rest] = text.split("\n");
  return { title: (first ?? "").replace(/^#\s*/, "").trim(), body: rest.join("\n").trim() };
}

export interface SeededSample {
  fullName: string;
  installationId: number;
  /** REST tokens per user login, for acting as that user. */
  tokens: Record<string, string>;
}

/**
 * Seed the simulator with the sample repository (examples/sample-repo), its users at each
 * permission level, and the app installed on the owner.
 */
export function seedSample(
  sim: GitHubSimulator,
  files = readTree(join(EXAMPLES_DIR, "sample-repo")),
): SeededSample {
  const tokens: Record<string, string> = {};
  for (const login of [
    SAMPLE.owner,
    SAMPLE.maintainer,
    SAMPLE.writer,
    SAMPLE.reader,
    SAMPLE.triager,
    SAMPLE.outsider,
  ]) {
    tokens[login] = sim.createUser(login).token;
  }
  const { fullName } = sim.createRepo({
    owner: SAMPLE.owner,
    name: SAMPLE.repo,
    files,
    defaultBranch: "main",
  });
  sim.addCollaborator(fullName, SAMPLE.maintainer, "maintain");
  sim.addCollaborator(fullName, SAMPLE.writer, "write");
  sim.addCollaborator(fullName, SAMPLE.reader, "read");
  sim.addCollaborator(fullName, SAMPLE.triager, "triage");
  const { installationId } = sim.installApp(SAMPLE.owner);
  return { fullName, installationId, tokens };
}
