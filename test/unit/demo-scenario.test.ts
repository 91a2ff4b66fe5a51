import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { ToolInputError } from "../../src/models/types.js";
import { Overlay } from "../../src/repo/overlay.js";
import { readOnlyTools } from "../../src/repo/read-tools.js";
import { Snapshot } from "../../src/repo/snapshot.js";
import { writeTools } from "../../src/repo/write-tools.js";
import { EXAMPLES_DIR, readTree } from "../../src/sim/sample.js";
import { developerSteps } from "../../src/sim/scenario-developer.js";

/**
 * The demo's scripted developer must write code that works: its tool calls are played through the
 * real tools over the sample repository, and the result's own tests are run with node --test.
 */
describe("the demo's developer round", () => {
  it("applies through the real tools (two refusals on purpose) and the sample repository's tests pass", () => {
    const snapshot = Snapshot.fromFiles("0".repeat(40), readTree(`${EXAMPLES_DIR}sample-repo`));
    const overlay = new Overlay(snapshot);
    const tools = new Map(
      [
        ...readOnlyTools(overlay),
        ...writeTools(overlay, { denyPaths: ["secrets/**"], maxFileBytes: 1_000_000, base: snapshot }),
      ].map((t) => [t.name, t]),
    );
    const refused: string[] = [];
    return (async () => {
      for (const step of developerSteps()) {
        for (const call of step.toolCalls ?? []) {
          if (call.name === "report_step" || call.name === "done") continue;
          const tool = tools.get(call.name);
          expect(tool, call.name).toBeDefined();
          try {
            await tool?.run(tool.input.parse(call.input));
          } catch (error) {
            if (!(error instanceof ToolInputError)) throw error;
            refused.push(`${call.name} ${(call.input as { path: string }).path}`);
          }
        }
      }
      expect(refused).toEqual(["edit_file src/client.ts", "write_file .github/workflows/ci.yml"]);
      expect(overlay.changes().map((c) => `${c.status} ${c.path}`)).toEqual([
        "modified src/client.ts",
        "modified src/errors.ts",
        "added src/retry.ts",
        "modified src/types.ts",
        "modified test/client.test.ts",
        "added test/retry.test.ts",
      ]);

      const dir = mkdtempSync(join(tmpdir(), "triad-demo-repo-"));
      try {
        for (const path of overlay.list()) {
          mkdirSync(dirname(join(dir, path)), { recursive: true });
          writeFileSync(join(dir, path), overlay.read(path) as Buffer);
        }
        const run = spawnSync(
          process.execPath,
          ["--test", "--test-reporter=tap", "--experimental-strip-types", "test/**/*.test.ts"],
          { cwd: dir, encoding: "utf8", timeout: 60_000 },
        );
        expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
        expect(run.stdout).toMatch(/# pass (1[4-9]|[2-9]\d)/);
        expect(run.stdout).toMatch(/# fail 0/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    })();
  });
});
