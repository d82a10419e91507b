/**
 * A status update broadcast to other channels must not ping them: @all, @channel and @here in the update's text are
 * neutralised on the way (the incident channel's own copy is the author's business). Through the broadcast activity,
 * on the in-memory chat.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { createChatActivities } from '../../activities/chat.js';
import { InMemoryWorkspace } from '../fakes/in-memory-workspace.js';
import { neutraliseSpecialMentions } from '../../formats/special-mentions.js';

describe('special mentions', () => {
  it('breaks @all, @channel and @here in any case, and leaves usernames and addresses alone', () => {
    const text = 'cc @all @Channel @HERE, @channel. @alice @allison ops@here.example.com';
    const out = neutraliseSpecialMentions(text);
    expect(out).not.toMatch(/(^|\s)@(all|channel|here)\b/i);
    expect(out).toContain('ops@here.example.com');
    expect(out.replace(/\u200b/g, '')).toBe(text);
    expect(out).toContain('@alice @allison');
  });

  it('a broadcast copy carries none of them', async () => {
    const workspace = new InMemoryWorkspace();
    const channel = await workspace.chat.createChannel({ team: 'default', name: 'announcements', displayName: 'Announcements', purpose: '', private: false });
    const activities = createChatActivities(workspace.chat);
    await new MockActivityEnvironment().run(activities.broadcastToChannel, { key: 'k1', team: 'default', channelName: 'announcements', message: 'Update: @channel payments are back' });
    const posted = workspace.records.posts.filter((post) => post.channelId === channel.id).map((post) => post.message);
    expect(posted).toHaveLength(1);
    expect(posted[0]).not.toMatch(/@channel\b/);
    expect(posted[0]!.replace(/\u200b/g, '')).toBe('Update: @channel payments are back');
  });
});
