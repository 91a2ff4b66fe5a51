/**
 * An in-process GitHub: real Octokit clients (and probot) talk to it over HTTP on 127.0.0.1.
 *
 * - REST routes live in `routes/*` (app, hooks, issues, repos, git, pulls, checks, graphql), named by
 *   @octokit/openapi's path templates; JSON shapes in `payloads.ts`; git's object model in
 *   `git-objects.ts`; webhook delivery in `webhooks.ts`.
 * - How strict it is — rate limits, size limits, consistency lag, faults, webhook order, time scale —
 *   is one `SimBehaviour` (behaviour.ts): given at start, changed with `configure`.
 * - Every write made through the REST API queues the webhook GitHub would send; it is POSTed after
 *   the response. Seeding methods below send none.
 * - Webhooks go to the first app's URL whether or not it is installed; `installation` is in the
 *   payload only when an installation of that app covers the repository.
 * - The dump format is documented in `dump.ts`.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { generateAppKeys, newToken } from "./auth.js";
import { applyBehaviour, type BehaviourPatch, SIM_DEFAULTS, type SimBehaviour } from "./behaviour.js";
import { SimClock } from "./clock.js";
import { dumpState, type SimulatorDump } from "./dump.js";
import { type FaultDecision, type FaultHandle, FaultInjector, type FaultRule } from "./faults.js";
import { ObjectStore } from "./git-objects.js";
import type { Route, SimContext } from "./http.js";
import { nodeId, repoJson, userJson } from "./payloads.js";
import { type ForcedLimit, RateLimiter } from "./rate-limits.js";
import { signatureFor } from "./repo-ops.js";
import { appRoutes } from "./routes/app.js";
import { checkRoutes } from "./routes/checks.js";
import { gitRoutes } from "./routes/git.js";
import { graphqlRoutes } from "./routes/graphql.js";
import { hookRoutes } from "./routes/hooks.js";
import { DEFAULT_LABELS, issueRoutes } from "./routes/issues.js";
import { markdownRoutes } from "./routes/markdown.js";
import { pullRoutes } from "./routes/pulls.js";
import { commitRoute, repoRoutes } from "./routes/repos.js";
import { type CallRecord, createSimServer, type PageHandler } from "./server.js";
import { type App, installationCovers, type Permission, type Repo, SimState, type User } from "./state.js";
import { type Delivery, type Hold, WebhookDispatcher } from "./webhooks.js";

export type { BehaviourPatch, SimBehaviour } from "./behaviour.js";
export {
  GITHUB_PRIMARY_LIMITS,
  GITHUB_SECONDARY_LIMITS,
  SIM_DEFAULTS,
  SIM_FAITHFUL,
  SIM_LENIENT_DEFAULTS,
} from "./behaviour.js";
export type { SimClock } from "./clock.js";
export type { SimulatorDump } from "./dump.js";
export { CONTENT_CREATING, type Endpoint, endpointMatcher, endpointOf, pointsOf } from "./endpoints.js";
export type { FaultKind, FaultRule, RandomFaults } from "./faults.js";
export type { ForcedLimit } from "./rate-limits.js";
export type { CallRecord, PageHandler } from "./server.js";
export type { Delivery, Hold } from "./webhooks.js";

export interface SimulatorOptions extends BehaviourPatch {
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

/** Whose budget a rate-limit control applies to. */
export type LimitTarget = { installationId: number } | { login: string } | { appId: number } | "anonymous";

/** A webhook payload as delivered (JSON). */
export type WebhookPayload = { comment?: { id?: number; body?: string } } & Record<string, unknown>;

export interface RegisteredApp {
  appId: number;
  slug: string;
  privateKey: string;
  botLogin: string;
}

export interface GitHubSimulator {
  readonly url: string;
  readonly appId: number;
  readonly privateKey: string;
  /** GitHub time (clock.ts): what the headers and timestamps show; `toRealMs` converts waits. */
  readonly clock: SimClock;
  /** The strictness in force. */
  readonly behaviour: SimBehaviour;
  /** Changes the strictness from the next request on (e.g. faults or limits mid-test). */
  configure(patch: BehaviourPatch): void;
  readonly faults: {
    add(rule: FaultRule): FaultHandle;
    /** Removes every rule and the random faults. */
    clear(): void;
    readonly injected: ReadonlyArray<FaultDecision & { method: string; path: string }>;
    /** Requests being held without an answer right now. */
    readonly hanging: number;
  };
  readonly rateLimits: {
    /** Forces a primary or secondary limit on one token's budget, whatever `limits` says. */
    force(target: LimitTarget, limit: ForcedLimit): void;
    lift(target: LimitTarget): void;
    /** Limit answers (403/429) given so far. */
    readonly refusals: Readonly<{ primary: number; secondary: number }>;
  };
  readonly webhooks: {
    /** Holds back deliveries of this event (and action) until `release()`. */
    /** `payload`: only the deliveries whose payload it accepts (e.g. one comment's). */
    hold(filter: { event: string; action?: string; payload?: (payload: WebhookPayload) => boolean }): Hold;
  };
  setWebhookUrl(url: string | undefined): void;
  createUser(login: string, opts?: { type?: "User" | "Bot" }): { login: string; id: number; token: string };
  createRepo(o: {
    owner: string;
    name: string;
    defaultBranch?: string;
    files: Record<string, string | Uint8Array>;
    description?: string;
    /** Private repositories are a 404 to anyone without access. Default false. */
    private?: boolean;
  }): { fullName: string; id: number; headSha: string };
  /** A base role, or a custom role by name with the base role it inherits. */
  addCollaborator(
    fullName: string,
    login: string,
    role: Permission | { name: string; base: Permission },
  ): void;
  /** Installs an app (default: the first) on an account, for all its repositories or selected ones. */
  installApp(owner: string, o?: { appId?: number; repositories?: string[] }): { installationId: number };
  /** Another GitHub App (its own key, bot user and installations); it receives no webhooks. */
  registerApp(o: { slug: string; appId?: number }): RegisteredApp;
  waitForIdle(): Promise<void>;
  readonly deliveries: ReadonlyArray<Delivery>;
  /** Redelivers the latest attempt with this GUID (X-GitHub-Delivery); resolves with the status. */
  redeliver(deliveryId: string): Promise<number>;
  readonly calls: ReadonlyArray<CallRecord>;
  /**
   * Serves pages beside the API (the playground): everything under `/_playground/`, and browser
   * navigations (GET, Accept text/html) to paths no API route has. `undefined` unmounts.
   */
  mountPages(handler: PageHandler | undefined): void;
  /** Called after every API write that succeeded; returns the unsubscribe function. */
  onWrite(listener: (call: { method: string; route?: string }) => void): () => void;
  dump(): SimulatorDump;
  stop(): Promise<void>;
}

const ROUTES: Route[] = [
  ...appRoutes,
  ...hookRoutes,
  ...checkRoutes,
  ...issueRoutes,
  ...pullRoutes,
  ...gitRoutes,
  ...repoRoutes,
  commitRoute,
  ...graphqlRoutes,
  ...markdownRoutes,
];

function makeApp(state: SimState, id: number, slug: string): App {
  if (state.apps.has(id)) throw new Error(`simulator: app ${id} exists`);
  const keys = generateAppKeys();
  const botUser: User = { id: 41898282 + id, login: `${slug}[bot]`, type: "Bot" };
  state.users.set(botUser.login.toLowerCase(), botUser);
  const owner: User = { id: 9900 + id, login: `${slug}-dev`, type: "Organization" };
  const app: App = { id, slug, owner, botUser, privateKey: keys.privateKey, publicKey: keys.publicKey };
  state.apps.set(id, app);
  return app;
}

function limitKey(target: LimitTarget): string {
  if (target === "anonymous") return "anonymous";
  if ("installationId" in target) return `installation:${target.installationId}`;
  if ("appId" in target) return `app:${target.appId}`;
  return `user:${target.login.toLowerCase()}`;
}

export async function startSimulator(opts: SimulatorOptions): Promise<GitHubSimulator> {
  let behaviour = applyBehaviour(SIM_DEFAULTS, opts);
  const clock = new SimClock(behaviour.timeScale);
  const state = new SimState(clock);
  const app = makeApp(state, opts.appId ?? 1, opts.appSlug ?? "triad");
  const calls: CallRecord[] = [];
  const scope = new AsyncLocalStorage<(() => void)[]>();
  let inFlight = 0;
  const dispatcher = new WebhookDispatcher(
    opts.webhookSecret,
    app.id,
    opts.webhookUrl,
    () => inFlight > 0,
    clock,
    behaviour.webhooks,
  );
  const faults = new FaultInjector(behaviour.faults);
  const limiter = new RateLimiter(clock, () => behaviour.limits);
  const hung = new Set<ServerResponse>();
  let pages: PageHandler | undefined;
  const writeListeners = new Set<(call: { method: string; route?: string }) => void>();

  const sim: SimContext & { baseUrl: string } = {
    state,
    baseUrl: "",
    app,
    get behaviour() {
      return behaviour;
    },
    webhooks: dispatcher,
    emit(repo, event, payload, sender) {
      const inst = state.installationFor(repo.owner.login, app.id);
      const covered = inst && installationCovers(inst, repo) ? inst : undefined;
      const body = JSON.stringify({
        ...payload,
        repository: repoJson(sim, repo),
        sender: userJson(sim, sender),
        ...(covered ? { installation: { id: covered.id, node_id: nodeId("Installation", covered.id) } } : {}),
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
    calls,
    clock,
    limiter,
    faults,
    hung,
    async withWebhookScope(fn) {
      const buffer: (() => void)[] = [];
      const result = await scope.run(buffer, fn);
      return {
        result,
        flush: () => {
          for (const f of buffer.splice(0)) f();
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
    pages: () => pages,
    onWrite(call) {
      for (const l of writeListeners) l(call);
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
    appId: app.id,
    privateKey: app.privateKey,
    clock,
    get behaviour() {
      return behaviour;
    },
    configure(patch) {
      behaviour = applyBehaviour(behaviour, patch);
      if (patch.timeScale !== undefined) clock.setTimeScale(patch.timeScale);
      if (patch.faults) faults.configure(patch.faults);
      if (patch.webhooks) dispatcher.configure(behaviour.webhooks);
    },
    faults: {
      add: (rule) => faults.add(rule),
      clear: () => faults.clear(),
      get injected() {
        return faults.injected;
      },
      get hanging() {
        return hung.size;
      },
    },
    rateLimits: {
      force: (target, limit) => limiter.force(limitKey(target), limit),
      lift: (target) => limiter.lift(limitKey(target)),
      get refusals() {
        return limiter.refusals;
      },
    },
    webhooks: {
      hold: (f) =>
        dispatcher.hold(
          (event, action, body) =>
            event === f.event &&
            (f.action === undefined || f.action === action) &&
            (f.payload === undefined || f.payload(JSON.parse(body) as WebhookPayload)),
        ),
    },
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
      const at = state.now();
      const sig = signatureFor(owner, at);
      const headSha = objects.putCommit({
        tree,
        parents: [],
        author: sig,
        committer: sig,
        message: "Initial commit",
      });
      const defaultBranch = o.defaultBranch ?? "main";
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
        refCreatedAt: new Map(),
        labels: new Map(
          DEFAULT_LABELS.map(([name, color, description]) => [
            name,
            { id: state.id(), name, color, description, default: true },
          ]),
        ),
        collaborators: new Map(),
        private: o.private ?? false,
        issues: new Map(),
        pulls: new Map(),
        checkRuns: [],
        checkSuites: [],
      };
      state.repos.set(fullName.toLowerCase(), repo);
      return { fullName, id: repo.id, headSha };
    },
    addCollaborator(fullName, login, role) {
      const user = requireUser(login);
      const c =
        typeof role === "string" ? { base: role, roleName: role } : { base: role.base, roleName: role.name };
      requireRepo(fullName).collaborators.set(user.login.toLowerCase(), c);
    },
    installApp(ownerLogin, o) {
      const appId = o?.appId ?? app.id;
      if (!state.apps.has(appId)) throw new Error(`simulator: unknown app ${appId}; call registerApp first`);
      const existing = state.installationFor(ownerLogin, appId);
      if (existing) return { installationId: existing.id };
      let account = state.userByLogin(ownerLogin);
      if (!account) {
        account = { id: state.id(), login: ownerLogin, type: "Organization" };
        state.users.set(ownerLogin.toLowerCase(), account);
      }
      const repositories =
        o?.repositories === undefined
          ? ("all" as const)
          : new Set(o.repositories.map((name) => requireRepo(`${ownerLogin}/${name}`).id));
      const id = state.id();
      state.installations.set(id, { id, appId, account, repositories, createdAt: state.now() });
      return { installationId: id };
    },
    registerApp(o) {
      let id = o.appId;
      if (id === undefined) {
        id = app.id + 1;
        while (state.apps.has(id)) id += 1;
      }
      const made = makeApp(state, id, o.slug);
      return { appId: made.id, slug: made.slug, privateKey: made.privateKey, botLogin: made.botUser.login };
    },
    waitForIdle: () => dispatcher.waitForIdle(),
    get deliveries() {
      return dispatcher.deliveries;
    },
    redeliver: (id) => dispatcher.redeliver(id),
    get calls() {
      return calls;
    },
    mountPages(handler) {
      pages = handler;
    },
    onWrite(listener) {
      writeListeners.add(listener);
      return () => writeListeners.delete(listener);
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
