/** The simulator's in-memory world: users, repositories and everything inside them. */
import type { ObjectStore } from "./git-objects.js";

export type Permission = "read" | "triage" | "write" | "maintain" | "admin";
export const PERMISSION_RANK: Record<Permission | "none", number> = {
  none: 0,
  read: 1,
  triage: 2,
  write: 3,
  maintain: 4,
  admin: 5,
};

export interface User {
  id: number;
  login: string;
  type: "User" | "Bot" | "Organization";
  token?: string;
}

export interface Label {
  id: number;
  name: string;
  color: string;
  description: string | null;
  default: boolean;
}

export interface Reaction {
  id: number;
  content: string;
  user: User;
  createdAt: string;
}

export interface IssueComment {
  id: number;
  issueNumber: number;
  user: User;
  body: string;
  createdAt: string;
  updatedAt: string;
  reactions: Reaction[];
}

export interface Issue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: "open" | "closed";
  stateReason: "completed" | "not_planned" | "reopened" | null;
  user: User;
  labels: Label[];
  reactions: Reaction[];
  comments: IssueComment[];
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  closedBy: User | null;
  isPull: boolean;
}

export interface ReviewComment {
  id: number;
  reviewId: number;
  path: string;
  line: number;
  side: "LEFT" | "RIGHT";
  startLine: number | null;
  startSide: "LEFT" | "RIGHT" | null;
  originalLine: number;
  position: number;
  diffHunk: string;
  body: string;
  commitId: string;
  user: User;
  createdAt: string;
  updatedAt: string;
  inReplyTo?: number;
  reactions: Reaction[];
}

export interface Review {
  id: number;
  user: User;
  body: string;
  state: "COMMENTED" | "APPROVED" | "CHANGES_REQUESTED" | "PENDING" | "DISMISSED";
  commitId: string;
  submittedAt: string | null;
}

export interface PullRequest {
  number: number;
  id: number;
  headRef: string;
  headSha: string;
  baseRef: string;
  baseSha: string;
  draft: boolean;
  merged: boolean;
  mergedAt: string | null;
  mergedBy: User | null;
  mergeCommitSha: string | null;
  reviews: Review[];
  reviewComments: ReviewComment[];
}

export interface CheckRun {
  id: number;
  name: string;
  headSha: string;
  status: "queued" | "in_progress" | "completed" | "waiting" | "requested" | "pending";
  conclusion: string | null;
  startedAt: string;
  completedAt: string | null;
  externalId: string | null;
  detailsUrl: string | null;
  output: { title: string | null; summary: string | null; text: string | null; annotations_count: number };
  checkSuiteId: number;
}

export interface CheckSuite {
  id: number;
  headSha: string;
  headBranch: string | null;
  status: "queued" | "in_progress" | "completed";
  conclusion: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Repo {
  id: number;
  owner: User;
  name: string;
  fullName: string;
  description: string | null;
  defaultBranch: string;
  createdAt: string;
  pushedAt: string;
  objects: ObjectStore;
  /** Full ref name ("refs/heads/main") → commit sha. */
  refs: Map<string, string>;
  labels: Map<string, Label>;
  collaborators: Map<string, Permission>;
  /** Issues and pull requests share one number sequence, as on GitHub. */
  issues: Map<number, Issue>;
  pulls: Map<number, PullRequest>;
  checkRuns: CheckRun[];
  checkSuites: CheckSuite[];
}

export interface Installation {
  id: number;
  account: User;
  createdAt: string;
}

export class SimState {
  private nextId = 1000;
  readonly users = new Map<string, User>();
  readonly repos = new Map<string, Repo>();
  readonly installations = new Map<number, Installation>();
  /** Installation tokens: token → { installationId, expiresAt }. */
  readonly installationTokens = new Map<string, { installationId: number; expiresAt: number }>();
  /** Global indices (GitHub ids are unique across repositories). */
  readonly issueComments = new Map<number, { repo: Repo; comment: IssueComment }>();
  readonly reviewComments = new Map<number, { repo: Repo; pull: PullRequest; comment: ReviewComment }>();
  readonly checkRuns = new Map<number, { repo: Repo; run: CheckRun }>();

  id(): number {
    this.nextId += 1;
    return this.nextId;
  }

  findRepo(owner: string, name: string): Repo | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  userByLogin(login: string): User | undefined {
    return this.users.get(login.toLowerCase());
  }

  userByToken(token: string): User | undefined {
    for (const u of this.users.values()) if (u.token === token) return u;
    return undefined;
  }

  installationFor(ownerLogin: string): Installation | undefined {
    for (const i of this.installations.values()) {
      if (i.account.login.toLowerCase() === ownerLogin.toLowerCase()) return i;
    }
    return undefined;
  }
}

export function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}
