/**
 * Publishing one developer round (ARCHITECTURE §6, §7): the overlay's changes become one commit on
 * triad's branch through the Git Data API, and the pull request exists and carries its labels.
 *
 * Every step is repeat-safe, so a job killed anywhere and run again with the same inputs ends with
 * one branch, one commit of the round on it, and one PR:
 * - the commit message carries a `Triad-Round: <id>` trailer; a re-run that finds it among the
 *   branch's recent commits reuses that commit instead of making another;
 * - a commit whose ref update never happened is unreachable garbage; the re-run makes a fresh one;
 * - the branch is created, or fast-forwarded, never forced;
 * - the PR is found by its head branch before one is created.
 *
 * A branch head without the trailer means a human pushed. The round then builds on their commit,
 * unless a file they changed since the snapshot or triad's last commit is also in the round: triad
 * refuses rather than overwrite it.
 *
 * API calls on a new branch: 1 branch lookup + 1 read of the base commit's tree + one blob per
 * distinct binary or large content (text goes inside the tree request) + tree + commit + ref + PR +
 * labels. On an existing branch: 1 branch lookup + 1 commit listing (+1 compare when a human pushed)
 * + blobs + tree + commit + ref + PR lookup (+ update/create) + labels when missing.
 */
import { TriadError } from "../errors.js";
import type { FileChange } from "../repo/overlay.js";
import type { GitHubClient, RepoRef } from "./client.js";
import {
  type BlobMode,
  type BranchCommit,
  branchHead,
  changedPaths,
  createBranch,
  createCommit,
  createTree,
  fastForwardBranch,
  recentCommits,
  type TreeContent,
  treeContents,
  treeOfCommit,
} from "./git-data.js";
import { ensureLabels, ensurePullRequest, type PullLike } from "./pulls.js";

export type PublishFaultPoint = "after-blobs" | "after-tree" | "after-commit" | "after-ref" | "after-pr";

export interface PublishOptions {
  repo: RepoRef;
  /** The branch the PR goes into. */
  baseBranch: string;
  /** The commit the overlay was built on (the snapshot). */
  baseSha: string;
  /** Its tree, when the caller already knows it (saves reading the commit). */
  baseTreeSha?: string;
  /**
   * The round is a plan's first implementation on a branch that already exists (a revised plan): its
   * tree is the snapshot's plus the changes — nothing of the earlier plan's rounds survives — and the
   * commit still only moves the branch forward (never a force push). When the snapshot is not in the
   * branch's history, it becomes the commit's second parent, so the PR's diff is against it.
   */
  rebuild?: boolean;
  /** `triad/<issue>-<slug>`. */
  branch: string;
  /** From `Overlay.changes()`; must not be empty. */
  changes: FileChange[];
  /** Commit message (first line + body); the `Triad-Round` trailer is appended. */
  message: string;
  /** Identifies the round, e.g. `issue-12-plan-v2-round-0`; no whitespace. */
  roundId: string;
  /** Default: GitHub makes the authenticated app the author. */
  author?: { name: string; email: string };
  /** Unix mode bits of a path in the snapshot (e.g. from `Snapshot.files`), to keep executables executable. */
  modeOf?: (path: string) => number | undefined;
  pr: { title: string; body: string; labels: string[]; marker: string; known?: PullLike };
  /**
   * Called after each step that wrote something (crash tests: the fault port; tests also pass a hook
   * that throws — a crash — or pushes to the branch — a race); it is awaited.
   */
  fault?: (point: PublishFaultPoint) => void | Promise<void>;
}

export interface PublishResult {
  commitSha: string;
  branch: string;
  prNumber: number;
  prUrl: string;
  /** What this call wrote: a new commit; the branch created or moved; a new PR. */
  created: { commit: boolean; ref: boolean; pr: boolean };
}

/** How many of the branch's newest commits are searched for this round's commit and triad's last one. */
const HISTORY_DEPTH = 20;
/** Attempts when the branch moves between reading it and writing the ref. */
const MAX_ATTEMPTS = 3;

const TRAILER = "Triad-Round";
const ROUND_ID = /^[A-Za-z0-9._:/-]+$/;

/** The trailer line that marks a round's commit. */
export function roundTrailer(roundId: string): string {
  return `${TRAILER}: ${roundId}`;
}

/** The round id in a commit message's `Triad-Round` trailer (the last one), if any. */
export function readRoundTrailer(message: string): string | undefined {
  let found: string | undefined;
  for (const match of message.matchAll(/^Triad-Round:[ \t]*(\S+)[ \t]*$/gm)) found = match[1];
  return found;
}

/** The message with the round trailer, in the trailer paragraph if the message already ends in one. */
export function withRoundTrailer(message: string, roundId: string): string {
  const trimmed = message.replace(/\s+$/, "");
  const paragraphs = trimmed.split(/\n[ \t]*\n/);
  const last = paragraphs[paragraphs.length - 1] ?? "";
  const endsInTrailers =
    paragraphs.length > 1 && last.split("\n").every((line) => /^[A-Za-z0-9-]+: \S/.test(line));
  return `${trimmed}${endsInTrailers ? "\n" : "\n\n"}${roundTrailer(roundId)}\n`;
}

type BranchPlan =
  | { kind: "done"; commit: string }
  | { kind: "create"; parents: string[]; baseTree: string }
  | { kind: "advance"; head: string; parents: string[]; baseTree: string };

export async function publishRound(gh: GitHubClient, o: PublishOptions): Promise<PublishResult> {
  if (!ROUND_ID.test(o.roundId)) throw new TriadError("internal", `publish: invalid round id ${o.roundId}`);
  if (o.changes.length === 0) {
    throw new TriadError("internal", `publish: round ${o.roundId} has no changes to commit`);
  }
  const fault = o.fault ?? (() => undefined);
  const created = { commit: false, ref: false, pr: false };
  const message = withRoundTrailer(o.message, o.roundId);
  const modeOf = (path: string): BlobMode => {
    const mode = o.modeOf?.(path);
    return mode !== undefined && (mode & 0o111) !== 0 ? "100755" : "100644";
  };

  let blobs: Map<string, TreeContent> | undefined;
  let commitSha: string | undefined;
  let branchIsNew = false;
  for (let attempt = 1; commitSha === undefined; attempt++) {
    if (attempt > MAX_ATTEMPTS) {
      throw new TriadError(
        "github_rejected",
        `Branch ${o.branch} kept moving while triad was committing round ${o.roundId}; not forcing it`,
      );
    }
    const plan = await planBranch(gh, o);
    if (plan.kind === "done") {
      commitSha = plan.commit;
      break;
    }
    if (!blobs) {
      blobs = await treeContents(gh, o.repo, o.changes);
      await fault("after-blobs");
    }
    const tree = await createTree(gh, o.repo, plan.baseTree, o.changes, blobs, modeOf);
    await fault("after-tree");
    const commit = await createCommit(gh, o.repo, {
      message,
      tree,
      parents: plan.parents,
      ...(o.author ? { author: o.author } : {}),
    });
    await fault("after-commit");
    const write =
      plan.kind === "create"
        ? await createBranch(gh, o.repo, o.branch, commit)
        : await fastForwardBranch(gh, o.repo, o.branch, commit);
    if (write !== "written") continue; // the branch appeared or moved since we read it: read it again
    created.commit = true;
    created.ref = true;
    branchIsNew = plan.kind === "create";
    commitSha = commit;
    await fault("after-ref");
  }

  const pr = await ensurePullRequest(gh, {
    repo: o.repo,
    head: o.branch,
    base: o.baseBranch,
    title: o.pr.title,
    body: o.pr.body,
    marker: o.pr.marker,
    headIsNew: branchIsNew,
    ...(o.pr.known ? { known: o.pr.known } : {}),
  });
  created.pr = pr.created;
  await fault("after-pr");
  await ensureLabels(gh, o.repo, pr.number, o.pr.labels, pr.labels);
  return { commitSha, branch: o.branch, prNumber: pr.number, prUrl: pr.url, created };
}

/** Reads the branch and decides where this round's commit goes (or finds it already there). */
async function planBranch(gh: GitHubClient, o: PublishOptions): Promise<BranchPlan> {
  const head = await branchHead(gh, o.repo, o.branch);
  if (head === undefined) {
    return {
      kind: "create",
      parents: [o.baseSha],
      baseTree: o.baseTreeSha ?? (await treeOfCommit(gh, o.repo, o.baseSha)),
    };
  }
  // A fix round whose branch is still at the commit it was computed on (the ref just read): no one
  // pushed, and this round's commit — a child of that base — cannot be on it yet, so the history
  // listing would only confirm what the caller knows (the base and its tree). One call fewer.
  if (!o.rebuild && head === o.baseSha && o.baseTreeSha !== undefined)
    return { kind: "advance", head, parents: [head], baseTree: o.baseTreeSha };
  const commits = await recentCommits(gh, o.repo, head, HISTORY_DEPTH);
  const mine = commits.find((c) => readRoundTrailer(c.message) === o.roundId);
  if (mine) return { kind: "done", commit: mine.sha };
  const top = commits[0];
  if (!top || top.sha !== head) {
    throw new TriadError("internal", `publish: listing the commits of ${o.branch} did not start at ${head}`);
  }
  if (o.rebuild) {
    if (readRoundTrailer(top.message) === undefined) {
      throw new TriadError(
        "github_rejected",
        `Branch ${o.branch} has a commit that triad did not make (${top.sha.slice(0, 7)}); a revised plan's implementation would replace the branch's contents, so triad stops rather than drop it. Move that work elsewhere, then \`/triad retry\`.`,
      );
    }
    const known = commits.some((c) => c.sha === o.baseSha);
    return {
      kind: "advance",
      head,
      parents: known ? [head] : [head, o.baseSha],
      baseTree: o.baseTreeSha ?? (await treeOfCommit(gh, o.repo, o.baseSha)),
    };
  }
  if (readRoundTrailer(top.message) === undefined) await refuseOverwrites(gh, o, commits);
  return { kind: "advance", head, parents: [head], baseTree: top.tree };
}

/**
 * The head is not triad's: someone pushed. The human commits are those above the snapshot or triad's
 * last commit, whichever comes first; if they changed a file this round also changes, stop.
 */
async function refuseOverwrites(gh: GitHubClient, o: PublishOptions, commits: BranchCommit[]): Promise<void> {
  const stopAt = commits.findIndex((c) => c.sha === o.baseSha || readRoundTrailer(c.message) !== undefined);
  if (stopAt === 0) return;
  const top = commits[0] as BranchCommit;
  const since = stopAt > 0 ? (commits[stopAt] as BranchCommit).sha : o.baseSha;
  const theirs = new Set(await changedPaths(gh, o.repo, since, top.sha));
  const clash = o.changes.map((c) => c.path).filter((p) => theirs.has(p));
  if (clash.length === 0) return;
  const humanCommits = (stopAt > 0 ? commits.slice(0, stopAt) : commits).map((c) => c.sha.slice(0, 7));
  throw new TriadError(
    "github_rejected",
    `Branch ${o.branch} has commits that triad did not make (${humanCommits.join(", ")}) changing ` +
      `${clash.join(", ")}, which round ${o.roundId} also changes. triad will not overwrite a human's ` +
      "commit and never force-pushes; the branch is unchanged.",
  );
}
