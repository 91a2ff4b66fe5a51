import { createSign } from "node:crypto";
import { Octokit } from "@octokit/rest";
import type { GitHubSimulator } from "../../src/sim/github/index.js";

export const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** An RS256 app JWT, valid for nine minutes (GitHub allows ten). */
export function appJwt(appId: number, privateKey: string): string {
  const now = Math.floor(Date.now() / 1000);
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const data = `${enc({ alg: "RS256", typ: "JWT" })}.${enc({ iat: now - 30, exp: now + 540, iss: appId })}`;
  return `${data}.${createSign("RSA-SHA256").update(data).sign(privateKey, "base64url")}`;
}

/** A REST client authenticated as an app (JWT). `retries: 0` unless asked: tests count requests. */
export function appClient(sim: GitHubSimulator, o: { appId?: number; privateKey?: string } = {}): Octokit {
  const auth = appJwt(o.appId ?? sim.appId, o.privateKey ?? sim.privateKey);
  return new Octokit({ baseUrl: sim.url, auth, log: silent, request: { retries: 0 } });
}

/** A REST client holding an installation token of `installationId`. */
export async function installationClient(
  sim: GitHubSimulator,
  installationId: number,
  o: { appId?: number; privateKey?: string; retries?: number } = {},
): Promise<Octokit> {
  const { data } = await appClient(sim, o).rest.apps.createInstallationAccessToken({
    installation_id: installationId,
  });
  return new Octokit({
    baseUrl: sim.url,
    auth: data.token,
    log: silent,
    request: { retries: o.retries ?? 0 },
  });
}

export function userClient(sim: GitHubSimulator, token: string): Octokit {
  return new Octokit({ baseUrl: sim.url, auth: token, log: silent, request: { retries: 0 } });
}
