/**
 * A user's sidebar in a team (Mattermost's channel categories), as state: seeded with the three default categories on
 * first use, and kept in line with the channels the user belongs to whenever it is read.
 */
import type { MattermostWorld } from './state.js';
import type { SandboxCategory, SandboxCategoryType } from './types.js';

/** The user's categories, seeded on first use and brought in line with the channels the user belongs to now. */
export function sidebarOf(world: MattermostWorld, userId: string, teamId: string): SandboxCategory[] {
  const key = `${userId}:${teamId}`;
  let categories = world.sidebars.get(key);
  if (!categories) {
    const seed = (type: SandboxCategoryType, display_name: string): SandboxCategory => ({
      // The real server names the default categories after their type, user and team.
      id: `${type}_${userId}_${teamId}`,
      user_id: userId,
      team_id: teamId,
      type,
      display_name,
      sorting: '',
      channel_ids: [],
      muted: false,
      collapsed: false,
    });
    categories = [seed('favorites', 'Favorites'), seed('channels', 'Channels'), seed('direct_messages', 'Direct Messages')];
    world.sidebars.set(key, categories);
  }
  syncSidebar(world, userId, teamId, categories);
  return categories;
}

/** Every sidebar that has been read, each brought in line first (GET /_sandbox/state). */
export function allSidebars(world: MattermostWorld): SandboxCategory[] {
  return [...world.sidebars.keys()].flatMap((key) => {
    const [userId = '', teamId = ''] = key.split(':');
    return sidebarOf(world, userId, teamId);
  });
}

/** A channel sits in exactly one category; channels left are dropped and channels joined land in "Channels". */
function syncSidebar(world: MattermostWorld, userId: string, teamId: string, categories: SandboxCategory[]): void {
  const memberOf = new Set(world.channelIdsOf(userId, teamId));
  const placed = new Set<string>();
  for (const category of categories) {
    category.channel_ids = category.channel_ids.filter((id) => memberOf.has(id) && !placed.has(id));
    category.channel_ids.forEach((id) => placed.add(id));
  }
  const channelsCategory = categories.find((category) => category.type === 'channels');
  for (const id of memberOf) if (!placed.has(id)) channelsCategory?.channel_ids.push(id);
}

/** Puts the channels in the category and takes them out of every other one, as moving a channel does in the UI. */
export function placeChannels(categories: SandboxCategory[], target: SandboxCategory, channelIds: string[]): void {
  const moving = new Set(channelIds);
  for (const category of categories) {
    if (category !== target) category.channel_ids = category.channel_ids.filter((id) => !moving.has(id));
  }
  target.channel_ids = [...moving];
}

/** Silently drops channel ids the user is not a member of in that team, as the real server does. */
export function filterChannelIds(world: MattermostWorld, userId: string, teamId: string, channelIds: string[]): string[] {
  const memberOf = new Set(world.channelIdsOf(userId, teamId));
  return [...new Set(channelIds)].filter((id) => memberOf.has(id));
}
