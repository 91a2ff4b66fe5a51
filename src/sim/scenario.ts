import type { ArchitectOutput, Plan } from "../core/schemas/architect.js";
import type { RoleModelSet } from "../models/provider.js";
import type { Role } from "../models/types.js";
import {
  createScriptedRoleModels,
  defaultScenario,
  SCRIPTED_REFS,
  ScriptedModel,
  type ScriptedRoleModels,
  type ScriptStep,
} from "./models/scripted-model.js";
import { StatelessScriptedModel } from "./models/stateless-model.js";
import { developerFixSteps, developerSteps } from "./scenario-developer.js";
import { DEMO_FINDING_ID, DEMO_RULING, reviewerSteps } from "./scenario-review.js";

/**
 * The demo's scripted conversation on the sample repository (examples/): what a careful architect
 * would ask about "add retry with exponential backoff", and the plans it would write. Steps are used
 * in order, one per model call; tool calls are real calls on the snapshot.
 */
export const DEMO_QUESTIONS: ArchitectOutput = {
  questions: [
    {
      question:
        "Should `subscribeAlerts` (a POST that creates a new subscription on every call) be retried at all?",
      why: "Retrying a POST whose first attempt reached the server creates a duplicate subscription; GETs are safe to repeat.",
      options: ["GETs only", "all calls, POST only on 429 (never processed)"],
    },
    {
      question:
        "Which failures count as transient: 429 and 503 only, or every 5xx, timeouts and network errors too?",
      why: "This sets which errors the retry helper classifies as retryable and which surface at once.",
      options: ["429 and 503", "429, 502, 503, 504 and timeouts"],
    },
    {
      question: "How many attempts at most, and should callers be able to change or disable it per client?",
      why: "It decides whether `WeatherClientOptions` gains a `retry` option and what the default budget is.",
      options: ["3 attempts, configurable per client", "5 attempts, fixed"],
    },
  ],
};

const planV1: Plan = {
  goal: "Make WeatherClient retry transient failures of its idempotent GET calls with exponential backoff and jitter, honouring Retry-After, so callers stop writing their own retry loops.",
  decisions: [
    {
      decision: "Retry inside WeatherClient's private request method, for GET requests only.",
      why: "One place covers getCurrent, getForecast and getAlerts; subscribeAlerts is a non-idempotent POST and the maintainer asked never to retry it.",
      alternatives: [
        {
          option: "A fetch wrapper passed in by callers",
          why_rejected: "Every caller would configure it again; the issue asks for the client to do it.",
        },
        {
          option: "Retry every method including the POST",
          why_rejected: "A lost response would create duplicate alert subscriptions.",
        },
      ],
    },
    {
      decision:
        "Compute delays with full jitter: random(0, min(maxDelay, base * 2^attempt)); a Retry-After header overrides the computed delay, capped at maxDelay.",
      why: "Full jitter spreads the 200 pollers the issue mentions; the cap keeps a call from hanging for minutes.",
      alternatives: [
        { option: "Fixed delays", why_rejected: "Synchronised pollers would retry at the same instant." },
      ],
    },
  ],
  steps: [
    {
      title: "Add the retry policy and delay computation",
      files: [{ path: "src/retry.ts", action: "create" }],
      signatures: [
        "export interface RetryOptions { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number }",
        "export function isRetryableStatus(status: number): boolean",
        "export function retryDelayMs(attempt: number, options: Required<RetryOptions>, retryAfter: string | null, random?: () => number): number",
      ],
      details:
        "Retryable statuses are 429, 502, 503 and 504. Defaults: 3 attempts, 200 ms base, 5 s cap. Retry-After accepts seconds or an HTTP date.",
    },
    {
      title: "Retry GET requests in the client",
      files: [
        { path: "src/client.ts", action: "change" },
        { path: "src/types.ts", action: "change" },
      ],
      signatures: ["retry?: RetryOptions | false (new field of WeatherClientOptions)"],
      details:
        "In #request, loop while the method is GET and the status is retryable or the attempt timed out, waiting retryDelayMs between attempts; `retry: false` turns retries off. POST requests are sent once.",
    },
  ],
  tests: [
    "test/retry.test.ts: delays grow exponentially, stay under the cap, and follow Retry-After in seconds and as a date",
    "test/client.test.ts: a GET answered 503 then 200 resolves; a POST answered 503 rejects after one attempt; `retry: false` sends once",
  ],
  out_of_scope: ["Circuit breaking across calls", "Retrying network errors raised by fetch itself"],
  risks: [
    "Tests must not sleep for real: the delay function takes `random` and the client's sleep is injectable.",
  ],
};

const planV2: Plan = {
  ...planV1,
  steps: [
    ...planV1.steps,
    {
      title: "Report the number of attempts on ApiError",
      files: [{ path: "src/errors.ts", action: "change" }],
      signatures: ["readonly attempts: number (new field of ApiError, default 1)"],
      details:
        "The client sets attempts on the ApiError it throws after the last attempt, so logs show how many were made.",
    },
  ],
  tests: [...planV1.tests, "test/client.test.ts: an ApiError after three 503 answers has attempts === 3"],
};

export const DEMO_PLANS = { v1: planV1, v2: planV2 };

/** The maintainer's side of the demo conversation. */
export const DEMO_ANSWERS = {
  answers:
    "1. GETs only: never retry `subscribeAlerts`.\n2. 429, 502, 503, 504 and timeouts.\n3. 3 attempts by default, configurable per client with a `retry` option; `retry: false` turns it off.",
  change:
    "Looks good. One change: the issue also asks to see how many attempts were made — put that on `ApiError`.",
  approval: "approved",
};

export function architectSteps(): ScriptStep[] {
  return [
    {
      toolCalls: [
        { name: "list_files", input: { path: "src" } },
        { name: "read_file", input: { path: "src/client.ts" } },
      ],
    },
    { toolCalls: [{ name: "submit", input: DEMO_QUESTIONS }] },
    { toolCalls: [{ name: "search", input: { pattern: "ApiError", max_results: 20 } }] },
    { toolCalls: [{ name: "submit", input: { plan: planV1 } }] },
    { toolCalls: [{ name: "read_file", input: { path: "src/errors.ts" } }] },
    { toolCalls: [{ name: "submit", input: { plan: planV2 } }] },
    { toolCalls: [{ name: "submit_ruling", input: DEMO_RULING }] },
  ];
}

export function demoScenario(): Partial<Record<Role, ScriptStep[]>> {
  return {
    ...defaultScenario(),
    architect: architectSteps(),
    developer: [...developerSteps(), ...developerFixSteps(DEMO_FINDING_ID)],
    reviewer: reviewerSteps(0),
  };
}

/** Scripted models for the demo: each reviewer slot plays its own part. */
export function demoModels(): ScriptedRoleModels {
  const scenario = demoScenario();
  const models = createScriptedRoleModels(scenario);
  return {
    ...models,
    reviewers: [
      new ScriptedModel(SCRIPTED_REFS.reviewerA, reviewerSteps(0)),
      new ScriptedModel(SCRIPTED_REFS.reviewerB, reviewerSteps(1)),
    ],
  };
}

/**
 * The demo's conversation as stateless scripted models (src/sim/models/stateless-model.ts): each
 * answer follows from the request, so many workflows on several worker processes each play the
 * whole demo. Used by `triad worker` without API keys outside production, and by the benchmarks.
 */
export function demoStatelessModels(): RoleModelSet {
  const architect = new StatelessScriptedModel(SCRIPTED_REFS.architect, (_request, text) => {
    const steps = architectSteps();
    if (text.includes("# The findings")) return [steps[6] as ScriptStep];
    if (text.includes("Latest plan posted: v1")) return [steps[4] as ScriptStep, steps[5] as ScriptStep];
    if (text.includes("Latest plan posted: v")) return [steps[5] as ScriptStep];
    if (text.includes("## Your earlier output")) return [steps[2] as ScriptStep, steps[3] as ScriptStep];
    return [steps[0] as ScriptStep, steps[1] as ScriptStep];
  });
  const developer = new StatelessScriptedModel(SCRIPTED_REFS.developer, (_request, text) => {
    const finding = /## Finding ([0-9a-f]{16})/.exec(text)?.[1];
    return finding ? developerFixSteps(finding) : developerSteps();
  });
  const reviewer = (slot: 0 | 1) =>
    new StatelessScriptedModel(
      slot === 0 ? SCRIPTED_REFS.reviewerA : SCRIPTED_REFS.reviewerB,
      (_request, text) => {
        const steps = reviewerSteps(slot);
        return text.includes("incremental review")
          ? [steps[2] as ScriptStep]
          : [steps[0] as ScriptStep, steps[1] as ScriptStep];
      },
    );
  return { architect, developer, reviewers: [reviewer(0), reviewer(1)] };
}
