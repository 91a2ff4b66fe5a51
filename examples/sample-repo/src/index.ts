export { WeatherClient } from "./client.ts";
export { ApiError, TimeoutError, WeatherClientError } from "./errors.ts";
export type {
  Alert,
  AlertSeverity,
  AlertSubscription,
  CurrentConditions,
  Forecast,
  ForecastDay,
  RequestOptions,
  SubscribeAlertsRequest,
  Units,
  WeatherClientOptions,
} from "./types.ts";
