import type { RepoConfig } from "../config/repo-config.js";

/** What every decision may read besides the state and its input: the repository config and the time. */
export interface DecideContext {
  config: RepoConfig;
  /** ISO time of the decision. */
  now: string;
}
