import type { ScriptStep } from "./models/scripted-model.js";

/**
 * The demo developer's round on the sample repository: the code plan v2 asks for, written through
 * the real tools (reads, exact-match edits, new files) so the pull request holds working code and
 * tests (test/unit/demo-scenario.test.ts runs them).
 */
const RETRY_TS = `/** Retry policy for idempotent requests: exponential backoff with full jitter, honouring Retry-After. */
export interface RetryOptions {
  /** Attempts in all, the first included. Defaults to 3. */
  maxAttempts?: number;
  /** Longest wait before the second attempt; doubles for each later one. Defaults to 200 ms. */
  baseDelayMs?: number;
  /** Longest wait between two attempts, Retry-After included. Defaults to 5 000 ms. */
  maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 5_000 };

const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/**
 * Milliseconds to wait after failed attempt number \`attempt\` (1-based): Retry-After when the server
 * sent one, else a random delay up to base * 2^(attempt - 1); never more than maxDelayMs.
 */
export function retryDelayMs(
  attempt: number,
  options: Required<RetryOptions>,
  retryAfter: string | null,
  random: () => number = Math.random,
): number {
  const asked = parseRetryAfter(retryAfter);
  if (asked !== undefined) return Math.min(options.maxDelayMs, asked);
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/** Retry-After in seconds or as an HTTP date, in milliseconds from now. */
function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
`;

const RETRY_TEST_TS = `import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_RETRY, isRetryableStatus, retryDelayMs } from "../src/retry.ts";

describe("retryDelayMs", () => {
  const options = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000 };

  it("grows exponentially with full jitter and stays under the cap", () => {
    assert.equal(retryDelayMs(1, options, null, () => 0.999), 99);
    assert.equal(retryDelayMs(2, options, null, () => 0.999), 199);
    assert.equal(retryDelayMs(3, options, null, () => 0.999), 399);
    assert.equal(retryDelayMs(10, options, null, () => 0.999), 999);
    assert.equal(retryDelayMs(3, options, null, () => 0), 0);
  });

  it("follows Retry-After in seconds and as an HTTP date, capped", () => {
    assert.equal(retryDelayMs(1, options, "0.5", () => 0), 500);
    assert.equal(retryDelayMs(1, options, "30", () => 0), 1_000);
    const inTwoSeconds = new Date(Date.now() + 2_000).toUTCString();
    assert.equal(retryDelayMs(1, { ...options, maxDelayMs: 60_000 }, inTwoSeconds, () => 0) > 0, true);
    assert.equal(retryDelayMs(1, options, "soon", () => 0), 0);
  });
});

describe("isRetryableStatus", () => {
  it("retries 429, 502, 503 and 504 only", () => {
    assert.deepEqual([429, 500, 502, 503, 504, 404].map(isRetryableStatus), [true, false, true, true, true, false]);
    assert.equal(DEFAULT_RETRY.maxAttempts, 3);
  });
});
`;

const CLIENT_TESTS = `  it("requires an API key", () => {
    assert.throws(() => new WeatherClient({ apiKey: "" }), TypeError);
  });

  describe("retries", () => {
    const fast = new WeatherClient({
      apiKey: "test-key",
      baseUrl: "https://weather.test/v2",
      retry: { baseDelayMs: 1, maxDelayMs: 2 },
    });

    it("retries a GET answered 503, then resolves", async () => {
      let calls = 0;
      stubFetch(() => (++calls === 1 ? json({}, 503) : json({ city: "Lisbon" })));
      assert.deepEqual(await fast.getCurrent("Lisbon"), { city: "Lisbon" });
      assert.equal(calls, 2);
    });

    it("sends a POST once, even when it is answered 503", async () => {
      const fetchMock = stubFetch(() => json({}, 503));
      await assert.rejects(fast.subscribeAlerts({ region: "PT-11", callbackUrl: "https://example.com/h" }), ApiError);
      assert.equal(fetchMock.mock.callCount(), 1);
    });

    it("reports the attempts made on the final ApiError", async () => {
      stubFetch(() => json({}, 503));
      await assert.rejects(fast.getForecast("Oslo", 3), (error: unknown) => {
        assert.ok(error instanceof ApiError);
        assert.equal(error.attempts, 3);
        return true;
      });
    });

    it("does not retry when retry is false", async () => {
      const once = new WeatherClient({ apiKey: "k", baseUrl: "https://weather.test/v2", retry: false });
      const fetchMock = stubFetch(() => json({}, 429));
      await assert.rejects(once.getAlerts("US-OR"), ApiError);
      assert.equal(fetchMock.mock.callCount(), 1);
    });
  });
});
`;

const OLD_REQUEST_TAIL = `    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;

    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal,
      });
    } catch (error) {
      if (timeout.aborted && !init.signal?.aborted) {
        throw new TimeoutError(method, path, this.#timeoutMs, { cause: error });
      }
      throw error;
    }

    if (!response.ok) throw await ApiError.fromResponse(method, path, response);
    return (await response.json()) as T;
  }
}`;

const NEW_REQUEST_TAIL = `    // Only GETs are retried: a POST that reached the server would run twice.
    const retry = method === "GET" ? this.#retry : false;
    const attempts = retry ? retry.maxAttempts : 1;
    for (let attempt = 1; ; attempt++) {
      const timeout = AbortSignal.timeout(this.#timeoutMs);
      const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;

      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers,
          body: init.body === undefined ? undefined : JSON.stringify(init.body),
          signal,
        });
      } catch (error) {
        if (timeout.aborted && !init.signal?.aborted) {
          if (retry && attempt < attempts) {
            await sleep(retryDelayMs(attempt, retry, null), init.signal);
            continue;
          }
          throw new TimeoutError(method, path, this.#timeoutMs, { cause: error });
        }
        throw error;
      }

      if (response.ok) return (await response.json()) as T;
      if (retry && attempt < attempts && isRetryableStatus(response.status)) {
        await response.body?.cancel();
        await sleep(retryDelayMs(attempt, retry, response.headers.get("retry-after")), init.signal);
        continue;
      }
      throw await ApiError.fromResponse(method, path, response, attempt);
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}`;

const edit = (path: string, old_string: string, new_string: string) => ({
  name: "edit_file",
  input: { path, old_string, new_string },
});

export function developerSteps(): ScriptStep[] {
  return [
    {
      toolCalls: [
        { name: "read_file", input: { path: "src/client.ts" } },
        { name: "read_file", input: { path: "src/errors.ts" } },
        { name: "read_file", input: { path: "src/types.ts" } },
      ],
    },
    { toolCalls: [{ name: "write_file", input: { path: "src/retry.ts", content: RETRY_TS } }] },
    { toolCalls: [{ name: "report_step", input: { step: 1 } }] },
    {
      toolCalls: [
        edit(
          "src/types.ts",
          "/** Unit system for every temperature and speed the API returns. */",
          'import type { RetryOptions } from "./retry.ts";\n\n/** Unit system for every temperature and speed the API returns. */',
        ),
        edit(
          "src/types.ts",
          '  /** Defaults to "metric". */\n  units?: Units;\n}',
          '  /** Defaults to "metric". */\n  units?: Units;\n  /** Retries of GET requests on 429, 502, 503, 504 and timeouts; `false` turns them off. Defaults to 3 attempts. */\n  retry?: RetryOptions | false;\n}',
        ),
      ],
    },
    {
      toolCalls: [
        edit(
          "src/client.ts",
          'import { ApiError, TimeoutError } from "./errors.ts";',
          'import { ApiError, TimeoutError } from "./errors.ts";\nimport { DEFAULT_RETRY, isRetryableStatus, type RetryOptions, retryDelayMs } from "./retry.ts";',
        ),
        edit(
          "src/client.ts",
          "  readonly #units: Units;\n",
          "  readonly #units: Units;\n  readonly #retry: Required<RetryOptions> | false;\n",
        ),
        edit(
          "src/client.ts",
          '    this.#units = options.units ?? "metric";\n',
          '    this.#units = options.units ?? "metric";\n    this.#retry = options.retry === false ? false : { ...DEFAULT_RETRY, ...options.retry };\n',
        ),
      ],
    },
    // A first try with a stale copy of the text: the tool says it does not match, and the model reads again.
    { toolCalls: [edit("src/client.ts", "    const timeout = AbortSignal.timeout(this.timeoutMs);", "")] },
    { toolCalls: [{ name: "read_file", input: { path: "src/client.ts", start_line: 95, end_line: 130 } }] },
    { toolCalls: [edit("src/client.ts", OLD_REQUEST_TAIL, NEW_REQUEST_TAIL)] },
    { toolCalls: [{ name: "report_step", input: { step: 2 } }] },
    {
      toolCalls: [
        edit(
          "src/errors.ts",
          "  readonly requestId: string | undefined;\n\n  constructor(message: string, status: number, code?: string, requestId?: string) {\n    super(message);\n    this.status = status;\n    this.code = code;\n    this.requestId = requestId;\n  }",
          "  readonly requestId: string | undefined;\n  /** Requests made before giving up (1 when the call was not retried). */\n  readonly attempts: number;\n\n  constructor(message: string, status: number, code?: string, requestId?: string, attempts = 1) {\n    super(message);\n    this.status = status;\n    this.code = code;\n    this.requestId = requestId;\n    this.attempts = attempts;\n  }",
        ),
        edit(
          "src/errors.ts",
          "  static async fromResponse(method: string, path: string, response: Response): Promise<ApiError> {",
          "  static async fromResponse(method: string, path: string, response: Response, attempts = 1): Promise<ApiError> {",
        ),
        edit(
          "src/errors.ts",
          "      code,\n      requestId,\n    );",
          "      code,\n      requestId,\n      attempts,\n    );",
        ),
      ],
    },
    { toolCalls: [{ name: "report_step", input: { step: 3 } }] },
    {
      toolCalls: [
        { name: "write_file", input: { path: "test/retry.test.ts", content: RETRY_TEST_TS } },
        edit(
          "test/client.test.ts",
          '  it("requires an API key", () => {\n    assert.throws(() => new WeatherClient({ apiKey: "" }), TypeError);\n  });\n});\n',
          CLIENT_TESTS,
        ),
      ],
    },
    // An attempt to touch CI is refused by the path policy; the round goes on.
    {
      toolCalls: [
        {
          name: "write_file",
          input: { path: ".github/workflows/ci.yml", content: "# retries need a longer timeout\n" },
        },
      ],
    },
    {
      toolCalls: [
        {
          name: "done",
          input: {
            summary:
              "1. Added `src/retry.ts`: `RetryOptions`, `DEFAULT_RETRY` (3 attempts, 200 ms base, 5 s cap), `isRetryableStatus` (429, 502, 503, 504) and `retryDelayMs` (full jitter; Retry-After in seconds or as a date, capped).\n2. `WeatherClient` retries GET requests on those statuses and on timeouts, waiting `retryDelayMs` between attempts; POSTs are sent once; `retry: false` turns retries off (new `retry` field of `WeatherClientOptions`).\n3. `ApiError` has `attempts`, set by the client on the error it throws after the last attempt.\nTests: `test/retry.test.ts`, and four retry cases in `test/client.test.ts`.",
            not_covered: [
              "Network errors raised by fetch itself are not retried (out of scope in the plan).",
              "The CI workflow's timeout was not raised: `.github/workflows/` is not writable by triad.",
            ],
            plan_steps: [
              { step: 1, status: "done", files: ["src/retry.ts"] },
              { step: 2, status: "done", files: ["src/client.ts", "src/types.ts"] },
              { step: 3, status: "done", files: ["src/errors.ts"] },
            ],
          },
        },
      ],
    },
  ];
}

/**
 * Fix round 1 of the demo: the architect accepted the finding that a Retry-After above maxDelayMs
 * made the client retry sooner than the server asked; the client now gives up instead.
 */
export function developerFixSteps(findingId: string): ScriptStep[] {
  return [
    { toolCalls: [{ name: "read_file", input: { path: "src/retry.ts" } }] },
    {
      toolCalls: [
        edit(
          "src/retry.ts",
          "  if (asked !== undefined) return Math.min(options.maxDelayMs, asked);",
          "  if (asked !== undefined) return asked;",
        ),
        edit(
          "src/retry.ts",
          " * sent one, else a random delay up to base * 2^(attempt - 1); never more than maxDelayMs.",
          " * sent one (possibly more than maxDelayMs: the caller then gives up rather than retry early), else a\n * random delay up to base * 2^(attempt - 1), never more than maxDelayMs.",
        ),
        edit(
          "src/client.ts",
          '        await response.body?.cancel();\n        await sleep(retryDelayMs(attempt, retry, response.headers.get("retry-after")), init.signal);\n        continue;\n      }',
          '        const wait = retryDelayMs(attempt, retry, response.headers.get("retry-after"));\n        // A server that asks for a longer wait than we allow gets no early retry: give up now.\n        if (wait <= retry.maxDelayMs) {\n          await response.body?.cancel();\n          await sleep(wait, init.signal);\n          continue;\n        }\n      }',
        ),
        edit(
          "test/retry.test.ts",
          '    assert.equal(retryDelayMs(1, options, "30", () => 0), 1_000);',
          '    assert.equal(retryDelayMs(1, options, "30", () => 0), 30_000);',
        ),
        edit(
          "test/client.test.ts",
          "      assert.equal(fetchMock.mock.callCount(), 1);\n    });\n  });\n});\n",
          '      assert.equal(fetchMock.mock.callCount(), 1);\n    });\n\n    it("gives up at once when Retry-After asks for longer than maxDelayMs", async () => {\n      const fetchMock = stubFetch(() => json({}, 429, { "retry-after": "120" }));\n      await assert.rejects(fast.getCurrent("Lisbon"), (error: unknown) => error instanceof ApiError && error.attempts === 1);\n      assert.equal(fetchMock.mock.callCount(), 1);\n    });\n  });\n});\n',
        ),
      ],
    },
    {
      toolCalls: [
        {
          name: "done",
          input: {
            summary: `${findingId}: \`retryDelayMs\` returns Retry-After uncapped, and the client gives up instead of retrying sooner than the server asked (src/retry.ts, src/client.ts); tests updated and one added.`,
            plan_steps: [
              { step: 1, status: "done", files: ["src/retry.ts"] },
              { step: 2, status: "done", files: ["src/client.ts"] },
              { step: 3, status: "done", files: [] },
            ],
            findings: [
              {
                id: findingId,
                status: "changed",
                note: "a Retry-After longer than maxDelayMs now ends the retries instead of being cut short",
              },
            ],
          },
        },
      ],
    },
  ];
}
