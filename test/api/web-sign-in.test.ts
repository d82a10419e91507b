/**
 * Signing in to the web app, over real HTTP against an API with tokens, the Mattermost front door on the sandbox and a
 * real worker: token sign-in and its session cookie, CSRF and cross-site refusals, forged and stale sessions, the
 * Mattermost sign-in round trip (login → Mattermost → callback → session) with its failures landing on the sign-in page,
 * and a person signed in with Mattermost held to the chat's rules (members of the incident's channel change it,
 * others are refused, incident admins may).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { generateToken, parseApiTokens, tokenEntry } from '../../api/auth/api-tokens.js';
import { sealSession, newSession, SESSION_COOKIE } from '../../api/auth/web-session.js';
import { startApi, type RunningApi } from '../../api/server.js';
import { IncidentService } from '../../api/incident-service.js';
import { MattermostSignInError, type MattermostSignIn } from '../../api/ports/mattermost-sign-in.js';
import { shippedPlaybooks, startChatStack, type ChatStack } from '../helpers/chat-stack.js';
import type { MattermostChat } from '../../integrations/mattermost/mattermost-chat.js';
import { waitFor } from '../helpers/wait-for.js';

const SECRET = 'web-sign-in-test-secret-0123456789abcdef';
const tokens = { ops: generateToken(), reader: generateToken() };
const parsed = parseApiTokens([tokenEntry('ops', 'write', tokens.ops, { alerts: true }), tokenEntry('reader', 'read', tokens.reader)].join(','));

let stack: ChatStack;
/** The same secret, but only the reader's token configured: the ops token was removed. */
let rotated: RunningApi;
/** An API with the bot but no slash commands: sign-in with Mattermost and chat's rules still work. */
let withoutSlashCommands: RunningApi;

/**
 * Mattermost's side of OAuth as the port sees it: the code names the user (`code-<username>[-<anything>]`); used codes are
 * refused like Mattermost refuses a second use.
 */
const used = new Set<string>();
const signIn: MattermostSignIn = {
  authorizeUrl: ({ state, redirectUri }) => `http://mattermost.invalid/oauth/authorize?${new URLSearchParams({ state, redirect_uri: redirectUri })}`,
  async userIdFor({ code }) {
    if (used.has(code) || !code.startsWith('code-')) throw new MattermostSignInError('refused', 'Mattermost refused the code');
    used.add(code);
    return stack.sandboxes.mattermost.userId(code.slice('code-'.length).split('-')[0]!);
  },
};

beforeAll(async () => {
  stack = await startChatStack({
    name: 'web-sign-in',
    mattermost: { commandTokens: ['unused-command-token'], admins: ['carol'], taskCommandsAllowed: ['/zoom'] },
    apiTokens: parsed.tokens,
    web: { sessionSecret: SECRET, mattermostSignIn: signIn },
  });
  rotated = await startApi({
    client: stack.env.client,
    taskQueue: stack.taskQueue,
    playbooks: { get: async () => undefined, list: async () => [] },
    logger: pino({ level: 'silent' }),
    host: '127.0.0.1',
    port: 0,
    apiTokens: parseApiTokens(tokenEntry('reader', 'read', tokens.reader)).tokens,
    web: { sessionSecret: SECRET },
  });
  withoutSlashCommands = await startApi({
    client: stack.env.client,
    taskQueue: stack.taskQueue,
    playbooks: shippedPlaybooks(),
    records: stack.records,
    logger: pino({ level: 'silent' }),
    host: '127.0.0.1',
    port: 0,
    apiTokens: parsed.tokens,
    chatIdentity: { chat: stack.sandboxes.ports.chat as MattermostChat, admins: [] },
    web: { sessionSecret: SECRET, mattermostSignIn: signIn },
  });
});

afterAll(async () => {
  await withoutSlashCommands?.stop();
  await rotated?.stop();
  await stack?.stop();
});

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

/** A browser-like call: the cookie and, for changes, the CSRF token; same-origin unless told otherwise. */
async function call(method: string, path: string, options: { cookie?: string; csrf?: string; body?: unknown; headers?: Record<string, string>; base?: string } = {}): Promise<Answer> {
  const response = await fetch(`${options.base ?? stack.api.url}${path}`, {
    method,
    redirect: 'manual',
    headers: {
      'sec-fetch-site': 'same-origin',
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.cookie ? { cookie: options.cookie } : {}),
      ...(options.csrf ? { 'x-csrf-token': options.csrf } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (a redirect); tests look at headers then
  }
  return { status: response.status, body, headers: response.headers };
}

/** The `name=value` of a Set-Cookie, to send back as a Cookie header. */
function cookieFrom(answer: Answer, name: string): string | undefined {
  const line = answer.headers.getSetCookie().find((cookie) => cookie.startsWith(`${name}=`));
  return line?.split(';')[0];
}

async function tokenSession(token: string): Promise<{ cookie: string; csrf: string }> {
  const answer = await call('POST', '/app/auth/token', { body: { token } });
  expect(answer.status).toBe(200);
  return { cookie: cookieFrom(answer, SESSION_COOKIE)!, csrf: answer.body.csrf };
}

/** Signs a Mattermost user in the way a browser does: login, (Mattermost), callback. */
async function mattermostSession(username: string, returnTo = '/app/', base = stack.api.url): Promise<{ cookie: string; csrf: string; landed: string }> {
  const login = await call('GET', `/app/auth/login?return_to=${encodeURIComponent(returnTo)}`, { base });
  expect(login.status).toBe(302);
  const state = new URL(login.headers.get('location')!).searchParams.get('state')!;
  const pending = cookieFrom(login, 'ic_oauth')!;
  const callback = await call('GET', `/app/auth/callback?code=code-${username}-${Math.random().toString(36).slice(2)}&state=${state}`, { cookie: pending, base });
  return { cookie: cookieFrom(callback, SESSION_COOKIE)!, csrf: '', landed: callback.headers.get('location') ?? '' };
}

/** An incident whose launch is over: its channel made and the people invited (membership decides who may change it). */
const launched = (answer: Answer) =>
  answer.status === 200 && Boolean(answer.body.links?.channelId) && Object.values(answer.body.launch as Record<string, { status: string }>).every((step) => step.status !== 'pending');

describe('token sign-in', () => {
  it('offers what this API has: tokens and Mattermost, not open mode', async () => {
    expect((await call('GET', '/app/auth/options')).body).toEqual({ mattermost: true, tokens: true, open: false });
  });

  it('starts a session for a configured token: an HttpOnly, SameSite=Lax cookie that never holds the token', async () => {
    const answer = await call('POST', '/app/auth/token', { body: { token: tokens.ops } });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ name: 'ops', scope: 'write', admin: false, via: 'token' });
    expect(answer.body.csrf).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const setCookie = answer.headers.getSetCookie().join('\n');
    expect(setCookie).toMatch(/ic_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200/);
    expect(setCookie).not.toContain(tokens.ops);
    const cookie = cookieFrom(answer, SESSION_COOKIE)!;
    expect(Buffer.from(cookie.split('=')[1]!.split('.')[0]!, 'base64url').toString()).not.toContain(tokens.ops.slice(4));
    const me = await call('GET', '/api/v1/me', { cookie });
    expect(me.body).toEqual({ name: 'ops', scope: 'write', admin: false, via: 'token', csrf: answer.body.csrf });
    expect((await call('GET', '/api/v1/incidents', { cookie })).status).toBe(200);
  });

  it('refuses an unknown token, a missing one, and a body that is not {token}', async () => {
    const unknown = await call('POST', '/app/auth/token', { body: { token: generateToken() } });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.message).toBe('unknown API token');
    expect(cookieFrom(unknown, SESSION_COOKIE)).toBeUndefined();
    const malformed = await call('POST', '/app/auth/token', { body: { token: tokens.ops, user: 'root' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.problems.join(' ')).toMatch(/user/);
    expect((await call('POST', '/app/auth/token', { body: {} })).status).toBe(400);
  });

  it('refuses a sign-in posted from another site (login CSRF)', async () => {
    const crossSite = await call('POST', '/app/auth/token', { body: { token: tokens.ops }, headers: { 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.status).toBe(403);
    const foreignOrigin = await call('POST', '/app/auth/token', { body: { token: tokens.ops }, headers: { origin: 'https://evil.example' } });
    expect(foreignOrigin.status).toBe(403);
  });

  it('needs the CSRF token for a change made with the cookie, and refuses one from another site even with it', async () => {
    const { cookie, csrf } = await tokenSession(tokens.ops);
    const start = { name: 'web csrf check', playbook: 'blank' };
    const without = await call('POST', '/api/v1/incidents', { cookie, body: start });
    expect(without.status).toBe(403);
    expect(without.body.error).toMatchObject({ code: 'csrf_token_missing' });
    expect(without.body.error.message).toContain('X-CSRF-Token');
    // Another last character, whatever the token's was (a fixed one would match one token in 64).
    const wrong = await call('POST', '/api/v1/incidents', { cookie, csrf: `${csrf.slice(0, -1)}${csrf.endsWith('x') ? 'y' : 'x'}`, body: start });
    expect(wrong.status).toBe(403);
    const crossSite = await call('POST', '/api/v1/incidents', { cookie, csrf, body: start, headers: { 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.status).toBe(403);
    const foreignOrigin = await call('POST', '/api/v1/incidents', { cookie, csrf, body: start, headers: { origin: 'http://evil.example' } });
    expect(foreignOrigin.status).toBe(403);
    const started = await call('POST', '/api/v1/incidents', { cookie, csrf, body: start });
    expect(started.status).toBe(201);
    // The token acts as itself, as with a Bearer header.
    expect((await call('GET', `/api/v1/incidents/${started.body.id}`, { cookie })).body.reporter).toBe('ops');
  });

  it('sends no alerts from the web app, even signed in with a token that may send them', async () => {
    const { cookie, csrf } = await tokenSession(tokens.ops);
    const alert = await call('POST', '/api/v1/alerts', { cookie, csrf, body: { dedupKey: 'web', title: 'from a browser' } });
    expect(alert.status).toBe(403);
    expect(alert.body.error.message).toBe('alerts come from monitoring with an API token that may send them, not from the web app; start an incident instead');
    // The same token as a Bearer header (monitoring) may.
    const bearer = await fetch(`${stack.api.url}/api/v1/alerts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.ops}`, 'content-type': 'application/json' },
      body: JSON.stringify({ dedupKey: 'web', title: 'from monitoring' }),
    });
    expect(bearer.status).toBe(202);
  });

  it('keeps the token\'s scope: a read token signed in may read but not change', async () => {
    const { cookie, csrf } = await tokenSession(tokens.reader);
    expect((await call('GET', '/api/v1/incidents', { cookie })).status).toBe(200);
    const change = await call('POST', '/api/v1/incidents', { cookie, csrf, body: { name: 'not allowed', playbook: 'blank' } });
    expect(change.status).toBe(403);
    expect(change.body.error.message).toContain('write scope');
  });

  it('refuses a forged or expired cookie, and a session whose token was removed from API_TOKENS', async () => {
    const forged = sealSession(newSession({ via: 'token', sub: 'ops', tok: '0'.repeat(16) }), 'another-secret-another-secret-xx');
    expect((await call('GET', '/api/v1/me', { cookie: `${SESSION_COOKIE}=${forged}` })).status).toBe(401);
    const { cookie } = await tokenSession(tokens.ops);
    const [name, value] = cookie.split('=') as [string, string];
    const [payload, mac] = value.split('.') as [string, string];
    const altered = Buffer.from(Buffer.from(payload, 'base64url').toString().replace('"write"', '"admin"').replace('"ops"', '"opz"')).toString('base64url');
    expect((await call('GET', '/api/v1/me', { cookie: `${name}=${altered}.${mac}` })).status).toBe(401);
    const expired = newSession({ via: 'token', sub: 'ops', tok: '0'.repeat(16) }, Date.now() - 13 * 3_600_000);
    expect((await call('GET', '/api/v1/me', { cookie: `${SESSION_COOKIE}=${sealSession(expired, SECRET)}` })).status).toBe(401);
    // Another replica with the same secret, where the ops token is no longer configured.
    const stale = await call('GET', '/api/v1/me', { cookie, base: rotated.url });
    expect(stale.status).toBe(401);
    expect(stale.body.error.message).toContain('no longer configured');
  });

  it('lets a Bearer header win over any cookie (scripts, curl)', async () => {
    const answer = await call('GET', '/api/v1/me', { cookie: `${SESSION_COOKIE}=garbage.garbage`, headers: { authorization: `Bearer ${tokens.reader}` } });
    expect(answer.body).toEqual({ name: 'reader', scope: 'read', admin: false, via: 'token' });
  });

  it('signs out: the cookie is cleared', async () => {
    const answer = await call('POST', '/app/auth/sign-out');
    expect(answer.status).toBe(204);
    expect(answer.headers.getSetCookie().join('\n')).toMatch(/ic_session=; Path=\/; HttpOnly; SameSite=Lax; Max-Age=0/);
  });
});

describe('sign-in with Mattermost', () => {
  it('sends the browser to Mattermost with a fresh state and comes back signed in where it started', async () => {
    const login = await call('GET', '/app/auth/login?return_to=/app/incidents/abc');
    expect(login.status).toBe(302);
    const target = new URL(login.headers.get('location')!);
    expect(target.searchParams.get('redirect_uri')).toBe(`${stack.api.url}/app/auth/callback`);
    expect(target.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(login.headers.getSetCookie().join('\n')).toMatch(/ic_oauth=[^;]+; Path=\/app\/auth; HttpOnly; SameSite=Lax; Max-Age=600/);
    const callback = await call('GET', `/app/auth/callback?code=code-alice&state=${target.searchParams.get('state')}`, { cookie: cookieFrom(login, 'ic_oauth') });
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/app/incidents/abc');
    const me = await call('GET', '/api/v1/me', { cookie: cookieFrom(callback, SESSION_COOKIE) });
    expect(me.body).toMatchObject({ name: 'alice', scope: 'write', admin: false, via: 'mattermost', mattermostUserId: stack.sandboxes.mattermost.userId('alice') });
  });

  it('lands on the sign-in page with a reason when the state is wrong, missing, or the code is refused', async () => {
    const login = await call('GET', '/app/auth/login');
    const pending = cookieFrom(login, 'ic_oauth');
    const state = new URL(login.headers.get('location')!).searchParams.get('state')!;
    const wrongState = await call('GET', `/app/auth/callback?code=code-bob&state=${'x'.repeat(43)}`, { cookie: pending });
    expect(wrongState.headers.get('location')).toBe('/app/sign-in?error=state_mismatch');
    expect(cookieFrom(wrongState, SESSION_COOKIE)).toBeUndefined();
    const noPending = await call('GET', `/app/auth/callback?code=code-bob&state=${state}`);
    expect(noPending.headers.get('location')).toBe('/app/sign-in?error=expired');
    const declined = await call('GET', `/app/auth/callback?error=access_denied&state=${state}`, { cookie: pending });
    expect(declined.headers.get('location')).toBe('/app/sign-in?error=declined');
    const refused = await call('GET', `/app/auth/callback?code=not-a-code&state=${state}`, { cookie: pending });
    expect(refused.headers.get('location')).toBe('/app/sign-in?error=refused');
  });

  it('never sends people elsewhere after signing in', async () => {
    for (const returnTo of ['//evil.example/app/', 'https://evil.example/', '/app//evil.example', '/\\evil.example', '/api/v1/incidents', '/app/auth/sign-out']) {
      const login = await call('GET', `/app/auth/login?return_to=${encodeURIComponent(returnTo)}`);
      const state = new URL(login.headers.get('location')!).searchParams.get('state')!;
      const callback = await call('GET', `/app/auth/callback?code=code-dave&state=${state}`, { cookie: cookieFrom(login, 'ic_oauth') });
      used.delete('code-dave');
      expect(callback.headers.get('location'), returnTo).toBe('/app/');
    }
  });
});

describe('a person signed in with Mattermost, under the chat\'s rules', () => {
  it('changes incidents whose channel they are in, is refused elsewhere; incident admins change any', async () => {
    const session = async (username: string) => {
      const { cookie } = await mattermostSession(username);
      const me = await call('GET', '/api/v1/me', { cookie });
      return { cookie, csrf: me.body.csrf as string };
    };
    const alice = await session('alice');
    const bob = await session('bob');
    const carol = await session('carol');
    expect((await call('GET', '/api/v1/me', { cookie: carol.cookie })).body).toMatchObject({ name: 'carol', scope: 'admin', admin: true, groups: ['sre'] });

    const started = await call('POST', '/api/v1/incidents', { ...alice, body: { name: 'web person rules', playbook: 'blank' } });
    expect(started.status).toBe(201);
    const id = started.body.id as string;
    const view = await waitFor(() => call('GET', `/api/v1/incidents/${id}`, alice), launched, { what: 'the launch (the channel and its invitations)' });
    expect(view.body.reporter).toBe('alice');

    const note = (who: { cookie: string; csrf: string }, text: string) => call('POST', `/api/v1/incidents/${id}/notes`, { ...who, body: { text } });
    expect((await note(alice, 'from the reporter, a member')).status).toBe(200);
    const refused = await note(bob, 'from someone outside the channel');
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe('only members of the incident channel (or incident admins) can change the incident');
    expect((await note(carol, 'from an incident admin')).status).toBe(200);
    // Naming someone else as the actor takes act-for, which a person never has.
    const actingFor = await call('POST', `/api/v1/incidents/${id}/notes`, { ...alice, body: { text: 'as bob', actor: 'bob' } });
    expect(actingFor.status).toBe(403);
    // Reading stays open to every signed-in person, as /incident info is in chat; the view the rules read to find the
    // channel is the one the answer shows (one read per request).
    const reads = vi.spyOn(IncidentService.prototype, 'readView');
    try {
      expect((await call('GET', `/api/v1/incidents/${id}`, bob)).status).toBe(200);
      expect(reads.mock.calls.filter(([incident]) => incident === id)).toHaveLength(1);
    } finally {
      reads.mockRestore();
    }

    const timeline = await call('GET', `/api/v1/incidents/${id}/timeline`, alice);
    const notes = (timeline.body.items as Array<{ kind: string; actor?: string; text?: string }>).filter((event) => event.kind === 'note');
    expect(notes.map((event) => event.actor)).toEqual(['alice', 'carol']);
  });

  it('runs a task\'s slash command from the web for a member, only when the operator allows its trigger', async () => {
    const alice = await mattermostSession('alice');
    const csrf = (await call('GET', '/api/v1/me', { cookie: alice.cookie })).body.csrf as string;
    const as = { cookie: alice.cookie, csrf };
    const started = await call('POST', '/api/v1/incidents', { ...as, body: { name: 'web task commands', playbook: 'service-outage' } });
    const id = started.body.id as string;
    await waitFor(() => call('GET', `/api/v1/incidents/${id}`, as), launched, { what: 'the launch (the channel and its invitations)' });
    const ran = await call('POST', `/api/v1/incidents/${id}/tasks/1.3/run-command`, { ...as, body: {} });
    expect(ran.status, JSON.stringify(ran.body)).toBe(200);
    expect(['ran', 'failed']).toContain(ran.headers.get('command-outcome'));
    const run = (ran.body.timeline as Array<{ kind: string; actor?: string; text: string }>).find((event) => event.kind === 'command_run');
    expect(run).toMatchObject({ actor: 'alice' });
    expect(run!.text).toContain('`/zoom start` for task 1.3');
    const notAllowed = await call('POST', `/api/v1/incidents/${id}/tasks/3.3/run-command`, { ...as, body: {} });
    expect(notAllowed.status).toBe(403);
    expect(notAllowed.body.error.message).toContain('`/jira` is not a command this service runs for tasks');
    const noCommand = await call('POST', `/api/v1/incidents/${id}/tasks/1.1/run-command`, { ...as, body: {} });
    expect(noCommand.status).toBe(400);
    const dave = await mattermostSession('dave');
    const daveCsrf = (await call('GET', '/api/v1/me', { cookie: dave.cookie })).body.csrf as string;
    const outsider = await call('POST', `/api/v1/incidents/${id}/tasks/1.3/run-command`, { cookie: dave.cookie, csrf: daveCsrf, body: {} });
    expect(outsider.status).toBe(403);
    expect(outsider.body.error.message).toContain('only members of the incident channel');
  });

  it('shows a private incident only to its members and incident admins: not its page, timeline, stream or list entry', async () => {
    const session = async (username: string) => {
      const { cookie } = await mattermostSession(username);
      return { cookie, csrf: (await call('GET', '/api/v1/me', { cookie })).body.csrf as string };
    };
    const [alice, dave, carol] = [await session('alice'), await session('dave'), await session('carol')];
    const blank = (await shippedPlaybooks().get('blank'))!;
    const privatePlaybook = { ...blank, id: 'blank-private', channel: { ...blank.channel, private: true } };
    const started = await call('POST', '/api/v1/incidents', { ...alice, body: { name: 'web private incident', playbook: privatePlaybook } });
    expect(started.status).toBe(201);
    const id = started.body.id as string;
    await waitFor(() => call('GET', `/api/v1/incidents/${id}`, alice), launched, { what: 'the launch of the private incident' });
    await waitFor(() => stack.records.get(id), (record) => Boolean(record?.channelId), { what: 'the record' });

    for (const path of [`/api/v1/incidents/${id}`, `/api/v1/incidents/${id}/timeline`, `/api/v1/incidents/${id}/events`, `/api/v1/incidents/${id}/export`]) {
      const refused = await call('GET', path, dave);
      expect(refused.status, path).toBe(403);
      expect(refused.body.error.message, path).toBe("this incident's channel is private: only its members (and incident admins) can see it");
    }
    const listedFor = async (who: { cookie: string }) => ((await call('GET', '/api/v1/incidents?q=web+private', who)).body.items as Array<{ id: string }>).map((item) => item.id);
    expect(await listedFor(dave)).toEqual([]);
    expect(await listedFor(alice)).toEqual([id]);
    expect(await listedFor(carol)).toEqual([id]);
    expect((await call('GET', `/api/v1/incidents/${id}`, carol)).status).toBe(200);
    // A token is ops, not a person: its scope decides, as before.
    expect((await call('GET', `/api/v1/incidents/${id}`, { headers: { authorization: `Bearer ${tokens.reader}` } })).status).toBe(200);
  });

  it('works on an API with the bot but no slash commands: sign-in, and the channel rule for changes', async () => {
    const base = withoutSlashCommands.url;
    const alice = await mattermostSession('alice', '/app/', stack.api.url);
    const csrf = (await call('GET', '/api/v1/me', { cookie: alice.cookie })).body.csrf as string;
    const started = await call('POST', '/api/v1/incidents', { cookie: alice.cookie, csrf, body: { name: 'web without slash commands', playbook: 'blank' } });
    const id = started.body.id as string;
    await waitFor(() => call('GET', `/api/v1/incidents/${id}`, { cookie: alice.cookie }), launched, { what: 'the launch' });
    const dave = await mattermostSession('dave', '/app/', base);
    const me = await call('GET', '/api/v1/me', { cookie: dave.cookie, base });
    expect(me.body).toMatchObject({ name: 'dave', via: 'mattermost' });
    const refused = await call('POST', `/api/v1/incidents/${id}/notes`, { cookie: dave.cookie, csrf: me.body.csrf, base, body: { text: 'not a member' } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe('only members of the incident channel (or incident admins) can change the incident');
  });

  it('refuses a session whose Mattermost user is no longer active', async () => {
    const { cookie } = await mattermostSession('erin');
    expect((await call('GET', '/api/v1/me', { cookie })).status).toBe(200);
    const forged = sealSession(newSession({ via: 'mattermost', mmid: 'z'.repeat(26) }), SECRET);
    const gone = await call('GET', '/api/v1/me', { cookie: `${SESSION_COOKIE}=${forged}` });
    expect(gone.status).toBe(401);
    expect(gone.body.error.message).toContain('no longer has this active user');
  });
});
