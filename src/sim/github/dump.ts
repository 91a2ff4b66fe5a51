/**
 * `SimulatorDump` — a JSON-serialisable snapshot of the simulated GitHub, written by the demo's
 * `--dump FILE`. Its shape is a stable contract:
 *
 * ```
 * {
 *   repositories: [{
 *     fullName, defaultBranch,
 *     branches: { [name]: sha },
 *     issues: [{ number, title, state, labels: string[], user, reactions: [{ content, user }],
 *                comments: [{ id, user, body, createdAt, updatedAt, reactions: [{ content, user }] }],
 *                pullRequest: boolean }],
 *     pullRequests: [{ number, title, body, head, base, state, merged, labels: string[],
 *                      files: [{ filename, status, additions, deletions }],
 *                      reviews: [{ id, user, state, body, commitId,
 *                                  comments: [{ path, line, side, body, inReplyTo? }] }] }],
 *     checkRuns: [{ name, headSha, status, conclusion, output: { title, summary, text } }]
 *   }],
 *   calls: [{ method, path, status, actor, at }]
 * }
 * ```
 * `user` fields are logins; `head`/`base` are branch names; PR `state` is "open" | "closed".
 */

import { pullFiles } from "./repo-ops.js";
import type { CallRecord } from "./server.js";
import type { Reaction, SimState } from "./state.js";

export interface DumpReaction {
  content: string;
  user: string;
}

export interface SimulatorDump {
  repositories: {
    fullName: string;
    defaultBranch: string;
    branches: Record<string, string>;
    issues: {
      number: number;
      title: string;
      state: "open" | "closed";
      labels: string[];
      user: string;
      reactions: DumpReaction[];
      comments: {
        id: number;
        user: string;
        body: string;
        createdAt: string;
        updatedAt: string;
        reactions: DumpReaction[];
      }[];
      pullRequest: boolean;
    }[];
    pullRequests: {
      number: number;
      title: string;
      body: string | null;
      head: string;
      base: string;
      state: "open" | "closed";
      merged: boolean;
      labels: string[];
      files: { filename: string; status: string; additions: number; deletions: number }[];
      reviews: {
        id: number;
        user: string;
        state: string;
        body: string;
        commitId: string;
        comments: { path: string; line: number; side: string; body: string; inReplyTo?: number }[];
      }[];
    }[];
    checkRuns: {
      name: string;
      headSha: string;
      status: string;
      conclusion: string | null;
      output: { title: string | null; summary: string | null; text: string | null };
    }[];
  }[];
  calls: CallRecord[];
}

const reactions = (list: Reaction[]): DumpReaction[] =>
  list.map((r) => ({ content: r.content, user: r.user.login }));

export function dumpState(state: SimState, calls: readonly CallRecord[]): SimulatorDump {
  return {
    repositories: [...state.repos.values()].map((repo) => ({
      fullName: repo.fullName,
      defaultBranch: repo.defaultBranch,
      branches: Object.fromEntries(
        [...repo.refs.entries()]
          .filter(([r]) => r.startsWith("refs/heads/"))
          .map(([r, sha]) => [r.slice(11), sha]),
      ),
      issues: [...repo.issues.values()].map((i) => ({
        number: i.number,
        title: i.title,
        state: i.state,
        labels: i.labels.map((l) => l.name),
        user: i.user.login,
        reactions: reactions(i.reactions),
        comments: i.comments.map((c) => ({
          id: c.id,
          user: c.user.login,
          body: c.body,
          createdAt: c.createdAt,
          updatedAt: c.updatedAt,
          reactions: reactions(c.reactions),
        })),
        pullRequest: i.isPull,
      })),
      pullRequests: [...repo.pulls.values()].map((pr) => {
        const issue = repo.issues.get(pr.number);
        return {
          number: pr.number,
          title: issue?.title ?? "",
          body: issue?.body ?? null,
          head: pr.headRef,
          base: pr.baseRef,
          state: issue?.state ?? "open",
          merged: pr.merged,
          labels: issue?.labels.map((l) => l.name) ?? [],
          files: pullFiles(repo, pr).map((f) => ({
            filename: f.filename,
            status: f.status,
            additions: f.additions,
            deletions: f.deletions,
          })),
          reviews: pr.reviews.map((r) => ({
            id: r.id,
            user: r.user.login,
            state: r.state,
            body: r.body,
            commitId: r.commitId,
            comments: pr.reviewComments
              .filter((c) => c.reviewId === r.id)
              .map((c) => ({
                path: c.path,
                line: c.line,
                side: c.side,
                body: c.body,
                ...(c.inReplyTo !== undefined ? { inReplyTo: c.inReplyTo } : {}),
              })),
          })),
        };
      }),
      checkRuns: repo.checkRuns.map((r) => ({
        name: r.name,
        headSha: r.headSha,
        status: r.status,
        conclusion: r.conclusion,
        output: { title: r.output.title, summary: r.output.summary, text: r.output.text },
      })),
    })),
    calls: calls.map((c) => ({ ...c })),
  };
}
