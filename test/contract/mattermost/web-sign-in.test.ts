/**
 * The web app's sign-in against a real Mattermost 9.11, through the product's own routes (not only the adapter, which
 * oauth-sign-in.test.ts covers on both servers): the OAuth app made by `npm run mattermost:setup`'s code, a person signed in to Mattermost goes through /app/auth/login, Mattermost's authorize page and
 * /app/auth/callback, and ends with a session that /api/v1/me names by Mattermost's own user ID. A changed state on the
 * way back is refused, and the person is held to chat's rules on REST.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { pino } from 'pino';
import { startApi, type RunningApi } from '../../../api/server.js';
import { MattermostChat } from '../../../integrations/mattermost/mattermost-chat.js';
import { setUpSignInApp } from '../../../integrations/mattermost/mattermost-setup.js';
import { createMattermostSignIn } from '../../../integrations/mattermost/oauth-sign-in.js';
import { openDatabase, type OpenedDatabase } from '../../../store/database.js';
import { IncidentRecordRepository } from '../../../store/incident-records.js';
import { shippedPlaybooks } from '../../helpers/chat-stack.js';
import { freePort } from '../../helpers/free-port.js';
import { connectToTestServer, uniqueTaskQueue } from '../../helpers/temporal.js';
import { provisionMattermost, type ProvisionedMattermost } from './provision.js';

const url = process.env.MATTERMOST_CONTRACT_URL;
const TEAM = 'web-sign-in';

it.skipIf(url)('needs a real Mattermost: set MATTERMOST_CONTRACT_URL (see test/contract/mattermost/ and .ci/run)', () => {});

describe.runIf(url)('the web app signed in with a real Mattermost', () => {
  let mm: ProvisionedMattermost;
  let env: TestWorkflowEnvironment;
  let api: RunningApi;
  let database: OpenedDatabase;
  let directory: string;

  beforeAll(async () => {
    mm = await provisionMattermost(url!, TEAM, ['web-alice']);
    env = await connectToTestServer();
    directory = mkdtempSync(join(tmpdir(), 'mm-web-'));
    database = await openDatabase({ url: `sqlite:${join(directory, 'store.sqlite')}` });
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    await mm.admin.patchConfig({ ServiceSettings: { EnableOAuthServiceProvider: true } } as never);
    const app = await setUpSignInApp(mm.admin, { publicUrl, regenerateSecret: true });
    // Who a user ID is, asked with the admin's token: this file leaves the bot, its teams and the /incident command to
    // the other contract files (which count the bot's teams and check where the command points).
    const chat = new MattermostChat({ url: url!, token: mm.admin.getToken(), timeoutMs: 10_000 });
    api = await startApi({
      client: env.client,
      taskQueue: uniqueTaskQueue('mm-web'),
      playbooks: shippedPlaybooks(),
      records: new IncidentRecordRepository(database.db),
      logger: pino({ level: process.env.CONTRACT_LOG_LEVEL ?? 'silent' }),
      host: '127.0.0.1',
      port,
      mattermost: { chat, commandTokens: [randomBytes(16).toString('hex')], admins: [], publicUrl },
      web: {
        sessionSecret: randomBytes(32).toString('base64url'),
        mattermostSignIn: createMattermostSignIn({ url: url!, clientId: app.env.MATTERMOST_OAUTH_CLIENT_ID!, clientSecret: app.env.MATTERMOST_OAUTH_CLIENT_SECRET! }),
      },
    });
  }, 120_000);

  afterAll(async () => {
    await api?.stop();
    await database?.close();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  const cookieOf = (response: Response, name: string) => response.headers.getSetCookie().find((line) => line.startsWith(`${name}=`))?.split(';')[0];

  /** What a browser signed in to Mattermost does: our login, Mattermost's authorize (with its session cookie), our callback. */
  async function signIn(tamper: (state: string) => string = (state) => state): Promise<Response> {
    const login = await fetch(`${api.url}/app/auth/login?return_to=/app/stats`, { redirect: 'manual' });
    expect(login.status).toBe(302);
    const authorize = await fetch(login.headers.get('location')!, { redirect: 'manual', headers: { cookie: `MMAUTHTOKEN=${mm.people['web-alice']!.client.getToken()}` } });
    expect(authorize.status).toBe(302);
    const back = new URL(authorize.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(`${api.url}/app/auth/callback`);
    back.searchParams.set('state', tamper(back.searchParams.get('state')!));
    return fetch(back, { redirect: 'manual', headers: { cookie: cookieOf(login, 'ic_oauth')! } });
  }

  it('signs the person in as the user Mattermost says, and back to where they were going', async () => {
    const callback = await signIn();
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/app/stats');
    const me = await fetch(`${api.url}/api/v1/me`, { headers: { cookie: cookieOf(callback, 'ic_session')! } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ name: 'web-alice', via: 'mattermost', admin: false, scope: 'write', mattermostUserId: mm.people['web-alice']!.id });
  });

  it('refuses a sign-in whose state was changed on the way back, and starts no session', async () => {
    const callback = await signIn((state) => `${state.slice(0, -1)}${state.endsWith('A') ? 'B' : 'A'}`);
    expect(callback.headers.get('location')).toBe('/app/sign-in?error=state_mismatch');
    expect(cookieOf(callback, 'ic_session')).toBeUndefined();
  });
});
