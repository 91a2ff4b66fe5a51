import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";

/**
 * Reads `.env` from the working directory into the environment, as probot does at its own start
 * (`probot/lib/helpers/load-env.js`, with the same parser, Node's `util.parseEnv`), so the file
 * probot's registration flow writes (`APP_ID=…`, `PRIVATE_KEY="-----BEGIN…\n…"`, `WEBHOOK_SECRET=…`,
 * and `WEBHOOK_PROXY_URL` when it made a channel) is what triad starts with. Variables already set
 * in the environment win over the file. Returns the names it set.
 */
export function loadDotEnv(
  env: NodeJS.ProcessEnv = process.env,
  path = join(process.cwd(), ".env"),
): string[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const set: string[] = [];
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (env[name] !== undefined && env[name] !== "") continue;
    env[name] = value;
    set.push(name);
  }
  return set;
}
