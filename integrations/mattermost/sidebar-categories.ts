/**
 * People's custom sidebar categories, kept by the bot: an incident channel put into each member's "Incidents" category at
 * launch, and taken out again when the incident's channel is archived.
 *
 * Mattermost has no "add a channel to a category" nor "remove one": a category is read and written back whole. Two
 * incidents placed for the same person at once would each write back the list it read, and one channel would be lost
 * (seen: 9 of 187 under concurrent launches). So one write at a time per person and team: in this process by a queue,
 * and across worker processes by a lock in the store they share (SharedLocks, passed in by the worker). Without a
 * shared lock each placement is read back and a channel another process's write dropped is added again, a few times at
 * most; that cannot see a write that lands after the read-back (a real Mattermost 9.11 lost 6 of 12 channels placed for
 * one person by four workers at once, none reported), which the shared lock rules out.
 *
 * Mattermost keeps an archived channel in every category it was put in (9.11, probed): without taking it out, each
 * later write would carry every incident channel ever placed there, and the category would only grow.
 */
import type { Client4 } from '@mattermost/client';
import type { ChannelCategory } from '@mattermost/types/channel_categories';
import type { SharedLocks } from '../../activities/ports/shared-locks.js';
import { OneAtATime } from '../../domain/one-at-a-time.js';

/** Writes of one sidebar category, read back after each, before a placement is given up (and reported missing). */
const SIDEBAR_WRITE_ATTEMPTS = 4;
/** People whose sidebars one placement or removal changes at the same time. */
export const SIDEBAR_CONCURRENCY = 4;

type CategoryClient = Pick<Client4, 'getChannelCategories' | 'createChannelCategory' | 'updateChannelCategory' | 'deleteChannelCategory'>;

export class SidebarCategories {
  /** Per person and team, this process's changes one at a time. */
  private readonly queued = new OneAtATime();
  /** Per person and team: the changes waiting for their turn, in the order they came, which go together. */
  private readonly waitingChanges = new Map<string, Change[]>();

  /** `shared`: the lock every worker process takes before it writes a person's category (none: this process only). */
  constructor(
    private readonly client: CategoryClient,
    private readonly shared?: SharedLocks,
  ) {}

  /**
   * Puts the channel into the person's custom category of this name (created when missing); false when it would not
   * stay. Changes for the same person that wait for their turn together go in one write per category: in an alert storm
   * the same on-call people are in every incident, and one read and one write per incident, one after another, made the
   * last placement wait for all the others.
   */
  place(userId: string, teamId: string, channelId: string, categoryName: string): Promise<boolean> {
    return new Promise<boolean>((done, failed) => this.enqueue(userId, teamId, { kind: 'place', channelId, categoryName, done, failed }));
  }

  /**
   * Takes the channel out of every custom category of the person's in that team; how many categories held it. Removals
   * that wait together (the incidents of a storm closed at once) go in one read and one write per category.
   */
  remove(userId: string, teamId: string, channelId: string): Promise<number> {
    return new Promise<number>((done, failed) => this.enqueue(userId, teamId, { kind: 'remove', channelId, done, failed }));
  }

  /**
   * Adds the change to the person's waiting ones; the first of them takes a turn (onePersonAtATime), which makes all
   * that came meanwhile: runs of placements and of removals in the order they came. A failure fails the changes of its
   * run and of the runs after it; those already answered keep their answer.
   */
  private enqueue(userId: string, teamId: string, change: Change): void {
    const key = `${userId}:${teamId}`;
    const waiting = this.waitingChanges.get(key);
    if (waiting) {
      waiting.push(change);
      return;
    }
    const batch = [change];
    this.waitingChanges.set(key, batch);
    this.onePersonAtATime(userId, teamId, async () => {
      // Its turn: changes from now on wait for the next.
      this.waitingChanges.delete(key);
      for (const run of runsOfOneKind(batch)) {
        if (run[0]!.kind === 'remove') await this.removeAll(userId, teamId, run as Removal[]);
        else await this.placeAll(userId, teamId, run as Placement[]);
      }
    }).catch((error: unknown) => {
      for (const one of batch) one.failed(error);
    });
  }

  /** Placements, one write per category (names compared as Mattermost shows them: trimmed, case aside). */
  private async placeAll(userId: string, teamId: string, placements: Placement[]): Promise<void> {
    const byCategory = new Map<string, Placement[]>();
    for (const one of placements) {
      const name = one.categoryName.trim().toLowerCase();
      byCategory.set(name, [...(byCategory.get(name) ?? []), one]);
    }
    for (const inCategory of byCategory.values()) {
      const stayed = await this.placeInCategory(userId, teamId, inCategory.map((one) => one.channelId), inCategory[0]!.categoryName);
      for (const one of inCategory) one.done(stayed.has(one.channelId));
    }
  }

  /** Removals: one read, and one write per custom category that held any of the channels. */
  private async removeAll(userId: string, teamId: string, removals: Removal[]): Promise<void> {
    const leaving = new Set(removals.map((one) => one.channelId));
    const holding = (await this.client.getChannelCategories(userId, teamId)).categories.filter(
      (category) => category.type === 'custom' && category.channel_ids.some((id) => leaving.has(id)),
    );
    for (const category of holding) {
      await this.client.updateChannelCategory(userId, teamId, { ...category, channel_ids: category.channel_ids.filter((id) => !leaving.has(id)) });
    }
    for (const one of removals) one.done(holding.filter((category) => category.channel_ids.includes(one.channelId)).length);
  }

  /** Puts the channels into the category (made when missing); the ones that stayed there. */
  private async placeInCategory(userId: string, teamId: string, channelIds: string[], categoryName: string): Promise<Set<string>> {
    const wanted = categoryName.trim().toLowerCase();
    // The category by that name; two made at once by two workers are merged into the one with the lower ID (every
    // writer picks the same), so the person never sees "Incidents" twice.
    const find = async (): Promise<ChannelCategory | undefined> => {
      const matching = (await this.client.getChannelCategories(userId, teamId)).categories
        .filter((category) => category.type === 'custom' && category.display_name.trim().toLowerCase() === wanted)
        .sort((a, b) => (a.id < b.id ? -1 : 1));
      const [kept, ...extra] = matching;
      if (!kept || extra.length === 0) return kept;
      const merged = { ...kept, channel_ids: [...new Set([...kept.channel_ids, ...extra.flatMap((category) => category.channel_ids)])] };
      await this.client.updateChannelCategory(userId, teamId, merged);
      for (const category of extra) await this.client.deleteChannelCategory(userId, teamId, category.id).catch(() => undefined);
      return merged;
    };
    const all = new Set(channelIds);
    const stillMissing = (category: ChannelCategory | undefined, of: string[]) => of.filter((id) => !category?.channel_ids.includes(id));
    let missing = [...all];
    for (let attempt = 1; attempt <= SIDEBAR_WRITE_ATTEMPTS; attempt++) {
      const existing = await find();
      missing = stillMissing(existing, missing);
      if (missing.length === 0) return all;
      if (!existing) {
        await this.client.createChannelCategory(userId, teamId, { user_id: userId, team_id: teamId, type: 'custom', display_name: categoryName, channel_ids: missing } as ChannelCategory);
      } else {
        await this.client.updateChannelCategory(userId, teamId, { ...existing, channel_ids: [...existing.channel_ids, ...missing] });
      }
      // Under the lock every worker shares, no write of ours came in between: what was written stays.
      if (this.shared) return all;
      missing = stillMissing(await find(), missing);
      if (missing.length === 0) return all;
      // Someone else's write came in between: a moment's pause, then again.
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt + Math.random() * 100));
    }
    return new Set(channelIds.filter((id) => !missing.includes(id)));
  }

  /**
   * One change of the person's categories at a time: queued in this process first (so its own placements do not
   * compete for the shared lock), then under the shared lock when there is one.
   */
  private onePersonAtATime<T>(userId: string, teamId: string, work: () => Promise<T>): Promise<T> {
    const key = `${userId}:${teamId}`;
    const shared = this.shared;
    return this.queued.run(key, shared ? () => shared.withLock(`sidebar:${key}`, work) : work);
  }
}

interface Placement {
  kind: 'place';
  channelId: string;
  categoryName: string;
  done: (placed: boolean) => void;
  failed: (error: unknown) => void;
}

interface Removal {
  kind: 'remove';
  channelId: string;
  /** How many of the person's categories held the channel. */
  done: (categories: number) => void;
  failed: (error: unknown) => void;
}

type Change = Placement | Removal;

/** The changes cut into runs of one kind, in order: a channel placed and then taken out stays out. */
function runsOfOneKind(changes: Change[]): Change[][] {
  const runs: Change[][] = [];
  for (const change of changes) {
    const last = runs.at(-1);
    if (last && last[0]!.kind === change.kind) last.push(change);
    else runs.push([change]);
  }
  return runs;
}

/** Runs `task` for each item, `concurrency` at a time (different people's sidebars never touch each other). */
export async function forEachPerson<T>(items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
}
