import { type DestinationStream, type Logger, pino } from "pino";

/**
 * One logger for the process: JSON lines (pino), level from LOG_LEVEL.
 *
 * Every line carries at most one `name`. pino writes a child's bindings after its parent's without
 * merging them (and resets `formatters.bindings` for children), so a name at two levels puts the key
 * twice in one line, which JSON parsers read differently. The root therefore carries none; each part
 * names its own child ("web", "worker"); probot's namespace child (`{ name: "probot" }`, under which
 * it names its own "github", "octokit", "setup" children) adds none; and a named child of a named
 * logger keeps its name as `component`.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const root = destination ? pino({ level }, destination) : pino({ level });
  const child = Object.getPrototypeOf(root).child as Logger["child"];
  // An own property of the root: every descendant inherits it (pino children are Object.create(parent)).
  root.child = function namedOnce(this: Logger, bindings, options) {
    let own = bindings;
    if (typeof bindings.name === "string") {
      const { name, ...rest } = bindings;
      const parent = this.bindings();
      if (name === "probot") own = rest;
      else if (parent.name !== undefined)
        own = parent.component === undefined ? { ...rest, component: name } : rest;
    }
    return child.call(this, own, options);
  } as Logger["child"];
  return root;
}

export type { Logger };
