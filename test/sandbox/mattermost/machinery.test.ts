/**
 * The Mattermost sandbox's the SandboxServer machinery under the Mattermost routes: injected faults, JSON replies, the
 * inspection state and reset. Shared set-up in harness.ts.
 */
import { describe, expect, it } from 'vitest';
import { alice, bot, failure, publicChannel, sandbox, teamId, useMattermostSandbox } from './harness.js';

useMattermostSandbox();

describe('Mattermost sandbox: machinery', () => {
  it('passes an injected 429 with Retry-After to the client as a ClientError', async () => {
    sandbox.server.addFault({ method: 'GET', path: '/api/v4/users/me', status: 429, retryAfterSeconds: 3, times: 2 });
    const limited = await failure(bot.getMe());
    expect(limited.status_code).toBe(429);
    const raw = await fetch(`${sandbox.server.url}/api/v4/users/me`, { headers: { authorization: 'BEARER mm-bot-token' } });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('3');
    expect(await raw.json()).toMatchObject({ status_code: 429, detailed_error: '', request_id: expect.stringMatching(/^[a-z0-9]{26}$/) });
    expect((await bot.getMe()).username).toBe('incident-bot');
    sandbox.server.clearFaults();
  });

  it('answers every JSON reply with Content-Type exactly application/json', async () => {
    const channel = await publicChannel();
    const url = sandbox.server.url;
    const auth = { authorization: 'BEARER mm-bot-token', 'content-type': 'application/json' };
    const responses = await Promise.all([
      fetch(`${url}/api/v4/users/me`, { headers: auth }),
      fetch(`${url}/api/v4/posts`, { method: 'POST', headers: auth, body: JSON.stringify({ channel_id: channel.id, message: 'x' }) }),
      fetch(`${url}/api/v4/channels/${channel.id}/posts?page=0&per_page=5`, { headers: auth }),
      fetch(`${url}/api/v4/users/me`),
      fetch(`${url}/api/v4/channels/zzzzzzzzzzzzzzzzzzzzzzzzzz`, { headers: auth }),
      fetch(`${url}/api/v4/no/such/route`, { headers: auth }),
    ]);
    expect(responses.map((response) => response.status)).toEqual([200, 201, 200, 401, 404, 404]);
    for (const response of responses) {
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toBeTypeOf('object');
    }
  });

  it('shows its state with member usernames, and reset keeps the seeded ids', async () => {
    const channel = await publicChannel();
    await bot.addToChannel(sandbox.userId('alice'), channel.id);
    // Each test file has its own sandbox: this test makes the command, post and dialog that state and reset show.
    await bot.executeCommand('/incident info', { channel_id: channel.id, team_id: teamId });
    await bot.createPost({ channel_id: channel.id, message: 'before reset' } as never);
    await bot.openDialog({ trigger_id: 'trigger-reset', url: 'http://svc/dialog', dialog: { title: 'Reset', elements: [] } });
    const state = (await (await fetch(`${sandbox.server.url}/_sandbox/state`)).json()) as any;
    expect(state.channels.find((c: any) => c.id === channel.id).members).toEqual(['incident-bot', 'alice']);
    expect(state.executedCommands.length).toBeGreaterThan(0);
    const aliceId = sandbox.userId('alice');
    sandbox.server.reset();
    expect(sandbox.channels()).toEqual([]);
    expect(sandbox.posts()).toEqual([]);
    expect(sandbox.dialogs()).toEqual([]);
    expect(sandbox.userId('alice')).toBe(aliceId);
    expect((await alice.getMe()).id).toBe(aliceId);
  });
});
