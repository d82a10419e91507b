/**
 * The Mattermost sandbox's users and teams: the session user, lookups by id, username and e-mail (one or many), teams,
 * and profiles as the session may see them (bots, hidden e-mail addresses). Shared set-up in harness.ts.
 */
import { describe, expect, it } from 'vitest';
import { createMattermostSandbox } from '../../../sandbox/mattermost/index.js';
import { alice, bot, failure, sandbox, SandboxClient, teamId, useMattermostSandbox } from './harness.js';

useMattermostSandbox();

describe('Mattermost sandbox: users and teams', () => {
  it('describes the session user, a system-admin bot', async () => {
    const me = await bot.getMe();
    expect(me).toMatchObject({ username: 'incident-bot', is_bot: true, roles: 'system_admin system_user', delete_at: 0 });
    expect(me.id).toMatch(/^[a-z0-9]{26}$/);
    expect(me.id).toBe(sandbox.userId('incident-bot'));
    expect((await alice.getMe()).roles).toBe('system_user');
  });

  it('looks users up by id, username and e-mail', async () => {
    const aliceId = sandbox.userId('alice');
    expect((await bot.getUser(aliceId)).username).toBe('alice');
    expect((await bot.getUserByUsername('alice')).email).toBe('alice@example.com');
    expect((await bot.getUserByEmail('bob.builder@example.org')).username).toBe('bob');
    expect((await failure(bot.getUserByUsername('nobody'))).status_code).toBe(404);
    expect((await failure(bot.getUser('not-an-id'))).status_code).toBe(400);
  });

  it('resolves many users at once, leaving unknown ones out', async () => {
    const byName = await bot.getProfilesByUsernames(['alice', 'nobody', 'bob']);
    expect(byName.map((user) => user.username).sort()).toEqual(['alice', 'bob']);
    const byId = await bot.getProfilesByIds([sandbox.userId('carol'), 'zzzzzzzzzzzzzzzzzzzzzzzzzz']);
    expect(byId.map((user) => user.username)).toEqual(['carol']);
  });

  it('finds teams by name and id, and a user\'s teams', async () => {
    const team = await bot.getTeamByName('default');
    expect(team.id).toBe(teamId);
    expect((await bot.getTeam(teamId)).name).toBe('default');
    expect((await bot.getTeamsForUser(sandbox.userId('alice'))).map((t) => t.name)).toEqual(['default']);
    expect((await failure(bot.getTeamByName('elsewhere'))).status_code).toBe(404);
    // Only the user or an admin may list someone's teams.
    expect((await failure(alice.getTeamsForUser(sandbox.userId('bob')))).status_code).toBe(403);
  });
});

describe('Mattermost sandbox: users by id', () => {
  it('tells bots from people, and hides e-mail addresses from non-admins when the privacy setting says so', async () => {
    const profiles = await bot.getProfilesByIds([sandbox.userId('helper-bot'), sandbox.userId('alice')]);
    expect(profiles.map((p) => [p.username, p.is_bot, p.email])).toEqual([
      ['helper-bot', true, 'helper-bot@example.com'],
      ['alice', false, 'alice@example.com'],
    ]);
    const privateSandbox = createMattermostSandbox({ hideEmailAddresses: true, tokens: { admin: 'incident-bot', 'alice-token': 'alice' } });
    await privateSandbox.server.start();
    try {
      const at = (token: string) => {
        const client = new SandboxClient();
        client.setUrl(privateSandbox.server.url);
        client.setIncludeCookies(false);
        client.setToken(token);
        return client;
      };
      const ids = [privateSandbox.userId('alice'), privateSandbox.userId('bob')];
      expect((await at('alice-token').getProfilesByIds(ids)).map((p) => p.email)).toEqual(['alice@example.com', '']);
      expect((await at('alice-token').getUserByUsername('bob')).email).toBe('');
      expect((await at('admin').getProfilesByIds(ids)).map((p) => p.email)).toEqual(['alice@example.com', 'bob@example.com']);
    } finally {
      await privateSandbox.server.stop();
    }
  });
});
