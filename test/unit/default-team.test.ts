/** Which team an incident that names none goes to: the setting, else the bot's only team, else "default" (with a word). */
import { describe, expect, it } from 'vitest';
import { resolveDefaultTeam } from '../../config/default-team.js';

describe('the default team', () => {
  const chatIn = (...teams: string[]) => ({ teamNames: async () => teams });

  it('is MATTERMOST_DEFAULT_TEAM when set, without asking Mattermost', async () => {
    const warnings: string[] = [];
    const asked = { teamNames: async (): Promise<string[]> => { throw new Error('not to be asked'); } };
    expect(await resolveDefaultTeam('platform', asked, (w) => warnings.push(w))).toBe('platform');
    expect(warnings).toEqual([]);
  });

  it('is the bot’s only team; with several or none it is "default", and the operator is told why', async () => {
    const warnings: string[] = [];
    expect(await resolveDefaultTeam(undefined, chatIn('shop'), (w) => warnings.push(w))).toBe('shop');
    expect(await resolveDefaultTeam(undefined, chatIn('shop', 'ops'), (w) => warnings.push(w))).toBe('default');
    expect(await resolveDefaultTeam(undefined, chatIn(), (w) => warnings.push(w))).toBe('default');
    expect(await resolveDefaultTeam(undefined, { teamNames: () => Promise.reject(new Error('401 Unauthorized')) }, (w) => warnings.push(w))).toBe('default');
    expect(warnings).toEqual([
      expect.stringMatching(/in 2 teams \(shop, ops\).*set MATTERMOST_DEFAULT_TEAM/),
      expect.stringMatching(/in no Mattermost team/),
      expect.stringMatching(/could not ask Mattermost.*401 Unauthorized/),
    ]);
    expect(await resolveDefaultTeam(undefined, undefined, (w) => warnings.push(w))).toBe('default');
  });
});
