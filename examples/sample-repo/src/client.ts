import { ApiError, TimeoutError } from "./errors.ts";
import type {
  Alert,
  AlertSubscription,
  CurrentConditions,
  Forecast,
  RequestOptions,
  SubscribeAlertsRequest,
  Units,
  WeatherClientOptions,
} from "./types.ts";

const DEFAULT_BASE_URL = "https://api.skycast.example/v2";
const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_FORECAST_DAYS = 14;

type Query = Record<string, string | number>;

interface RequestParts {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal | undefined;
}

/**
 * Client for the SkyCast weather API.
 *
 * Every method makes exactly one HTTP request. Non-2xx answers reject with `ApiError`; a request
 * that exceeds `timeoutMs` rejects with `TimeoutError`; network failures reject with the error
 * that `fetch` raised.
 */
export class WeatherClient {
  readonly #apiKey: string;
  readonly #baseUrl: string;
  readonly #timeoutMs: number;
  readonly #units: Units;

  constructor(options: WeatherClientOptions) {
    if (!options.apiKey) throw new TypeError("WeatherClient: apiKey is required");
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new RangeError(`WeatherClient: timeoutMs must be a positive number, got ${timeoutMs}`);
    }
    this.#apiKey = options.apiKey;
    this.#baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
    this.#timeoutMs = timeoutMs;
    this.#units = options.units ?? "metric";
  }

  /** Current conditions for a city, e.g. "Lisbon" or "Portland,US". */
  getCurrent(city: string, options: RequestOptions = {}): Promise<CurrentConditions> {
    return this.#request<CurrentConditions>("GET", "/current", {
      query: { city, units: this.#units },
      signal: options.signal,
    });
  }

  /** Daily forecast for the next `days` days (1–14). */
  getForecast(city: string, days = 5, options: RequestOptions = {}): Promise<Forecast> {
    if (!Number.isInteger(days) || days < 1 || days > MAX_FORECAST_DAYS) {
      throw new RangeError(`days must be an integer from 1 to ${MAX_FORECAST_DAYS}, got ${days}`);
    }
    return this.#request<Forecast>("GET", "/forecast", {
      query: { city, days, units: this.#units },
      signal: options.signal,
    });
  }

  /** Active weather alerts for a region code, e.g. "US-OR" or "PT-11". */
  async getAlerts(region: string, options: RequestOptions = {}): Promise<Alert[]> {
    const body = await this.#request<{ alerts: Alert[] }>("GET", "/alerts", {
      query: { region },
      signal: options.signal,
    });
    return body.alerts;
  }

  /**
   * Registers a webhook that receives alerts for a region. Each successful call creates a new
   * subscription on the server, even for the same region and callback URL.
   */
  subscribeAlerts(request: SubscribeAlertsRequest, options: RequestOptions = {}): Promise<AlertSubscription> {
    return this.#request<AlertSubscription>("POST", "/alerts/subscriptions", {
      body: request,
      signal: options.signal,
    });
  }

  async #request<T>(method: "GET" | "POST", path: string, init: RequestParts): Promise<T> {
    const url = new URL(this.#baseUrl + path);
    for (const [key, value] of Object.entries(init.query ?? {})) {
      url.searchParams.set(key, String(value));
    }

    const headers: Record<string, string> = {
      accept: "application/json",
      authorization: `Bearer ${this.#apiKey}`,
    };
    if (init.body !== undefined) headers["content-type"] = "application/json";

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
        throw new TimeoutError(method, path, this.#timeoutMs, { cause: error });
      }
      throw error;
    }

    if (!response.ok) throw await ApiError.fromResponse(method, path, response);
    return (await response.json()) as T;
  }
}
