import { type Logger, pino } from "pino";

/**
 * One logger for the process: JSON lines (pino), level from LOG_LEVEL.
 *
 * Every line carries at most one `name`. pino writes a child's bindings after its parent's without
 * merging them, so a name at two levels puts the key twice in one line (which JSON parsers read
 * differently). The root therefore carries none, each part names its own child ("web", "worker"),
 * and probot's namespace child (`{ name: "probot" }`, under which it names its own "github",
 * "octokit", "event" children) adds no name of its own.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    formatters: {
      bindings: (bindings) => {
        if (bindings.name !== "probot") return bindings;
        const { name: _probot, ...rest } = bindings;
        return rest;
      },
    },
  });
}

export type { Logger };
