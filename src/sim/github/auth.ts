/** GitHub App authentication: RS256 JWTs for the app, `ghs_` tokens for installations, user tokens. */
import { createPublicKey, generateKeyPairSync, type KeyObject, randomBytes, verify } from "node:crypto";
import { type Actor, HttpError, type Request, type SimContext } from "./http.js";
import {
  type Collaborator,
  installationCovers,
  PERMISSION_RANK,
  type Permission,
  type Repo,
  type SimState,
  type User,
} from "./state.js";

export interface AppKeys {
  privateKey: string;
  publicKey: KeyObject;
}

/** A fresh key pair in PKCS#1 PEM, the format GitHub hands out (`-----BEGIN RSA PRIVATE KEY-----`). */
export function generateAppKeys(): AppKeys {
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

export function newToken(prefix: "ghs" | "ghp"): string {
  return `${prefix}_${randomBytes(18).toString("base64url").replace(/[-_]/g, "x")}`;
}

const badJwt = (message: string) => new HttpError(401, message);

function decodePart(part: string | undefined): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(Buffer.from(part ?? "", "base64url").toString("utf8"));
    if (v && typeof v === "object") return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw badJwt("A JSON web token could not be decoded");
}

export function verifyJwt(
  token: string,
  appId: number,
  publicKey: KeyObject,
  nowSec = Date.now() / 1000,
): void {
  const parts = token.split(".");
  if (parts.length !== 3) throw badJwt("A JSON web token could not be decoded");
  const [h, p, s] = parts as [string, string, string];
  const header = decodePart(h);
  const payload = decodePart(p);
  if (header.alg !== "RS256") throw badJwt("A JSON web token could not be decoded");
  const ok = verify("RSA-SHA256", Buffer.from(`${h}.${p}`), publicKey, Buffer.from(s, "base64url"));
  if (!ok) throw badJwt("A JSON web token could not be decoded");
  if (String(payload.iss) !== String(appId)) {
    throw badJwt("'Issuer' claim ('iss') must be an Integer");
  }
  const exp = Number(payload.exp);
  const iat = Number(payload.iat);
  if (!Number.isFinite(exp) || exp <= nowSec) {
    throw badJwt(
      "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
    );
  }
  if (exp - nowSec > 600 + 60) throw badJwt("'Expiration time' claim ('exp') is too far in the future");
  if (!Number.isFinite(iat) || iat > nowSec + 60) {
    throw badJwt(
      "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
    );
  }
}

/** The `iss` claim, read before the signature is checked so the right app's key is used. */
function issuerOf(token: string): number | undefined {
  const iss = decodePart(token.split(".")[1]).iss;
  const n = Number(iss);
  return Number.isInteger(n) ? n : undefined;
}

/** Resolves the `Authorization` header to an actor; undefined when the header is absent. */
export function authenticate(header: string | undefined, state: SimState): Actor | undefined {
  if (!header) return undefined;
  const m = /^(token|bearer)\s+(\S+)$/i.exec(header.trim());
  if (!m) throw new HttpError(401, "Bad credentials");
  const token = m[2] as string;
  if (token.startsWith("ghs_")) {
    const t = state.installationTokens.get(token);
    const installation = t && state.installations.get(t.installationId);
    const app = installation && state.apps.get(installation.appId);
    // Lifetimes are real time, not GitHub time: clients (probot, @octokit/auth-app) keep JWTs and
    // tokens by the machine's clock, and a scaled clock would expire them under their feet.
    if (!t || !installation || !app || t.expiresAt < Date.now()) {
      throw new HttpError(401, "Bad credentials");
    }
    return { kind: "installation", installation, app, user: app.botUser };
  }
  if (token.split(".").length === 3) {
    const iss = issuerOf(token);
    const app = iss === undefined ? undefined : state.apps.get(iss);
    if (!app) throw badJwt("'Issuer' claim ('iss') must be an Integer");
    verifyJwt(token, app.id, app.publicKey);
    return { kind: "app", app };
  }
  const user = state.userByToken(token);
  if (!user) throw new HttpError(401, "Bad credentials");
  return { kind: "user", user };
}

export function actorName(actor: Actor | undefined): string {
  if (!actor) return "anonymous";
  if (actor.kind === "user") return actor.user.login;
  return actor.kind;
}

/** The user a write is attributed to; app JWTs cannot act on repositories. */
export function actingUser(req: Request): User {
  const a = req.actor;
  if (!a) throw new HttpError(401, "Requires authentication");
  if (a.kind === "app") {
    throw new HttpError(
      403,
      "A JSON web token could not be used to access this resource; authenticate as an installation",
    );
  }
  return a.user;
}

/** A user's role on a repository: the owner is admin; others have their collaborator role or none. */
export function collaboratorOf(repo: Repo, user: User): Collaborator | undefined {
  if (user.id === repo.owner.id) return { base: "admin", roleName: "admin" };
  return repo.collaborators.get(user.login.toLowerCase());
}

/**
 * What an actor may do on a repository. An installation writes only to the repositories it was
 * granted (its account's, narrowed by the repository selection); elsewhere it may read public
 * repositories only — "The endpoint is only affecting resources owned by the account where the
 * GitHub App is installed" (docs.github.com, Troubleshooting the REST API, 404 Not Found).
 */
export function repoPermission(repo: Repo, actor: Actor | undefined): Permission | "none" {
  const publicRead = repo.private ? "none" : "read";
  if (!actor || actor.kind === "app") return publicRead;
  if (actor.kind === "installation") {
    return installationCovers(actor.installation, repo) ? "write" : publicRead;
  }
  return collaboratorOf(repo, actor.user)?.base ?? publicRead;
}

export function requirePermission(repo: Repo, req: Request, min: Permission): User {
  const user = actingUser(req);
  const have = repoPermission(repo, req.actor);
  if (PERMISSION_RANK[have] < PERMISSION_RANK[min]) {
    if (req.actor?.kind === "installation")
      throw new HttpError(403, "Resource not accessible by integration");
    throw new HttpError(
      403,
      min === "admin" ? "Must have admin rights to Repository." : "Must have push access to repository",
    );
  }
  return user;
}

/** GET requests: anyone may read public repositories, but a bad token is still 401. */
export function requireAuth(req: Request): void {
  if (!req.actor) throw new HttpError(401, "Requires authentication");
}

export type { SimContext };
