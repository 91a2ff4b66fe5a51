/**
 * An in-process GitHub: real Octokit clients (and probot) talk to it over HTTP on 127.0.0.1.
 *
 * - REST routes live in `routes/*` (app, issues, repos, git, pulls, checks); JSON shapes in
 *   `payloads.ts`; git's object model in `git-objects.ts`; webhook delivery in `webhooks.ts`.
 * - Every write made through the REST API queues the webhook GitHub would send; it is POSTed after
 *   the response, one at a time in order. Seeding methods below send none.
 * - Webhooks are sent whether or not the app is installed; `installation` is in the payload only
 *   when it is (installApp).
 * - The dump format is documented in `dump.ts`.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { AddressInfo } from "node:net";
import { generateAppKeys, newToken } from "./auth.js";
import { dumpState, type SimulatorDump } from "./dump.js";
import { ObjectStore } from "./git-objects.js";
import type { Route, SimContext } from "./http.js";
import { nodeId, repoJson, userJson } from "./payloads.js";
import { signatureFor } from "./repo-ops.js";
import { appRoutes } from "./routes/app.js";
import { checkRoutes } from "./routes/checks.js";
import { gitRoutes } from "./routes/git.js";
import { DEFAULT_LABELS, issueRoutes } from "./routes/issues.js";
import { pullRoutes } from "./routes/pulls.js";
import { commitRoute, repoRoutes } from "./routes/repos.js";
import { type CallRecord, createSimServer } from "./server.js";
import { now, type Permission, type Repo, SimState, type User } from "./state.js";
import { type Delivery, WebhookDispatcher } from "./webhooks.js";

export type { SimulatorDump } from "./dump.js";
export type { CallRecord } from "./server.js";
export type { Delivery } from "./webhooks.js";

export interface SimulatorOptions {
  /** Default 0: a free port on 127.0.0.1. */
  port?: number;
  /** HMAC key for X-Hub-Signature-256. */
  webhookSecret: string;
  /** Default 1. */
  appId?: number;
  /** Default "triad"; the app's bot user is `${appSlug}[bot]`, type "Bot". */
  appSlug?: string;
  /** Where webhooks are POSTed; can be set later. */
  webhookUrl?: string;
}

export interface GitHubSimulator {
  readonly url: string;
  readonly appId: number;
  readonly privateKey: string;
  setWebhookUrl(url: string | undefined): void;
  createUser(login: string, opts?: { type?: "User" | "Bot" }): { login: string; id: number; token: string };
  createRepo(o: {
    owner: string;
    name: string;
    defaultBranch?: string;
    files: Record<string, string | Uint8Array>;
    description?: string;
  }): { fullName: string; id: number; headSha: string };
  addCollaborator(fullName: string, login: string, permission: Permission): void;
  installApp(owner: string): { installationId: number };
  waitForIdle(): Promise<void>;
  readonly deliveries: ReadonlyArray<Delivery>;
  redeliver(deliveryId: string): Promise<number>;
  readonly calls: ReadonlyArray<CallRecord>;
  dump(): SimulatorDump;
  stop(): Promise<void>;
}

const ROUTES: Route[] = [
  ...appRoutes,
  ...checkRoutes,
  ...issueRoutes,
  ...pullRoutes,
  ...gitRoutes,
  ...repoRoutes,
  commitRoute,
];

export async function startSimulator(opts: SimulatorOptions): Promise<GitHubSimulator> {
  const appId = opts.appId ?? 1;
  const appSlug = opts.appSlug ?? "triad";
  const keys = generateAppKeys();
  const state = new SimState();
  const botUser: User = { id: 41898282 + appId, login: `${appSlug}[bot]`, type: "Bot" };
  state.users.set(botUser.login.toLowerCase(), botUser);
  const appOwner: User = { id: 9919, login: `${appSlug}-dev`, type: "Organization" };
  const calls: CallRecord[] = [];
  const scope = new AsyncLocalStorage<(() => void)[]>();
  let inFlight = 0;
  const dispatcher = new WebhookDispatcher(opts.webhookSecret, appId, opts.webhookUrl, () => inFlight > 0);

  const sim: SimContext & { baseUrl: string } = {
    state,
    baseUrl: "",
    appId,
    appSlug,
    botUser,
    appOwner,
    emit(repo, event, payload, sender) {
      const inst = state.installationFor(repo.owner.login);
      const body = JSON.stringify({
        ...payload,
        repository: repoJson(sim, repo),
        sender: userJson(sim, sender),
        ...(inst ? { installation: { id: inst.id, node_id: nodeId("Installation", inst.id) } } : {}),
      });
      const action = typeof payload.action === "string" ? payload.action : undefined;
      const send = () => {
        dispatcher.enqueue(event, body, action);
      };
      const buffer = scope.getStore();
      if (buffer) buffer.push(send);
      else send();
    },
  };

  const server = createSimServer({
    sim,
    routes: ROUTES,
    publicKey: keys.publicKey,
    calls,
    async withWebhookScope(fn) {
      const buffer: (() => void)[] = [];
      const result = await scope.run(buffer, fn);
      return {
        result,
        flush: () => {
          for (const f of buffer) f();
        },
      };
    },
    onRequestStart() {
      inFlight += 1;
    },
    onRequestEnd() {
      inFlight -= 1;
      dispatcher.notify();
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  sim.baseUrl = `http://127.0.0.1:${port}`;

  const requireUser = (login: string): User => {
    const u = state.userByLogin(login);
    if (!u) throw new Error(`simulator: unknown user ${login}; call createUser first`);
    return u;
  };
  const requireRepo = (fullName: string): Repo => {
    const r = state.repos.get(fullName.toLowerCase());
    if (!r) throw new Error(`simulator: unknown repository ${fullName}`);
    return r;
  };

  return {
    url: sim.baseUrl,
    appId,
    privateKey: keys.privateKey,
    setWebhookUrl(url) {
      dispatcher.url = url;
    },
    createUser(login, o) {
      if (state.userByLogin(login)) throw new Error(`simulator: user ${login} exists`);
      const user: User = { id: state.id(), login, type: o?.type ?? "User", token: newToken("ghp") };
      state.users.set(login.toLowerCase(), user);
      return { login, id: user.id, token: user.token as string };
    },
    createRepo(o) {
      let owner = state.userByLogin(o.owner);
      if (!owner) {
        owner = { id: state.id(), login: o.owner, type: "Organization" };
        state.users.set(o.owner.toLowerCase(), owner);
      }
      const fullName = `${owner.login}/${o.name}`;
      if (state.repos.has(fullName.toLowerCase()))
        throw new Error(`simulator: repository ${fullName} exists`);
      const objects = new ObjectStore();
      const flat = new Map<string, { mode: "100644"; sha: string }>();
      for (const [path, content] of Object.entries(o.files)) {
        const buf = typeof content === "string" ? Buffer.from(content, "utf8") : Buffer.from(content);
        flat.set(path.replace(/^\/+/, ""), { mode: "100644", sha: objects.putBlob(buf) });
      }
      const tree = objects.buildTree(flat);
      const sig = signatureFor(owner);
      const headSha = objects.putCommit({
        tree,
        parents: [],
        author: sig,
        committer: sig,
        message: "Initial commit",
      });
      const defaultBranch = o.defaultBranch ?? "main";
      const at = now();
      const repo: Repo = {
        id: state.id(),
        owner,
        name: o.name,
        fullName,
        description: o.description ?? null,
        defaultBranch,
        createdAt: at,
        pushedAt: at,
        objects,
        refs: new Map([[`refs/heads/${defaultBranch}`, headSha]]),
        labels: new Map(
          DEFAULT_LABELS.map(([name, color, description]) => [
            name,
            { id: state.id(), name, color, description, default: true },
          ]),
        ),
        collaborators: new Map(),
        issues: new Map(),
        pulls: new Map(),
        checkRuns: [],
        checkSuites: [],
      };
      state.repos.set(fullName.toLowerCase(), repo);
      return { fullName, id: repo.id, headSha };
    },
    addCollaborator(fullName, login, permission) {
      const user = requireUser(login);
      requireRepo(fullName).collaborators.set(user.login.toLowerCase(), permission);
    },
    installApp(ownerLogin) {
      const existing = state.installationFor(ownerLogin);
      if (existing) return { installationId: existing.id };
      let account = state.userByLogin(ownerLogin);
      if (!account) {
        account = { id: state.id(), login: ownerLogin, type: "Organization" };
        state.users.set(ownerLogin.toLowerCase(), account);
      }
      const id = state.id();
      state.installations.set(id, { id, account, createdAt: now() });
      return { installationId: id };
    },
    waitForIdle: () => dispatcher.waitForIdle(),
    get deliveries() {
      return dispatcher.deliveries;
    },
    redeliver: (id) => dispatcher.redeliver(id),
    get calls() {
      return calls;
    },
    dump: () => dumpState(state, calls),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export {
  type ReceivedWebhook,
  startWebhookReceiver,
  verifySignature,
  type WebhookReceiver,
} from "./receiver.js";
