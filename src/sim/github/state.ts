/** The simulator's in-memory world: users, repositories and everything inside them. */
import type { KeyObject } from "node:crypto";
import { SimClock } from "./clock.js";
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
  /** GitHub ms of creation, for the consistency lag. */
  createdAtMs: number;
}

export interface CheckRun {
  id: number;
  /** The app that created it: GitHub shows it as `app`, and only that app may update it. */
  appId: number;
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
  /** The run's annotations, as the app sent them (listed by `GET …/check-runs/{id}/annotations`). */
  annotations?: CheckAnnotation[];
}

/** One annotation of a check run (@octokit/openapi-types `check-annotation`). */
export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column: number | null;
  end_column: number | null;
  annotation_level: "notice" | "warning" | "failure";
  title: string | null;
  message: string;
  raw_details: string | null;
}

export interface CheckSuite {
  id: number;
  /** GitHub keeps one suite per app and commit. */
  appId: number;
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
  /** GitHub ms at which a ref was created through the API, for the consistency lag. */
  refCreatedAt: Map<string, number>;
  labels: Map<string, Label>;
  /** Login (lower case) → the collaborator's role. */
  collaborators: Map<string, Collaborator>;
  /** Private repositories are invisible (404) to anyone without access, as on GitHub. */
  private: boolean;
  /** Issues and pull requests share one number sequence, as on GitHub. */
  issues: Map<number, Issue>;
  pulls: Map<number, PullRequest>;
  checkRuns: CheckRun[];
  checkSuites: CheckSuite[];
}

/**
 * A repository role: one of the five base roles, or a custom role (an organisation-defined name)
 * that inherits a base role (docs.github.com "About custom repository roles").
 */
export interface Collaborator {
  base: Permission;
  roleName: string;
}

export interface App {
  id: number;
  slug: string;
  /** The account that owns the app (shown as `app.owner`). */
  owner: User;
  /** `${slug}[bot]`, type "Bot": what the app's installation tokens act as. */
  botUser: User;
  privateKey: string;
  publicKey: KeyObject;
}

export interface Installation {
  id: number;
  appId: number;
  account: User;
  /** "all" repositories of the account, or the selected ones (ids). */
  repositories: "all" | Set<number>;
  createdAt: string;
}

export class SimState {
  private nextId = 1000;
  constructor(readonly clock: SimClock = new SimClock()) {}
  readonly apps = new Map<number, App>();
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

  /** The installation of `appId` on an account. */
  installationFor(ownerLogin: string, appId: number): Installation | undefined {
    for (const i of this.installations.values()) {
      if (i.appId === appId && i.account.login.toLowerCase() === ownerLogin.toLowerCase()) return i;
    }
    return undefined;
  }

  /** GitHub time (see clock.ts), as GitHub writes timestamps. */
  now(): string {
    return this.clock.iso();
  }
}

/** Whether an installation covers a repository (its account, and the repository selection). */
export function installationCovers(inst: Installation, repo: Repo): boolean {
  if (inst.account.id !== repo.owner.id) return false;
  return inst.repositories === "all" || inst.repositories.has(repo.id);
}
