/**
 * "When the same file keeps changing" — the confidence-spiral guard (ARCHITECTURE §2): the same
 * file, or a file of the same configured component glob, changed in each of the last `rounds`
 * (default 3) consecutive fix rounds.
 *
 * `rounds[i]` holds what fix round i + 1 changed: its paths, and the component globs those paths
 * fall in (matched by the shell when the round is published). Only the trailing rounds count (the
 * current streak), and approving a revised plan starts a new list, so an old streak never fires again.
 */
export interface RoundChanges {
  files: readonly string[];
  components?: readonly string[];
}

export interface Spiral {
  /** Files changed in every one of the trailing rounds. */
  files: string[];
  /** Component globs with a changed file in every one of the trailing rounds. */
  components: string[];
}

export const SPIRAL_ROUNDS = 3;

export function detectSpiral(
  rounds: ReadonlyArray<RoundChanges>,
  streak = SPIRAL_ROUNDS,
): Spiral | undefined {
  if (streak < 1 || rounds.length < streak) return undefined;
  const last = rounds.slice(-streak);
  const common = (pick: (r: RoundChanges) => readonly string[]) => {
    const [head, ...rest] = last.map((r) => new Set(pick(r)));
    if (!head) return [];
    return [...head].filter((x) => rest.every((r) => r.has(x))).sort();
  };
  const files = common((r) => r.files);
  const components = common((r) => r.components ?? []);
  if (files.length === 0 && components.length === 0) return undefined;
  return { files, components };
}
