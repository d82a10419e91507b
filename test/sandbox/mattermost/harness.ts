/**
 * What every Mattermost sandbox test file shares: a sandbox with a bot, a helper bot and three people, Client4 clients
 * for them, a channel maker and the ClientError catcher. Each test file gets its own sandbox (vitest loads this module
 * once per file) and starts it with useMattermostSandbox().
 *
 * The tests drive the sandbox through the real @mattermost/client (Client4) so that every route is checked against the
 * requests the client really makes and the replies it can really parse.
 */
import { afterAll, beforeAll } from 'vitest';
import mm, { ClientError } from '@mattermost/client';
import { createMattermostSandbox } from '../../../sandbox/mattermost/index.js';

// Under native ESM the CommonJS package only exposes Client4 on its default export.
const { Client4 } = mm;

/** Client4 has no call for opening a dialog; the integration subclasses it the same way. */
export class SandboxClient extends Client4 {
  openDialog(request: { trigger_id: string; url: string; dialog: object }) {
    return this.doFetch<{ status: string }>(`${this.getBaseRoute()}/actions/dialogs/open`, { method: 'post', body: JSON.stringify(request) });
  }
  /** A raw POST, for bodies the typed methods never send. */
  postRaw(path: string, body: string) {
    return this.doFetch<unknown>(`${this.getBaseRoute()}${path}`, { method: 'post', body });
  }
}

export const sandbox = createMattermostSandbox({
  tokens: { 'mm-bot-token': 'incident-bot', 'alice-token': 'alice', 'bob-token': 'bob', 'helper-token': 'helper-bot' },
  users: [
    { username: 'incident-bot', isBot: true, systemAdmin: true },
    { username: 'helper-bot', isBot: true },
    { username: 'alice' },
    { username: 'bob', email: 'Bob.Builder@example.org' },
    { username: 'carol' },
  ],
});

export function clientFor(token?: string): SandboxClient {
  const client = new SandboxClient();
  client.setUrl(sandbox.server.url);
  client.setIncludeCookies(false);
  if (token) client.setToken(token);
  return client;
}

/** Resolves to the ClientError the call rejects with; fails the test when it resolves or throws something else. */
export async function failure(call: Promise<unknown>): Promise<ClientError> {
  const outcome = await call.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a ClientError, got ${JSON.stringify(outcome.value)}`);
  if (!(outcome.error instanceof ClientError)) throw outcome.error;
  return outcome.error;
}

export let bot: SandboxClient;
export let alice: SandboxClient;
export let helper: SandboxClient;
export let teamId: string;
let uniqueName = 0;
export const nextName = (prefix: string) => `${prefix}-${++uniqueName}`;

export async function publicChannel(client = bot, prefix = 'inc') {
  const name = nextName(prefix);
  return client.createChannel({ team_id: teamId, name, display_name: name.toUpperCase(), type: 'O' } as never);
}

/** Starts the file's sandbox before its tests (and the clients for it) and stops it after them. */
export function useMattermostSandbox(): void {
  beforeAll(async () => {
    await sandbox.server.start({ port: 0 });
    bot = clientFor('mm-bot-token');
    alice = clientFor('alice-token');
    helper = clientFor('helper-token');
    teamId = sandbox.teamId('default');
  });
  afterAll(() => sandbox.server.stop());
}
