import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { TriadError } from "../../src/errors.js";
import {
  CATALOGUE,
  catalogueEntry,
  lifecycleOf,
  lifecycleWarnings,
  outputBudget,
} from "../../src/models/catalogue.js";
import { DEFAULT_ROLE_MODELS, parseModelRef, resolveRoleModels } from "../../src/models/config.js";
import { priceOf } from "../../src/models/prices.js";
import { runModelsList } from "../../src/models-check-cli.js";

/** Today for this release; the test also runs at the real clock. */
const RELEASE_DAY = new Date("2026-12-01T12:00:00Z");

/** Every `vendor:model` named in a file. */
function modelRefsIn(path: string): string[] {
  const text = readFileSync(path, "utf8");
  return [...text.matchAll(/\b(anthropic|openai|openai-compatible|google):([\w.\-/]+)/g)].map(
    (m) => `${m[1]}:${m[2]}`,
  );
}

const NAMED = [
  ...DEFAULT_ROLE_MODELS.reviewers,
  DEFAULT_ROLE_MODELS.architect,
  DEFAULT_ROLE_MODELS.developer,
  ...modelRefsIn("README.md"),
  ...modelRefsIn("examples/sample-repo/.github/triad.yml"),
];

describe("catalogue liveness and prices", () => {
  it("finds models in the README and the example config", () => {
    expect(modelRefsIn("README.md").length).toBeGreaterThanOrEqual(4);
    expect(modelRefsIn("examples/sample-repo/.github/triad.yml").length).toBeGreaterThanOrEqual(4);
  });

  for (const now of [RELEASE_DAY, new Date()]) {
    it(`every default, README and example model is in the catalogue, priced and live on ${now.toISOString().slice(0, 10)}`, () => {
      for (const text of NAMED) {
        const ref = parseModelRef(text);
        expect(catalogueEntry(ref), text).toBeDefined();
        expect(priceOf(ref), `${text} has no price`).toBeDefined();
        const state = lifecycleOf(ref, now).state;
        expect(state === "retired" || state === "retiring", `${text} is ${state}`).toBe(false);
      }
    });
  }

  it("every row cites a source, and its price has input, cached input and output", () => {
    for (const row of CATALOGUE) {
      expect(row.sources.length, row.id).toBeGreaterThan(0);
      if (row.price) {
        expect(row.price.cachedInput).toBeLessThan(row.price.input);
        expect(row.price.output).toBeGreaterThan(row.price.input);
      }
    }
  });

  it("the defaults are the strongest Claude, a Sonnet, an OpenAI Responses model and a Gemini Flash", () => {
    expect(DEFAULT_ROLE_MODELS.architect).toBe("anthropic:claude-fable-5-2");
    expect(DEFAULT_ROLE_MODELS.developer).toMatch(/^anthropic:claude-sonnet-/);
    expect(DEFAULT_ROLE_MODELS.reviewers[0]).toMatch(/^openai:/);
    expect(DEFAULT_ROLE_MODELS.reviewers[1]).toMatch(/^google:gemini-[\d.]+-flash$/);
  });
});

describe("lifecycle at start", () => {
  it("refuses a model past retirement and names the replacement", () => {
    const error = (() => {
      try {
        resolveRoleModels({ TRIAD_REVIEWER_MODELS: "openai:gpt-5.1-codex" }, {}, { now: RELEASE_DAY });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(TriadError);
    expect((error as TriadError).code).toBe("config_invalid");
    expect((error as TriadError).message).toMatch(
      /gpt-5.1-codex was retired .* 2026-07-23.*openai:gpt-6.2-sol/,
    );
    expect(() =>
      resolveRoleModels({}, { developer: "anthropic:claude-sonnet-4-5" }, { now: RELEASE_DAY }),
    ).toThrow(/claude-sonnet-4-5 was retired.*anthropic:claude-sonnet-5-5/);
  });

  it("warns 30 days ahead, and accepts the same model the day before the window", () => {
    const soon = resolveRoleModels({ TRIAD_REVIEWER_MODELS: "openai:gpt-5" }, {}, { now: RELEASE_DAY });
    expect(soon.warnings).toEqual([
      expect.stringMatching(/openai:gpt-5 retires on 2026-12-11 \(9 days left\)/),
    ]);
    const early = lifecycleWarnings([{ vendor: "openai", model: "gpt-5" }], new Date("2026-11-01T00:00:00Z"));
    expect(early).toEqual([]);
    expect(() =>
      resolveRoleModels(
        { TRIAD_REVIEWER_MODELS: "openai:gpt-5" },
        {},
        { now: new Date("2026-12-11T08:00:00Z") },
      ),
    ).toThrow(/retired/);
  });

  it("knows dated snapshots and OpenRouter spellings", () => {
    expect(catalogueEntry({ vendor: "anthropic", model: "claude-sonnet-4-5-20250929" })?.retires).toBe(
      "2026-11-30",
    );
    expect(catalogueEntry({ vendor: "openai-compatible", model: "anthropic/claude-opus-5.5" })?.id).toBe(
      "claude-opus-5-5",
    );
    // Hosted elsewhere, the vendor's list price does not apply.
    expect(priceOf({ vendor: "openai-compatible", model: "anthropic/claude-opus-5.5" })).toBeUndefined();
  });
});

describe("output budgets", () => {
  it("gives thinking models headroom, stays within the model's cap, and honours the config", () => {
    const fable = { vendor: "anthropic" as const, model: "claude-fable-5-2" };
    expect(outputBudget(fable, "developer")).toEqual({ initial: 48_000, cap: 128_000 });
    expect(outputBudget(fable, "developer", 20_000)).toEqual({ initial: 20_000, cap: 40_000 });
    const flash = { vendor: "google" as const, model: "gemini-3.8-flash" };
    expect(outputBudget(flash, "developer", 60_000)).toEqual({ initial: 60_000, cap: 65_536 });
    expect(outputBudget({ vendor: "openai-compatible", model: "local" }, "reviewer").initial).toBe(8_192);
  });
});

describe("models list", () => {
  it("prints every row with caps, prices, lifecycle and sources", () => {
    const lines: string[] = [];
    expect(runModelsList((line) => lines.push(line), RELEASE_DAY)).toBe(0);
    const text = lines.join("\n");
    expect(text).toMatch(
      /claude-fable-5-2 .*1M ctx \/ 128K out .*thinks: always .*in \$8 .*out \$40 .*current/,
    );
    expect(text).toMatch(/gpt-5\.1-codex .*RETIRED 2026-07-23 → openai:gpt-6\.2-sol/);
    expect(text).toMatch(/deepseek-v4-pro .*unpriced/);
    expect(text.match(/sources:/g)?.length).toBe(CATALOGUE.length);
  });
});
