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

  private pending: Array<{ at: string; line: string; late: boolean }> = [];

  /** Print what changed since the last dump, in the order it happened on "GitHub". */
  observe(dump: SimulatorDump): void {
    this.collect(dump);
    const lines = this.pending.splice(0);
    // GitHub's timestamps have whole seconds; within one, the tracking comment is updated last.
    lines.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : Number(a.late) - Number(b.late)));
    for (const { line } of lines) this.print(line);
  }

  private collect(dump: SimulatorDump): void {
    for (const repo of dump.repositories) {
      for (const issue of repo.issues) {
        const where = `${issue.pullRequest ? "PR" : "issue"} #${issue.number}`;
        this.once(
          `issue:${repo.fullName}#${issue.number}`,
          () => `${issue.user} opened ${where}: "${issue.title}"`,
        );
        for (const label of issue.labels) {
          this.once(
            `label:${repo.fullName}#${issue.number}:${label}`,
            () => `${where} is labelled "${label}"`,
          );
        }
        for (const r of issue.reactions) {
          this.once(
            `reaction:${repo.fullName}#${issue.number}:${r.user}:${r.content}`,
            () => `${r.user} reacted ${emoji(r.content)} on ${where}`,
          );
        }
        for (const c of issue.comments) this.comment(where, c);
      }
      for (const pr of repo.pullRequests) {
        for (const review of pr.reviews) {
          for (const c of review.comments.filter((x) => x.inReplyTo !== undefined)) {
            this.once(
              `reply:${review.id}:${c.path}:${c.line}:${c.body.length}`,
              () =>
                `${review.user} replied in the review thread on ${c.path}:${c.line}: ${clip(visible(c.body), 2)}`,
            );
          }
          // GitHub files a lone reply in a thread as a review of its own, with no body: shown above.
          if (!review.body.trim() && review.comments.every((c) => c.inReplyTo !== undefined)) continue;
          this.once(`review:${review.id}`, () => {
            const inline = review.comments.filter((c) => c.inReplyTo === undefined);
            const lines = [
              `${review.user} reviewed PR #${pr.number} (${review.state.toLowerCase()}, ${inline.length} inline comment${inline.length === 1 ? "" : "s"}):`,
            ];
            lines.push(indent(clip(visible(review.body), 18)));
            for (const c of inline)
              lines.push(indent(`↳ ${c.path}:${c.line} — ${clip(visible(c.body), 3).replace(/\n/g, " ")}`));
            return lines.join("\n");
          });
        }
      }
      for (const run of repo.checkRuns) {
        const state = `${run.status}${run.conclusion ? `/${run.conclusion}` : ""}`;
        this.once(
          `check:${run.name}:${run.headSha}:${state}`,
          () =>
            `check ${run.name} on ${run.headSha.slice(0, 7)}: ${state}${run.output.title ? ` — ${run.output.title}` : ""}`,
        );
      }
    }
  }

  private comment(
    where: string,
    c: SimulatorDump["repositories"][number]["issues"][number]["comments"][number],
  ): void {
    const key = `comment:${c.id}`;
    const previous = this.bodies.get(key);
    this.bodies.set(key, c.body);
    if (previous !== c.body) {
      if (c.body.includes("<!-- triad:tracking -->")) {
        // The tracking comment is edited in place many times: one line per change of "Now".
        const now = /\*\*Now:\*\* (.*)/.exec(c.body)?.[1] ?? "";
        const before = previous ? /\*\*Now:\*\* (.*)/.exec(previous)?.[1] : undefined;
        if (now !== before) {
          this.emit(
            c.updatedAt,
            `${c.user} ${previous === undefined ? "posted" : "updated"} the tracking comment on ${where}: ${now}`,
            true,
          );
        }
      } else {
        const what = previous === undefined ? "commented" : "edited a comment";
        this.emit(c.updatedAt, `${c.user} ${what} on ${where}:\n${indent(visible(c.body))}`);
      }
    }
    for (const r of c.reactions ?? []) {
      this.once(
        `reaction:${c.id}:${r.user}:${r.content}`,
        () => `${r.user} reacted ${emoji(r.content)} to ${c.user}'s comment`,
      );
    }
  }

  private once(key: string, line: () => string): void {
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.emit("\uffff", line()); // no timestamp: after the comments seen in the same look
  }

  private emit(at: string, line: string, late = false): void {
    this.pending.push({ at, line, late });
  }
}

function visible(body: string): string {
  return body
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

function clip(text: string, lines: number): string {
  const all = text.split("\n");
  return all.length <= lines
    ? text
    : `${all.slice(0, lines).join("\n")}\n… (${all.length - lines} more lines)`;
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `    │ ${l}`)
    .join("\n");
}

function emoji(content: string): string {
  const map: Record<string, string> = {
    eyes: "👀",
    "+1": "👍",
    "-1": "👎",
    confused: "😕",
    rocket: "🚀",
    heart: "❤️",
    hooray: "🎉",
    laugh: "😄",
  };
  return map[content] ?? content;
}
