/**
 * The sign-in adapter (integrations/mattermost/oauth-sign-in.ts) on what can go wrong around the flow the contract test
 * runs (test/contract/mattermost/oauth-sign-in.test.ts): its input checks, Mattermost down, slow, turned off or
 * answering nonsense, and that no message carries the secret, the code or the token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MattermostSignInError } from '../../api/ports/mattermost-sign-in.js';
import { createMattermostSignIn } from '../../integrations/mattermost/oauth-sign-in.js';
import { createMattermostSandbox, createSandboxSignInApp } from '../../sandbox/mattermost/index.js';

const CALLBACK = 'http://incidents.test/app/auth/callback';
const sandbox = createMattermostSandbox();
let url: string;
let credentials: { clientId: string; clientSecret: string };

beforeAll(async () => {
  url = await sandbox.server.start();
  credentials = await createSandboxSignInApp(url, CALLBACK);
});
afterAll(() => sandbox.server.stop());

async function signInFailure(call: Promise<unknown>): Promise<MattermostSignInError> {
  const error = await call.then(() => undefined, (failure: unknown) => failure);
  if (!(error instanceof MattermostSignInError)) throw new Error(`expected a MattermostSignInError, got ${String(error)}`);
  return error;
}

async function codeFor(username: string): Promise<string> {
  const signIn = createMattermostSignIn({ url, ...credentials });
  const response = await fetch(`${signIn.authorizeUrl({ state: 's', redirectUri: CALLBACK })}&sandbox_user=${username}`, { redirect: 'manual' });
  return new URL(response.headers.get('location')!).searchParams.get('code')!;
}

describe('Mattermost sign-in adapter', () => {
  it('builds the authorize URL with response_type=code, the client id, the redirect_uri and the state', () => {
    const signIn = createMattermostSignIn({ url: `${url}/`, ...credentials });
    const authorize = new URL(signIn.authorizeUrl({ state: 'a+b/c', redirectUri: CALLBACK }));
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${url}/oauth/authorize`);
    expect(Object.fromEntries(authorize.searchParams)).toEqual({ response_type: 'code', client_id: credentials.clientId, redirect_uri: CALLBACK, state: 'a+b/c' });
  });

  it('refuses bad settings and bad requests before calling anyone, naming what is wrong', () => {
    expect(() => createMattermostSignIn({ url: 'chat.example.com', ...credentials })).toThrow(/not a URL/);
    expect(() => createMattermostSignIn({ url: 'ftp://chat.example.com', ...credentials })).toThrow(/must be http\(s\)/);
    expect(() => createMattermostSignIn({ url, clientId: 'short', clientSecret: 'x' })).toThrow(/MATTERMOST_OAUTH_CLIENT_ID/);
    expect(() => createMattermostSignIn({ url, clientId: credentials.clientId, clientSecret: ' ' })).toThrow(/MATTERMOST_OAUTH_CLIENT_SECRET/);
    const signIn = createMattermostSignIn({ url, ...credentials });
    expect(() => signIn.authorizeUrl({ state: '', redirectUri: CALLBACK })).toThrow(/state must be 1 to 1024/);
    expect(() => signIn.authorizeUrl({ state: 's', redirectUri: '/app/auth/callback' })).toThrow(/redirect_uri must be an http\(s\) URL/);
  });

  it('refuses an empty or oversized code without asking Mattermost', async () => {
    const before = sandbox.server.requests.length;
    const signIn = createMattermostSignIn({ url, ...credentials });
    for (const code of ['', 'x'.repeat(257)]) expect((await signInFailure(signIn.userIdFor({ code, redirectUri: CALLBACK }))).reason).toBe('refused');
    expect(sandbox.server.requests.length).toBe(before);
  });

  it('answers the person behind a code', async () => {
    const signIn = createMattermostSignIn({ url, ...credentials });
    expect(await signIn.userIdFor({ code: await codeFor('erin'), redirectUri: CALLBACK })).toBe(sandbox.userId('erin'));
  });

  it('is unavailable when Mattermost has the provider off, saying which setting', async () => {
    await fetch(`${url}/api/v4/config/patch`, { method: 'PUT', headers: { authorization: 'Bearer mm-bot-token', 'content-type': 'application/json' }, body: JSON.stringify({ ServiceSettings: { EnableOAuthServiceProvider: false } }) });
    try {
      const error = await signInFailure(createMattermostSignIn({ url, ...credentials }).userIdFor({ code: 'x'.repeat(52), redirectUri: CALLBACK }));
      expect(error.reason).toBe('unavailable');
      expect(error.message).toMatch(/^Mattermost answered the code exchange with 501 \(api\.oauth\.get_access_token\.disabled\.app_error: .*\); is ServiceSettings\.EnableOAuthServiceProvider on\?$/);
    } finally {
      sandbox.server.reset();
    }
  });

  it('is unavailable when Mattermost fails, is slow, or answers without a token or a user', async () => {
    const signIn = createMattermostSignIn({ url, ...credentials, timeoutMs: 200 });
    sandbox.server.addFault({ path: '/oauth/access_token', status: 503, times: 1 });
    expect(await signInFailure(signIn.userIdFor({ code: await codeFor('alice'), redirectUri: CALLBACK }))).toMatchObject({ reason: 'unavailable', message: expect.stringMatching(/with 503 \(api\.context\.app_error/) });
    sandbox.server.addFault({ path: '/oauth/access_token', latencyMs: 1000, times: 1 });
    expect(await signInFailure(signIn.userIdFor({ code: await codeFor('alice'), redirectUri: CALLBACK }))).toMatchObject({ reason: 'unavailable', message: 'Mattermost did not answer in time during the code exchange' });
    sandbox.server.addFault({ path: '/api/v4/users/me', status: 500, times: 1 });
    expect((await signInFailure(signIn.userIdFor({ code: await codeFor('alice'), redirectUri: CALLBACK }))).message).toMatch(/^Mattermost answered the user lookup with 500/);

    const answering = (body: unknown) => createMattermostSignIn({ url, ...credentials, fetch: async () => Response.json(body) });
    expect((await signInFailure(answering({ token_type: 'bearer' }).userIdFor({ code: 'c', redirectUri: CALLBACK }))).message).toBe('Mattermost answered the code exchange without a bearer access token');
    expect((await signInFailure(answering({ access_token: 't', token_type: 'bearer' }).userIdFor({ code: 'c', redirectUri: CALLBACK }))).message).toBe('Mattermost answered /api/v4/users/me without a user id');
  });

  it('is unavailable when Mattermost cannot be reached', async () => {
    const closed = createMattermostSandbox();
    const closedUrl = await closed.server.start();
    await closed.server.stop();
    const error = await signInFailure(createMattermostSignIn({ url: closedUrl, ...credentials }).userIdFor({ code: 'c', redirectUri: CALLBACK }));
    expect(error).toMatchObject({ reason: 'unavailable', message: 'Mattermost could not be reached (ECONNREFUSED) during the code exchange' });
  });

  it('keeps the secret, the code and the token out of its messages, even when Mattermost repeats them', async () => {
    const code = 'c'.repeat(52);
    const echoing = createMattermostSignIn({
      url,
      ...credentials,
      fetch: async (_input, init) => Response.json({ id: 'some.error', message: `bad request ${String(init?.body)}` }, { status: 400 }),
    });
    const error = await signInFailure(echoing.userIdFor({ code, redirectUri: CALLBACK }));
    expect(error.reason).toBe('refused');
    expect(error.message).not.toContain(code);
    expect(error.message).not.toContain(credentials.clientSecret);
    expect(error.message).toContain('[redacted]');
  });
});
