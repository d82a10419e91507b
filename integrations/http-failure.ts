/**
 * One classification of HTTP failures for every adapter: what a retry can fix (network trouble, timeouts, 408, 429,
 * 5xx) and what it cannot (bad input, bad credentials, missing things). Retry-After is honoured when the server sends it.
 * Messages name the service the adapter speaks to, as the adapter names it: a role (on-call) has more than one service.
 */
import { IntegrationError, type IntegrationSystem } from '../activities/ports/integration-error.js';
import { messageOf } from '../domain/errors.js';

/** Whose failure it is: the role the adapter plays and the service's name as people read it ("PagerDuty"). */
export interface FailureSource {
  system: IntegrationSystem;
  service: string;
}

const KIND_BY_STATUS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  413: 'TooLarge',
  422: 'Unprocessable',
  408: 'Timeout',
  429: 'RateLimited',
};

/** Seconds or an HTTP date, as Retry-After allows; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function httpFailure(
  { system, service }: FailureSource,
  status: number,
  detail: string,
  retryAfter?: string | null,
): IntegrationError {
  const retryable = status === 408 || status === 429 || status >= 500;
  const kind = KIND_BY_STATUS[status] ?? (status >= 500 ? 'Unavailable' : 'HttpError');
  const message = `${service} answered ${status}${detail ? `: ${detail}` : ''}`;
  return new IntegrationError(system, message, retryable, kind, retryable ? parseRetryAfter(retryAfter) : undefined);
}

/** Connection refused or reset, DNS failure, timeout: always worth another try. */
export function networkFailure({ system, service }: FailureSource, error: unknown): IntegrationError {
  const code = (error as { code?: string; cause?: { code?: string } } | null)?.code ?? (error as { cause?: { code?: string } })?.cause?.code;
  const name = (error as { name?: string } | null)?.name;
  const timedOut = name === 'TimeoutError' || name === 'AbortError' || code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT' || code === 'ECONNABORTED';
  const what = timedOut ? 'did not answer in time' : `could not be reached (${code ?? (messageOf(error))})`;
  return new IntegrationError(system, `${service} ${what}`, true, timedOut ? 'Timeout' : 'NetworkError');
}
