/**
 * Every call the web app makes to its API. The session is an HttpOnly cookie the browser sends by itself (same origin
 * only); a change also carries the session's CSRF token in a header, which another site cannot read and so cannot send.
 * Failures become an ApiError with the API's own code and message (`{ error: { code, message, problems? } }`), so a page
 * can say what went wrong in the API's words.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: string[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The CSRF token of the current session (from /api/v1/me); absent in open mode without a session. */
let csrfToken: string | undefined;

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called on a 401 from a call that needs a session: the session ended (expired, signed out elsewhere, token revoked). */
let onSessionLost: () => void = () => {};

export function whenSessionLost(handler: () => void): void {
  onSessionLost = handler;
}

export interface RequestOptions {
  body?: unknown;
  /** A 401 is an answer the caller handles itself (signing in with a wrong token), not a lost session. */
  unauthorizedIsAnswer?: boolean;
  signal?: AbortSignal;
}

/** The API's error body, or a description of what came back instead (a proxy's HTML page, a dropped connection). */
async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; problems?: unknown } };
    const error = body.error;
    if (error && typeof error.code === 'string' && typeof error.message === 'string') {
      const problems = Array.isArray(error.problems) ? error.problems.filter((p): p is string => typeof p === 'string') : [];
      return new ApiError(response.status, error.code, error.message, problems);
    }
  } catch {
    // Not JSON: described below.
  }
  return new ApiError(response.status, 'unexpected_response', `the server answered ${response.status} ${response.statusText || ''}`.trim());
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'network', 'the API could not be reached: check your connection and try again');
  }
  if (response.status === 401 && !options.unauthorizedIsAnswer) onSessionLost();
  if (!response.ok) throw await errorOf(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** A query string from the values that are set, in a stable order. */
export function queryString(values: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}
