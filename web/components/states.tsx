/** What a page shows while it waits, when a call failed, and when there is nothing to show. */
import type { ComponentChildren } from 'preact';
import type { ApiError } from '../api.js';

export function Loading({ what }: { what: string }) {
  return (
    <p class="state loading" role="status">
      <span class="spinner" aria-hidden="true" />
      Loading {what}…
    </p>
  );
}

/** Whether asking again may help: not for a refusal of the request itself (404, 400, 403), but for 408, 429 and outages. */
function mayPassOnRetry(error: Error): boolean {
  const status = (error as Partial<ApiError>).status;
  return status === undefined || status === 408 || status === 429 || status < 400 || status >= 500;
}

/** The API's problems with a request ("path: message"), as a list; nothing when there are none. */
export function Problems({ problems }: { problems: readonly string[] }) {
  if (problems.length === 0) return null;
  return (
    <ul>
      {problems.map((problem) => (
        <li key={problem}>{problem}</li>
      ))}
    </ul>
  );
}

export function Failure({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  const problems = (error as Partial<ApiError>).problems ?? [];
  return (
    <div class="state failure" role="alert">
      <p>
        <strong>Something went wrong:</strong> {error.message}
      </p>
      <Problems problems={problems} />
      {onRetry && mayPassOnRetry(error) ? (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="state empty" role="status">
      <p class="empty-title">{title}</p>
      {children}
    </div>
  );
}
