/**
 * A page's read from the API, redone when its inputs change: the earlier one is aborted, so a slow answer for old
 * filters never replaces the answer for the new ones.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';

export type RequestState<T> =
  | { status: 'loading' }
  | { status: 'done'; data: T }
  | { status: 'failed'; error: Error };

export function useRequest<T>(load: (signal: AbortSignal) => Promise<T>, inputs: unknown[]): RequestState<T> & { retry: () => void } {
  const [state, setState] = useState<RequestState<T>>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setState({ status: 'loading' });
    load(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ status: 'done', data });
      },
      (error: Error) => {
        if (!controller.signal.aborted) setState({ status: 'failed', error });
      },
    );
    return () => controller.abort();
    // Redone when the caller's inputs change, not `load`, which is a new function on every render.
  }, [...inputs, attempt]);
  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  return { ...state, retry };
}
