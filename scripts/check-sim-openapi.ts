/**
 * One-off check: drive the GitHub simulator through the REST routes triad uses and validate every
 * JSON answer against @octokit/openapi's response schema for that route, method and status.
 *
 *   npx tsx scripts/check-sim-openapi.ts            # exit 1 and a list if anything does not match
 *
 * @octokit/openapi unpacks to ~400 MB, so it is not a dependency: the script installs it with ajv
 * into a folder outside the repository (OPENAPI_CHECK_DIR, default <tmp>/triad-openapi-check) the
 * first time. Not run in CI.
 */
import { execFileSync } from "node:child_process";
import { createSign } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Octokit } from "@octokit/rest";
import { startSimulator } from "../src/sim/github/index.js";
import { SAMPLE, seedSample } from "../src/sim/sample.js";

const DIR = process.env.OPENAPI_CHECK_DIR ?? join(tmpdir(), "triad-openapi-check");
const PACKAGES = ["@octokit/openapi@23", "ajv@8", "ajv-formats@3"];

function install(): NodeRequire {
  if (!existsSync(join(DIR, "node_modules", "@octokit", "openapi"))) {
    mkdirSync(DIR, { recursive: true });
    console.log(`installing ${PACKAGES.join(", ")} into ${DIR} …`);
    execFileSync("npm", ["install", "--prefix", DIR, "--no-audit", "--no-fund", "--no-save", ...PACKAGES], {
      stdio: "inherit",
    });
  }
  return createRequire(join(DIR, "node_modules", "x.js"));
}

type Schema = Record<string, unknown>;
interface Spec {
  paths: Record<
    string,
    Record<string, { responses?: Record<string, { content?: Record<string, { schema?: Schema }> }> }>
  >;
}
interface Seen {
  method: string;
  route: string;
  status: number;
  data: unknown;
}

/**
 * OpenAPI 3.0's `nullable` is not JSON Schema: `{type: t, nullable: true}` becomes `type: [t, "null"]`,
 * and a nullable schema without `type` (an allOf or $ref) becomes `anyOf: [schema, {type: "null"}]`.
 */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = toJsonSchema(v);
  if (out.nullable !== true) return out;
  delete out.nullable;
  if (typeof out.type === "string")
    return {
      ...out,
      type: [out.type, "null"],
      ...(Array.isArray(out.enum) ? { enum: [...out.enum, null] } : {}),
    };
  return { anyOf: [out, { type: "null" }] };
}

function appJwt(appId: number, key: string): string {
  const now = Math.floor(Date.now() / 1000);
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const data = `${enc({ alg: "RS256", typ: "JWT" })}.${enc({ iat: now - 30, exp: now + 540, iss: appId })}`;
  return `${data}.${createSign("RSA-SHA256").update(data).sign(key, "base64url")}`;
}

/** Records every answer with the route template Octokit asked for. */
function recording(octokit: Octokit, seen: Seen[]): Octokit {
  octokit.hook.after("request", (response, options) => {
    seen.push({
      method: String(options.method),
      route: String(options.url),
      status: response.status,
      data: response.data,
    });
  });
  return octokit;
}

/** The routes triad calls (src/github, src/phases), and the simulator's additions it will need. */
async function drive(seen: Seen[]): Promise<void> {
  // The shapes are checked here, not the consistency lag or the write spacing (their own tests do):
  // no lag, so a PR can be opened on the branch made just before it.
  const sim = await startSimulator({ webhookSecret: "x", consistency: { refLagMs: 0, pullLagMs: 0 } });
  try {
    const seeded = seedSample(sim);
    const repo = { owner: SAMPLE.owner, repo: SAMPLE.repo };
    const app = recording(new Octokit({ baseUrl: sim.url, auth: appJwt(sim.appId, sim.privateKey) }), seen);
    await app.rest.apps.getAuthenticated();
    await app.rest.apps.getRepoInstallation(repo);
    const { data: token } = await app.rest.apps.createInstallationAccessToken({
      installation_id: seeded.installationId,
    });
    const gh = recording(new Octokit({ baseUrl: sim.url, auth: token.token }), seen);
    const maya = recording(new Octokit({ baseUrl: sim.url, auth: seeded.tokens[SAMPLE.maintainer] }), seen);

    const { data: r } = await gh.rest.repos.get(repo);
    const { data: branch } = await gh.rest.repos.getBranch({ ...repo, branch: r.default_branch });
    const base = branch.commit.sha;
    await gh.rest.repos.getContent({ ...repo, path: "README.md" });
    await gh.rest.repos.getContent({ ...repo, path: "" });
    await gh.rest.repos.listCommits({ ...repo, per_page: 5 });
    await gh.rest.repos.getCommit({ ...repo, ref: base });
    await gh.rest.repos.getCollaboratorPermissionLevel({ ...repo, username: SAMPLE.maintainer });
    await gh.rest.repos.listCollaborators(repo);

    const { data: issue } = await maya.rest.issues.create({
      ...repo,
      title: "Add retry",
      body: "Calls fail.",
    });
    await maya.rest.issues.addLabels({ ...repo, issue_number: issue.number, labels: ["triad"] });
    await gh.rest.reactions.createForIssue({ ...repo, issue_number: issue.number, content: "eyes" });
    const { data: comment } = await gh.rest.issues.createComment({
      ...repo,
      issue_number: issue.number,
      body: "tracking",
    });
    await gh.rest.issues.updateComment({ ...repo, comment_id: comment.id, body: "tracking v2" });
    await gh.rest.issues.getComment({ ...repo, comment_id: comment.id });
    await gh.rest.issues.listComments({ ...repo, issue_number: issue.number });
    await gh.rest.reactions.createForIssueComment({ ...repo, comment_id: comment.id, content: "+1" });
    await gh.rest.issues.get({ ...repo, issue_number: issue.number });
    await gh.rest.issues.listLabelsOnIssue({ ...repo, issue_number: issue.number });

    const { data: blob } = await gh.rest.git.createBlob({
      ...repo,
      content: "export const x = 1;\n",
      encoding: "utf-8",
    });
    const { data: baseCommit } = await gh.rest.git.getCommit({ ...repo, commit_sha: base });
    const { data: tree } = await gh.rest.git.createTree({
      ...repo,
      base_tree: baseCommit.tree.sha,
      tree: [{ path: "src/x.ts", mode: "100644", type: "blob", sha: blob.sha }],
    });
    await gh.rest.git.getTree({ ...repo, tree_sha: tree.sha });
    const { data: commit } = await gh.rest.git.createCommit({
      ...repo,
      message: "x",
      tree: tree.sha,
      parents: [base],
    });
    await gh.rest.git.createRef({ ...repo, ref: "refs/heads/triad/1-retry", sha: commit.sha });
    await gh.rest.git.getRef({ ...repo, ref: "heads/triad/1-retry" });
    await gh.rest.git.updateRef({ ...repo, ref: "heads/triad/1-retry", sha: commit.sha });
    await gh.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: `${base}...${commit.sha}` });

    const { data: pr } = await gh.rest.pulls.create({
      ...repo,
      title: "Add retry",
      head: "triad/1-retry",
      base: r.default_branch,
      body: "Closes #1",
    });
    await gh.rest.issues.addLabels({ ...repo, issue_number: pr.number, labels: ["triad"] });
    await gh.rest.issues.removeLabel({ ...repo, issue_number: pr.number, name: "triad" });
    await gh.rest.pulls.get({ ...repo, pull_number: pr.number });
    await gh.rest.pulls.update({ ...repo, pull_number: pr.number, body: "Closes #1\n\nmore" });
    await gh.rest.pulls.list({ ...repo, head: `${SAMPLE.owner}:triad/1-retry` });
    await gh.rest.pulls.listFiles({ ...repo, pull_number: pr.number });
    await gh.rest.pulls.listCommits({ ...repo, pull_number: pr.number });
    const { data: review } = await gh.rest.pulls.createReview({
      ...repo,
      pull_number: pr.number,
      commit_id: commit.sha,
      event: "COMMENT",
      body: "review",
      comments: [{ path: "src/x.ts", line: 1, body: "finding" }],
    });
    await gh.rest.pulls.listReviews({ ...repo, pull_number: pr.number });
    await gh.rest.pulls.getReview({ ...repo, pull_number: pr.number, review_id: review.id });
    const { data: inline } = await gh.rest.pulls.listCommentsForReview({
      ...repo,
      pull_number: pr.number,
      review_id: review.id,
    });
    const first = inline[0];
    if (!first) throw new Error("the review has no comment");
    await gh.rest.pulls.listReviewComments({ ...repo, pull_number: pr.number });
    await gh.rest.pulls.getReviewComment({ ...repo, comment_id: first.id });
    await maya.rest.pulls.createReplyForReviewComment({
      ...repo,
      pull_number: pr.number,
      comment_id: first.id,
      body: "reply",
    });
    await gh.rest.reactions.listForPullRequestReviewComment({ ...repo, comment_id: first.id });

    const { data: run } = await gh.rest.checks.create({
      ...repo,
      name: "triad/review",
      head_sha: commit.sha,
      status: "in_progress",
    });
    await gh.rest.checks.update({
      ...repo,
      check_run_id: run.id,
      conclusion: "success",
      output: {
        title: "ok",
        summary: "ok",
        annotations: [
          { path: "README.md", start_line: 1, end_line: 1, annotation_level: "warning", message: "a note" },
        ],
      },
    });
    await gh.rest.checks.listForRef({ ...repo, ref: commit.sha });
    // The CI gate reads the default branch's checks by its name (src/github/ci-checks.ts).
    await gh.rest.checks.listForRef({ ...repo, ref: "main" });
    await gh.rest.checks.get({ ...repo, check_run_id: run.id });
    await gh.rest.checks.listAnnotations({ ...repo, check_run_id: run.id });

    await maya.rest.pulls.merge({ ...repo, pull_number: pr.number });
    await sim.waitForIdle();
    await app.rest.apps.listWebhookDeliveries({ per_page: 5 });
  } finally {
    await sim.stop();
  }
}

async function main(): Promise<void> {
  const req = install();
  const spec = req("@octokit/openapi/generated/api.github.com.json") as Spec;
  const Ajv = req("ajv").default as new (
    o: object,
  ) => {
    compile(s: Schema): ((d: unknown) => boolean) & {
      errors?: Array<{ instancePath: string; message?: string; params?: Record<string, unknown> }> | null;
    };
    addSchema(s: object, key: string): void;
  };
  const addFormats = req("ajv-formats").default as (ajv: unknown) => void;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(toJsonSchema(spec) as object, "openapi");

  const seen: Seen[] = [];
  await drive(seen);
  const failures: string[] = [];
  const checked = new Set<string>();
  for (const s of seen) {
    const name = `${s.method} ${s.route} → ${s.status}`;
    const content = spec.paths[s.route]?.[s.method.toLowerCase()]?.responses?.[String(s.status)]?.content;
    const schema = content?.["application/json"]?.schema;
    if (!schema) {
      if (s.status !== 204) failures.push(`${name}: no JSON response schema in @octokit/openapi`);
      continue;
    }
    checked.add(name);
    const pointer = `openapi#/paths/${s.route.replaceAll("~", "~0").replaceAll("/", "~1")}/${s.method.toLowerCase()}/responses/${s.status}/content/application~1json/schema`;
    const validate = ajv.compile({ $ref: pointer });
    if (!validate(s.data)) {
      const detail = (p?: Record<string, unknown>) =>
        p?.additionalProperty ? ` (${String(p.additionalProperty)})` : "";
      const errors = (validate.errors ?? [])
        .slice(0, 8)
        .map((e) => `    ${e.instancePath || "/"} ${e.message ?? ""}${detail(e.params)}`);
      failures.push(`${name}:\n${errors.join("\n")}`);
    }
  }
  console.log(`checked ${checked.size} answers (${seen.length} requests) against @octokit/openapi`);
  if (failures.length > 0) {
    console.log(`${failures.length} did not match:\n${failures.join("\n")}`);
    process.exitCode = 1;
  } else {
    console.log("every answer matches its schema");
  }
}

await main();
