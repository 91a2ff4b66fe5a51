/** GitHub App endpoints (JWT) and installation lookups. */
import { newToken, requireAuth } from "../auth.js";
import {
  HttpError,
  int,
  notFound,
  paged,
  type Reply,
  type Request,
  type Route,
  route,
  type SimContext,
} from "../http.js";
import { APP_PERMISSIONS, appJson, installationJson, repoJson, userJson } from "../payloads.js";
import type { Installation } from "../state.js";

function requireApp(req: Request): void {
  if (req.actor?.kind !== "app") {
    throw new HttpError(401, "A JSON web token could not be decoded");
  }
}

function installationReply(sim: SimContext, inst: Installation | undefined): Reply {
  if (!inst) throw notFound();
  return { status: 200, body: installationJson(sim, inst) };
}

export const appRoutes: Route[] = [
  route("GET", "/app", (req, sim) => {
    requireApp(req);
    return {
      status: 200,
      body: { ...appJson(sim, sim.appOwner), installations_count: sim.state.installations.size },
    };
  }),
  route("GET", "/app/installations", (req, sim) => {
    requireApp(req);
    return paged(req, sim, [...sim.state.installations.values()], (i) => installationJson(sim, i));
  }),
  route("GET", "/app/installations/{installation_id}", (req, sim) => {
    requireApp(req);
    return installationReply(sim, sim.state.installations.get(int(req.params.installation_id)));
  }),
  route("POST", "/app/installations/{installation_id}/access_tokens", (req, sim) => {
    requireApp(req);
    const inst = sim.state.installations.get(int(req.params.installation_id));
    if (!inst) throw notFound();
    const token = newToken("ghs");
    const expiresAt = Date.now() + 3600_000;
    sim.state.installationTokens.set(token, { installationId: inst.id, expiresAt });
    return {
      status: 201,
      body: {
        token,
        expires_at: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, "Z"),
        permissions: APP_PERMISSIONS,
        repository_selection: "all",
      },
    };
  }),
  route("GET", "/repos/{owner}/{repo}/installation", (req, sim) => {
    requireApp(req);
    const repo = sim.state.findRepo(req.params.owner ?? "", req.params.repo ?? "");
    if (!repo) throw notFound();
    return installationReply(sim, sim.state.installationFor(repo.owner.login));
  }),
  route("GET", "/orgs/{org}/installation", (req, sim) => {
    requireApp(req);
    return installationReply(sim, sim.state.installationFor(req.params.org ?? ""));
  }),
  route("GET", "/users/{username}/installation", (req, sim) => {
    requireApp(req);
    return installationReply(sim, sim.state.installationFor(req.params.username ?? ""));
  }),
  route("GET", "/installation/repositories", (req, sim) => {
    if (req.actor?.kind !== "installation")
      throw new HttpError(403, "Resource not accessible by integration");
    const owner = req.actor.installation.account.id;
    const repos = [...sim.state.repos.values()].filter((r) => r.owner.id === owner);
    const { body, headers } = paged(req, sim, repos, (r) => repoJson(sim, r));
    return {
      status: 200,
      headers: headers ?? {},
      body: { total_count: repos.length, repository_selection: "all", repositories: body },
    };
  }),
  route("GET", "/users/{username}", (req, sim) => {
    requireAuth(req);
    const u = sim.state.userByLogin(req.params.username ?? "");
    if (!u) throw notFound();
    return { status: 200, body: userJson(sim, u) };
  }),
  route("GET", "/user", (req, sim) => {
    requireAuth(req);
    if (req.actor?.kind !== "user") throw new HttpError(403, "Resource not accessible by integration");
    return { status: 200, body: userJson(sim, req.actor.user) };
  }),
];
