/**
 * Mattermost as OAuth 2.0 provider, the browser half: `GET /oauth/authorize` and `POST /oauth/access_token`, with the
 * real server's checks, order and answers (web/oauth.go and app/oauth.go of Mattermost 9.11, and what that server
 * answered in test/contract/mattermost/oauth-sign-in.test.ts).
 *
 * Who is signing in: the session of the MMAUTHTOKEN cookie or a bearer header, as on the real server (any token of the
 * sandbox's token map). Without one the real server sends the browser to its login page; the sandbox has none, so it
 * shows a page that lists the users to sign in as (a form POST to /oauth/authorize/sandbox-login with the same query),
 * or takes `?sandbox_user=<username>` directly (for tests). Untrusted apps get a consent page (its form posts to the same
 * route with consent=allow|deny). Then 302 to redirect_uri?code&state.
 *
 * The token endpoint: form-encoded; codes are single use and last 10 minutes, and must come with the authorize call's
 * redirect_uri (a mismatch leaves the code usable). Like the real server, it does not check that the code was issued
 * to the client presenting it; the client's own secret is checked. The token it issues authenticates the user on the
 * REST API (GET /api/v4/users/me), and the same token comes back until it expires (30 days). Refresh tokens are issued
 * but not taken: a refresh_token grant answers bad_grant.
 */
import type { Request, Response, Router } from 'express';
import { sendJson } from '../sandbox-server.js';
import { apiError, MattermostApiError } from './errors.js';
import { isValidId, newMattermostId } from './ids.js';
import { isHttpUrl } from './oauth.js';
import { consentPage, errorPage, sendPage, signInPage } from './oauth-pages.js';
import type { MattermostWorld } from './state.js';
import type { SandboxOAuthApp, SandboxUserProfile } from './types.js';

const CODE_LIFETIME_MS = 10 * 60 * 1000;
const ACCESS_TOKEN_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;
const STATE_MAX = 1024;
const SCOPE_MAX = 128;
const REDIRECT_URI_MAX = 256;
const DISABLED = 'The system admin has turned off OAuth2 Service Provider.';

interface AuthorizeRequest {
  response_type: string;
  client_id: string;
  redirect_uri: string;
  state: string;
  scope: string;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

function authorizeRequestOf(req: Request): AuthorizeRequest {
  const query = req.query;
  return {
    response_type: text(query.response_type),
    client_id: text(query.client_id),
    redirect_uri: text(query.redirect_uri),
    state: text(query.state),
    scope: text(query.scope),
  };
}

/** model.AuthorizeRequest.IsValid: the message of the first problem, as the real server words it. */
function requestProblem(request: AuthorizeRequest): string | undefined {
  if (!isValidId(request.client_id)) return 'Invalid client id.';
  if (request.response_type === '') return 'Invalid response type.';
  if (request.redirect_uri === '' || request.redirect_uri.length > REDIRECT_URI_MAX || !isHttpUrl(request.redirect_uri)) return 'Invalid redirect uri.';
  if (request.state.length > STATE_MAX) return 'Invalid state.';
  if (request.scope.length > SCOPE_MAX) return 'Invalid scope.';
  return undefined;
}

/** The session user of the request: the MMAUTHTOKEN cookie, else a bearer (or "token") Authorization header. */
function sessionUser(world: MattermostWorld, req: Request): SandboxUserProfile | undefined {
  const cookie = /(?:^|;\s*)MMAUTHTOKEN=([^;\s]+)/.exec(req.get('cookie') ?? '')?.[1];
  const bearer = /^(?:bearer|token)\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1];
  const token = cookie ?? bearer;
  return token ? world.userForToken(token) : undefined;
}

/** The query to carry through the sandbox's forms: the authorize request without the sandbox's own field. */
function carriedQuery(req: Request): string {
  const query = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
  query.delete('sandbox_user');
  return query.toString();
}

function redirectTo(res: Response, location: string): void {
  res.status(302);
  res.setHeader('Location', location);
  res.setHeader('Cache-Control', 'no-store');
  res.end();
}

function withQuery(uri: string, values: Record<string, string>): string {
  const url = new URL(uri);
  for (const [name, value] of Object.entries(values)) url.searchParams.set(name, value);
  return url.toString();
}

interface Signer {
  /** Who signs in, when the session or the sandbox's own choice says so. */
  user: SandboxUserProfile | undefined;
  /** The answer on the consent page, when this is its form. */
  consent?: 'allow' | 'deny';
}

function authorize(world: MattermostWorld, req: Request, res: Response, { user, consent }: Signer): void {
  if (!world.enableOAuthServiceProvider) return sendPage(res, 501, errorPage(DISABLED));
  const request = authorizeRequestOf(req);
  const problem = requestProblem(request);
  if (problem) return sendPage(res, 400, errorPage(problem, 'oauth_invalid_param'));
  const app = world.oauthApps.get(request.client_id);
  if (!app) return sendPage(res, 404, errorPage('Unable to find the requested app.'));
  if (!user) {
    const people = [...world.users.values()].filter((candidate) => !candidate.is_bot && candidate.delete_at === 0);
    return sendPage(res, 200, signInPage(app, people, carriedQuery(req)));
  }
  if (!app.callback_urls.includes(request.redirect_uri)) {
    return sendPage(res, 400, errorPage('invalid_request: Supplied redirect_uri did not match registered callback_url.', 'oauth_invalid_redirect_url'));
  }
  const key = `${user.id}:${app.id}`;
  if (consent === 'deny') return redirectTo(res, withQuery(request.redirect_uri, { error: 'access_denied', state: request.state }));
  if (consent === 'allow') world.authorizedOAuthApps.add(key);
  if (!app.is_trusted && !world.authorizedOAuthApps.has(key)) return sendPage(res, 200, consentPage(app, user, carriedQuery(req)));
  // The real server also has the implicit grant ("token"); the sandbox answers it like any other unsupported type.
  if (request.response_type !== 'code') {
    return redirectTo(res, withQuery(request.redirect_uri, { error: 'unsupported_response_type', state: request.state }));
  }
  const code = newMattermostId() + newMattermostId();
  world.authCodes.set(code, {
    code,
    client_id: app.id,
    user_id: user.id,
    redirect_uri: request.redirect_uri,
    state: request.state,
    scope: request.scope,
    create_at: Date.now(),
  });
  redirectTo(res, withQuery(request.redirect_uri, { code, state: request.state }));
}

/** The sandbox's choice of user: `sandbox_user` in the form, or in the query (tests); bots and unknown names refused. */
function chosenUser(world: MattermostWorld, username: string): SandboxUserProfile | undefined {
  const user = username ? world.userByUsername(username) : undefined;
  if (username && (!user || user.is_bot || user.delete_at !== 0)) throw new Error(`no person "${username}" in the sandbox to sign in as`);
  return user;
}

export function registerOAuthFlowRoutes(router: Router, world: MattermostWorld): void {
  router.get('/oauth/authorize', (req, res) => {
    try {
      authorize(world, req, res, { user: sessionUser(world, req) ?? chosenUser(world, text(req.query.sandbox_user)) });
    } catch (error) {
      sendPage(res, 400, errorPage((error as Error).message));
    }
  });
  router.post('/oauth/authorize/sandbox-login', (req, res) => {
    const form = (req.is('application/x-www-form-urlencoded') ? req.body : {}) as Record<string, unknown>;
    const consent = form.consent === 'allow' || form.consent === 'deny' ? form.consent : undefined;
    try {
      authorize(world, req, res, { user: chosenUser(world, text(form.sandbox_user)), ...(consent ? { consent } : {}) });
    } catch (error) {
      sendPage(res, 400, errorPage((error as Error).message));
    }
  });
  router.post('/oauth/access_token', (req, res) => {
    try {
      const answer = accessToken(world, req);
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Pragma', 'no-cache');
      sendJson(res, 200, answer);
    } catch (error) {
      const appError = error instanceof MattermostApiError ? error : apiError(500, 'sandbox.internal.app_error', String(error));
      sendJson(res, appError.status, appError.body());
    }
  });
}

const tokenError = (status: number, name: string, message: string) => apiError(status, `api.oauth.get_access_token.${name}.app_error`, message);

/** GetOAuthAccessTokenForCodeFlow, check by check in the real order. */
function accessToken(world: MattermostWorld, req: Request): Record<string, unknown> {
  // Go's FormValue reads the form body and the query; a JSON body is no form, so its fields are missing.
  const form = { ...req.query, ...(req.is('application/x-www-form-urlencoded') ? (req.body as Record<string, unknown>) : {}) };
  const [grantType, code, clientId, secret, redirectUri] = [form.grant_type, form.code, form.client_id, form.client_secret, form.redirect_uri].map(text) as [string, string, string, string, string];
  if (grantType !== 'authorization_code') throw tokenError(400, 'bad_grant', 'invalid_request: Bad grant_type.');
  if (code === '') throw tokenError(400, 'missing_code', 'invalid_request: Missing code.');
  if (!isValidId(clientId)) throw tokenError(400, 'bad_client_id', 'invalid_request: Bad client_id.');
  if (secret === '') throw tokenError(400, 'bad_client_secret', 'invalid_request: Missing client_secret.');
  if (!world.enableOAuthServiceProvider) throw tokenError(501, 'disabled', DISABLED);
  const app: SandboxOAuthApp | undefined = world.oauthApps.get(clientId);
  if (!app) throw tokenError(404, 'credentials', 'invalid_client: Invalid client credentials.');
  if (app.client_secret !== secret) throw tokenError(403, 'credentials', 'invalid_client: Invalid client credentials.');
  const grant = world.authCodes.get(code);
  const expiredCode = (status: number) => tokenError(status, 'expired_code', 'invalid_grant: Invalid or expired authorization code.');
  if (!grant) throw expiredCode(400);
  const now = Date.now();
  if (now > grant.create_at + CODE_LIFETIME_MS) {
    world.authCodes.delete(code);
    throw expiredCode(403);
  }
  if (grant.redirect_uri !== redirectUri) {
    throw tokenError(400, 'redirect_uri', 'invalid_request: Supplied redirect_uri does not match authorization code redirect_uri.');
  }
  const user = world.users.get(grant.user_id);
  if (!user || user.delete_at !== 0) throw expiredCode(403);
  const key = `${user.id}:${clientId}`;
  let access = world.oauthAccess.get(key);
  if (!access || access.expiresAt <= now) {
    if (access) world.revokeToken(access.token);
    access = { token: newMattermostId(), refreshToken: newMattermostId(), expiresAt: now + ACCESS_TOKEN_LIFETIME_MS };
    world.oauthAccess.set(key, access);
    world.issueToken(access.token, user.id);
  }
  world.authCodes.delete(code);
  return {
    access_token: access.token,
    token_type: 'bearer',
    expires_in: Math.floor((access.expiresAt - now) / 1000),
    scope: '',
    refresh_token: access.refreshToken,
    id_token: '',
  };
}
