/**
 * A person's sidebar categories (integrations/mattermost/sidebar-categories.ts) against a fake of Mattermost's category
 * calls: placements and removals that wait for their turn together go in one write per category, in the order they
 * came, each answered; a write that fails fails the placements it carried, not the ones before it; with a shared lock
 * nothing is read back.
 */
import type { ChannelCategory } from '@mattermost/types/channel_categories';
import { describe, expect, it } from 'vitest';
import type { SharedLocks } from '../../activities/ports/shared-locks.js';
import { SidebarCategories } from '../../integrations/mattermost/sidebar-categories.js';

/** One person's categories in one team, as Mattermost keeps them; reads can be held at a gate; writes can be refused. */
function fakeMattermost() {
  const categories: ChannelCategory[] = [];
  const calls: string[] = [];
  let gate: Promise<void> | undefined;
  let refuseWrites = 0;
  let made = 0;
  const client = {
    async getChannelCategories() {
      calls.push('read');
      if (gate) await gate;
      return { categories: categories.map((category) => ({ ...category, channel_ids: [...category.channel_ids] })), order: [] };
    },
    async createChannelCategory(_user: string, _team: string, category: ChannelCategory) {
      calls.push(`create ${category.display_name} ${category.channel_ids.join(',')}`);
      const created = { ...category, id: `cat-${++made}`, channel_ids: [...category.channel_ids] };
      categories.push(created);
      return created;
    },
    async updateChannelCategory(_user: string, _team: string, category: ChannelCategory) {
      calls.push(`write ${category.display_name} ${category.channel_ids.join(',')}`);
      if (refuseWrites > 0) {
        refuseWrites--;
        throw new Error('Mattermost answered 503');
      }
      const index = categories.findIndex((one) => one.id === category.id);
      categories[index] = { ...category, channel_ids: [...category.channel_ids] };
      return category;
    },
    async deleteChannelCategory() {
      calls.push('delete');
    },
  };
  return {
    client,
    calls,
    channelsIn: (name: string) => categories.find((category) => category.display_name === name)?.channel_ids ?? [],
    holdReads() {
      let open!: () => void;
      gate = new Promise((resolve) => (open = resolve));
      return () => {
        gate = undefined;
        open();
      };
    },
    refuseNextWrite() {
      refuseWrites = 1;
    },
  };
}

/** Waits until `calls` holds `count` entries (the placement under way has reached Mattermost). */
async function untilCalls(calls: string[], count: number): Promise<void> {
  for (let turns = 0; calls.length < count; turns++) {
    if (turns > 1_000) throw new Error(`expected ${count} calls, saw ${calls.join('; ')}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const inLock: SharedLocks = { withLock: (_key, work) => work() };

describe('sidebar categories', () => {
  it('places what waited for its turn together: one write per category, every placement answered', async () => {
    const mattermost = fakeMattermost();
    const sidebars = new SidebarCategories(mattermost.client as never, inLock);
    await sidebars.place('dave', 'team', 'c0', 'Incidents');
    expect(mattermost.calls).toEqual(['read', 'create Incidents c0']);

    const release = mattermost.holdReads();
    const first = sidebars.place('dave', 'team', 'c1', 'Incidents');
    await untilCalls(mattermost.calls, 3);
    // While c1's turn waits on Mattermost: four more for dave (one twice, one in another category).
    const waited = [
      sidebars.place('dave', 'team', 'c2', 'Incidents'),
      sidebars.place('dave', 'team', 'c3', 'incidents '),
      sidebars.place('dave', 'team', 'c2', 'Incidents'),
      sidebars.place('dave', 'team', 'w1', 'Watching'),
    ];
    release();
    expect(await first).toBe(true);
    expect(await Promise.all(waited)).toEqual([true, true, true, true]);
    expect(mattermost.calls.slice(2)).toEqual([
      'read',
      'write Incidents c0,c1',
      // The four that waited: Incidents in one write (c2 once), Watching made with its channel.
      'read',
      'write Incidents c0,c1,c2,c3',
      'read',
      'create Watching w1',
    ]);
    expect(mattermost.channelsIn('Incidents')).toEqual(['c0', 'c1', 'c2', 'c3']);
  });

  it('fails the placements a refused write carried, not the one before them, and places the next ones again', async () => {
    const mattermost = fakeMattermost();
    const sidebars = new SidebarCategories(mattermost.client as never, inLock);
    await sidebars.place('dave', 'team', 'c0', 'Incidents');
    const release = mattermost.holdReads();
    const first = sidebars.place('dave', 'team', 'c1', 'Incidents');
    await untilCalls(mattermost.calls, 3);
    const waited = [sidebars.place('dave', 'team', 'c2', 'Incidents'), sidebars.place('dave', 'team', 'c3', 'Incidents')];
    release();
    expect(await first).toBe(true);
    mattermost.refuseNextWrite();
    await expect(Promise.all(waited)).rejects.toThrow('Mattermost answered 503');
    expect(mattermost.channelsIn('Incidents')).toEqual(['c0', 'c1']);
    // The activity's retry places them again.
    expect(await sidebars.place('dave', 'team', 'c2', 'Incidents')).toBe(true);
    expect(mattermost.channelsIn('Incidents')).toEqual(['c0', 'c1', 'c2']);
  });

  it('takes channels out together: one read, one write per category that held any, then what came after them, in order', async () => {
    const mattermost = fakeMattermost();
    const sidebars = new SidebarCategories(mattermost.client as never, inLock);
    for (const id of ['c0', 'c1', 'c2']) await sidebars.place('dave', 'team', id, 'Incidents');
    for (const id of ['c1', 'w1']) await sidebars.place('dave', 'team', id, 'Watching');
    const before = mattermost.calls.length;

    const release = mattermost.holdReads();
    const first = sidebars.remove('dave', 'team', 'c0');
    await untilCalls(mattermost.calls, before + 1);
    // While c0's removal waits on Mattermost: three incidents closed at once, then a placement, then its removal.
    const waited = [
      sidebars.remove('dave', 'team', 'c1'),
      sidebars.remove('dave', 'team', 'c2'),
      sidebars.remove('dave', 'team', 'gone'),
      sidebars.place('dave', 'team', 'c3', 'Incidents'),
      sidebars.remove('dave', 'team', 'c3'),
    ];
    release();
    expect(await first).toBe(1);
    expect(await Promise.all(waited)).toEqual([2, 1, 0, true, 1]);
    expect(mattermost.calls.slice(before)).toEqual([
      'read',
      'write Incidents c1,c2',
      'read',
      'write Incidents ',
      'write Watching w1',
      'read',
      'write Incidents c3',
      'read',
      'write Incidents ',
    ]);
    expect(mattermost.channelsIn('Incidents')).toEqual([]);
    expect(mattermost.channelsIn('Watching')).toEqual(['w1']);
  });

  it('reads each write back without a shared lock, and not with one', async () => {
    const alone = fakeMattermost();
    await new SidebarCategories(alone.client as never).place('dave', 'team', 'c0', 'Incidents');
    await new SidebarCategories(alone.client as never).place('dave', 'team', 'c1', 'Incidents');
    expect(alone.calls).toEqual(['read', 'create Incidents c0', 'read', 'read', 'write Incidents c0,c1', 'read']);
    const shared = fakeMattermost();
    await new SidebarCategories(shared.client as never, inLock).place('dave', 'team', 'c0', 'Incidents');
    await new SidebarCategories(shared.client as never, inLock).place('dave', 'team', 'c1', 'Incidents');
    expect(shared.calls).toEqual(['read', 'create Incidents c0', 'read', 'write Incidents c0,c1']);
  });
});
