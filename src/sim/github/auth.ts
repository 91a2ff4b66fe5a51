/** GitHub App authentication: RS256 JWTs for the app, `ghs_` tokens for installations, user tokens. */
import { createPublicKey, generateKeyPairSync, type KeyObject, randomBytes, verify } from "node:crypto";
import { type Actor, HttpError, type Request, type SimContext } from "./http.js";
import { PERMISSION_RANK, type Permission, type Repo, type SimState, type User } from "./state.js";

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

/** Resolves the `Authorization` header to an actor; undefined when the header is absent. */
export function authenticate(
  header: string | undefined,
  state: SimState,
  appId: number,
  publicKey: KeyObject,
  botUser: User,
): Actor | undefined {
  if (!header) return undefined;
  const m = /^(token|bearer)\s+(\S+)$/i.exec(header.trim());
  if (!m) throw new HttpError(401, "Bad credentials");
  const token = m[2] as string;
  if (token.startsWith("ghs_")) {
    const t = state.installationTokens.get(token);
    const installation = t && state.installations.get(t.installationId);
    if (!t || !installation || t.expiresAt < Date.now()) throw new HttpError(401, "Bad credentials");
    return { kind: "installation", installation, user: botUser };
  }
  if (token.split(".").length === 3) {
    verifyJwt(token, appId, publicKey);
    return { kind: "app" };
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

export function repoPermission(repo: Repo, actor: Actor | undefined): Permission | "none" {
  if (!actor || actor.kind === "app") return "read";
  if (actor.kind === "installation") {
    return actor.installation.account.id === repo.owner.id ? "write" : "read";
  }
  if (actor.user.id === repo.owner.id) return "admin";
  return repo.collaborators.get(actor.user.login.toLowerCase()) ?? "read";
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

/** GET requests: anyone may read (simulated repositories are public), but a bad token is still 401. */
export function requireAuth(req: Request): void {
  if (!req.actor) throw new HttpError(401, "Requires authentication");
}

export type { SimContext };
