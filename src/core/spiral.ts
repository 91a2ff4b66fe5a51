import picomatch from "picomatch";

/**
 * The confidence-spiral guard (ARCHITECTURE §2): the same file, or a file of the same configured
 * component glob, changed in each of the last `rounds` (default 3) consecutive fix rounds.
 *
 * `changedFilesByRound[i]` holds the paths fix round i + 1 changed. Only the trailing rounds count
 * (the current streak): after a revised plan the caller starts a new list, and an old streak does
 * not fire again.
 */
export interface Spiral {
  /** Files changed in every one of the trailing rounds. */
  files: string[];
  /** Component globs with a changed file in every one of the trailing rounds. */
  components: string[];
}

export function detectSpiral(
  changedFilesByRound: ReadonlyArray<readonly string[]>,
  components: readonly string[] = [],
  rounds = 3,
): Spiral | undefined {
  if (rounds < 1 || changedFilesByRound.length < rounds) return undefined;
  const streak = changedFilesByRound.slice(-rounds).map((r) => new Set(r));
  const [head, ...rest] = streak;
  if (!head) return undefined;
  const files = [...head].filter((f) => rest.every((r) => r.has(f))).sort();
  const matched = components.filter((glob) => {
    const isMatch = picomatch(glob, { dot: true });
    return streak.every((r) => [...r].some((f) => isMatch(f)));
  });
  if (files.length === 0 && matched.length === 0) return undefined;
  return { files, components: matched };
}
