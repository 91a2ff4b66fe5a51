import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { FileView } from "../repo/view.js";

export type ContractRole = "architect" | "developer" | "reviewer";

const SHIPPED = fileURLToPath(new URL("../../prompts/", import.meta.url));

/**
 * A role's behavioural contract: `.github/triad/<role>.md` in the repository when it has one,
 * else the one triad ships in `prompts/`. The code adds facts to it, never rules.
 */
export function loadContract(role: ContractRole, repo?: FileView): { text: string; source: string } {
  const override = repo?.read(`.github/triad/${role}.md`);
  if (override && override.length > 0)
    return { text: override.toString("utf8"), source: `.github/triad/${role}.md` };
  return { text: readFileSync(`${SHIPPED}${role}.md`, "utf8"), source: `prompts/${role}.md` };
}
