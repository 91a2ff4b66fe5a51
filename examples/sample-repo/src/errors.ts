/** Base class for every error this library throws itself. */
export class WeatherClientError extends Error {
  override name = "WeatherClientError";
}

/** The API answered with a status outside 200–299. */
export class ApiError extends WeatherClientError {
  override name = "ApiError";
  readonly status: number;
  /** Machine-readable code from the error body, e.g. "rate_limited", when the API sent one. */
  readonly code: string | undefined;
  /** Value of the x-request-id response header; quote it to SkyCast support. */
  readonly requestId: string | undefined;

  constructor(message: string, status: number, code?: string, requestId?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.requestId = requestId;
  }

  static async fromResponse(method: string, path: string, response: Response): Promise<ApiError> {
    const requestId = response.headers.get("x-request-id") ?? undefined;
    let code: string | undefined;
    let detail = response.statusText;
    const text = await response.text().catch(() => "");
    try {
      const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
      code = body.error?.code;
      detail = body.error?.message ?? detail;
    } catch {
      if (text) detail = text.slice(0, 200);
    }
    return new ApiError(
      `${method} ${path} failed with ${response.status}: ${detail}`,
      response.status,
      code,
      requestId,
    );
  }
}

/** No response arrived within the client's `timeoutMs`. */
export class TimeoutError extends WeatherClientError {
  override name = "TimeoutError";
  readonly timeoutMs: number;

  constructor(method: string, path: string, timeoutMs: number, options?: ErrorOptions) {
    super(`${method} ${path} timed out after ${timeoutMs} ms`, options);
    this.timeoutMs = timeoutMs;
  }
}
