export {
  type AnchorCandidate,
  type AnchorQuery,
  type AnchorResult,
  findFile,
  isResolved,
  linesInDiff,
  mapAnchor,
  type Side,
} from "./anchor.js";
export { fromPullRequestFiles, type PullRequestFile, parseHunks, parseUnifiedDiff } from "./parse.js";
export {
  estimateTokens,
  type Presentation,
  type PresentOptions,
  presentDiff,
  presentDiffForModel,
  presentHunk,
} from "./present.js";
export type { DiffFile, DiffLine, DiffLineKind, FileStatus, Hunk } from "./types.js";
