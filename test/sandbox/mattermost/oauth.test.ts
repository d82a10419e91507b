/**
 * The Mattermost sandbox as OAuth 2.0 provider: the apps, the provider setting, /oauth/authorize and
 * /oauth/access_token, each refusal with the real server's status and error id (test/contract/mattermost/
 * oauth-sign-in.test.ts runs the flow against a real Mattermost too). Shared set-up in harness.ts.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { alice, bot, failure, sandbox, useMattermostSandbox } from './harness.js';

useMattermostSandbox();

const CALLBACK = 'http://incidents.test/app/auth/callback';
let app: { id: string; client_secret: string };
let untrusted: { id: string; client_secret: string };

const newApp = (fields: Record<string, unknown> = {}) =>
  bot.createOAuthApp({ name: 'Incidents', description: 'sign-in', homepage: 'http://incidents.test/app/', callback_urls: [CALLBACK], is_trusted: true, ...fields } as never);

beforeAll(async () => {
  app = await newApp();
  untrusted = await newApp({ name: 'Untrusted', is_trusted: false });
});

afterEach(() => {
  vi.useRealTimers();
});

function authorizePath(query: Record<string, string> = {}): string {
  return `/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: app.id, redirect_uri: CALLBACK, state: 'xyz', ...query })}`;
}

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${sandbox.server.url}${path}`, { redirect: 'manual', headers });
  return { status: response.status, location: response.headers.get('location'), text: await response.text(), headers: response.headers };
}

async function postForm(path: string, form: Record<string, string>) {
  const response = await fetch(`${sandbox.server.url}${path}`, { method: 'POST', redirect: 'manual', body: new URLSearchParams(form) });
  return { status: response.status, location: response.headers.get('location'), text: await response.text(), headers: response.headers };
}

/** A code for alice through the test shortcut (`sandbox_user`). */
async function codeFor(query: Record<string, string> = {}): Promise<string> {
  const { status, location } = await get(authorizePath({ sandbox_user: 'alice', ...query }));
  expect(status).toBe(302);
  return new URL(location!).searchParams.get('code')!;
}

const exchange = (form: Record<string, string>) => postForm('/oauth/access_token', { grant_type: 'authorization_code', client_id: app.id, client_secret: app.client_secret, redirect_uri: CALLBACK, ...form });
const errorId = (text: string) => (JSON.parse(text) as { id: string }).id;

describe('Mattermost sandbox: OAuth apps', () => {
  it('creates an app with a new 26-character secret, trusted only when a system admin asks', async () => {
    expect(app).toMatchObject({ id: expect.stringMatching(/^[a-z0-9]{26}$/), client_secret: expect.stringMatching(/^[a-z0-9]{26}$/), is_trusted: true, callback_urls: [CALLBACK], mattermost_app_id: '' });
    expect(untrusted).toMatchObject({ is_trusted: false });
    expect(await bot.getOAuthApp(app.id)).toEqual(app);
    expect((await bot.getOAuthApps(0, 200)).map((listed) => listed.id)).toEqual(expect.arrayContaining([app.id, untrusted.id]));
    expect(await bot.getOAuthApps(1, 1)).toHaveLength(1);
  });

  it('refuses what model.OAuthApp.IsValid refuses, with its error ids', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: '' }, 'model.oauth.is_valid.name.app_error'],
      [{ name: 'x'.repeat(65) }, 'model.oauth.is_valid.name.app_error'],
      [{ callback_urls: [] }, 'model.oauth.is_valid.callback.app_error'],
      [{ callback_urls: ['ftp://incidents.test/'] }, 'model.oauth.is_valid.callback.app_error'],
      [{ homepage: 'incidents.test' }, 'model.oauth.is_valid.homepage.app_error'],
      [{ description: 'x'.repeat(513) }, 'model.oauth.is_valid.description.app_error'],
      [{ icon_url: 'not a url' }, 'model.oauth.is_valid.icon_url.app_error'],
    ];
    for (const [fields, id] of cases) {
      const error = await failure(newApp(fields));
      expect([error.status_code, error.server_error_id], JSON.stringify(fields)).toEqual([400, id]);
    }
  });

  it('lets only system admins manage apps, with the real ids', async () => {
    expect((await failure(alice.createOAuthApp({ name: 'x', description: '', homepage: 'http://a.test/', callback_urls: [CALLBACK] }))).server_error_id).toBe('api.context.permissions.app_error');
    const listed = await failure(alice.getOAuthApps());
    expect([listed.status_code, listed.server_error_id]).toEqual([403, 'api.command.admin_only.app_error']);
    expect((await failure(alice.getOAuthApp(app.id))).status_code).toBe(403);
    expect((await failure(alice.regenOAuthAppSecret(app.id))).status_code).toBe(403);
    expect((await failure(alice.getConfig())).status_code).toBe(403);
  });

  it('answers 404 for an unknown app and 400 for a malformed id', async () => {
    const unknown = await failure(bot.getOAuthApp('a'.repeat(26)));
    expect([unknown.status_code, unknown.server_error_id]).toEqual([404, 'app.oauth.get_app.find.app_error']);
    expect((await failure(bot.getOAuthApp('nope'))).server_error_id).toBe('api.context.invalid_url_param.app_error');
  });

  it('regenerates the secret: the old one is refused at the token endpoint', async () => {
    const made = await newApp({ name: 'Regenerated' });
    const renewed = await bot.regenOAuthAppSecret(made.id);
    expect(renewed.client_secret).not.toBe(made.client_secret);
    const stale = await exchange({ client_id: made.id, client_secret: made.client_secret, code: 'c' });
    expect([stale.status, errorId(stale.text)]).toEqual([403, 'api.oauth.get_access_token.credentials.app_error']);
  });

  it('shows apps on /_sandbox/state without their secrets, and redacts the token request in /_sandbox/requests', async () => {
    const code = await codeFor();
    await exchange({ code });
    const state = (await (await fetch(`${sandbox.server.url}/_sandbox/state`)).json()) as { oauthApps: Array<{ id: string; client_secret: string }>; enableOAuthServiceProvider: boolean };
    expect(state.enableOAuthServiceProvider).toBe(true);
    expect(state.oauthApps.find((listed) => listed.id === app.id)?.client_secret).toBe('[redacted]');
    const recorded = sandbox.server.requestsTo('POST', /^\/oauth\/access_token$/).at(-1)!;
    expect(recorded.body).toMatchObject({ client_id: app.id, client_secret: '[redacted]', code: '[redacted]' });
    expect(JSON.stringify(sandbox.server.requests)).not.toContain(app.client_secret);
  });
});

describe('Mattermost sandbox: the OAuth provider turned off', () => {
  it('answers 501 everywhere with the real ids, until it is turned on again', async () => {
    await bot.patchConfig({ ServiceSettings: { EnableOAuthServiceProvider: false } } as never);
    try {
      expect(((await bot.getConfig()) as unknown as { ServiceSettings: Record<string, unknown> }).ServiceSettings.EnableOAuthServiceProvider).toBe(false);
      const create = await failure(newApp());
      expect([create.status_code, create.server_error_id]).toEqual([501, 'api.oauth.register_oauth_app.turn_off.app_error']);
      for (const call of [bot.getOAuthApps(), bot.getOAuthApp(app.id), bot.regenOAuthAppSecret(app.id)]) {
        const error = await failure(call);
        expect([error.status_code, error.server_error_id]).toEqual([501, 'api.oauth.allow_oauth.turn_off.app_error']);
      }
      const page = await get(authorizePath({ sandbox_user: 'alice' }));
      expect(page.status).toBe(501);
      expect(page.text).toContain('/error?message=The+system+admin+has+turned+off+OAuth2+Service+Provider.');
      const token = await exchange({ code: 'c' });
      expect([token.status, errorId(token.text)]).toEqual([501, 'api.oauth.get_access_token.disabled.app_error']);
    } finally {
      await bot.patchConfig({ ServiceSettings: { EnableOAuthServiceProvider: true } } as never);
    }
    expect((await bot.getOAuthApp(app.id)).id).toBe(app.id);
  });
});

describe('Mattermost sandbox: /oauth/authorize', () => {
  it('refuses a malformed request with the real status and /error message, before looking at the app', async () => {
    const cases: Array<[Record<string, string>, number, string]> = [
      [{ client_id: 'nope' }, 400, 'message=Invalid+client+id.&amp;type=oauth_invalid_param'],
      [{ response_type: '' }, 400, 'message=Invalid+response+type.&amp;type=oauth_invalid_param'],
      [{ redirect_uri: 'incidents.test/cb' }, 400, 'message=Invalid+redirect+uri.&amp;type=oauth_invalid_param'],
      [{ redirect_uri: `http://incidents.test/${'x'.repeat(250)}` }, 400, 'message=Invalid+redirect+uri.&amp;type=oauth_invalid_param'],
      [{ state: 'x'.repeat(1025) }, 400, 'message=Invalid+state.&amp;type=oauth_invalid_param'],
      [{ client_id: 'a'.repeat(26) }, 404, 'message=Unable+to+find+the+requested+app.'],
    ];
    for (const [query, status, message] of cases) {
      const page = await get(authorizePath({ sandbox_user: 'alice', ...query }));
      expect([page.status, page.location], JSON.stringify(query)).toEqual([status, null]);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.text).toContain(`/error?${message}`);
    }
  });

  it('without a session shows the people to sign in as, whose form comes back with a code', async () => {
    const page = await get(authorizePath());
    expect(page.status).toBe(200);
    expect(page.text).toContain('Sign in to the sandbox as');
    for (const person of ['alice', 'bob', 'carol']) expect(page.text).toContain(`name="sandbox_user" value="${person}"`);
    expect(page.text).not.toContain('incident-bot');
    const action = /action="([^"]+)"/.exec(page.text)![1]!.replace(/&amp;/g, '&');
    expect(action).toBe(authorizePath().replace('/oauth/authorize?', '/oauth/authorize/sandbox-login?'));
    const chosen = await postForm(action, { sandbox_user: 'bob' });
    expect(chosen.status).toBe(302);
    const code = new URL(chosen.location!).searchParams.get('code')!;
    const token = JSON.parse((await exchange({ code })).text) as { access_token: string };
    const me = await fetch(`${sandbox.server.url}/api/v4/users/me`, { headers: { authorization: `Bearer ${token.access_token}` } });
    expect(((await me.json()) as { id: string }).id).toBe(sandbox.userId('bob'));
  });

  it('takes the session of the MMAUTHTOKEN cookie or a bearer header, and refuses sandbox_user for a bot or a stranger', async () => {
    for (const headers of [{ cookie: 'theme=dark; MMAUTHTOKEN=alice-token' }, { authorization: 'Bearer alice-token' }] as Array<Record<string, string>>) {
      const { status, location } = await get(authorizePath(), headers);
      expect(status).toBe(302);
      expect(location).toMatch(/^http:\/\/incidents\.test\/app\/auth\/callback\?code=[a-z0-9]{52}&state=xyz$/);
    }
    for (const username of ['incident-bot', 'mallory']) {
      const page = await get(authorizePath({ sandbox_user: username }));
      expect(page.status).toBe(400);
      expect(page.text).toContain(`no person &quot;${username}&quot; in the sandbox`);
    }
  });

  it('refuses a redirect_uri the app does not list exactly, once the person is known', async () => {
    for (const redirect of [`${CALLBACK}/`, 'http://incidents.test/app/auth/callbacks', CALLBACK.toUpperCase().replace('HTTP', 'http')]) {
      const page = await get(authorizePath({ sandbox_user: 'alice', redirect_uri: redirect }));
      expect([page.status, page.location]).toEqual([400, null]);
      expect(page.text).toContain('type=oauth_invalid_redirect_url');
    }
  });

  it('keeps a query the callback URL has, and answers an unsupported response type on the redirect', async () => {
    const withQuery = await bot.createOAuthApp({ name: 'Query', description: '', homepage: 'http://incidents.test/', callback_urls: [`${CALLBACK}?tenant=a`], is_trusted: true } as never);
    const { location } = await get(authorizePath({ sandbox_user: 'alice', client_id: withQuery.id, redirect_uri: `${CALLBACK}?tenant=a` }));
    expect(location).toMatch(/\?tenant=a&code=[a-z0-9]{52}&state=xyz$/);
    const unsupported = await get(authorizePath({ sandbox_user: 'alice', response_type: 'token' }));
    expect(unsupported.location).toBe(`${CALLBACK}?error=unsupported_response_type&state=xyz`);
  });

  it('asks for consent for an untrusted app: deny sends the error back, allow gives a code and is remembered', async () => {
    const query = { client_id: untrusted.id, sandbox_user: 'carol' };
    const consent = await get(authorizePath(query));
    expect(consent.status).toBe(200);
    expect(consent.text).toContain('Allow Untrusted to use your account?');
    const action = /action="([^"]+)"/.exec(consent.text)![1]!.replace(/&amp;/g, '&');
    const denied = await postForm(action, { sandbox_user: 'carol', consent: 'deny' });
    expect(denied.location).toBe(`${CALLBACK}?error=access_denied&state=xyz`);
    const allowed = await postForm(action, { sandbox_user: 'carol', consent: 'allow' });
    expect(allowed.location).toMatch(/\?code=[a-z0-9]{52}&state=xyz$/);
    expect((await get(authorizePath(query))).status).toBe(302);
  });
});

describe('Mattermost sandbox: /oauth/access_token', () => {
  it('answers a token that authenticates the person, no-store, and the same token on their next sign-in', async () => {
    const first = await exchange({ code: await codeFor() });
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const token = JSON.parse(first.text) as Record<string, unknown>;
    expect(token).toEqual({ access_token: expect.stringMatching(/^[a-z0-9]{26}$/), token_type: 'bearer', expires_in: expect.any(Number), scope: '', refresh_token: expect.any(String), id_token: '' });
    expect(token.expires_in).toBeGreaterThan(30 * 24 * 3600 - 10);
    const me = await fetch(`${sandbox.server.url}/api/v4/users/me`, { headers: { authorization: `Bearer ${String(token.access_token)}` } });
    expect(((await me.json()) as { username: string }).username).toBe('alice');
    const second = JSON.parse((await exchange({ code: await codeFor() })).text) as Record<string, unknown>;
    expect(second.access_token).toBe(token.access_token);
  });

  it('checks the request in the real order, with the real statuses and ids', async () => {
    const code = await codeFor();
    const cases: Array<[Record<string, string>, number, string]> = [
      [{ grant_type: 'password', code }, 400, 'bad_grant'],
      [{ grant_type: 'refresh_token', code }, 400, 'bad_grant'],
      [{ code: '' }, 400, 'missing_code'],
      [{ code, client_id: 'nope' }, 400, 'bad_client_id'],
      [{ code, client_secret: '' }, 400, 'bad_client_secret'],
      [{ code, client_id: 'a'.repeat(26) }, 404, 'credentials'],
      [{ code, client_secret: 'wrong' }, 403, 'credentials'],
      [{ code: 'x'.repeat(52) }, 400, 'expired_code'],
      [{ code, redirect_uri: `${CALLBACK}/other` }, 400, 'redirect_uri'],
    ];
    for (const [form, status, id] of cases) {
      const answer = await exchange(form);
      expect([answer.status, errorId(answer.text)], JSON.stringify(form)).toEqual([status, `api.oauth.get_access_token.${id}.app_error`]);
    }
    // None of those used the code up; the right request does, once.
    expect((await exchange({ code })).status).toBe(200);
    const again = await exchange({ code });
    expect([again.status, errorId(again.text)]).toEqual([400, 'api.oauth.get_access_token.expired_code.app_error']);
  });

  it('takes form fields only: a JSON body has no grant_type', async () => {
    const response = await fetch(`${sandbox.server.url}/oauth/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'authorization_code', client_id: app.id, client_secret: app.client_secret, code: await codeFor(), redirect_uri: CALLBACK }),
    });
    expect([response.status, errorId(await response.text())]).toEqual([400, 'api.oauth.get_access_token.bad_grant.app_error']);
  });

  it('refuses a code after 10 minutes with 403, and forgets it', async () => {
    const code = await codeFor();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 10 * 60 * 1000 + 1000);
    const expired = await exchange({ code });
    expect([expired.status, errorId(expired.text)]).toEqual([403, 'api.oauth.get_access_token.expired_code.app_error']);
    const gone = await exchange({ code });
    expect(gone.status).toBe(400);
  });

  it('forgets codes and issued tokens on reset, but keeps the apps', async () => {
    const code = await codeFor();
    const token = (JSON.parse((await exchange({ code: await codeFor() })).text) as { access_token: string }).access_token;
    sandbox.server.reset();
    expect((await exchange({ code })).status).toBe(400);
    const me = await fetch(`${sandbox.server.url}/api/v4/users/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(401);
    expect((await bot.getOAuthApp(app.id)).id).toBe(app.id);
  });
});
