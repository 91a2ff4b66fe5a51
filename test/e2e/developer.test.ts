import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { diffBody } from "../../src/github/pull-diff.js";
import { type ModelProvider, scriptedModels } from "../../src/models/provider.js";
import { createScriptedRoleModels, type ScriptStep } from "../../src/sim/models/scripted-model.js";
import { DEMO_PLANS, demoScenario } from "../../src/sim/scenario.js";
import { type ChildWorker, spawnWorker } from "../helpers/child-worker.js";
import { planComment, toApprovedPlan, trackingNow } from "../helpers/conversation.js";
import { botComments, repo, type SampleStack, sampleConfigWith, startSampleStack } from "../helpers/stack.js";
import { waitFor } from "../helpers/wait.js";

let stack: SampleStack | undefined;
const workers: ChildWorker[] = [];

afterEach(async () => {
  for (const w of workers.splice(0)) await w.kill();
  await stack?.stop();
  stack = undefined;
});

function provider(overrides: Partial<Record<"architect" | "developer", ScriptStep[]>> = {}): ModelProvider {
  return scriptedModels(createScriptedRoleModels({ ...demoScenario(), ...overrides }));
}

async function pullsOf(s: SampleStack) {
  const { data } = await s.user("maya").rest.pulls.list({ ...repo, state: "all" });
  return data;
}

describe("the developer phase (simulator, scripted models)", () => {
  it("an approved plan becomes one pull request: files, one commit, body, labels, and a diff that applies", async () => {
    const s = await startSampleStack("developer-e2e", { models: provider() });
    stack = s;
    const issue = await toApprovedPlan(s);
    await waitFor("the pull request", () => trackingNow(s, issue).includes("Reviewers"), 20_000);

    const [pr, ...others] = await pullsOf(s);
    expect(others).toEqual([]);
    expect(pr?.head.ref).toBe(`triad/${issue}-add-retry-with-exponential-backoff-to`);
    expect(pr?.base.ref).toBe("main");
    expect(pr?.title).toBe("Add retry with exponential backoff to external API calls");
    expect(pr?.labels.map((l) => l.name).sort()).toEqual(["triad", "triad:in-review"]);
    const body = pr?.body ?? "";
    expect(body).toContain(`Closes #${issue}`);
    expect(body).toMatch(/Implements \[plan v2\]\(.*#issuecomment-\d+\), approved by @maya\./);
    expect(body).toMatch(
      /### What was built[\s\S]*### Not covered[\s\S]*\.github\/workflows\/` is not writable[\s\S]*### Plan conformance/,
    );
    expect(body).toMatch(
      /\| 1 \| Add the retry policy and delay computation \| ✅ done \| `src\/retry.ts` \|/,
    );
    expect(body).toMatch(
      /\| 3 \| Report the number of attempts on ApiError \| ✅ done \| `src\/errors.ts` \|/,
    );

    const maya = s.user("maya");
    const { data: files } = await maya.rest.pulls.listFiles({ ...repo, pull_number: pr?.number as number });
    expect(files.map((f) => `${f.status} ${f.filename}`).sort()).toEqual([
      "added src/retry.ts",
      "added test/retry.test.ts",
      "modified src/client.ts",
      "modified src/errors.ts",
      "modified src/types.ts",
      "modified test/client.test.ts",
    ]);
    const { data: commits } = await maya.rest.pulls.listCommits({
      ...repo,
      pull_number: pr?.number as number,
    });
    expect(commits).toHaveLength(1);
    expect(commits[0]?.commit.message).toMatch(
      /Implements plan v2 of #\d+\.[\s\S]*Triad-Round: issue-\d+-plan-v2-round-0/,
    );
    expect(commits[0]?.author?.login).toBe("triad[bot]");

    // The PR's diff applies to the base commit with git itself.
    // GitHub sends the diff type without a charset, so Octokit hands back bytes (diffBody decodes them).
    const diff = diffBody(
      await maya.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", {
        ...repo,
        pull_number: pr?.number as number,
        headers: { accept: "application/vnd.github.diff" },
      }),
    );
    const dir = mkdtempSync(join(tmpdir(), "triad-apply-"));
    try {
      const { data: tarball } = await maya.rest.repos.downloadTarballArchive({
        ...repo,
        ref: pr?.base.sha as string,
      });
      writeFileSync(join(dir, "base.tgz"), Buffer.from(tarball as ArrayBuffer));
      execFileSync("tar", ["-xzmf", "base.tgz", "--strip-components=1"], { cwd: dir });
      writeFileSync(join(dir, "pr.diff"), diff);
      execFileSync("git", ["init", "-q"], { cwd: dir });
      execFileSync("git", ["apply", "--check", "pr.diff"], { cwd: dir });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    const tracking = botComments(s.thread(issue), "<!-- triad:tracking -->")[0]?.body ?? "";
    expect(tracking).toMatch(/- \[x\] 1\. /);
    expect(tracking).toMatch(/\| developer \| \d+ \|/);
  });

  // Symlinks and submodules are refused by the same policy (test/unit/path-policy.test.ts): the
  // simulator's tarballs carry neither, so they are covered there rather than here.
  it("refused writes (traversal, absolute, workflows, denied, oversized) and bad edits are tool errors; the round goes on", async () => {
    const attempts: ScriptStep[] = [
      {
        toolCalls: [
          { name: "write_file", input: { path: "../outside.txt", content: "x" } },
          { name: "write_file", input: { path: "/etc/passwd", content: "x" } },
          { name: "write_file", input: { path: ".github/workflows/ci.yml", content: "x" } },
          { name: "write_file", input: { path: "secrets/token.txt", content: "x" } },
          { name: "write_file", input: { path: "src/big.ts", content: "x".repeat(2_000_001) } },
          {
            name: "edit_file",
            input: { path: "src/client.ts", old_string: "this text is not there", new_string: "y" },
          },
          { name: "edit_file", input: { path: "src/client.ts", old_string: "signal", new_string: "sig" } },
        ],
      },
      {
        toolCalls: [
          { name: "write_file", input: { path: "src/retry.ts", content: "export const RETRIES = 3;\n" } },
        ],
      },
      {
        toolCalls: [
          {
            name: "done",
            input: {
              summary: "Added src/retry.ts.",
              not_covered: ["Most of the plan"],
              plan_steps: [{ step: 1, status: "partly", files: ["src/retry.ts"] }],
            },
          },
        ],
      },
    ];
    const models = createScriptedRoleModels({ ...demoScenario(), developer: attempts });
    // A 2 MB write costs more than the plan's estimate allows: the bound is lifted, this is about policy.
    const s = await startSampleStack("developer-policy", {
      models: scriptedModels(models),
      files: sampleConfigWith("budget_margin: 10"),
    });
    stack = s;
    const issue = await toApprovedPlan(s);
    await waitFor("the pull request", () => trackingNow(s, issue).includes("Reviewers"), 20_000);

    const results = models.developer.requests[1]?.messages.at(-1);
    const errors =
      results?.role === "tool"
        ? results.results.map((r) => `${r.isError ? "error" : "ok"}: ${r.content.split("\n")[0]}`)
        : [];
    expect(errors).toHaveLength(7);
    for (const line of errors) expect(line).toMatch(/^error: /);
    expect(errors[0]).toMatch(/\.\./);
    expect(errors[2]).toMatch(/workflows/);
    expect(errors[3]).toMatch(/deny_paths|denied/);
    expect(errors[4]).toMatch(/bytes|size/);
    expect(errors[5]).toMatch(/not found|does not contain|no match/i);
    expect(errors[6]).toMatch(/\d+ (times|matches)|more than once|ambiguous/i);

    const [pr] = await pullsOf(s);
    const { data: files } = await s
      .user("maya")
      .rest.pulls.listFiles({ ...repo, pull_number: pr?.number as number });
    expect(files.map((f) => f.filename)).toEqual(["src/retry.ts"]);
    expect(pr?.body).toMatch(/🟡 partly/);
  });

  it("a plan step that cannot be implemented: the developer stops, the architect re-plans, a new approval is needed", async () => {
    const blocked: ScriptStep[] = [
      { toolCalls: [{ name: "read_file", input: { path: "src/errors.ts" } }] },
      {
        toolCalls: [
          {
            name: "done",
            input: {
              summary: "Stopped before writing anything.",
              plan_steps: [{ step: 1, status: "not_done" }],
              blocked: {
                step: 3,
                found:
                  "src/errors.ts: ApiError is built by the static fromResponse(), which has no way to learn the attempt count",
                why: "Step 3's signature makes attempts a readonly field set by the client, but the client never constructs ApiError itself",
                decision_needed:
                  "Pass the attempt count into fromResponse, or construct the error in the client",
              },
            },
          },
        ],
      },
    ];
    const v3 = {
      ...DEMO_PLANS.v2,
      goal: `${DEMO_PLANS.v2.goal} The attempt count is passed into ApiError.fromResponse.`,
    };
    const architect = [
      ...(demoScenario().architect ?? []),
      { toolCalls: [{ name: "submit", input: { plan: v3 } }] },
    ];
    const models = createScriptedRoleModels({ ...demoScenario(), developer: blocked, architect });
    const s = await startSampleStack("developer-blocked", { models: scriptedModels(models) });
    stack = s;
    const issue = await toApprovedPlan(s);
    await waitFor("plan v3", () => planComment(s, issue, 3), 20_000);
    await waitFor("awaiting approval of v3", () => trackingNow(s, issue).includes("to plan v3"));

    const stopped = botComments(s.thread(issue), "<!-- triad:developer id=")[0];
    expect(stopped?.body).toMatch(/The developer stopped: plan v2 cannot be followed as written \(step 3\)/);
    expect(stopped?.body).toMatch(/Decision needed:\*\* Pass the attempt count into fromResponse/);
    expect(await pullsOf(s)).toEqual([]);
    // The architect's revision saw the developer's report.
    const revision = models.architect.requests.at(-1)?.messages[0];
    expect(revision?.role === "user" ? revision.content : "").toMatch(
      /## The developer's report[\s\S]*Decision needed/,
    );
    expect(s.sim.dump().repositories[0]?.branches).toEqual({ main: expect.any(String) });
  });
});

describe("a worker killed while publishing", () => {
  for (const point of ["after-blobs", "after-tree", "after-commit", "after-ref", "after-pr"]) {
    it(`${point}: after a restart, one branch, one commit with the changes, one PR`, async () => {
      const s = await startSampleStack(`kill-${point}`, { worker: false, lockMs: 1500 });
      stack = s;
      const first = spawnWorker(s.vars, { TRIAD_FAULT: point });
      workers.push(first);
      const issue = await toApprovedPlan(s, 30_000);
      expect(await first.exited, first.output()).toBe(-1);

      const second = spawnWorker(s.vars);
      workers.push(second);
      await waitFor("the pull request", () => trackingNow(s, issue).includes("Reviewers"), 30_000);

      const pulls = await pullsOf(s);
      expect(pulls).toHaveLength(1);
      const branches = Object.keys(s.sim.dump().repositories[0]?.branches ?? {});
      expect(branches.sort()).toEqual(["main", `triad/${issue}-add-retry-with-exponential-backoff-to`]);
      const { data: commits } = await s
        .user("maya")
        .rest.pulls.listCommits({ ...repo, pull_number: pulls[0]?.number as number });
      expect(commits).toHaveLength(1);
      const { data: files } = await s
        .user("maya")
        .rest.pulls.listFiles({ ...repo, pull_number: pulls[0]?.number as number });
      expect(files).toHaveLength(6);
      expect(pulls[0]?.labels.map((l) => l.name).sort()).toEqual(["triad", "triad:in-review"]);
    });
  }
});
