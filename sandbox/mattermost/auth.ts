/**
 * Authentication of the REST API: the sandbox keeps no sessions, so a static token map (MattermostSandboxOptions.tokens)
 * says which seeded user a bearer token is; the websocket asks the same map (state.ts).
 */
import type { Router } from 'express';
import { sendJson } from '../sandbox-server.js';
import { apiError } from './errors.js';
import { API } from './http.js';
import type { MattermostWorld } from './state.js';

export function registerAuth(router: Router, world: MattermostWorld): void {
  router.use(API, (req, res, next) => {
    // Client4 sends "BEARER <token>"; the real server also takes the "Token" scheme, and either case.
    const match = /^(?:bearer|token)\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    const user = match?.[1] ? world.userForToken(match[1]) : undefined;
    if (!user) {
      const error = apiError(401, 'api.context.session_expired.app_error', 'The session is missing, invalid or expired.');
      sendJson(res, 401, error.body());
      return;
    }
    res.locals.sessionUserId = user.id;
    next();
  });
}
