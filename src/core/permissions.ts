/**
 * Who may do what, as pure rules over a user's role on the repository. The role itself is read from
 * GitHub's collaborator-permission API by the adapter (`src/github/permissions.ts`), never from a
 * payload's `author_association`.
 */
export type Permission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

export const PERMISSIONS: readonly Permission[] = ["admin", "maintain", "write", "triage", "read", "none"];

/** Write, maintain or admin: who may approve a plan and give commands. */
export function canWrite(permission: Permission): boolean {
  return permission === "admin" || permission === "maintain" || permission === "write";
}

/** Any collaborator role, for "only comments from collaborators reach the architect". */
export function isCollaborator(permission: Permission): boolean {
  return permission !== "none";
}
