/**
 * The playground's page, served by the simulator itself (`sim.mountPages`): one static HTML shell, a
 * script and two style sheets (GitHub's Markdown CSS from `github-markdown-css`). Everything the page
 * shows it asks the simulator's REST API for, as the user it acts as — the answers triad gets. Besides
 * the files, the server hands the page only what GitHub would know by other means: who the simulated
 * users are and their tokens (`/_playground/config.json`), and a nudge when something was written
 * (`/_playground/events`, server-sent events carrying no data but a counter), so the page re-reads
 * the API while triad works.
 */
import { existsSync, readFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { GitHubSimulator, PageHandler } from "../github/index.js";

export interface PlaygroundUser {
  login: string;
  /** What the page says about them: the collaborator role, or "outsider". */
  role: string;
  token: string;
}

export interface PlaygroundConfig {
  /** `owner/name` of each repository the page lists; the first is the home page. */
  repos: string[];
  users: PlaygroundUser[];
  /** The user the page acts as at first. */
  defaultUser: string;
  /** "scripted" or "live": shown in the header so nobody mistakes the script for a model. */
  models: string;
}

/** Where the assets are: beside this module under tsx, in the package's src/ when run from dist/. */
function assetsDir(): string {
  const candidates = [
    new URL("./assets/", import.meta.url),
    new URL("../../../src/sim/playground/assets/", import.meta.url),
  ];
  for (const c of candidates) if (existsSync(fileURLToPath(c))) return fileURLToPath(c);
  throw new Error("playground: the page's assets are missing (src/sim/playground/assets)");
}

const require = createRequire(import.meta.url);

function assetTable(): Record<string, { file: string; type: string }> {
  const dir = assetsDir();
  return {
    "/_playground/app.js": { file: `${dir}app.js`, type: "text/javascript; charset=utf-8" },
    "/_playground/app.css": { file: `${dir}app.css`, type: "text/css; charset=utf-8" },
    "/_playground/github-markdown.css": {
      file: require.resolve("github-markdown-css/github-markdown-light.css"),
      type: "text/css; charset=utf-8",
    },
  };
}

export interface MountedPlayground {
  /** The page of a repository (github.com's layout on the simulator's origin). */
  url(path?: string): string;
  unmount(): void;
}

export function mountPlayground(sim: GitHubSimulator, config: PlaygroundConfig): MountedPlayground {
  const assets = assetTable();
  const shell = readFileSync(`${assetsDir()}index.html`, "utf8");
  const streams = new Set<ServerResponse>();
  let changes = 0;
  const stopListening = sim.onWrite(() => {
    changes += 1;
    for (const res of streams) res.write(`data: ${changes}\n\n`);
  });
  const keepAlive = setInterval(() => {
    for (const res of streams) res.write(": keep-alive\n\n");
  }, 15_000);
  keepAlive.unref();

  const handler: PageHandler = (req, res, url) => {
    const path = url.pathname;
    if (path === "/_playground/config.json") {
      return send(res, 200, "application/json; charset=utf-8", JSON.stringify({ ...config, api: sim.url }));
    }
    if (path === "/_playground/events") {
      res.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        connection: "keep-alive",
      });
      res.write(`retry: 1000\ndata: ${changes}\n\n`);
      streams.add(res);
      req.once("close", () => streams.delete(res));
      return;
    }
    const asset = assets[path];
    if (asset) return send(res, 200, asset.type, readFileSync(asset.file));
    if (path.startsWith("/_playground/") && path !== "/_playground/") {
      return send(res, 404, "text/plain; charset=utf-8", "Not Found");
    }
    // Every other navigation is the one-page app; it reads the path itself.
    return send(res, 200, "text/html; charset=utf-8", shell);
  };
  sim.mountPages(handler);
  return {
    url: (path = `/${config.repos[0] ?? ""}`) => `${sim.url}${path}`,
    unmount() {
      sim.mountPages(undefined);
      stopListening();
      clearInterval(keepAlive);
      for (const res of streams) res.end();
      streams.clear();
    },
  };
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  res.end(body);
}
