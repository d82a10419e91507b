/**
 * Sign-in with Mattermost, the whole flow, with one test body run against two servers: a real Mattermost 9.11 (when
 * MATTERMOST_CONTRACT_URL is set, as incident-in-mattermost.test.ts says) and the Mattermost sandbox, so the sandbox
 * keeps answering what the real server answers. The provider setting is turned on, the setup code makes the app, a
 * person signed in to Mattermost (a session token, which Mattermost's own login sets as the MMAUTHTOKEN cookie) opens
 * the authorize URL, and the code on the redirect is exchanged by the adapter the API uses.
 *
 * Against the real server this found what the sandbox now imitates: a code is not bound to the app it was issued to (any
 * app's valid credentials redeem it), a wrong redirect_uri leaves the code usable, and a second sign-in of the same
 * person answers the same access token.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client4 } from '@mattermost/client';
import { MattermostSignInError, type MattermostSignIn } from '../../../api/ports/mattermost-sign-in.js';
import { createMattermostSignIn } from '../../../integrations/mattermost/oauth-sign-in.js';
import { setUpSignInApp } from '../../../integrations/mattermost/mattermost-setup.js';
import { createMattermostSandbox } from '../../../sandbox/mattermost/index.js';
import { provisionMattermost } from './provision.js';

const url = process.env.MATTERMOST_CONTRACT_URL;

/** A Mattermost to sign in with: a system admin's client and a person with a session. */
interface Target {
  url: string;
  admin: Client4;
  person: { id: string; sessionToken: string };
  close(): Promise<void>;
}

function clientOf(serverUrl: string, token: string): Client4 {
  const client = new Client4();
  client.setUrl(serverUrl);
  client.setIncludeCookies(false);
  client.setToken(token);
  return client;
}

async function realMattermost(serverUrl: string): Promise<Target> {
  const mm = await provisionMattermost(serverUrl, 'sign-in-contract', ['oauth-alice']);
  const alice = mm.people['oauth-alice']!;
  return { url: serverUrl, admin: mm.admin, person: { id: alice.id, sessionToken: alice.client.getToken() }, close: async () => {} };
}

async function sandboxMattermost(): Promise<Target> {
  // Off at first, so that turning it on is part of the flow here too.
  const sandbox = createMattermostSandbox({
    users: [{ username: 'sysadmin', systemAdmin: true }, { username: 'alice' }],
    tokens: { 'sysadmin-session': 'sysadmin', 'alice-session': 'alice' },
    enableOAuthServiceProvider: false,
  });
  const sandboxUrl = await sandbox.server.start();
  return { url: sandboxUrl, admin: clientOf(sandboxUrl, 'sysadmin-session'), person: { id: sandbox.userId('alice'), sessionToken: 'alice-session' }, close: () => sandbox.server.stop() };
}

/** Rejects with the MattermostSignInError of the call, or fails the test. */
async function signInFailure(call: Promise<unknown>): Promise<MattermostSignInError> {
  const error = await call.then(() => undefined, (failure: unknown) => failure);
  if (!(error instanceof MattermostSignInError)) throw new Error(`expected a MattermostSignInError, got ${String(error)}`);
  return error;
}

it.skipIf(url)('needs a real Mattermost for its half: set MATTERMOST_CONTRACT_URL (see test/contract/mattermost/ and .ci/run)', () => {});

const targets = [
  { name: 'the Mattermost sandbox', enabled: true, open: sandboxMattermost },
  { name: 'a real Mattermost', enabled: Boolean(url), open: () => realMattermost(url!) },
];

describe.each(targets.filter((target) => target.enabled))('sign-in with Mattermost against $name', ({ open }) => {
  let target: Target;
  // A product address of its own on every run, so the setup makes a new app even on a server used before.
  const publicUrl = `http://incidents-${randomBytes(4).toString('hex')}.test`;
  const callback = `${publicUrl}/app/auth/callback`;
  let clientId: string;
  let clientSecret: string;
  let firstSecret: string;
  let signIn: MattermostSignIn;

  beforeAll(async () => {
    target = await open();
  });
  afterAll(() => target?.close());

  /** The browser of a person signed in to Mattermost opening the authorize URL: the redirect Mattermost answers. */
  async function authorize(redirectUri = callback, state = randomBytes(32).toString('base64url')) {
    const response = await fetch(signIn.authorizeUrl({ state, redirectUri }), {
      redirect: 'manual',
      headers: { cookie: `MMAUTHTOKEN=${target.person.sessionToken}` },
    });
    return { response, state, location: response.headers.get('location') };
  }

  async function freshCode(): Promise<string> {
    const { response, location, state } = await authorize();
    expect(response.status).toBe(302);
    const redirect = new URL(location!);
    expect(`${redirect.origin}${redirect.pathname}`).toBe(callback);
    expect(redirect.searchParams.get('state')).toBe(state);
    return redirect.searchParams.get('code')!;
  }

  it('has the provider turned on, and the setup makes a trusted app once, finds it again, and regenerates its secret when asked', async () => {
    await target.admin.patchConfig({ ServiceSettings: { EnableOAuthServiceProvider: true } } as never);
    const config = (await target.admin.getConfig()) as unknown as { ServiceSettings: { EnableOAuthServiceProvider: boolean } };
    expect(config.ServiceSettings.EnableOAuthServiceProvider).toBe(true);

    const created = await setUpSignInApp(target.admin, { publicUrl, regenerateSecret: false });
    expect(created.done).toEqual([`sign-in with Mattermost: OAuth app "Incident Collaboration" created (trusted) for ${callback}; its secret is shown once below`]);
    expect(created.env.MATTERMOST_OAUTH_CLIENT_ID).toMatch(/^[a-z0-9]{26}$/);
    firstSecret = created.env.MATTERMOST_OAUTH_CLIENT_SECRET!;
    expect(firstSecret).toMatch(/^[a-z0-9]{26}$/);

    const again = await setUpSignInApp(target.admin, { publicUrl: `${publicUrl}/`, regenerateSecret: false });
    expect(again.env).toEqual({ MATTERMOST_OAUTH_CLIENT_ID: created.env.MATTERMOST_OAUTH_CLIENT_ID });
    expect(again.done[0]).toMatch(/kept; its secret is not shown again/);

    const regenerated = await setUpSignInApp(target.admin, { publicUrl, regenerateSecret: true });
    expect(regenerated.env.MATTERMOST_OAUTH_CLIENT_ID).toBe(created.env.MATTERMOST_OAUTH_CLIENT_ID);
    expect(regenerated.env.MATTERMOST_OAUTH_CLIENT_SECRET).toMatch(/^[a-z0-9]{26}$/);
    expect(regenerated.env.MATTERMOST_OAUTH_CLIENT_SECRET).not.toBe(firstSecret);
    clientId = regenerated.env.MATTERMOST_OAUTH_CLIENT_ID!;
    clientSecret = regenerated.env.MATTERMOST_OAUTH_CLIENT_SECRET!;

    const app = await target.admin.getOAuthApp(clientId);
    expect(app).toMatchObject({ id: clientId, is_trusted: true, callback_urls: [callback], homepage: `${publicUrl}/app/`, client_secret: clientSecret });
    signIn = createMattermostSignIn({ url: target.url, clientId, clientSecret });
  });

  it('redirects a signed-in person back with a code that names them, once', async () => {
    const code = await freshCode();
    expect(code).toMatch(/^[a-z0-9]{52}$/);
    expect(await signIn.userIdFor({ code, redirectUri: callback })).toBe(target.person.id);

    const reused = await signInFailure(signIn.userIdFor({ code, redirectUri: callback }));
    expect(reused.reason).toBe('refused');
    expect(reused.message).toBe(
      'Mattermost answered the code exchange with 400 (api.oauth.get_access_token.expired_code.app_error: invalid_grant: Invalid or expired authorization code.)',
    );
  });

  it('refuses the exchange with another redirect_uri than the authorize call, and the code then still works', async () => {
    const code = await freshCode();
    const wrong = await signInFailure(signIn.userIdFor({ code, redirectUri: `${publicUrl}/elsewhere` }));
    expect(wrong.reason).toBe('refused');
    expect(wrong.message).toMatch(/400 \(api\.oauth\.get_access_token\.redirect_uri\.app_error/);
    expect(await signIn.userIdFor({ code, redirectUri: callback })).toBe(target.person.id);
  });

  it('refuses the secret the app had before it was regenerated, naming neither secret nor code', async () => {
    const code = await freshCode();
    const stale = createMattermostSignIn({ url: target.url, clientId, clientSecret: firstSecret });
    const refused = await signInFailure(stale.userIdFor({ code, redirectUri: callback }));
    expect(refused.reason).toBe('refused');
    expect(refused.message).toBe('Mattermost answered the code exchange with 403 (api.oauth.get_access_token.credentials.app_error: invalid_client: Invalid client credentials.)');
    expect(refused.message).not.toContain(code);
    expect(refused.message).not.toContain(firstSecret);
  });

  it('redeems a code with another app\'s credentials, as Mattermost 9.11 does: the code is not bound to its app', async () => {
    const other = await target.admin.createOAuthApp({ name: 'Other app', description: '', homepage: `${publicUrl}/other/`, callback_urls: [callback], icon_url: '' });
    const code = await freshCode();
    const otherSignIn = createMattermostSignIn({ url: target.url, clientId: other.id, clientSecret: other.client_secret });
    expect(await otherSignIn.userIdFor({ code, redirectUri: callback })).toBe(target.person.id);
  });

  it('refuses to authorize a redirect_uri the app does not list, with a 400 page and no redirect', async () => {
    const { response, location } = await authorize(`${publicUrl}/app/auth/callback/evil`);
    expect(response.status).toBe(400);
    expect(location).toBeNull();
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toContain('/error?message=invalid_request%3A+Supplied+redirect_uri+did+not+match+registered+callback_url.&amp;type=oauth_invalid_redirect_url');
  });

  it('answers an unknown app with 404 and a bad client id with 400', async () => {
    const unknown = await fetch(`${target.url}/oauth/authorize?response_type=code&client_id=${'a'.repeat(26)}&redirect_uri=${encodeURIComponent(callback)}&state=s`, {
      redirect: 'manual',
      headers: { cookie: `MMAUTHTOKEN=${target.person.sessionToken}` },
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('/error?message=Unable+to+find+the+requested+app.');
    const bad = await fetch(`${target.url}/oauth/authorize?response_type=code&client_id=nope&redirect_uri=${encodeURIComponent(callback)}&state=s`, { redirect: 'manual' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('/error?message=Invalid+client+id.&amp;type=oauth_invalid_param');
  });
});
