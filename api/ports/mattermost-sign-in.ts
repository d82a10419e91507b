/**
 * Sign-in with Mattermost (Mattermost as OAuth 2.0 provider), as the web app's routes need it: where to send the
 * browser, and whom a returned code names. The adapter (integrations/mattermost/oauth-sign-in.ts) keeps Mattermost's
 * access token only as long as it takes to ask who it belongs to: we never act in Mattermost as the person.
 */
export interface MattermostSignIn {
  /** The Mattermost page that asks the person to sign in and approve (`/oauth/authorize?...`). */
  authorizeUrl(request: { state: string; redirectUri: string }): string;
  /** Exchanges the code (single use) for a token and answers the Mattermost user ID it belongs to. */
  userIdFor(grant: { code: string; redirectUri: string }): Promise<string>;
}

/** Why a sign-in failed: `refused` (bad or used code, wrong secret, the person declined) or `unavailable` (Mattermost down, OAuth turned off). */
export class MattermostSignInError extends Error {
  constructor(readonly reason: 'refused' | 'unavailable', message: string) {
    super(message);
    this.name = 'MattermostSignInError';
  }
}
