/**
 * The Mattermost sandbox's files: uploads as Client4 and the mobile apps send them, bytes and info, attaching to posts,
 * and the limits. Shared set-up in harness.ts.
 */
import { describe, expect, it } from 'vitest';
import { createMattermostSandbox } from '../../../sandbox/mattermost/index.js';
import { alice, bot, failure, nextName, publicChannel, sandbox, SandboxClient, teamId, useMattermostSandbox } from './harness.js';

useMattermostSandbox();

describe('Mattermost sandbox: files', () => {
  const upload = (client: SandboxClient, channelId: string, name: string, content: string | Buffer, type = 'text/plain', clientId?: string) => {
    const form = new FormData();
    form.append('channel_id', channelId);
    form.append('files', new Blob([content], { type }), name);
    if (clientId) form.append('client_ids', clientId);
    return client.uploadFile(form);
  };
  const getFile = (path: string, token = 'mm-bot-token') => fetch(`${sandbox.server.url}/api/v4/files/${path}`, { headers: { authorization: `BEARER ${token}` } });

  it('uploads a file as Client4 sends it, serves its bytes and info, and attaches it to a post', async () => {
    const channel = await publicChannel();
    const botId = sandbox.userId('incident-bot');
    const uploaded = await upload(bot, channel.id, 'export.csv', 'a,b\n1,2\n', 'text/csv', 'client-1');
    expect(uploaded.client_ids).toEqual(['client-1']);
    expect(uploaded.file_infos).toHaveLength(1);
    const info = uploaded.file_infos[0]!;
    expect(info).toMatchObject({ name: 'export.csv', extension: 'csv', size: 8, mime_type: 'text/csv', channel_id: channel.id, user_id: botId, post_id: '', delete_at: 0 });
    expect(info.id).toMatch(/^[a-z0-9]{26}$/);

    const bytes = await getFile(info.id);
    expect(bytes.status).toBe(200);
    expect(bytes.headers.get('content-type')).toBe('text/csv');
    expect(bytes.headers.get('content-disposition')).toContain('filename="export.csv"');
    expect(await bytes.text()).toBe('a,b\n1,2\n');
    expect(await (await getFile(`${info.id}/info`)).json()).toMatchObject({ id: info.id, name: 'export.csv', size: 8 });
    // Until a post attaches it, the file is the uploader's alone.
    expect((await getFile(info.id, 'alice-token')).status).toBe(403);

    const post = await bot.createPost({ channel_id: channel.id, message: 'Export', file_ids: [info.id] } as never);
    expect(post.file_ids).toEqual([info.id]);
    expect((post.metadata as { files?: Array<{ id: string }> }).files?.map((f) => f.id)).toEqual([info.id]);
    expect((await getFile(info.id, 'alice-token')).status).toBe(200);
    expect(sandbox.files().find((f) => f.id === info.id)?.post_id).toBe(post.id);
    expect(sandbox.fileContent(info.id)?.toString()).toBe('a,b\n1,2\n');
    const state = (await (await fetch(`${sandbox.server.url}/_sandbox/state`)).json()) as { files: Array<{ id: string; post_id: string; content?: unknown }> };
    expect(state.files.find((f) => f.id === info.id)).toMatchObject({ post_id: post.id });
    expect(state.files.find((f) => f.id === info.id)).not.toHaveProperty('content');
    expect((await getFile('zzzzzzzzzzzzzzzzzzzzzzzzzz')).status).toBe(404);
  });

  it('attaches only files the poster uploaded to that channel and no post holds yet', async () => {
    const here = await publicChannel();
    const there = await publicChannel();
    await bot.addToChannel(sandbox.userId('alice'), here.id);
    const mine = (await upload(bot, here.id, 'mine.txt', 'm')).file_infos[0]!.id;
    const elsewhere = (await upload(bot, there.id, 'there.txt', 't')).file_infos[0]!.id;
    const hers = (await upload(alice, here.id, 'hers.txt', 'h')).file_infos[0]!.id;
    const post = await bot.createPost({ channel_id: here.id, message: 'files', file_ids: [mine, elsewhere, hers, 'zzzzzzzzzzzzzzzzzzzzzzzzzz'] } as never);
    expect(post.file_ids).toEqual([mine]);
    const second = await bot.createPost({ channel_id: here.id, message: 'again', file_ids: [mine] } as never);
    expect(second.file_ids).toBeUndefined();
    const tooMany = await failure(bot.createPost({ channel_id: here.id, message: 'x', file_ids: Array.from({ length: 11 }, () => mine) } as never));
    expect(tooMany.server_error_id).toBe('model.post.is_valid.file_ids.app_error');
  });

  it('takes a raw upload named by ?filename=', async () => {
    const channel = await publicChannel();
    const response = await fetch(`${sandbox.server.url}/api/v4/files?channel_id=${channel.id}&filename=notes.txt`, {
      method: 'POST',
      headers: { authorization: 'BEARER mm-bot-token', 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(response.status).toBe(201);
    expect(((await response.json()) as { file_infos: Array<{ name: string; size: number }> }).file_infos).toMatchObject([{ name: 'notes.txt', size: 5 }]);
  });

  it('refuses an upload without files (400), to a channel the user is not in (403), and over the size limit (413)', async () => {
    const closed = await bot.createChannel({ team_id: teamId, name: nextName('files'), display_name: 'Files', type: 'P' } as never);
    const empty = new FormData();
    empty.append('channel_id', closed.id);
    const none = await failure(bot.uploadFile(empty));
    expect(none.status_code).toBe(400);
    expect(none.server_error_id).toBe('api.file.upload_file.incorrect_number_of_files.app_error');
    expect((await failure(upload(alice, closed.id, 'x.txt', 'x'))).status_code).toBe(403);

    const small = createMattermostSandbox({ maxFileSize: 1000 });
    await small.server.start();
    try {
      const client = new SandboxClient();
      client.setUrl(small.server.url);
      client.setIncludeCookies(false);
      client.setToken('mm-bot-token');
      const channel = await client.createChannel({ team_id: small.teamId('default'), name: 'limits', display_name: 'Limits', type: 'O' } as never);
      expect((await upload(client, channel.id, 'fits.bin', Buffer.alloc(1000), 'application/octet-stream')).file_infos[0]!.size).toBe(1000);
      const over = await failure(upload(client, channel.id, 'over.bin', Buffer.alloc(1001), 'application/octet-stream'));
      expect(over.status_code).toBe(413);
      expect(over.server_error_id).toBe('api.file.upload_file.too_large_detailed.app_error');
      // A request far over the limit is read to its end and answered, not cut off.
      const huge = await failure(upload(client, channel.id, 'huge.bin', Buffer.alloc(3 * 1024 * 1024), 'application/octet-stream'));
      expect(huge.status_code).toBe(413);
      expect(small.files().map((f) => f.name)).toEqual(['fits.bin']);
    } finally {
      await small.server.stop();
    }
  });
});
