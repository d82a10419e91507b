/**
 * The Mattermost sandbox's custom user groups: the default group, search, paging, members, and 501 on a server without
 * them. Shared set-up in harness.ts.
 */
import { describe, expect, it } from 'vitest';
import { createMattermostSandbox } from '../../../sandbox/mattermost/index.js';
import { alice, bot, failure, sandbox, SandboxClient, useMattermostSandbox } from './harness.js';

useMattermostSandbox();

describe('Mattermost sandbox: user groups', () => {
  it('seeds the default group "sre" with bob and carol, found by search, id, stats and member', async () => {
    const [sre] = await alice.searchGroups({ q: 'SR', include_member_count: true, page: 0, per_page: 60 });
    expect(sre).toMatchObject({ id: sandbox.groupId('sre'), name: 'sre', display_name: 'SRE', source: 'custom', delete_at: 0, allow_reference: true, member_count: 2 });
    expect(await bot.getGroup(sre!.id, true)).toEqual(sre);
    expect(await bot.getGroup(sre!.id)).not.toHaveProperty('member_count');
    expect(await bot.getGroupStats(sre!.id)).toEqual({ group_id: sre!.id, total_member_count: 2 });
    expect((await bot.getProfilesInGroup(sre!.id)).map((user) => user.username)).toEqual(['bob', 'carol']);
    expect((await bot.getGroupsByUserId(sandbox.userId('carol'))).map((group) => group.name)).toEqual(['sre']);
    expect(await bot.getGroupsByUserId(sandbox.userId('alice'))).toEqual([]);
    expect(await bot.searchGroups({ q: 'nothing-like-it', page: 0, per_page: 60 })).toEqual([]);
  });

  it('answers an unknown group id with 404 and a malformed one with 400', async () => {
    const unknown = await failure(bot.getProfilesInGroup('zzzzzzzzzzzzzzzzzzzzzzzzzz'));
    expect(unknown.status_code).toBe(404);
    expect(unknown.server_error_id).toBe('app.group.no_rows');
    expect((await failure(bot.getGroup('zzzzzzzzzzzzzzzzzzzzzzzzzz'))).status_code).toBe(404);
    expect((await failure(bot.getProfilesInGroup('not-an-id'))).status_code).toBe(400);
  });

  it('searches name and display name, sorts by display name, filters by member and pages groups and members', async () => {
    const crowd = Array.from({ length: 7 }, (_, i) => `person-${i + 1}`);
    const seeded = createMattermostSandbox({
      users: [{ username: 'incident-bot', isBot: true, systemAdmin: true }, ...crowd.map((username) => ({ username }))],
      groups: [
        { name: 'ops', displayName: 'Ops', members: crowd },
        { name: 'ops-emea', displayName: 'EMEA ops', members: ['person-1'] },
        { name: 'dba', displayName: 'Database admins', members: [] },
      ],
    });
    const url = await seeded.server.start();
    try {
      const client = new SandboxClient();
      client.setUrl(url);
      client.setToken('mm-bot-token');
      expect((await client.searchGroups({ q: 'OPS', page: 0, per_page: 60 })).map((group) => group.name)).toEqual(['ops-emea', 'ops']);
      expect((await client.searchGroups({ q: 'admins', page: 0, per_page: 60 })).map((group) => group.name)).toEqual(['dba']);
      expect((await client.searchGroups({ q: '', page: 1, per_page: 2 })).map((group) => group.name)).toEqual(['ops']);
      const person1 = seeded.userId('person-1');
      expect((await client.searchGroups({ q: '', filter_has_member: person1, page: 0, per_page: 60 })).map((group) => group.name)).toEqual(['ops-emea', 'ops']);
      const ops = seeded.groupId('ops');
      const pages = [await client.getProfilesInGroup(ops, 0, 3), await client.getProfilesInGroup(ops, 1, 3), await client.getProfilesInGroup(ops, 2, 3)];
      expect(pages.map((page) => page.map((user) => user.username))).toEqual([crowd.slice(0, 3), crowd.slice(3, 6), crowd.slice(6)]);
      const state = (await (await fetch(`${url}/_sandbox/state`)).json()) as { groups: Array<{ name: string; members: string[] }> };
      expect(state.groups.map((group) => [group.name, group.members.length])).toEqual([['ops', 7], ['ops-emea', 1], ['dba', 0]]);
    } finally {
      await seeded.server.stop();
    }
  });

  it('answers every groups route with 501 when the server has no user groups', async () => {
    const unlicensed = createMattermostSandbox({ groupsEnabled: false });
    const url = await unlicensed.server.start();
    try {
      const client = new SandboxClient();
      client.setUrl(url);
      client.setToken('mm-bot-token');
      const sre = unlicensed.groupId('sre');
      const refusals = await Promise.all([
        failure(client.searchGroups({ q: 'sre', page: 0, per_page: 60 })),
        failure(client.getGroup(sre)),
        failure(client.getGroupStats(sre)),
        failure(client.getProfilesInGroup(sre)),
        failure(client.getGroupsByUserId(unlicensed.userId('bob'))),
      ]);
      expect(refusals.map((error) => [error.status_code, error.server_error_id])).toEqual(Array(5).fill([501, 'api.custom_groups.license_error']));
      // Listing users without in_group still works.
      expect((await client.getProfiles(0, 100)).map((user) => user.username)).toContain('bob');
    } finally {
      await unlicensed.server.stop();
    }
  });

  it('refuses to seed a group naming an unknown user, and leaves absent users out of the default group', () => {
    expect(() => createMattermostSandbox({ groups: [{ name: 'sre', members: ['nobody'] }] })).toThrow(/unknown user "nobody"/);
    expect(() => createMattermostSandbox({ groups: [{ name: 'Bad Name', members: [] }] })).toThrow(/invalid group name/);
    const few = createMattermostSandbox({ users: [{ username: 'incident-bot', isBot: true, systemAdmin: true }, { username: 'bob' }] });
    expect(few.groupId('sre')).toMatch(/^[a-z0-9]{26}$/);
  });
});
