import type { SimulatorDump } from "../sim/github/index.js";

/**
 * Turns changes in the simulator's state into lines a maintainer understands ("maya labelled #1
 * triad", "triad[bot] commented: …"). It compares successive dumps, so it sees exactly what a person
 * watching GitHub would see, whatever code made the change.
 */
export class Narrator {
  private seen = new Set<string>();
  private bodies = new Map<string, string>();

  constructor(private readonly print: (line: string) => void) {}

  observe(dump: SimulatorDump): void {
    for (const repo of dump.repositories) {
      for (const issue of repo.issues) {
        const where = `${issue.pullRequest ? "PR" : "issue"} #${issue.number}`;
        this.once(
          `issue:${repo.fullName}#${issue.number}`,
          () => `${issue.user} opened ${where}: "${issue.title}"`,
        );
        for (const label of issue.labels)
          this.once(
            `label:${repo.fullName}#${issue.number}:${label}`,
            () => `${where} is labelled "${label}"`,
          );
        for (const r of issue.reactions)
          this.once(
            `reaction:${repo.fullName}#${issue.number}:${r.user}:${r.content}`,
            () => `${r.user} reacted ${emoji(r.content)} on ${where}`,
          );
        for (const c of issue.comments) {
          const key = `comment:${c.id}`;
          const previous = this.bodies.get(key);
          if (previous === undefined)
            this.print(`${c.user} commented on ${where}:\n${indent(visible(c.body))}`);
          else if (previous !== c.body)
            this.print(`${c.user} updated a comment on ${where}:\n${indent(visible(c.body))}`);
          this.bodies.set(key, c.body);
          for (const r of c.reactions ?? [])
            this.once(
              `reaction:${c.id}:${r.user}:${r.content}`,
              () => `${r.user} reacted ${emoji(r.content)} to ${c.user}'s comment`,
            );
        }
      }
    }
  }

  private once(key: string, line: () => string): void {
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.print(line());
  }
}

function visible(body: string): string {
  return body
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `    │ ${l}`)
    .join("\n");
}

function emoji(content: string): string {
  return (
    (
      {
        eyes: "👀",
        "+1": "👍",
        "-1": "👎",
        confused: "😕",
        rocket: "🚀",
        heart: "❤️",
        hooray: "🎉",
        laugh: "😄",
      } as Record<string, string>
    )[content] ?? content
  );
}
