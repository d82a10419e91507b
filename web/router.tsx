/**
 * Our own router on the History API: the address bar is the state (filters included), links inside the app change it
 * without a page load, and Back and Forward work. /app/auth/* are server routes (sign-in with Mattermost): links there
 * load the page for real.
 */
import { signal } from '@preact/signals';
import { matchPlaybookPath, type PlaybookRoute } from './playbooks/paths.js';

export type Route =
  | { name: 'incidents' }
  | { name: 'incident'; id: string }
  | { name: 'start-incident' }
  | { name: 'stats' }
  | { name: 'sign-in' }
  | PlaybookRoute
  | { name: 'not-found' };

export interface Place {
  path: string;
  search: URLSearchParams;
}

const here = (): Place => ({ path: window.location.pathname, search: new URLSearchParams(window.location.search) });

/** Where the app is; pages read it and re-render when it changes. */
export const place = signal<Place>(here());

export function match(path: string): Route {
  if (path === '/app/' || path === '/app') return { name: 'incidents' };
  if (path === '/app/sign-in') return { name: 'sign-in' };
  if (path === '/app/stats') return { name: 'stats' };
  // Before the incident pattern, which "new" also matches.
  if (path === '/app/incidents/new') return { name: 'start-incident' };
  const incident = /^\/app\/incidents\/([^/]+)$/.exec(path);
  if (incident) return { name: 'incident', id: decodeURIComponent(incident[1]!) };
  const playbook = matchPlaybookPath(path);
  if (playbook) return playbook;
  return { name: 'not-found' };
}

/** Goes to an app address; `replace` leaves no history entry (redirects), `state` travels with the entry. */
export function navigate(to: string, options: { replace?: boolean; state?: unknown } = {}): void {
  if (options.replace) window.history.replaceState(options.state ?? null, '', to);
  else window.history.pushState(options.state ?? null, '', to);
  place.value = here();
}

/** A path the app may send someone back to after signing in: one of its own pages, never another site. */
export function safeReturnTo(value: string | null | undefined): string {
  if (!value || !value.startsWith('/app/') || value.startsWith('/app/auth/') || /[\\\s]|\/\//.test(value)) return '/app/';
  return value;
}

/** The current address, as a return_to value. */
export function currentPath(): string {
  return `${window.location.pathname}${window.location.search}`;
}

function isAppLink(anchor: HTMLAnchorElement): boolean {
  return (
    !(anchor.getAttribute('href') ?? '').startsWith('#') &&
    anchor.origin === window.location.origin &&
    anchor.pathname.startsWith('/app/') &&
    !anchor.pathname.startsWith('/app/auth/') &&
    !anchor.pathname.startsWith('/app/assets/') &&
    !anchor.hasAttribute('download') &&
    (anchor.target === '' || anchor.target === '_self')
  );
}

/** Follows clicks on the app's own links without a page load (a modified click still opens a new tab). */
export function startRouter(): void {
  window.addEventListener('popstate', () => {
    place.value = here();
  });
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = (event.target as Element | null)?.closest?.('a');
    if (!anchor || !anchor.href || !isAppLink(anchor)) return;
    event.preventDefault();
    navigate(`${anchor.pathname}${anchor.search}`);
  });
}
