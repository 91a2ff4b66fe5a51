import assert from "node:assert/strict";
import { afterEach, describe, it, mock } from "node:test";
import { ApiError, TimeoutError, WeatherClient } from "../src/index.ts";

type FetchArgs = Parameters<typeof fetch>;

/** Replaces global fetch with `handler` for one test; returns the mock to inspect its calls. */
function stubFetch(handler: (url: URL, init: RequestInit) => Response | Promise<Response>) {
  return mock.method(globalThis, "fetch", async (...[input, init]: FetchArgs) =>
    handler(new URL(String(input)), init ?? {}),
  );
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

const client = new WeatherClient({ apiKey: "test-key", baseUrl: "https://weather.test/v2" });

afterEach(() => mock.restoreAll());

describe("WeatherClient", () => {
  it("getCurrent sends an authenticated GET and returns the parsed body", async () => {
    const current = { city: "Lisbon", temperature: 21, condition: "clear" };
    const fetchMock = stubFetch(() => json(current));

    assert.deepEqual(await client.getCurrent("Lisbon"), current);

    const [input, init] = fetchMock.mock.calls[0]?.arguments ?? [];
    const url = new URL(String(input));
    assert.equal(url.pathname, "/v2/current");
    assert.equal(url.searchParams.get("city"), "Lisbon");
    assert.equal(url.searchParams.get("units"), "metric");
    assert.equal(init?.method, "GET");
    assert.equal(new Headers(init?.headers).get("authorization"), "Bearer test-key");
  });

  it("getForecast passes the number of days", async () => {
    const fetchMock = stubFetch(() => json({ city: "Oslo", units: "metric", days: [] }));
    await client.getForecast("Oslo", 7);
    const url = new URL(String(fetchMock.mock.calls[0]?.arguments[0]));
    assert.equal(url.searchParams.get("days"), "7");
  });

  it("getForecast rejects an out-of-range day count without calling the API", () => {
    const fetchMock = stubFetch(() => json({}));
    assert.throws(() => client.getForecast("Oslo", 15), RangeError);
    assert.throws(() => client.getForecast("Oslo", 0), RangeError);
    assert.equal(fetchMock.mock.callCount(), 0);
  });

  it("getAlerts unwraps the alerts array", async () => {
    const alerts = [{ id: "a1", region: "US-OR", severity: "severe", headline: "Ice storm" }];
    stubFetch(() => json({ alerts }));
    assert.deepEqual(await client.getAlerts("US-OR"), alerts);
  });

  it("subscribeAlerts POSTs the request as JSON", async () => {
    const fetchMock = stubFetch(async (_url, init) =>
      json({ id: "sub_1", ...JSON.parse(String(init.body)), createdAt: "2025-01-01T00:00:00Z" }, 201),
    );
    const request = { region: "PT-11", callbackUrl: "https://example.test/hook" };

    const subscription = await client.subscribeAlerts(request);

    assert.equal(subscription.id, "sub_1");
    const init = fetchMock.mock.calls[0]?.arguments[1];
    assert.equal(init?.method, "POST");
    assert.equal(new Headers(init?.headers).get("content-type"), "application/json");
    assert.deepEqual(JSON.parse(String(init?.body)), request);
  });

  it("throws ApiError with status, code and request id on an error answer", async () => {
    stubFetch(() =>
      json({ error: { code: "rate_limited", message: "Too many requests" } }, 429, {
        "retry-after": "2",
        "x-request-id": "req_42",
      }),
    );
    const error = await client.getCurrent("Lisbon").catch((e: unknown) => e);
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 429);
    assert.equal(error.code, "rate_limited");
    assert.equal(error.requestId, "req_42");
    assert.match(error.message, /GET \/current failed with 429: Too many requests/);
  });

  it("keeps a non-JSON error body in the message", async () => {
    stubFetch(() => new Response("upstream unavailable", { status: 503 }));
    await assert.rejects(client.getAlerts("US-OR"), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.status, 503);
      assert.equal(error.code, undefined);
      assert.match(error.message, /upstream unavailable/);
      return true;
    });
  });

  it("throws TimeoutError when no response arrives within timeoutMs", async () => {
    stubFetch(
      (_url, init) =>
        new Promise<Response>((_resolve, reject) => {
          init.signal?.addEventListener("abort", () => reject(init.signal?.reason));
        }),
    );
    const slow = new WeatherClient({ apiKey: "k", baseUrl: "https://weather.test", timeoutMs: 20 });
    await assert.rejects(slow.getCurrent("Lisbon"), TimeoutError);
  });

  it("rejects with the caller's abort reason, not TimeoutError", async () => {
    stubFetch(
      (_url, init) =>
        new Promise<Response>((_resolve, reject) => {
          init.signal?.addEventListener("abort", () => reject(init.signal?.reason));
        }),
    );
    const controller = new AbortController();
    const pending = client.getCurrent("Lisbon", { signal: controller.signal });
    controller.abort(new Error("user navigated away"));
    await assert.rejects(pending, /user navigated away/);
  });

  it("requires an API key", () => {
    assert.throws(() => new WeatherClient({ apiKey: "" }), TypeError);
  });
});
