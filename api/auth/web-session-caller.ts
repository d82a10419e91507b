/**
 * Who calls /api/v1 from the web app: the signed-in person of the session cookie (api/auth/web-session.ts), checked
 * again on every request against what decides today (the configured API tokens, Mattermost's answer for the user ID).
 * Mounted before `authenticate`, which then leaves the caller alone; a request with an Authorization header is a script
 * or a tool, not the page, and is left to `authenticate` whatever cookie it also carries.
 *
 * A change made with the cookie (any method but GET, HEAD, OPTIONS) must carry the session's CSRF token in
 * X-CSRF-Token and must not come from another site (Sec-Fetch-Site, Origin): a page elsewhere can make the browser send
 * the cookie, but it can neither read the token nor pass for our origin.
 */
import type { Request, RequestHandler } from 'express';
import { HttpError } from '../http-error.js';
import type { ChatActor } from '../mattermost/chat-identity.js';
import { callerOfToken, type ApiToken, type Caller } from './api-tokens.js';
import { CSRF_HEADER, SESSION_COOKIE, cookieValue, csrfMatches, openSession, type WebSession } from './web-session.js';

/** Who a Mattermost user ID is now (the chat identity cache). */
export interface PeopleLookup {
  who(userId: string): Promise<ChatActor | undefined>;
}

export interface WebSessionCallerOptions {
  secret: string;
  tokens: readonly ApiToken[];
  /** Asked for sessions signed in with Mattermost; without it such sessions are refused. */
  people?: PeopleLookup;
  /** The origin the app is served at (PUBLIC_URL's); else the request's own Host counts as ours. */
  publicOrigin?: string;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const SIGN_IN_AGAIN = 'sign in to the web app again';

/** A Mattermost person as a REST caller: an incident admin has the admin scope, everyone else write. */
export function callerOfPerson(actor: ChatActor): Caller {
  return { name: actor.username, scope: actor.admin ? 'admin' : 'write', person: { id: actor.id, admin: actor.admin } };
}

/** The configured token a token session names, by name and the start of its hash; undefined once it is gone. */
export function tokenOfSession(session: Extract<WebSession, { via: 'token' }>, tokens: readonly ApiToken[]): ApiToken | undefined {
  return tokens.find((token) => token.name === session.sub && token.sha256.startsWith(session.tok));
}

/** The start of a token's SHA-256 that a session keeps to find it again. */
export const sessionTokenPrefix = (token: ApiToken) => token.sha256.slice(0, 16);

/**
 * Whether a browser request comes from our own pages: Sec-Fetch-Site (sent by every current browser) is same-origin
 * or none, and an Origin, when sent, is ours: PUBLIC_URL's, or the one the request was addressed to (a page on
 * http://localhost:8080 and one on http://127.0.0.1:8080 are both ours; a page elsewhere sends its own origin, and the
 * cookie is never sent to a name it was not set for).
 */
export function isSameSiteRequest(req: Request, publicOrigin?: string): boolean {
  const site = req.get('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = req.get('origin');
  if (origin === undefined) return true;
  return origin === publicOrigin || origin === `${req.protocol}://${req.get('host') ?? ''}`;
}

export function webSessionCaller(options: WebSessionCallerOptions): RequestHandler {
  return (req, res, next) => {
    if (req.get('authorization') !== undefined) {
      next();
      return;
    }
    const session = openSession(cookieValue(req.get('cookie'), SESSION_COOKIE), options.secret);
    if (!session) {
      next();
      return;
    }
    if (!SAFE_METHODS.has(req.method)) {
      if (!isSameSiteRequest(req, options.publicOrigin)) {
        next(new HttpError(403, 'forbidden', 'a change made with the web app\'s sign-in must come from the web app itself, not another site'));
        return;
      }
      if (!csrfMatches(session, req.get(CSRF_HEADER))) {
        next(new HttpError(403, 'csrf_token_missing', `a change made with the web app's sign-in needs the ${CSRF_HEADER} header that GET /api/v1/me answers`));
        return;
      }
    }
    callerOfSession(session, options).then(
      (caller) => {
        res.locals.caller = caller;
        res.locals.webSession = session;
        next();
      },
      next,
    );
  };
}

/** The caller a valid session stands for today, or a 401 saying why it no longer does. */
async function callerOfSession(session: WebSession, options: WebSessionCallerOptions): Promise<Caller> {
  if (session.via === 'token') {
    const token = tokenOfSession(session, options.tokens);
    if (!token) throw new HttpError(401, 'unauthorized', `the API token this sign-in used is no longer configured; ${SIGN_IN_AGAIN}`);
    return callerOfToken(token);
  }
  if (!options.people) throw new HttpError(401, 'unauthorized', `this API no longer offers sign-in with Mattermost; ${SIGN_IN_AGAIN}`);
  let actor: ChatActor | undefined;
  try {
    actor = await options.people.who(session.mmid);
  } catch {
    throw new HttpError(503, 'unavailable', 'could not ask Mattermost who is signed in; try again', [], 5);
  }
  if (!actor) throw new HttpError(401, 'unauthorized', `Mattermost no longer has this active user; ${SIGN_IN_AGAIN}`);
  return callerOfPerson(actor);
}

/** The session the request was authenticated by, if it was the web app's. */
export function webSessionOf(res: { locals: Record<string, unknown> }): WebSession | undefined {
  return res.locals.webSession as WebSession | undefined;
}
