import { describe, expect, it } from "vitest";
import { parseUnifiedDiff } from "../../src/diff/index.js";
import {
  fromCheckFailure,
  fromFixCommand,
  fromHumanReview,
  parseSeverityPrefix,
} from "../../src/shell/review/human-findings.js";
import { fixture } from "../fixtures/diff/golden.js";

const files = parseUnifiedDiff(fixture("all.diff"));

describe("human and CI findings", () => {
  it("reads a leading severity word, else blocker", () => {
    expect(parseSeverityPrefix("nit: rename x")).toEqual({ severity: "nit", rest: "rename x" });
    expect(parseSeverityPrefix("[minor] tidy")).toEqual({ severity: "minor", rest: "tidy" });
    expect(parseSeverityPrefix("**Major**: off by one")).toEqual({ severity: "major", rest: "off by one" });
    expect(parseSeverityPrefix("nitpicking aside, this leaks")).toEqual({
      severity: "blocker",
      rest: "nitpicking aside, this leaks",
    });
  });

  it("turns a human review into findings: the body about the PR, comments at their lines", () => {
    const set = fromHumanReview(
      {
        author: "maya",
        body: "minor: please also update the changelog",
        comments: [
          {
            path: "src/new-feature.ts",
            line: 10,
            start_line: 9,
            side: "RIGHT",
            body: "These two lines should be one.",
          },
          { path: "src/legacy.ts", line: 1, side: "LEFT", body: "nit: was this export used?" },
          { path: "src/util.ts", line: 2, body: "   " },
        ],
      },
      files,
    );
    expect(set).toEqual({
      reviewer: "maya",
      origin: "human",
      findings: [
        {
          path: null,
          anchor: null,
          severity: "minor",
          message: "please also update the changelog",
          conflicts_with_plan: false,
        },
        {
          path: "src/new-feature.ts",
          line: 10,
          side: "RIGHT",
          anchor: "      count += 1;\n      count += 1;",
          severity: "blocker",
          message: "These two lines should be one.",
          conflicts_with_plan: false,
        },
        {
          path: "src/legacy.ts",
          line: 1,
          side: "LEFT",
          anchor: "export const legacy = true;",
          severity: "nit",
          message: "was this export used?",
          conflicts_with_plan: false,
        },
      ],
    });
  });

  it("turns `/triad fix …` into one finding, and a bare `/triad fix` into none", () => {
    expect(
      fromFixCommand("maya", "/triad fix\r\nmajor: the CLI flag is not wired\nsee #12").findings,
    ).toEqual([
      {
        path: null,
        anchor: null,
        severity: "major",
        message: "the CLI flag is not wired\nsee #12",
        conflicts_with_plan: false,
      },
    ]);
    expect(fromFixCommand("maya", "/triad fix").findings).toEqual([]);
    expect(fromFixCommand("maya", "please /triad fix this").findings).toEqual([]);
  });

  it("turns a failed check into a blocker with its clipped summary", () => {
    const set = fromCheckFailure("ci / test", "x".repeat(50), 10);
    expect(set.reviewer).toBe("check:ci / test");
    expect(set.origin).toBe("check");
    expect(set.findings[0]?.severity).toBe("blocker");
    expect(set.findings[0]?.message).toBe(
      "The check `ci / test` failed on this head. Its output:\n\nxxxxxxxxxx\n… (clipped; see the check run)",
    );
    expect(fromCheckFailure("lint", null).findings[0]?.message).toContain("gave no output summary");
  });
});
