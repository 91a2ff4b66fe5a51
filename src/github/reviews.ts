import { BODY_MAX, clip, codePoints, splitBody } from "../core/render/limits.js";
import type { GitHubClient, RepoRef } from "./client.js";
import { ensureComment, partMarker } from "./comments.js";
import { github } from "./errors.js";

export interface PostedReview {
  id: number;
  body: string;
  commitId: string;
  /** True when GitHub refused the inline comments and they went into the body. */
  movedToBody: boolean;
  /** The review's hidden data did not fit beside its text and was left out of the body. */
  droppedData: boolean;
}

export interface ReviewToPost {
  body: string;
  comments: Array<{
    path: string;
    line: number;
    side: "LEFT" | "RIGHT";
    start_line?: number;
    start_side?: "LEFT" | "RIGHT";
    body: string;
  }>;
}

/** The app's review on this PR whose body carries the marker, if any (a retry finds it instead of posting again). */
export async function findOwnReview(
  gh: GitHubClient,
  repo: RepoRef,
  pull: number,
  marker: string,
  botLogin: string,
) {
  const reviews = await github("list reviews", () =>
    gh.paginate(gh.rest.pulls.listReviews, { ...repo, pull_number: pull, per_page: 100 }),
  );
  return reviews.find((r) => r.user?.login === botLogin && (r.body ?? "").includes(marker));
}

/** A review within GitHub's limits: each inline comment clipped, the body split (the rest follows). */
function fitted(
  r: ReviewToPost,
  marker: string,
): { review: ReviewToPost; rest: string[]; droppedData: boolean } {
  const { parts, droppedData } = splitBody(r.body, {
    continued: "_… continued in a comment on this pull request._",
    // Each follow-up part is posted with its own marker line above it: room for it, within the limit.
    partHead: codePoints(partMarker(marker, 99)) + 1,
  });
  return {
    review: {
      body: parts[0] as string,
      comments: r.comments.map((c) => ({ ...c, body: clip(c.body, BODY_MAX) })),
    },
    rest: parts.slice(1),
    droppedData,
  };
}

/**
 * Post one review with event COMMENT — never APPROVE or REQUEST_CHANGES: triad does not approve.
 * A 422 for the inline comments (a line GitHub cannot resolve) moves them into the body instead of
 * failing the review (`fallback` renders that body). A body over GitHub's limit is split: the
 * review carries the first part (with the marker and, when it fits, the hidden data) and the rest
 * follows as comments on the pull request, marked as the review's parts.
 */
export async function postReview(
  gh: GitHubClient,
  repo: RepoRef,
  o: {
    pull: number;
    commitId: string;
    review: ReviewToPost;
    fallback: () => ReviewToPost;
    /** The review's marker and the app's login, to find the follow-up parts again. */
    marker: string;
    botLogin: string;
  },
): Promise<PostedReview> {
  const post = (r: ReviewToPost) =>
    gh.rest.pulls.createReview({
      ...repo,
      pull_number: o.pull,
      commit_id: o.commitId,
      event: "COMMENT",
      body: r.body,
      comments: r.comments,
    });
  const first = fitted(o.review, o.marker);
  let posted: { id: number; body: string; movedToBody: boolean; rest: string[]; droppedData: boolean };
  try {
    const { data } = await post(first.review);
    posted = { id: data.id, body: data.body ?? "", movedToBody: false, ...first };
  } catch (error) {
    if ((error as { status?: number }).status !== 422 || o.review.comments.length === 0) {
      return github("post the review", () => Promise.reject(error));
    }
    const moved = fitted(o.fallback(), o.marker);
    const { data } = await github("post the review (inline comments moved to the body)", () =>
      post(moved.review),
    );
    posted = { id: data.id, body: data.body ?? "", movedToBody: true, ...moved };
  }
  for (const [i, part] of posted.rest.entries()) {
    const markerText = partMarker(o.marker, i + 2);
    await ensureComment(
      gh,
      { ...repo, issue_number: o.pull },
      { marker: markerText, body: `${markerText}\n${part}`, botLogin: o.botLogin },
    );
  }
  return {
    id: posted.id,
    body: posted.body,
    commitId: o.commitId,
    movedToBody: posted.movedToBody,
    droppedData: posted.droppedData,
  };
}

export interface ReviewThreadComment {
  id: number;
  body: string;
  user: string;
  userType: string;
  inReplyTo?: number;
  path: string;
  line?: number;
  /**
   * 👎s on it, from the listing's reaction rollup (`reactions["-1"]`, @octokit/openapi
   * pull-request-review-comment): who gave them takes a read of the reactions, only when there are any.
   * Absent when the listing carried no rollup.
   */
  thumbsDown?: number;
}

export async function listReviewComments(
  gh: GitHubClient,
  repo: RepoRef,
  pull: number,
): Promise<ReviewThreadComment[]> {
  const all = await github("list review comments", () =>
    gh.paginate(gh.rest.pulls.listReviewComments, { ...repo, pull_number: pull, per_page: 100 }),
  );
  return all.map((c) => ({
    id: c.id,
    body: c.body,
    user: c.user?.login ?? "ghost",
    userType: c.user?.type ?? "User",
    ...(c.in_reply_to_id ? { inReplyTo: c.in_reply_to_id } : {}),
    path: c.path,
    ...(typeof c.line === "number" ? { line: c.line } : {}),
    ...(typeof c.reactions?.["-1"] === "number" ? { thumbsDown: c.reactions["-1"] } : {}),
  }));
}

export async function replyInThread(
  gh: GitHubClient,
  repo: RepoRef,
  pull: number,
  commentId: number,
  body: string,
): Promise<void> {
  await github("reply in the review thread", () =>
    gh.rest.pulls.createReplyForReviewComment({
      ...repo,
      pull_number: pull,
      comment_id: commentId,
      body: clip(body, BODY_MAX),
    }),
  );
}
