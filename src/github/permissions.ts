import { type Permission, PERMISSIONS as ROLES } from "../core/permissions.js";
import type { GitHubClient, RepoRef } from "./client.js";
import { github } from "./errors.js";

/**
 * The user's role, from the collaborator-permission API — never from a payload's
 * `author_association`, which says how someone relates to the repository, not what they may do.
 * `role_name` distinguishes maintain and triage, which the legacy `permission` folds into write and
 * read. A user who is no collaborator answers 404 on some GitHub versions: that is "none".
 */
export async function getPermission(gh: GitHubClient, ref: RepoRef, username: string): Promise<Permission> {
  return github(`read @${username}'s permission`, async () => {
    try {
      const { data } = await gh.rest.repos.getCollaboratorPermissionLevel({ ...ref, username });
      const role = (data as { role_name?: string }).role_name ?? data.permission;
      return (ROLES as readonly string[]).includes(role) ? (role as Permission) : "none";
    } catch (error) {
      if ((error as { status?: number }).status === 404) return "none";
      throw error;
    }
  });
}

/** Memoises permission look-ups for the length of one step. */
export function permissionCache(gh: GitHubClient, ref: RepoRef): (username: string) => Promise<Permission> {
  const known = new Map<string, Promise<Permission>>();
  return (username) => {
    let found = known.get(username);
    if (!found) {
      found = getPermission(gh, ref, username);
      known.set(username, found);
    }
    return found;
  };
}
