import { type Permission, PERMISSIONS as ROLES } from "../core/permissions.js";
import { redisTtl, type TtlRedis } from "../stores/redis-ttl.js";
import type { GitHubClient, RepoRef } from "./client.js";
import { github } from "./errors.js";

/**
 * The answer of `GET /repos/{owner}/{repo}/collaborators/{username}/permission`
 * (@octokit/openapi-types `repository-collaborator-permission`): `permission` is the legacy base role
 * (admin, write, read, none; maintain → write, triage → read), `role_name` the assigned role, custom
 * roles included ("the `permission` can also be used to determine which base level of access the
 * collaborator has", GitHub's description of the endpoint); `user.permissions` the flags.
 */
interface PermissionAnswer {
  permission?: string;
  role_name?: string;
  user?: {
    permissions?: { admin?: boolean; maintain?: boolean; push?: boolean; triage?: boolean; pull?: boolean };
  } | null;
}

const isRole = (value: string | undefined): value is Permission =>
  value !== undefined && (ROLES as readonly string[]).includes(value);

/**
 * The role a permission answer grants. A standard `role_name` is taken as it is. A custom role
 * ("security-reviewer") is its base: the highest of the user's permission flags when GitHub sends
 * them (a custom role on maintain has `maintain: true`, though `permission` says write), else the
 * legacy `permission`. Anything unknown is "none".
 */
export function roleOf(answer: PermissionAnswer): Permission {
  if (isRole(answer.role_name)) return answer.role_name;
  const flags = answer.user?.permissions;
  if (flags) {
    if (flags.admin) return "admin";
    if (flags.maintain) return "maintain";
    if (flags.push) return "write";
    if (flags.triage) return "triage";
  }
  if (isRole(answer.permission)) return answer.permission;
  return "none";
}

/**
 * The user's role, from the collaborator-permission API — never from a payload's
 * `author_association`, which says how someone relates to the repository, not what they may do.
 * `role_name` distinguishes maintain and triage, which the legacy `permission` folds into write and
 * read. A user who is no collaborator answers 404 on some GitHub versions, and so does a bot ("is not
 * a user"): that is "none".
 *
 * On a public repository the endpoint is said to answer `read` for anyone: a `read` here does not
 * make someone a collaborator. Use `isRepoCollaborator` for that question.
 */
export async function getPermission(gh: GitHubClient, ref: RepoRef, username: string): Promise<Permission> {
  return github(`read @${username}'s permission`, async () => {
    try {
      const { data } = await gh.rest.repos.getCollaboratorPermissionLevel({ ...ref, username });
      return roleOf(data as PermissionAnswer);
    } catch (error) {
      if ((error as { status?: number }).status === 404) return "none";
      throw error;
    }
  });
}

/**
 * Whether the user is a collaborator of the repository, by `GET /repos/{owner}/{repo}/collaborators/{username}`:
 * 204 yes, 404 no (@octokit/openapi-types `repos/check-collaborator`). GitHub counts outside
 * collaborators, organization members with access through teams or the organization's base
 * permission, and organization owners. This, not "permission is not none", decides
 * `commenters: collaborators`: on a public repository the permission endpoint may answer `read` for
 * a user with no relation to it.
 */
export async function isRepoCollaborator(gh: GitHubClient, ref: RepoRef, username: string): Promise<boolean> {
  return github(`check whether @${username} is a collaborator`, async () => {
    try {
      const { status } = await gh.rest.repos.checkCollaborator({ ...ref, username });
      return status === 204;
    } catch (error) {
      if ((error as { status?: number }).status === 404) return false;
      throw error;
    }
  });
}

function memoised<T>(look: (username: string) => Promise<T>): (username: string) => Promise<T> {
  const known = new Map<string, Promise<T>>();
  return (username) => {
    let found = known.get(username);
    if (!found) {
      found = look(username);
      // A failed look-up is not remembered: the next ask tries again.
      found.catch(() => known.delete(username));
      known.set(username, found);
    }
    return found;
  };
}

/** Memoises permission look-ups for the length of one step. */
export function permissionCache(gh: GitHubClient, ref: RepoRef): (username: string) => Promise<Permission> {
  return memoised((username) => getPermission(gh, ref, username));
}

/**
 * Whether a role already read answers "is this user a collaborator?", so the check need not be made:
 * the permission endpoint's role is "the highest role assigned to the collaborator after considering
 * all sources of grants, including: repo, teams, organization, and enterprise" (GitHub's description
 * of `GET /repos/{owner}/{repo}/collaborators/{username}/permission`), and the collaborator check
 * counts every such grant ("outside collaborators, organization members that are direct
 * collaborators, organization members with access through team memberships, organization members
 * with access through default organization permissions, and organization owners": `List repository
 * collaborators`, docs.github.com/rest/collaborators/collaborators). So admin, maintain, write and
 * triage (never an organization's base permission, always a grant) mean yes. `read` does not: on a
 * public repository the endpoint may answer it for anyone. `none` is asked too (an unknown custom
 * role reads as none). Undefined: ask GitHub.
 */
export function collaboratorByRole(permission: Permission): true | undefined {
  return permission === "admin" ||
    permission === "maintain" ||
    permission === "write" ||
    permission === "triage"
    ? true
    : undefined;
}

/**
 * Memoises collaborator checks for the length of one step. With `roleOf` (a role look-up the caller
 * makes anyway), a role that answers the question (`collaboratorByRole`) saves the check.
 */
export function collaboratorCache(
  gh: GitHubClient,
  ref: RepoRef,
  roleOf?: (username: string) => Promise<Permission>,
): (username: string) => Promise<boolean> {
  return memoised(async (username) => {
    if (roleOf && collaboratorByRole(await roleOf(username))) return true;
    return isRepoCollaborator(gh, ref, username);
  });
}

/** Whether the author of a comment is a collaborator, given the role just read for them. */
export async function isCollaboratorGiven(
  gh: GitHubClient,
  ref: RepoRef,
  username: string,
  permission: Permission,
): Promise<boolean> {
  return collaboratorByRole(permission) ?? (await isRepoCollaborator(gh, ref, username));
}

/**
 * Roles read a moment ago, kept briefly across steps (Redis): the architect's thread filter asks
 * for the same commenters the drain that queued its turn has just checked. Decisions that grant
 * something (approvals, commands) always ask GitHub; only the thread filter reads this.
 */
export interface RecentPermissions {
  get(repo: string, username: string): Promise<Permission | undefined>;
  set(repo: string, username: string, permission: Permission): Promise<void>;
}

export function redisRecentPermissions(redis: TtlRedis, prefix: string, ttlMs: number): RecentPermissions {
  const kept = redisTtl(redis, ttlMs);
  const key = (repo: string, username: string) =>
    `${prefix}:cache:permission:${repo.toLowerCase()}:${username.toLowerCase()}`;
  return {
    async get(repo, username) {
      const v = await kept.get(key(repo, username));
      return isRole(v ?? undefined) ? (v as Permission) : undefined;
    },
    set: (repo, username, permission) => kept.set(key(repo, username), permission),
  };
}

/** The thread filter's look-ups: a role read a moment ago, else GitHub (remembered for the step). */
export function recentPermissionCache(
  gh: GitHubClient,
  ref: RepoRef,
  recent: RecentPermissions | undefined,
): (username: string) => Promise<Permission> {
  const repo = `${ref.owner}/${ref.repo}`;
  return memoised(async (username) => {
    const known = await recent?.get(repo, username);
    if (known) return known;
    const permission = await getPermission(gh, ref, username);
    await recent?.set(repo, username, permission);
    return permission;
  });
}
