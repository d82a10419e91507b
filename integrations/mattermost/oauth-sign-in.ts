/**
 * Sign-in with Mattermost on fetch (Client4 has no call for the token endpoint): the authorize URL the browser is sent
 * to, and the code exchange (`POST /oauth/access_token`, form-encoded, then `GET /api/v4/users/me` with the token).
 * Only the user's ID is kept; the token is dropped as soon as Mattermost has said whose it is.
 *
 * Failures become MattermostSignInError: `refused` when Mattermost turned the request down (a used, expired or unknown
 * code, a redirect_uri other than the authorize call's, wrong client credentials), `unavailable` when it could not
 * answer (down, slow, OAuth turned off: 501). Messages quote Mattermost's error id and text, never the secret, the code
 * or the token.
 */
import { z } from 'zod';
import { type MattermostSignIn, MattermostSignInError } from '../../api/ports/mattermost-sign-in.js';
import { messageOf } from '../../domain/errors.js';

export interface MattermostSignInOptions {
  /** The Mattermost server's address, e.g. https://chat.example.com. */
  url: string;
  /** The OAuth app's id (MATTERMOST_OAUTH_CLIENT_ID). */
  clientId: string;
  /** The OAuth app's secret (MATTERMOST_OAUTH_CLIENT_SECRET). */
  clientSecret: string;
  /** For tests; the global fetch otherwise. */
  fetch?: typeof fetch;
  /** Per request. Default 10 s. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const MATTERMOST_ID = /^[a-z0-9]{26}$/;
/** Mattermost refuses a longer state (model.AuthorizeRequest.IsValid) or redirect_uri. */
const STATE_MAX = 1024;
const REDIRECT_URI_MAX = 256;
/** Mattermost's codes are 52 characters; anything much longer did not come from it. */
const CODE_MAX = 256;

const tokenAnswer = z.object({ access_token: z.string().min(1), token_type: z.string().regex(/^bearer$/i) });
const userAnswer = z.object({ id: z.string().regex(MATTERMOST_ID) });
const appError = z.object({ id: z.string(), message: z.string() });

export function createMattermostSignIn(options: MattermostSignInOptions): MattermostSignIn {
  const base = checkedBaseUrl(options.url);
  if (!MATTERMOST_ID.test(options.clientId)) throw new Error('the Mattermost OAuth client id must be the 26-character app id Mattermost gave (MATTERMOST_OAUTH_CLIENT_ID)');
  if (!options.clientSecret.trim()) throw new Error('the Mattermost OAuth client secret is empty (MATTERMOST_OAUTH_CLIENT_SECRET)');
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  return {
    authorizeUrl({ state, redirectUri }) {
      if (state.length === 0 || state.length > STATE_MAX) throw new Error(`the OAuth state must be 1 to ${STATE_MAX} characters`);
      checkRedirectUri(redirectUri);
      const query = new URLSearchParams({ response_type: 'code', client_id: options.clientId, redirect_uri: redirectUri, state });
      return `${base}/oauth/authorize?${query}`;
    },

    async userIdFor({ code, redirectUri }) {
      if (code.length === 0 || code.length > CODE_MAX) throw new MattermostSignInError('refused', 'the sign-in code is missing or too long');
      checkRedirectUri(redirectUri);
      const secrets = [options.clientSecret, code];
      const form = new URLSearchParams({ grant_type: 'authorization_code', client_id: options.clientId, client_secret: options.clientSecret, code, redirect_uri: redirectUri });
      const exchanged = await call(fetchImpl, timeoutMs, 'the code exchange', secrets, `${base}/oauth/access_token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: form.toString(),
      });
      const token = tokenAnswer.safeParse(exchanged);
      if (!token.success) throw new MattermostSignInError('unavailable', 'Mattermost answered the code exchange without a bearer access token');
      const accessToken = token.data.access_token;
      const me = await call(fetchImpl, timeoutMs, 'the user lookup', [...secrets, accessToken], `${base}/api/v4/users/me`, {
        headers: { Authorization: `Bearer ${accessToken}`, Accept: 'application/json' },
      });
      const user = userAnswer.safeParse(me);
      if (!user.success) throw new MattermostSignInError('unavailable', 'Mattermost answered /api/v4/users/me without a user id');
      return user.data.id;
    },
  };
}

function checkedBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`the Mattermost URL "${url.slice(0, 100)}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`the Mattermost URL must be http(s), got ${parsed.protocol}`);
  return url.replace(/\/+$/, '');
}

function checkRedirectUri(redirectUri: string): void {
  if (redirectUri.length > REDIRECT_URI_MAX || !/^https?:\/\/[^\s/]+/.test(redirectUri)) {
    throw new Error(`the OAuth redirect_uri must be an http(s) URL of at most ${REDIRECT_URI_MAX} characters`);
  }
}

/** One request; answers the parsed JSON of a 2xx, or throws the MattermostSignInError its failure means. */
async function call(fetchImpl: typeof fetch, timeoutMs: number, what: string, secrets: string[], url: string, init: RequestInit): Promise<unknown> {
  let response: Response;
  try {
    response = await fetchImpl(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new MattermostSignInError('unavailable', `Mattermost ${networkProblem(error)} during ${what}`);
  }
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (response.ok) return body;
  const parsed = appError.safeParse(body);
  const said = parsed.success ? `${parsed.data.id}: ${parsed.data.message}` : 'no Mattermost error in the answer';
  const detail = `Mattermost answered ${what} with ${response.status} (${redact(said, secrets).slice(0, 300)})`;
  if (response.status === 501) throw new MattermostSignInError('unavailable', `${detail}; is ServiceSettings.EnableOAuthServiceProvider on?`);
  const refused = response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429;
  throw new MattermostSignInError(refused ? 'refused' : 'unavailable', detail);
}

function networkProblem(error: unknown): string {
  const name = (error as { name?: string } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return 'did not answer in time';
  const code = (error as { cause?: { code?: string } } | null)?.cause?.code;
  return `could not be reached (${code ?? (messageOf(error))})`;
}

/** Mattermost's texts name none of these today; the replacement makes sure a future one does not carry them into a log. */
function redact(text: string, secrets: string[]): string {
  return secrets.filter((secret) => secret.length >= 4).reduce((result, secret) => result.split(secret).join('[redacted]'), text);
}
