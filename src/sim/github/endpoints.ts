/**
 * Endpoints named as @octokit/openapi names them — `POST /repos/{owner}/{repo}/issues` — and what
 * GitHub says about each: its secondary-limit points and whether it creates content.
 */

/** `METHOD template`, e.g. `PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}`. */
export type Endpoint = string;

export function endpointOf(method: string, template: string): Endpoint {
  return `${method.toUpperCase()} ${template}`;
}

/**
 * The operations whose description in @octokit/openapi 23 says "Creating content too quickly using
 * this endpoint may result in secondary rate limiting", among those the simulator serves. They count
 * against the 80/minute and 500/hour content-creation limits.
 */
export const CONTENT_CREATING: ReadonlySet<Endpoint> = new Set([
  "POST /repos/{owner}/{repo}/issues",
  "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
  "POST /repos/{owner}/{repo}/pulls",
  "POST /repos/{owner}/{repo}/pulls/{pull_number}/comments",
  "POST /repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies",
  "POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
  "PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge",
]);

/**
 * Secondary-limit points: "Most REST API GET, HEAD, and OPTIONS requests: 1; most … POST, PATCH,
 * PUT, or DELETE requests: 5"; GraphQL 1 without mutations, 5 with (docs.github.com, Rate limits for
 * the REST API, Calculating points for the secondary rate limit).
 */
export function pointsOf(method: string, graphql?: { mutation: boolean }): number {
  if (graphql) return graphql.mutation ? 5 : 1;
  return ["GET", "HEAD", "OPTIONS"].includes(method.toUpperCase()) ? 1 : 5;
}

/**
 * A matcher for an endpoint spec: `*` (everything), a method (`POST`), or `METHOD /path` where the
 * path is an openapi template (`{param}` matches one segment) or a concrete path. `* /path` matches
 * any method.
 */
export function endpointMatcher(
  spec: string,
): (method: string, template: string | undefined, path: string) => boolean {
  const trimmed = spec.trim();
  if (trimmed === "*") return () => true;
  const [rawMethod, rawPath] = trimmed.includes(" ") ? trimmed.split(/\s+/, 2) : [trimmed, undefined];
  const method = (rawMethod ?? "*").toUpperCase();
  const methodOk = (m: string) => method === "*" || m.toUpperCase() === method;
  if (!rawPath) return (m) => methodOk(m);
  const regex = new RegExp(
    `^${rawPath
      .split("/")
      .map((seg) => (/^\{\w+\}$/.test(seg) ? "[^/]+" : seg.replace(/[.+?^${}()|[\]\\*]/g, "\\$&")))
      .join("/")}/?$`,
  );
  return (m, template, path) => methodOk(m) && (template === rawPath || regex.test(path));
}
