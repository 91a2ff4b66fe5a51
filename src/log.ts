import { type Logger, pino } from "pino";

/** One logger for the process: JSON lines (pino), level from LOG_LEVEL. */
export function createLogger(level: string, name = "triad"): Logger {
  return pino({ name, level });
}

export type { Logger };
