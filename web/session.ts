/**
 * Who is signed in. The session itself is an HttpOnly cookie the API sets (token sign-in, or Mattermost's): the app
 * never sees a secret, it asks /api/v1/me who the cookie names and keeps the CSRF token the answer carries for changes.
 */
import { signal } from '@preact/signals';
import { request, setCsrfToken, whenSessionLost } from './api.js';
import { currentPath, navigate } from './router.js';

export interface Me {
  name: string;
  scope: 'read' | 'write' | 'admin';
  admin: boolean;
  /** How the session was made; `open`: the API has no tokens and everyone on this machine is `anonymous`. */
  via: 'mattermost' | 'token' | 'open';
  mattermostUserId?: string;
  csrf?: string;
  /** A Mattermost person's groups, when Mattermost could say. */
  groups?: string[];
}

/** Which sign-ins the API offers (GET /app/auth/options). */
export interface SignInOptions {
  mattermost: boolean;
  tokens: boolean;
  open: boolean;
}

/** undefined: not asked yet; null: nobody is signed in. */
export const me = signal<Me | null | undefined>(undefined);

function signedIn(who: Me | null): void {
  me.value = who;
  setCsrfToken(who?.csrf);
}

/** The sign-in page, coming back here afterwards. */
export function signInPath(returnTo = currentPath()): string {
  return `/app/sign-in?return_to=${encodeURIComponent(returnTo)}`;
}

whenSessionLost(() => {
  if (me.value === null) return;
  signedIn(null);
  if (window.location.pathname !== '/app/sign-in') navigate(signInPath(), { replace: true });
});

/** Asks the API who the session cookie names (null: nobody). Other failures are thrown for the page to show. */
export async function loadSession(): Promise<void> {
  try {
    signedIn(await request<Me>('GET', '/api/v1/me', { unauthorizedIsAnswer: true }));
  } catch (error) {
    if ((error as { status?: number }).status === 401) signedIn(null);
    else throw error;
  }
}

export async function signInWithToken(token: string): Promise<Me> {
  const who = await request<Me>('POST', '/app/auth/token', { body: { token }, unauthorizedIsAnswer: true });
  signedIn(who);
  return who;
}

export async function signOut(): Promise<void> {
  await request<void>('POST', '/app/auth/sign-out', { unauthorizedIsAnswer: true });
  signedIn(null);
  navigate('/app/sign-in', { replace: true });
}

export function signInOptions(): Promise<SignInOptions> {
  return request<SignInOptions>('GET', '/app/auth/options', { unauthorizedIsAnswer: true });
}
