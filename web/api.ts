/**
 * Every call the web app makes to its API. The session is an HttpOnly cookie the browser sends by itself (same origin
 * only); a change also carries the session's CSRF token in a header, which another site cannot read and so cannot send.
 * Failures become an ApiError with the API's own code and message (`{ error: { code, message, problems?, fields? } }`), so
 * a page can say what went wrong in the API's words (and an editor show each problem at its field).
 */

/** A problem at its place in what was sent: `checklists[0].tasks[2].title` (empty for the whole input). */
export interface FieldProblem {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: string[] = [],
    readonly fields: FieldProblem[] = [],
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
  /** A text body sent as it is (a playbook in YAML), instead of `body` as JSON. */
  text?: { content: string; type: string };
  /** What to ask for (Accept); JSON when absent. */
  accept?: string;
  /** For If-Match and the like. */
  headers?: Record<string, string>;
  /** A 401 is an answer the caller handles itself (signing in with a wrong token), not a lost session. */
  unauthorizedIsAnswer?: boolean;
  signal?: AbortSignal;
}

/** The API's error body, or a description of what came back instead (a proxy's HTML page, a dropped connection). */
async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; problems?: unknown; fields?: unknown } };
    const error = body.error;
    if (error && typeof error.code === 'string' && typeof error.message === 'string') {
      const problems = Array.isArray(error.problems) ? error.problems.filter((p): p is string => typeof p === 'string') : [];
      const fields = Array.isArray(error.fields)
        ? error.fields.filter((f): f is FieldProblem => typeof (f as FieldProblem)?.path === 'string' && typeof (f as FieldProblem)?.message === 'string')
        : [];
      return new ApiError(response.status, error.code, error.message, problems, fields);
    }
  } catch {
    // Not JSON: described below.
  }
  return new ApiError(response.status, 'unexpected_response', `the server answered ${response.status} ${response.statusText || ''}`.trim());
}

/** Sends a request; an answer that is not 2xx is thrown as an ApiError. */
async function send(method: string, path: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers, Accept: options.accept ?? 'application/json' };
  const body = options.text ? options.text.content : options.body !== undefined ? JSON.stringify(options.body) : undefined;
  if (body !== undefined) headers['Content-Type'] = options.text ? options.text.type : 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'network', 'the API could not be reached: check your connection and try again');
  }
  if (response.status === 401 && !options.unauthorizedIsAnswer) onSessionLost();
  if (!response.ok) throw await errorOf(response);
  return response;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(method, path, options);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** A call whose answer is text (a playbook as YAML). */
export async function requestText(method: string, path: string, options: RequestOptions = {}): Promise<string> {
  return (await send(method, path, options)).text();
}

/** A query string from the values that are set, in a stable order. */
export function queryString(values: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}
