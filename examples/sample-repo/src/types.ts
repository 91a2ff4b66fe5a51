/** Unit system for every temperature and speed the API returns. */
export type Units = "metric" | "imperial";

export interface WeatherClientOptions {
  /** API key from the SkyCast dashboard. Sent as a bearer token. */
  apiKey: string;
  /** Defaults to https://api.skycast.example/v2. */
  baseUrl?: string;
  /** Time limit for one request, in milliseconds. Defaults to 10 000. */
  timeoutMs?: number;
  /** Defaults to "metric". */
  units?: Units;
}

/** Per-call options. */
export interface RequestOptions {
  /** Aborts the request; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface CurrentConditions {
  city: string;
  /** ISO 8601 timestamp of the observation. */
  observedAt: string;
  temperature: number;
  feelsLike: number;
  /** Relative humidity, 0–100. */
  humidity: number;
  windSpeed: number;
  condition: string;
}

export interface ForecastDay {
  /** Calendar date, YYYY-MM-DD, in the city's time zone. */
  date: string;
  high: number;
  low: number;
  /** Chance of precipitation, 0–100. */
  precipitationChance: number;
  condition: string;
}

export interface Forecast {
  city: string;
  units: Units;
  days: ForecastDay[];
}

export type AlertSeverity = "minor" | "moderate" | "severe" | "extreme";

export interface Alert {
  id: string;
  region: string;
  severity: AlertSeverity;
  headline: string;
  startsAt: string;
  endsAt: string;
}

export interface SubscribeAlertsRequest {
  region: string;
  /** HTTPS endpoint that SkyCast will POST matching alerts to. */
  callbackUrl: string;
  /** Defaults to "moderate" on the server. */
  minSeverity?: AlertSeverity;
}

export interface AlertSubscription {
  id: string;
  region: string;
  callbackUrl: string;
  minSeverity: AlertSeverity;
  createdAt: string;
}
