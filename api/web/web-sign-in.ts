/**
 * The web app's sign-in as createApp mounts it: its options, the session middleware that goes in front of /api/v1's
 * token check, and the /app/auth routes. Kept here so the app's assembly reads as a list of doors.
 */
import type { RequestHandler, Router } from 'express';
import type { ApiToken } from '../auth/api-tokens.js';
import { MIN_SESSION_SECRET_LENGTH } from '../auth/web-session.js';
import { webSessionCaller, type PeopleLookup } from '../auth/web-session-caller.js';
import type { MattermostSignIn } from '../ports/mattermost-sign-in.js';
import { webAuthRoutes } from './auth-routes.js';

export interface WebAppOptions {
  /** The built app (index.html and assets/); absent or missing on disk: /app/ answers 503 "the web app was not built". */
  root?: string;
  /** Signs the session cookies (WEB_SESSION_SECRET, at least 32 characters). */
  sessionSecret: string;
  /** Sign-in with Mattermost; absent: token sign-in only. It needs the bot (`mattermost` or `chatIdentity`) to ask who people are. */
  mattermostSignIn?: MattermostSignIn;
}

export interface WebSignInContext {
  tokens: readonly ApiToken[];
  /** Who a Mattermost user ID is (the chat identities), when the Mattermost front door runs. */
  people?: PeopleLookup;
  /** Where browsers reach the API (PUBLIC_URL): the OAuth callback, the origin changes must come from, Secure cookies. */
  publicUrl?: string;
}

export interface WebSignIn {
  /** Mounted on /api/v1 before `authenticate`. */
  sessionCaller: RequestHandler;
  /** Mounted on /app/auth, after the JSON body parser. */
  routes: Router;
}

/** The sign-in parts for these options; refuses (throws) a configuration that cannot work. */
export function webSignIn(web: WebAppOptions, context: WebSignInContext): WebSignIn {
  if (web.mattermostSignIn && !context.people) {
    throw new Error('sign-in with Mattermost needs the bot (MATTERMOST_URL and MATTERMOST_BOT_TOKEN) to ask who people are');
  }
  if (web.sessionSecret.length < MIN_SESSION_SECRET_LENGTH) throw new Error(`the web session secret must be at least ${MIN_SESSION_SECRET_LENGTH} characters`);
  const { tokens, people, publicUrl } = context;
  return {
    sessionCaller: webSessionCaller({ secret: web.sessionSecret, tokens, ...(people ? { people } : {}), ...(publicUrl ? { publicOrigin: new URL(publicUrl).origin } : {}) }),
    routes: webAuthRoutes({
      secret: web.sessionSecret,
      tokens,
      ...(web.mattermostSignIn && people ? { mattermost: { signIn: web.mattermostSignIn, people } } : {}),
      ...(publicUrl ? { publicUrl } : {}),
    }),
  };
}
