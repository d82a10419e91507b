/**
 * Mattermost's websocket messages as a real 9.11 server sent them (posted, user_added, user_removed), and what the
 * listener makes of them; anything else, or anything malformed, is dropped rather than half understood.
 */
import { describe, expect, it } from 'vitest';
import { toChatEvent, websocketUrl } from '../../integrations/mattermost/mattermost-events.js';

const broadcast = (channelId = '', userId = '') => ({ omit_users: null, user_id: userId, channel_id: channelId, team_id: '', connection_id: '', omit_connection_id: '' });
const post = {
  id: '66jssoj13tgm7p1p1yuut9i5ho', create_at: 1796093888927, update_at: 1796093888927, edit_at: 0, delete_at: 0, is_pinned: false,
  user_id: 'u64ojwkkpbf9ukfj91swzhqf6r', channel_id: 'w3b6dja76pgdmemb8whj7iizxa', root_id: '', original_id: '', message: '#timeline hello',
  type: '', props: {}, hashtags: '#timeline', pending_post_id: '', remote_id: '', reply_count: 0, last_reply_at: 0, participants: null, metadata: {},
};

describe('toChatEvent', () => {
  it('reads a posted event, whose post is a JSON string', () => {
    const message = {
      event: 'posted',
      data: { channel_display_name: 'probe', channel_name: 'probe-1', channel_type: 'P', post: JSON.stringify(post), sender_name: '@contract-admin', team_id: 'wyyatu1mtibptrx47kx6igpxgw' },
      broadcast: broadcast('w3b6dja76pgdmemb8whj7iizxa'),
      seq: 6,
    };
    expect(toChatEvent(message)).toEqual({
      kind: 'posted',
      channelId: 'w3b6dja76pgdmemb8whj7iizxa',
      teamId: 'wyyatu1mtibptrx47kx6igpxgw',
      channelType: 'P',
      post: { id: post.id, userId: post.user_id, message: '#timeline hello', type: '', rootId: '', createAt: 1796093888927 },
    });
  });

  it('reads joins and leaves from the broadcast channel and the data user', () => {
    expect(toChatEvent({ event: 'user_added', data: { team_id: 't', user_id: 'rxgicce6qbbejbbtyweadag3cw' }, broadcast: broadcast('uyyt4ptgrpdcbck9mejbcg1x9w'), seq: 4 })).toEqual({
      kind: 'member_added',
      channelId: 'uyyt4ptgrpdcbck9mejbcg1x9w',
      userId: 'rxgicce6qbbejbbtyweadag3cw',
    });
    expect(toChatEvent({ event: 'user_removed', data: { remover_id: 'x', user_id: 'rxgicce6qbbejbbtyweadag3cw' }, broadcast: broadcast('uyyt4ptgrpdcbck9mejbcg1x9w'), seq: 8 })).toEqual({
      kind: 'member_removed',
      channelId: 'uyyt4ptgrpdcbck9mejbcg1x9w',
      userId: 'rxgicce6qbbejbbtyweadag3cw',
    });
  });

  it('drops what it does not use and what is malformed', () => {
    expect(toChatEvent({ event: 'status_change', data: { status: 'online' }, broadcast: broadcast(), seq: 1 })).toBeUndefined();
    expect(toChatEvent({ event: 'posted', data: { post: '{not json' }, broadcast: broadcast('c'), seq: 2 })).toBeUndefined();
    expect(toChatEvent({ event: 'posted', data: { post: JSON.stringify({ id: 'p' }) }, broadcast: broadcast('c'), seq: 2 })).toBeUndefined();
    expect(toChatEvent({ event: 'posted', data: { post: { ...post } }, broadcast: broadcast('c'), seq: 2 })).toBeUndefined();
    // The removed user's own copy of user_removed names no channel in its broadcast.
    expect(toChatEvent({ event: 'user_removed', data: { user_id: 'u', channel_id: 'c' }, broadcast: broadcast('', 'u'), seq: 3 })).toBeUndefined();
    expect(toChatEvent(null)).toBeUndefined();
    expect(toChatEvent('posted')).toBeUndefined();
  });
});

describe('websocketUrl', () => {
  it('turns the server URL into its websocket address, keeping a context path', () => {
    expect(websocketUrl('https://chat.example.com/')).toBe('wss://chat.example.com/api/v4/websocket');
    expect(websocketUrl('http://127.0.0.1:8065/mm')).toBe('ws://127.0.0.1:8065/mm/api/v4/websocket');
  });
});
