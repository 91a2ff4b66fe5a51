import { isOwnComment, markerId, withoutMarkers } from "../core/markers.js";
import type { Permission } from "../core/permissions.js";
import type { IssueComment } from "../github/comments.js";

/**
 * The issue thread as the architect may see it: the issue, the humans' comments that the
 * `commenters` policy lets through, and the architect's own earlier questions and plans. Tracking,
 * error and reply comments are triad's bookkeeping and stay out.
 */
export interface ThreadEntry {
  id: number;
  author: string;
  /** "architect" for the architect's own earlier outputs; "developer" for a developer's stop report. */
  kind: "human" | "architect" | "developer";
  permission?: Permission;
  body: string;
  createdAt: string;
}

export interface IssueFacts {
  number: number;
  title: string;
  body: string;
  author: string;
}

export interface Thread {
  issue: IssueFacts;
  entries: ThreadEntry[];
  /** Human comments left out by the policy (counted, so the architect knows they exist). */
  skipped: number;
}

export async function buildThread(o: {
  issue: IssueFacts;
  comments: IssueComment[];
  botLogin: string;
  commenters: "collaborators" | "anyone";
  permissionOf: (login: string) => Promise<Permission>;
  /**
   * Whether the login is a collaborator (`GET /repos/{o}/{r}/collaborators/{u}`: 204 or 404). Not
   * "permission is not none": on a public repository that endpoint may answer `read` for anyone.
   */
  collaboratorOf: (login: string) => Promise<boolean>;
}): Promise<Thread> {
  const entries: ThreadEntry[] = [];
  let skipped = 0;
  for (const c of o.comments) {
    const login = c.user?.login ?? "ghost";
    const body = c.body ?? "";
    if (isOwnComment(c.user, o.botLogin)) {
      const kind =
        markerId(body, "architect") !== undefined
          ? "architect"
          : markerId(body, "developer") !== undefined
            ? "developer"
            : undefined;
      if (kind)
        entries.push({ id: c.id, author: login, kind, body: withoutMarkers(body), createdAt: c.created_at });
      continue;
    }
    if (c.user?.type === "Bot") continue;
    if (o.commenters === "collaborators" && !(await o.collaboratorOf(login))) {
      skipped++;
      continue;
    }
    const permission = await o.permissionOf(login);
    entries.push({ id: c.id, author: login, kind: "human", permission, body, createdAt: c.created_at });
  }
  return { issue: o.issue, entries, skipped };
}
