/**
 * Signing in to the web app (/app/auth/*) and asking who is signed in (GET /api/v1/me).
 *
 * - With Mattermost (Mattermost as OAuth 2.0 provider): /app/auth/login sends the browser to Mattermost with a fresh
 *   `state`, kept in a short-lived signed cookie; /app/auth/callback checks it, trades the code for the person's
 *   Mattermost user ID (api/ports/mattermost-sign-in.ts), makes sure Mattermost has that user active, and starts a
 *   session. The person is who Mattermost says, and the same rules as in chat apply to them.
 * - With an API token, for ops and automation: POST /app/auth/token. The token itself is never stored in the cookie.
 *
 * Failures on the way back from Mattermost land on the sign-in page with a reason (`?error=`), not on a JSON page.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { HttpError } from '../http-error.js';
import { parseInput } from '../parse-input.js';
import { callerOf, callerOfToken, findToken, type ApiToken, ANONYMOUS } from '../auth/api-tokens.js';
import { markAuthenticationFailed } from '../auth/failed-authentication.js';
import { isSameSiteRequest, sessionTokenPrefix, webSessionOf, type PeopleLookup } from '../auth/web-session-caller.js';
import { newSession, openValue, sealSession, sealValue, setCookieHeader, SESSION_COOKIE, cookieValue, type WebSession } from '../auth/web-session.js';
import { MattermostSignInError, type MattermostSignIn } from '../ports/mattermost-sign-in.js';

export const OAUTH_COOKIE = 'ic_oauth';
/** How long a person may take on Mattermost's sign-in page. */
const SIGN_IN_WINDOW_MS = 10 * 60_000;
const SIGN_IN_PAGE = '/app/sign-in';

export interface WebAuthOptions {
  secret: string;
  tokens: readonly ApiToken[];
  /** Sign-in with Mattermost and who its user IDs are; absent: token sign-in only. */
  mattermost?: { signIn: MattermostSignIn; people: PeopleLookup };
  /** The API's public address (PUBLIC_URL): the callback Mattermost sends people back to, and whether cookies are Secure. */
  publicUrl?: string;
}

/** What GET /api/v1/me and a token sign-in answer. */
export interface SignedIn {
  name: string;
  scope: string;
  admin: boolean;
  via: 'mattermost' | 'token' | 'open';
  mattermostUserId?: string;
  /** Send it as X-CSRF-Token with every change made with the session cookie. */
  csrf?: string;
  /** A Mattermost person's groups (what playbook permissions name), when Mattermost could say. */
  groups?: string[];
}

const tokenSignInSchema = z.object({ token: z.string().min(1).max(512) }).strict();
const callbackSchema = z.object({
  code: z.string().min(1).max(512).optional(),
  state: z.string().min(1).max(1024).optional(),
  error: z.string().max(200).optional(),
});
const pendingSchema = z.object({ state: z.string(), returnTo: z.string(), exp: z.number() });

/** Where to go after signing in: a path of the web app, never another site (`//evil`, `/\evil`) or another part of ours. */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || value.length > 512) return '/app/';
  // No dot segments either: "/app/..//evil" resolves to the path "//evil", which a later hop could take for a host.
  const path = value.split(/[?#]/, 1)[0]!;
  const dotted = path.split('/').some((segment) => segment === '.' || segment === '..');
  return /^\/app\/(?![/\\])[^\\\s]*$/.test(value) && !value.startsWith('/app/auth/') && !dotted ? value : '/app/';
}

function signedIn(res: Response): SignedIn {
  const caller = callerOf(res);
  if (!caller) throw new HttpError(401, 'unauthorized', 'not signed in');
  const session = webSessionOf(res);
  const via = session?.via ?? (caller === ANONYMOUS ? 'open' : 'token');
  return {
    name: caller.name,
    scope: caller.scope,
    admin: caller.scope === 'admin',
    via,
    ...(caller.person ? { mattermostUserId: caller.person.id } : {}),
    ...(session ? { csrf: session.csrf } : {}),
  };
}

/**
 * GET /api/v1/me: who the request is authenticated as; mount after authentication. A Mattermost person's groups come
 * too (the web app offers editing a playbook whose permissions name a group of theirs); without them, it offers and the
 * API decides.
 */
export function meRoute(options: { groupsOf?: (userId: string) => Promise<string[]> } = {}): Router {
  const router = express.Router();
  router.get('/me', async (_req, res) => {
    const me = signedIn(res);
    const groups = me.mattermostUserId && options.groupsOf ? await options.groupsOf(me.mattermostUserId).catch(() => undefined) : undefined;
    res.set('Cache-Control', 'no-store').json({ ...me, ...(groups ? { groups } : {}) });
  });
  return router;
}

export function webAuthRoutes(options: WebAuthOptions): Router {
  const router = express.Router();
  const secure = options.publicUrl?.startsWith('https:') ?? false;
  const publicOrigin = options.publicUrl ? new URL(options.publicUrl).origin : undefined;
  const callbackUrl = (req: Request) => `${(options.publicUrl ?? `${req.protocol}://${req.get('host') ?? ''}`).replace(/\/+$/, '')}/app/auth/callback`;

  const startSession = (res: Response, session: WebSession) => {
    res.append('Set-Cookie', setCookieHeader(SESSION_COOKIE, sealSession(session, options.secret), { secure }));
  };
  const requireSameSite = (req: Request) => {
    if (!isSameSiteRequest(req, publicOrigin)) throw new HttpError(403, 'forbidden', 'signing in and out is for the web app itself, not another site');
  };

  router.get('/options', (_req, res) => {
    res.json({ mattermost: options.mattermost !== undefined, tokens: options.tokens.length > 0, open: options.tokens.length === 0 });
  });

  router.post('/token', (req, res) => {
    requireSameSite(req);
    if (options.tokens.length === 0) {
      throw new HttpError(409, 'conflict', 'this API has no API tokens (open mode): everyone on this machine is already signed in');
    }
    const { token } = parseInput(tokenSignInSchema, req.body ?? {}, 'token sign-in');
    const configured = findToken(token.trim(), options.tokens);
    if (!configured) {
      res.set('WWW-Authenticate', 'Bearer');
      throw new HttpError(401, 'unauthorized', 'unknown API token');
    }
    const session = newSession({ via: 'token', sub: configured.name, tok: sessionTokenPrefix(configured) });
    startSession(res, session);
    res.locals.caller = callerOfToken(configured);
    res.locals.webSession = session;
    res.set('Cache-Control', 'no-store').json(signedIn(res));
  });

  router.post('/sign-out', (req, res) => {
    requireSameSite(req);
    res.append('Set-Cookie', setCookieHeader(SESSION_COOKIE, undefined, { secure }));
    res.status(204).end();
  });

  router.get('/login', (req, res) => {
    if (!options.mattermost) {
      throw new HttpError(404, 'not_found', 'sign-in with Mattermost is not configured on this API (MATTERMOST_OAUTH_CLIENT_ID and MATTERMOST_OAUTH_CLIENT_SECRET; npm run mattermost:setup makes them)');
    }
    const state = randomBytes(32).toString('base64url');
    const pending = { state, returnTo: safeReturnTo(req.query.return_to), exp: Date.now() + SIGN_IN_WINDOW_MS };
    res.append('Set-Cookie', setCookieHeader(OAUTH_COOKIE, sealValue(OAUTH_COOKIE, pending, options.secret), { secure, path: '/app/auth', maxAgeSeconds: SIGN_IN_WINDOW_MS / 1000 }));
    res.set('Cache-Control', 'no-store').redirect(302, options.mattermost.signIn.authorizeUrl({ state, redirectUri: callbackUrl(req) }));
  });

  router.get('/callback', async (req, res) => {
    const failed = (reason: string) => {
      markAuthenticationFailed(res);
      res.set('Cache-Control', 'no-store').redirect(302, `${SIGN_IN_PAGE}?error=${reason}`);
    };
    if (!options.mattermost) {
      failed('not_configured');
      return;
    }
    res.append('Set-Cookie', setCookieHeader(OAUTH_COOKIE, undefined, { secure, path: '/app/auth' }));
    const query = callbackSchema.safeParse(req.query);
    const pending = pendingSchema.safeParse(openValue(OAUTH_COOKIE, cookieValue(req.get('cookie'), OAUTH_COOKIE), options.secret));
    if (!pending.success || pending.data.exp < Date.now()) {
      failed('expired');
      return;
    }
    if (!query.success || !query.data.state || !sameText(query.data.state, pending.data.state)) {
      failed('state_mismatch');
      return;
    }
    if (query.data.error || !query.data.code) {
      failed('declined');
      return;
    }
    try {
      const userId = await options.mattermost.signIn.userIdFor({ code: query.data.code, redirectUri: callbackUrl(req) });
      // Mattermost vouches for the ID; whether that user is active, and who they are, it says through the bot as in chat.
      const actor = await options.mattermost.people.who(userId).catch(() => {
        throw new MattermostSignInError('unavailable', 'could not ask Mattermost who signed in');
      });
      if (!actor) {
        failed('inactive');
        return;
      }
      startSession(res, newSession({ via: 'mattermost', mmid: actor.id }));
      res.set('Cache-Control', 'no-store').redirect(302, pending.data.returnTo);
    } catch (error) {
      if (error instanceof MattermostSignInError) {
        failed(error.reason === 'refused' ? 'refused' : 'unavailable');
        return;
      }
      throw error;
    }
  });

  return router;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
