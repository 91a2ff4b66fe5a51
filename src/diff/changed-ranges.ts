import type { DiffFile } from "./types.js";

/**
 * Where a diff changed its old side, per file: the old lines it removed or replaced, and the points
 * where it inserted lines (an insertion after old line p is `[p, p + 1]`). This is what "the next round
 * changed the code a finding pointed at" is measured against (src/core/review/precision.ts
 * `fixedFindings`): the findings' lines are on the head the fix round started from, which is this
 * diff's old side. A deleted file changed all of its lines. Paths are old paths.
 */
export interface ChangedRegion {
  path: string;
  ranges: Array<[number, number]>;
}

function merge(ranges: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

export function changedRegions(files: readonly DiffFile[]): ChangedRegion[] {
  return files.map((file) => {
    if (file.status === "deleted") return { path: file.oldPath, ranges: [[1, Number.MAX_SAFE_INTEGER]] };
    const ranges: Array<[number, number]> = [];
    for (const hunk of file.hunks) {
      let before = hunk.oldStart - 1;
      for (const line of hunk.lines) {
        if (line.kind === "add") ranges.push([before, before + 1]);
        else {
          before = line.oldLine ?? before;
          if (line.kind === "del") ranges.push([before, before]);
        }
      }
    }
    return { path: file.oldPath, ranges: merge(ranges) };
  });
}
