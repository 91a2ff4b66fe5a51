import type { RepoConfig } from "../config/repo-config.js";
import type { ModelText } from "./model-text.js";

/**
 * What every decision may read besides the state and its input: the repository config, the time,
 * and how model-written text is made safe for a comment.
 */
export interface DecideContext {
  config: RepoConfig;
  /** ISO time of the decision. */
  now: string;
  text: ModelText;
}
