/** Check runs (written by the app) and the check suites GitHub groups them into. */
import { requireAuth } from "../auth.js";
import {
  bodyObject,
  HttpError,
  int,
  notFound,
  type Reply,
  type Request,
  type Route,
  route,
  type SimContext,
  str,
  validationFailed,
} from "../http.js";
import { checkRunJson, checkSuiteJson } from "../payloads.js";
import { findRepo, resolveCommitish } from "../repo-ops.js";
import { checkCheckRunOutput } from "../size-limits.js";
import type { CheckAnnotation, CheckRun, CheckSuite, Repo, User } from "../state.js";

const R = "/repos/{owner}/{repo}";
const STATUSES = ["queued", "in_progress", "completed", "waiting", "requested", "pending"] as const;
const CONCLUSIONS = [
  "action_required",
  "cancelled",
  "failure",
  "neutral",
  "success",
  "skipped",
  "stale",
  "timed_out",
];
/** Worst first: a suite's conclusion is the worst of its runs'. */
const SEVERITY = [
  "action_required",
  "failure",
  "timed_out",
  "cancelled",
  "stale",
  "neutral",
  "success",
  "skipped",
];

const DOCS = "https://docs.github.com/rest/checks/runs";

/** Check runs are written by apps through an installation token; the run records which app. */
function requireApp(req: Request): { user: User; appId: number } {
  const a = req.actor;
  if (!a) throw new HttpError(401, "Requires authentication");
  if (a.kind !== "installation") throw new HttpError(403, "You must authenticate via a GitHub App.");
  return { user: a.user, appId: a.app.id };
}

function findRun(sim: SimContext, repo: Repo, id: string | undefined): CheckRun {
  const hit = sim.state.checkRuns.get(int(id));
  if (!hit || hit.repo !== repo) throw notFound();
  return hit.run;
}

function applyFields(sim: SimContext, run: CheckRun, body: Record<string, unknown>, docs: string): void {
  checkCheckRunOutput(sim, body.output, docs);
  const status = str(body, "status");
  if (status !== undefined) {
    if (!(STATUSES as readonly string[]).includes(status))
      throw validationFailed("CheckRun", "status", "invalid");
    run.status = status as CheckRun["status"];
  }
  const conclusion = str(body, "conclusion");
  if (conclusion !== undefined) {
    if (!CONCLUSIONS.includes(conclusion)) throw validationFailed("CheckRun", "conclusion", "invalid");
    run.conclusion = conclusion;
    run.status = "completed";
  }
  if (run.status === "completed" && !run.conclusion) {
    throw new HttpError(
      422,
      'Invalid request.\n\nNo subschema in "anyOf" matched.\n"conclusion" wasn\'t supplied.',
    );
  }
  if (run.status === "completed")
    run.completedAt = str(body, "completed_at") ?? run.completedAt ?? sim.state.now();
  const started = str(body, "started_at");
  if (started) run.startedAt = started;
  const name = str(body, "name");
  if (name) run.name = name;
  const details = str(body, "details_url");
  if (details !== undefined) run.detailsUrl = details;
  const external = str(body, "external_id");
  if (external !== undefined) run.externalId = external;
  const output = body.output as Record<string, unknown> | undefined;
  if (output && typeof output === "object") {
    if (typeof output.title === "string") run.output.title = output.title;
    if (typeof output.summary === "string") run.output.summary = output.summary;
    if (typeof output.text === "string") run.output.text = output.text;
    if (Array.isArray(output.annotations)) {
      const added = output.annotations.map(annotationOf);
      run.annotations = [...(run.annotations ?? []), ...added];
      run.output.annotations_count += added.length;
    }
  }
}

const LEVELS = ["notice", "warning", "failure"] as const;

/**
 * One annotation as the app sends it (docs.github.com/rest/checks/runs#create-a-check-run: `path`,
 * `start_line`, `end_line`, `annotation_level` of notice, warning or failure, and `message` are
 * required; columns only within one line). Anything else is GitHub's 422.
 */
function annotationOf(raw: unknown): CheckAnnotation {
  const a = (raw ?? {}) as Record<string, unknown>;
  const need = (field: string, ok: boolean) => {
    if (!ok) throw validationFailed("CheckRun", `output.annotations.${field}`);
  };
  need("path", typeof a.path === "string" && a.path !== "");
  need("start_line", Number.isInteger(a.start_line));
  need("end_line", Number.isInteger(a.end_line));
  need("annotation_level", (LEVELS as readonly unknown[]).includes(a.annotation_level));
  need("message", typeof a.message === "string");
  const column = (v: unknown) => (Number.isInteger(v) ? (v as number) : null);
  return {
    path: a.path as string,
    start_line: a.start_line as number,
    end_line: a.end_line as number,
    start_column: column(a.start_column),
    end_column: column(a.end_column),
    annotation_level: a.annotation_level as CheckAnnotation["annotation_level"],
    title: typeof a.title === "string" ? a.title : null,
    message: a.message as string,
    raw_details: typeof a.raw_details === "string" ? a.raw_details : null,
  };
}

function suiteFor(sim: SimContext, repo: Repo, headSha: string, appId: number): CheckSuite {
  const existing = repo.checkSuites.find((s) => s.headSha === headSha && s.appId === appId);
  if (existing) return existing;
  const branch = [...repo.refs.entries()].find(([r, sha]) => sha === headSha && r.startsWith("refs/heads/"));
  const at = sim.state.now();
  const suite: CheckSuite = {
    id: sim.state.id(),
    appId,
    headSha,
    headBranch: branch ? branch[0].slice(11) : null,
    status: "queued",
    conclusion: null,
    createdAt: at,
    updatedAt: at,
  };
  repo.checkSuites.push(suite);
  return suite;
}

/** Recomputes a suite; sends `check_suite.completed` whenever a run completes and none is left pending. */
function updateSuite(sim: SimContext, repo: Repo, suite: CheckSuite, sender: User): void {
  const runs = repo.checkRuns.filter((r) => r.checkSuiteId === suite.id);
  suite.updatedAt = sim.state.now();
  if (runs.every((r) => r.status === "completed")) {
    suite.status = "completed";
    suite.conclusion = SEVERITY.find((c) => runs.some((r) => r.conclusion === c)) ?? "success";
    sim.emit(
      repo,
      "check_suite",
      { action: "completed", check_suite: checkSuiteJson(sim, repo, suite) },
      sender,
    );
  } else {
    suite.status = runs.some((r) => r.status === "in_progress") ? "in_progress" : "queued";
    suite.conclusion = null;
  }
}

function createRun(req: Request, sim: SimContext): Reply {
  const { user: sender, appId } = requireApp(req);
  const repo = findRepo(req, sim);
  const body = bodyObject(req);
  const name = str(body, "name");
  const headSha = str(body, "head_sha")?.toLowerCase();
  if (!name) throw validationFailed("CheckRun", "name");
  if (!headSha || !repo.objects.commit(headSha))
    throw new HttpError(422, `No commit found for SHA: ${headSha ?? ""}`);
  const suite = suiteFor(sim, repo, headSha, appId);
  const run: CheckRun = {
    id: sim.state.id(),
    appId,
    name,
    headSha,
    status: "queued",
    conclusion: null,
    startedAt: sim.state.now(),
    completedAt: null,
    externalId: null,
    detailsUrl: null,
    output: { title: null, summary: null, text: null, annotations_count: 0 },
    checkSuiteId: suite.id,
  };
  applyFields(sim, run, body, `${DOCS}#create-a-check-run`);
  repo.checkRuns.push(run);
  sim.state.checkRuns.set(run.id, { repo, run });
  sim.emit(repo, "check_run", { action: "created", check_run: checkRunJson(sim, repo, run) }, sender);
  updateSuite(sim, repo, suite, sender);
  return { status: 201, body: checkRunJson(sim, repo, run) };
}

function updateRun(req: Request, sim: SimContext): Reply {
  const { user: sender, appId } = requireApp(req);
  const repo = findRepo(req, sim);
  const run = findRun(sim, repo, req.params.check_run_id);
  // Only the app that made a run may change it: 403 "Invalid app_id `15368` - check run can only be
  // modified by the GitHub App that created it." (databricks/cli#4563, int128/argocd-commenter#631).
  if (run.appId !== appId) {
    throw new HttpError(
      403,
      `Invalid app_id \`${run.appId}\` - check run can only be modified by the GitHub App that created it.`,
      undefined,
      `${DOCS}#update-a-check-run`,
    );
  }
  const wasCompleted = run.status === "completed";
  const draft: CheckRun = { ...run, output: { ...run.output } };
  applyFields(sim, draft, bodyObject(req), `${DOCS}#update-a-check-run`);
  Object.assign(run, draft);
  if (run.status === "completed" && !wasCompleted) {
    sim.emit(repo, "check_run", { action: "completed", check_run: checkRunJson(sim, repo, run) }, sender);
    const suite = repo.checkSuites.find((s) => s.id === run.checkSuiteId);
    if (suite) updateSuite(sim, repo, suite, sender);
  }
  return { status: 200, body: checkRunJson(sim, repo, run) };
}

export const checkRoutes: Route[] = [
  route("POST", `${R}/check-runs`, createRun),
  route("PATCH", `${R}/check-runs/{check_run_id}`, updateRun),
  route("GET", `${R}/check-runs/{check_run_id}`, (req, sim) => {
    requireAuth(req);
    const repo = findRepo(req, sim);
    return { status: 200, body: checkRunJson(sim, repo, findRun(sim, repo, req.params.check_run_id)) };
  }),
  // "List check run annotations": an array of `check-annotation` (@octokit/openapi-types
  // `checks/list-annotations`), 30 a page by default, 100 at most; `blob_href` points at the file on the
  // run's head.
  route("GET", `${R}/check-runs/{check_run_id}/annotations`, (req, sim) => {
    requireAuth(req);
    const repo = findRepo(req, sim);
    const run = findRun(sim, repo, req.params.check_run_id);
    const perPage = Math.min(Number(req.query.get("per_page") ?? 30) || 30, 100);
    const page = Math.max(Number(req.query.get("page") ?? 1) || 1, 1);
    const body = (run.annotations ?? []).slice((page - 1) * perPage, page * perPage).map((a) => ({
      ...a,
      blob_href: `${sim.baseUrl}/${repo.fullName}/blob/${run.headSha}/${a.path}`,
    }));
    return { status: 200, body };
  }),
  route("GET", `${R}/check-suites/{check_suite_id}`, (req, sim) => {
    requireAuth(req);
    const repo = findRepo(req, sim);
    const suite = repo.checkSuites.find((s) => s.id === int(req.params.check_suite_id));
    if (!suite) throw notFound();
    return { status: 200, body: checkSuiteJson(sim, repo, suite) };
  }),
  // "List check runs for a Git reference": `{ total_count, check_runs: check-run[] }` (@octokit/openapi-types
  // `checks/list-for-ref`); `ref` is a sha, a branch or a tag name.
  route("GET", `${R}/commits/{ref}/check-runs`, (req, sim) => {
    requireAuth(req);
    const repo = findRepo(req, sim);
    const sha = resolveCommitish(repo, req.params.ref ?? "");
    if (!sha) throw new HttpError(422, `No commit found for SHA: ${req.params.ref}`);
    const name = req.query.get("check_name");
    const status = req.query.get("status");
    let runs = repo.checkRuns.filter(
      (r) => r.headSha === sha && (!name || r.name === name) && (!status || r.status === status),
    );
    // filter=latest (the default): the most recent run per name of each app (each app has its own
    // check suite, so two apps' same-named runs are both current).
    if ((req.query.get("filter") ?? "latest") === "latest") {
      runs = runs.filter((r) => !runs.some((o) => o.name === r.name && o.appId === r.appId && o.id > r.id));
    }
    runs.sort((a, b) => b.id - a.id);
    const perPage = Math.min(Number(req.query.get("per_page") ?? 30) || 30, 100);
    const page = Math.max(Number(req.query.get("page") ?? 1) || 1, 1);
    return {
      status: 200,
      body: {
        total_count: runs.length,
        check_runs: runs.slice((page - 1) * perPage, page * perPage).map((r) => checkRunJson(sim, repo, r)),
      },
    };
  }),
];
