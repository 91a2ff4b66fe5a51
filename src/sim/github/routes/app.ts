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
import { type App, type Installation, installationCovers } from "../state.js";

/** The app a JWT authenticates; other credentials are refused as on GitHub. */
export function requireApp(req: Request): App {
  if (req.actor?.kind !== "app") {
    throw new HttpError(401, "A JSON web token could not be decoded");
  }
  return req.actor.app;
}

function installationReply(sim: SimContext, inst: Installation | undefined): Reply {
  if (!inst) throw notFound();
  return { status: 200, body: installationJson(sim, inst) };
}

function installationsOf(sim: SimContext, app: App): Installation[] {
  return [...sim.state.installations.values()].filter((i) => i.appId === app.id);
}

/** An installation token lives an hour (docs.github.com, "Generating an installation access token"). */
const TOKEN_TTL_MS = 3600_000;

export const appRoutes: Route[] = [
  route("GET", "/app", (req, sim) => {
    const app = requireApp(req);
    return {
      status: 200,
      body: { ...appJson(sim, app), installations_count: installationsOf(sim, app).length },
    };
  }),
  route("GET", "/app/installations", (req, sim) => {
    const app = requireApp(req);
    return paged(req, sim, installationsOf(sim, app), (i) => installationJson(sim, i));
  }),
  route("GET", "/app/installations/{installation_id}", (req, sim) => {
    const app = requireApp(req);
    const inst = sim.state.installations.get(int(req.params.installation_id));
    return installationReply(sim, inst?.appId === app.id ? inst : undefined);
  }),
  route("POST", "/app/installations/{installation_id}/access_tokens", (req, sim) => {
    const app = requireApp(req);
    const inst = sim.state.installations.get(int(req.params.installation_id));
    // Another app's installation is a 404, like one that does not exist.
    if (!inst || inst.appId !== app.id) throw notFound();
    const token = newToken("ghs");
    // Real time, like the JWT check (auth.ts): clients cache tokens by the machine's clock.
    const expiresAt = Date.now() + TOKEN_TTL_MS;
    sim.state.installationTokens.set(token, { installationId: inst.id, expiresAt });
    return {
      status: 201,
      body: {
        token,
        expires_at: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, "Z"),
        permissions: APP_PERMISSIONS,
        repository_selection: inst.repositories === "all" ? "all" : "selected",
      },
    };
  }),
  route("GET", "/repos/{owner}/{repo}/installation", (req, sim) => {
    const app = requireApp(req);
    const repo = sim.state.findRepo(req.params.owner ?? "", req.params.repo ?? "");
    if (!repo) throw notFound();
    const inst = sim.state.installationFor(repo.owner.login, app.id);
    return installationReply(sim, inst && installationCovers(inst, repo) ? inst : undefined);
  }),
  route("GET", "/orgs/{org}/installation", (req, sim) => {
    const app = requireApp(req);
    return installationReply(sim, sim.state.installationFor(req.params.org ?? "", app.id));
  }),
  route("GET", "/users/{username}/installation", (req, sim) => {
    const app = requireApp(req);
    return installationReply(sim, sim.state.installationFor(req.params.username ?? "", app.id));
  }),
  route("GET", "/installation/repositories", (req, sim) => {
    if (req.actor?.kind !== "installation")
      throw new HttpError(403, "Resource not accessible by integration");
    const inst = req.actor.installation;
    const repos = [...sim.state.repos.values()].filter((r) => installationCovers(inst, r));
    const { body, headers } = paged(req, sim, repos, (r) => repoJson(sim, r));
    return {
      status: 200,
      headers: headers ?? {},
      body: {
        total_count: repos.length,
        repository_selection: inst.repositories === "all" ? "all" : "selected",
        repositories: body,
      },
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
