/**
 * `triad playground [--repo DIR] [--no-open] [--headless --json]`: starts the playground, prints where
 * it is (or, with --json, one JSON line for scripts) and keeps running until SIGINT or SIGTERM.
 */
import { type PlaygroundDescription, startPlayground } from "../sim/playground/start.js";

export interface PlaygroundCliOptions {
  repoDir?: string;
  /** Open the page in the default browser (default true; never with `headless`). */
  open?: boolean;
  /** No browser, whatever `open` says. */
  headless?: boolean;
  /** One JSON line on stdout (PlaygroundDescription) instead of the narration. */
  json?: boolean;
  env?: NodeJS.ProcessEnv;
}

export async function runPlayground(o: PlaygroundCliOptions): Promise<number> {
  const print = o.json ? (line: string) => console.error(line) : (line: string) => console.log(line);
  let playground: Awaited<ReturnType<typeof startPlayground>>;
  try {
    playground = await startPlayground({ ...(o.repoDir ? { repoDir: o.repoDir } : {}), env: o.env, print });
  } catch (error) {
    print(`triad playground: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const d = playground.describe();
  if (o.json) {
    console.log(JSON.stringify(d));
  } else {
    printSummary(d, playground.issue, print);
    if (playground.models === "scripted" && o.repoDir)
      print(
        "· note: the scripted models play the sample repository's script; set an API key for models that read your repository",
      );
  }
  if (o.open !== false && !o.headless) {
    const target = playground.issue !== undefined ? `${d.page}/issues/${playground.issue}` : d.page;
    await openInBrowser(target, print);
  }
  await untilStopped();
  await playground.stop();
  return 0;
}

function printSummary(d: PlaygroundDescription, issue: number | undefined, print: (l: string) => void): void {
  print(`· GitHub simulator (REST API): ${d.api}`);
  print(
    `· triad web + worker, models: ${d.models === "live" ? "live (API keys found)" : "scripted (no API key set)"}`,
  );
  print(
    `· repository ${d.repository}; users: ${Object.entries(d.users)
      .map(([login, u]) => `@${login} (${u.role})`)
      .join(", ")}`,
  );
  print("");
  print(`▶ Open ${d.page}${issue !== undefined ? `/issues/${issue}` : ""}`);
  print(
    issue !== undefined
      ? `  As @maya, add the label "triad" to issue #${issue} and watch triad work. Ctrl-C stops.`
      : '  As @maya, open an issue and add the label "triad". Ctrl-C stops.',
  );
}

/** The default browser, through the `open` package; a machine without one just gets the URL. */
export async function openInBrowser(url: string, print: (l: string) => void): Promise<void> {
  try {
    const { default: open } = await import("open");
    const child = await open(url);
    child.once("error", () => print(`  (could not open a browser; open ${url} yourself)`));
    child.unref();
  } catch {
    print(`  (could not open a browser; open ${url} yourself)`);
  }
}

/** Resolves on the first SIGINT or SIGTERM. */
export function untilStopped(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      resolve(signal);
    };
    const onInt = () => stop("SIGINT");
    const onTerm = () => stop("SIGTERM");
    process.once("SIGINT", onInt);
    process.once("SIGTERM", onTerm);
  });
}
