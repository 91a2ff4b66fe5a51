import { parseArgs } from "node:util";
import { errorMessage, TriadError } from "./errors.js";

const HELP: Record<string, string> = {
  main: `triad — an architect plans, a developer implements the approved plan, reviewers from other vendors review.

Usage: triad <command> [options]

Commands:
  start           Run the webhook receiver and a worker in one process (the single-machine default).
                  With no APP_ID outside production, serves the app-registration flow from app.yml.
  web             Run only the webhook receiver: verifies, filters and queues webhooks; no GitHub or
                  model calls. Run as many as you like behind a load balancer.
  worker          Run only a worker: takes queued steps and talks to GitHub and the models. Run any
                  number, on any number of machines, sharing one Redis.
  demo            Play the workflow against the built-in GitHub simulator (no GitHub, no keys needed).
  playground      Try triad in a browser: a GitHub-like page on the simulator, acting as its users.
  models check    Call each configured model once and report latency, tokens, tool calls, finish schemas.
  models list     Print the model catalogue: fitness, caps, thinking, prices, lifecycle, sources.

Run "triad <command> --help" for a command's options. Configuration comes from the environment:
see README.md ("Environment variables").`,
  start: `Usage: triad start

Runs web and worker in one process. Needs APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH), WEBHOOK_SECRET,
a model key and REDIS_URL (default redis://127.0.0.1:6379); reads .env first. Without APP_ID, and
NODE_ENV not "production", it serves probot's registration flow: open the printed URL, create the
GitHub App from app.yml, and triad starts by itself once the app's credentials are in .env.
Exits non-zero when a part cannot start (GitHub or Redis unreachable, a wrong key, the port taken).`,
  web: `Usage: triad web

Receives webhooks on PORT (default 3000) at WEBHOOK_PATH (default /api/github/webhooks, and /),
verifies their signatures with WEBHOOK_SECRET and queues them in Redis (REDIS_URL, or
REDIS_CLUSTER_NODES). With WEBHOOK_PROXY_URL, relays them from that smee.io channel. Health:
GET /healthz (alive), GET /readyz (Redis takes writes); GET /metrics (Prometheus); /admin/queues
with TRIAD_ADMIN_TOKEN. Makes no GitHub call and no model call.`,
  worker: `Usage: triad worker

Takes queued steps from Redis (REDIS_URL) and runs them: GitHub calls as the app's installation
(APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH), model calls with the configured keys (at least one).
TRIAD_WORKER_CONCURRENCY (default 4) steps of different workflows run side by side. Every
TRIAD_REDELIVERY_INTERVAL_MS it asks GitHub for webhook deliveries web missed. Serves GET /healthz,
GET /readyz (its queue workers run, Redis answers) and GET /metrics on PORT (default 3000).`,
  demo: `Usage: triad demo [--dump FILE] [--live] [--wire]

Starts the GitHub simulator, the app (web + worker) and uses Redis at REDIS_URL (or starts a private
redis-server when nothing answers there), opens the sample repository with an issue, labels it
"triad" and prints what happens. --dump FILE writes the simulator's final state as JSON. --wire serves
the scripted answers over each vendor's real wire format (local vendor servers, the real SDKs).
--open keeps everything running when the scenario is done and opens the playground on its result.`,
  playground: `Usage: triad playground [--repo DIR] [--no-open] [--headless --json]

Starts the GitHub simulator, the app (web + worker), Redis (a private redis-server when nothing answers
at REDIS_URL) and the models (scripted without API keys, real ones with keys), and serves a page that
looks like GitHub on the simulator: the sample repository (or --repo DIR, a folder or git checkout
imported as the default branch, .gitignore respected) with its issues and pull requests. Pick a user
(maintainer, read-only, outsider, …), label an issue "triad" and watch the workflow.
--no-open prints the page's URL without opening a browser. --headless --json opens nothing and prints
one JSON line: the simulator's API URL, the page URL, the app's credentials and a token per user.
Runs until Ctrl-C (SIGINT) or SIGTERM.`,
  models: `Usage: triad models check | triad models list

check: calls each configured role model at its catalogue output budget: a plain answer, a tool call,
and the role's real finish tool and schema; prints one row per role and capability.
list: prints the catalogue triad knows (per vendor: fit for, context and output caps, thinking,
prices, deprecated and retirement dates, sources).`,
};

export async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: {
      help: { type: "boolean", short: "h" },
      dump: { type: "string" },
      live: { type: "boolean" },
      wire: { type: "boolean" },
      open: { type: "boolean" },
      repo: { type: "string" },
      headless: { type: "boolean" },
      json: { type: "boolean" },
    },
  });
  const command = positionals[0];
  if (!command || command === "help") {
    console.log(HELP.main);
    return command || values.help ? 0 : 1;
  }
  if (values.help) {
    console.log(HELP[command] ?? HELP.main);
    return HELP[command] ? 0 : 1;
  }
  switch (command) {
    case "start":
    case "web":
    case "worker": {
      const { serve } = await import("./serve.js");
      await serve(command);
      return 0;
    }
    case "demo": {
      const { runDemo } = await import("./demo/run-demo.js");
      return runDemo({
        dump: typeof values.dump === "string" ? values.dump : undefined,
        live: Boolean(values.live),
        wire: Boolean(values.wire),
        open: Boolean(values.open),
      });
    }
    case "playground": {
      const { runPlayground } = await import("./demo/playground-cli.js");
      return runPlayground({
        ...(typeof values.repo === "string" ? { repoDir: values.repo } : {}),
        open: !values["no-open"],
        headless: Boolean(values.headless),
        json: Boolean(values.json),
      });
    }
    case "models": {
      const { runModelsCheck, runModelsList } = await import("./models-check-cli.js");
      if (positionals[1] === "list") return runModelsList();
      if (positionals[1] !== "check") {
        console.log(HELP.models);
        return 1;
      }
      return runModelsCheck(process.env);
    }
    default:
      console.error(`triad: unknown command "${command}"\n`);
      console.log(HELP.main);
      return 1;
  }
}

const invokedDirectly = process.argv[1] && /main\.(ts|js)$/.test(process.argv[1]);
if (invokedDirectly || process.env.TRIAD_BIN === "1") {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code !== 0) process.exitCode = code;
    },
    (error) => {
      // Known problems (config, env, a part that cannot start) are one clear message; anything else
      // keeps its stack. Then exit: a part that did start may still hold the event loop open.
      const text =
        error instanceof TriadError
          ? error.message
          : `triad: ${errorMessage(error)}\n${(error as Error)?.stack ?? ""}`;
      process.stderr.write(`${text}\n`, () => process.exit(1));
    },
  );
}
