/**
 * The contract suite: a whole incident run against a real Mattermost server, driven the way its users drive it, through
 * Mattermost's own endpoints (a slash command executed by alice, a checklist menu picked by alice, command hand-over to
 * bob, a refusal for dave who is not in the incident's channel), with the product's real Mattermost adapter as the bot.
 * Jira, Zoom and Opsgenie are the in-memory stand-ins: this suite is about Mattermost.
 *
 * Enable it with MATTERMOST_CONTRACT_URL, the address of a Mattermost server whose first user this suite may create (a
 * fresh one: it becomes the system admin) or has created before; the server must be allowed to call 127.0.0.1 (its
 * AllowedUntrustedInternalConnections) for slash commands and buttons. `.ci/run` starts one when it can.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checklistRevision } from '../../../formats/checklist-message.js';
import type { IncidentView } from '../../../domain/incident.js';
import { IncidentService } from '../../../api/incident-service.js';
import { startApi, type RunningApi } from '../../../api/server.js';
import { InMemoryWorkspace } from '../../fakes/in-memory-workspace.js';
import { MattermostChat } from '../../../integrations/mattermost/mattermost-chat.js';
import { openDatabase, type OpenedDatabase } from '../../../store/database.js';
import { IncidentRecordRepository } from '../../../store/incident-records.js';
import { StoreSharedLocks } from '../../../store/shared-locks.js';
import { shippedPlaybooks } from '../../helpers/chat-stack.js';
import { freePort } from '../../helpers/free-port.js';
import { connectToTestServer, runTestWorker, scheduledActivities, uniqueTaskQueue } from '../../helpers/temporal.js';
import { waitFor } from '../../helpers/wait-for.js';
import { examineMattermost } from '../../../integrations/mattermost/mattermost-doctor.js';
import { setUpMattermost, type MattermostSetupResult } from '../../../integrations/mattermost/mattermost-setup.js';
import { listenToMattermostEvents } from '../../../integrations/mattermost/mattermost-events.js';
import { provisionMattermost, type ProvisionedMattermost } from './provision.js';
import { resolveDefaultTeam } from '../../../config/default-team.js';
import { incidentWorkflowId } from '../../../workflows/messages.js';

const url = process.env.MATTERMOST_CONTRACT_URL;
const SECRET = 'contract-action-secret-long-enough-0123456789';
const TEAM = 'contract';

it.skipIf(url)('needs a real Mattermost: set MATTERMOST_CONTRACT_URL (see test/contract/mattermost/ and .ci/run)', () => {});

describe.runIf(url)('an incident in a real Mattermost', () => {
  let mm: ProvisionedMattermost;
  let env: TestWorkflowEnvironment;
  let api: RunningApi;
  let worker: Awaited<ReturnType<typeof runTestWorker>>;
  let database: OpenedDatabase;
  let directory: string;
  let incidents: IncidentService;
  let records: IncidentRecordRepository;
  let incident: IncidentView;
  let setup: MattermostSetupResult;
  let botId: string;
  let privateIncidentId: string;

  beforeAll(async () => {
    mm = await provisionMattermost(url!, TEAM, ['alice', 'bob', 'carol', 'dave']);
    env = await connectToTestServer();
    directory = mkdtempSync(join(tmpdir(), 'mm-contract-'));
    database = await openDatabase({ url: `sqlite:${join(directory, 'store.sqlite')}` });
    records = new IncidentRecordRepository(database.db);
    const taskQueue = uniqueTaskQueue('mm-contract');
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    // What an operator runs: npm run mattermost:setup (the bot, its token and role, the command pointing at the product).
    setup = await setUpMattermost({ url: url!, adminToken: mm.admin.getToken(), publicUrl, teams: [TEAM] });
    botId = (await mm.admin.getUserByUsername('incident-bot')).id;
    const chat = new MattermostChat({ url: url!, token: setup.env.MATTERMOST_BOT_TOKEN!, timeoutMs: 10_000 });
    // carol is on call: the in-memory Opsgenie names her by the e-mail Mattermost knows her by.
    const workspace = new InMemoryWorkspace({ onCall: { default: [mm.people.carol!.email] } });
    const commandToken = setup.env.MATTERMOST_COMMAND_TOKENS!;
    // The timeline webhook as docs/mattermost.md says to make it: the team's, trigger words on the first word.
    for (const hook of await mm.admin.getOutgoingWebhooks('', mm.team.id)) {
      if (hook.display_name === 'Incident timeline') await mm.admin.removeOutgoingWebhook(hook.id);
    }
    const timelineHook = await mm.admin.createOutgoingWebhook({
      team_id: mm.team.id,
      display_name: 'Incident timeline',
      trigger_words: ['#timeline', '!note'],
      trigger_when: 0,
      callback_urls: [`${publicUrl}/mattermost/webhook`],
      content_type: 'application/x-www-form-urlencoded',
    } as never);
    // The shipped playbooks, and one only the "sre" group may start (user groups need a licence this server lacks).
    const shipped = shippedPlaybooks();
    const sreOnly = { ...(await shipped.get('blank'))!, id: 'sre-only', title: 'SRE only', permissions: { run: { users: [], groups: ['sre'] }, edit: { users: [], groups: [] } } };
    const playbooks = {
      get: async (id: string) => (id === sreOnly.id ? sreOnly : shipped.get(id)),
      list: async () => [...(await shipped.list()), sreOnly],
    };
    api = await startApi({
      client: env.client,
      taskQueue,
      playbooks: playbooks as never,
      records,
      logger: pino({ level: process.env.CONTRACT_LOG_LEVEL ?? 'silent' }),
      host: '127.0.0.1',
      port,
      mattermost: {
        chat,
        commandTokens: [commandToken],
        admins: [],
        actionSecret: SECRET,
        publicUrl,
        taskCommandsAllowed: ['/jira', '/zoom'],
        webhookTokens: [timelineHook.token],
        // The bot's websocket, as MATTERMOST_EVENTS=on opens it: joins reach the incident at once.
        events: (handlers) => listenToMattermostEvents({ url: url!, token: setup.env.MATTERMOST_BOT_TOKEN!, minRetryMs: 200, retryJitterMs: 0 }, handlers),
      },
      // The periodic look at members is an hour away: a welcome within seconds comes from the websocket's user_added.
      incidentWorkflowOptions: { membershipCheckIntervalMs: 3_600_000 },
      // As the API does at start: the bot's only team is where incidents that name none go.
      defaultTeam: await resolveDefaultTeam(undefined, chat, (warning) => console.warn(warning)),
    });
    worker = await runTestWorker(env, taskQueue, {
      integrations: { chat, tickets: workspace.tickets, meetings: workspace.meetings, onCall: workspace.onCall },
      buttons: { actionUrl: `${publicUrl}/mattermost/actions`, secret: SECRET },
      records,
    });
    incidents = new IncidentService(env.client, taskQueue);
  }, 180_000);

  afterAll(async () => {
    await api?.stop();
    await worker?.stop();
    await database?.close();
    if (directory) rmSync(directory, { recursive: true, force: true });
    await env?.teardown();
  });

  /** What a person typing the command in a channel gets back (the ephemeral reply's text). */
  async function slash(person: string, text: string, channelId: string): Promise<string> {
    const answer = await mm.people[person]!.client.executeCommand(`/incident ${text}`, { channel_id: channelId, team_id: mm.team.id } as never);
    return (answer as { text?: string }).text ?? '';
  }

  it('is set up by mattermost:setup, which says what it did, finds nothing missing, and changes nothing the second time', async () => {
    expect(setup.missing).toEqual([]);
    expect(setup.done).toEqual(expect.arrayContaining([expect.stringMatching(/^team contract: \/incident (created|updated|kept)/), expect.stringMatching(/^bot token: created/)]));
    expect(setup.env).toMatchObject({ MATTERMOST_URL: url, MATTERMOST_DEFAULT_TEAM: TEAM, MATTERMOST_COMMAND_TOKENS: expect.any(String), MATTERMOST_BOT_TOKEN: expect.any(String) });
    // The web app's sign-in app, new for this product address: its id and, this once, its secret.
    expect(setup.env).toMatchObject({ MATTERMOST_OAUTH_CLIENT_ID: expect.stringMatching(/^[a-z0-9]{26}$/), MATTERMOST_OAUTH_CLIENT_SECRET: expect.any(String) });
    const again = await setUpMattermost({ url: url!, adminToken: mm.admin.getToken(), publicUrl: api.url, teams: [TEAM], currentBotToken: setup.env.MATTERMOST_BOT_TOKEN! });
    expect(again.done).toEqual([
      'bot @incident-bot: kept',
      'bot token: the configured MATTERMOST_BOT_TOKEN works, kept',
      `team ${TEAM}: /incident kept`,
      'sign-in with Mattermost: OAuth app "Incident Collaboration" kept; its secret is not shown again (--regenerate-oauth-secret makes a new one)',
    ]);
    expect(again.env.MATTERMOST_OAUTH_CLIENT_ID).toBe(setup.env.MATTERMOST_OAUTH_CLIENT_ID);
    expect(again.env.MATTERMOST_OAUTH_CLIENT_SECRET).toBeUndefined();
    expect(again.env.MATTERMOST_COMMAND_TOKENS).toBe(setup.env.MATTERMOST_COMMAND_TOKENS);
    expect(again.env.MATTERMOST_BOT_TOKEN).toBeUndefined();
    const bot = await mm.admin.getUser(botId);
    expect(bot.roles.split(' ')).toContain('system_admin');
  });

  it('passes mattermost:doctor end to end, and the doctor names what is wrong when the product moved', async () => {
    const request = { url: url!, botToken: setup.env.MATTERMOST_BOT_TOKEN!, publicUrl: api.url, commandTokens: [setup.env.MATTERMOST_COMMAND_TOKENS!] };
    const checks = await examineMattermost(request);
    expect(checks.filter((check) => !check.ok)).toEqual([]);
    expect(checks.map((check) => check.what)).toContain(`team ${TEAM}: Mattermost reached the product and showed its answer to /incident help`);
    const moved = await examineMattermost({ ...request, publicUrl: 'http://127.0.0.1:9' });
    expect(moved.filter((check) => !check.ok).map((check) => check.what)).toEqual([
      'the product does not answer at http://127.0.0.1:9/healthz (fetch failed)',
      `team ${TEAM}: /incident posts to ${api.url}/mattermost/command, not http://127.0.0.1:9/mattermost/command`,
    ]);
    const wrongToken = await examineMattermost({ ...request, botToken: 'not-a-token' });
    expect(wrongToken).toEqual([expect.objectContaining({ ok: false, what: expect.stringMatching(/refused the bot token \(401\)/) })]);
  });

  it('starts from a slash command: a channel with the reporter and the on-call person, and the checklist pinned', async () => {
    expect(await slash('alice', 'start service-outage Checkout is down', mm.townSquareId)).toMatch(/Incident \*\*Checkout is down\*\* .* started/);
    const record = await waitFor(() => records.list({ team: TEAM, text: 'Checkout is down' }), (page) => page.items.length === 1, { what: 'the incident record' });
    incident = await waitFor(
      () => incidents.view(record.items[0]!.id),
      // Launched, and the pinned checklist drawn for the state it ends in (a click on an older drawing is refused).
      (view) => Object.values(view.launch).every((step) => step.status !== 'pending') && view.checklistRevisionShown === checklistRevision(view),
      { timeoutMs: 60_000, what: 'the launch and the checklist drawn' },
    );
    const failed = Object.entries(incident.launch).filter(([, step]) => step.status === 'failed');
    expect(failed.map(([name, step]) => `${name}: ${(step as { error?: string }).error ?? ''}`)).toEqual([]);
    const members = (await mm.admin.getChannelMembers(incident.links.channelId!)).map((member) => member.user_id);
    expect(members).toEqual(expect.arrayContaining([mm.people.alice!.id, mm.people.carol!.id, botId]));
    expect(members).not.toContain(mm.people.dave!.id);
    const pinned = Object.values((await mm.admin.getPinnedPosts(incident.links.channelId!)).posts);
    expect(pinned.map((post) => post.id)).toContain(incident.links.checklistPostId);
    // Its checklist gives the on-call tasks: from incident-v19 the channel's activity looked up who is on call and
    // posted it drawn with them (no onCallPeople nor postChecklist activity), as Mattermost shows it.
    const activities = await scheduledActivities(env.client.workflow.getHandle(incidentWorkflowId(incident.id)));
    expect(activities).not.toContain('onCallPeople');
    expect(activities).not.toContain('postChecklist');
    const checklist = pinned.find((post) => post.id === incident.links.checklistPostId)!;
    expect(JSON.stringify(checklist.props)).toContain(`@${incident.links.onCall![0]}`);
    // From incident-v20 the header's activity posted the bridge's link beside the header: once, with no activity of
    // its own (the launch's only notice).
    expect(incident.links.meetingUrl).toMatch(/^https?:/);
    const posts = Object.values((await mm.admin.getPosts(incident.links.channelId!, 0, 200)).posts);
    expect(posts.filter((post) => post.message === `:telephone_receiver: Incident bridge: ${incident.links.meetingUrl}`)).toHaveLength(1);
    expect(activities).not.toContain('postChannelNotice');
    // The playbook invites the "sre" group; this server has no user groups without a licence, and the timeline says so.
    const invited = incident.timeline.find((event) => event.kind === 'integration_succeeded' && event.data?.step === 'invite');
    expect(invited?.text).toMatch(/groups sre skipped: user groups are not available on this Mattermost server \(they need a Professional or Enterprise licence\)/);
  });

  it('says plainly why a playbook only a group may start cannot be started on a server without user groups', async () => {
    const reply = await slash('alice', 'start sre-only Database is slow', mm.townSquareId);
    expect(reply).toMatch(/only the groups sre .* may run playbook "sre-only", but user groups are not available on this Mattermost server/);
  });

  it('puts the channel in the "Incidents" sidebar category of the people invited', async () => {
    for (const person of ['alice', 'carol']) {
      const categories = await mm.people[person]!.client.getChannelCategories(mm.people[person]!.id, mm.team.id);
      const incidents = categories.categories.find((category) => category.display_name === 'Incidents');
      expect(incidents?.channel_ids, person).toContain(incident.links.channelId);
    }
    expect(incident.launch.sidebar.status).toBe('done');
    // From incident-v17 the invitations' activity placed them: no activity of the sidebar's own.
    const activities = await scheduledActivities(env.client.workflow.getHandle(incidentWorkflowId(incident.id)));
    expect(activities).toContain('inviteParticipants');
    expect(activities).not.toContain('placeInSidebar');
  });

  it('takes an archived channel out of the sidebar categories it was put in (Mattermost itself keeps it there)', async () => {
    const bot = new MattermostChat({ url: url!, token: setup.env.MATTERMOST_BOT_TOKEN!, timeoutMs: 10_000 });
    const channel = await bot.createChannel({ team: TEAM, name: `archive-probe-${Date.now()}`, displayName: 'Archive probe', purpose: '', private: false });
    await bot.addChannelMembers(channel.id, ['alice']);
    expect(await bot.addToSidebarCategory({ team: TEAM, channelId: channel.id, usernames: ['alice'], category: 'Incidents' })).toEqual({ placed: ['alice'], missing: [] });
    await bot.archiveChannel(channel.id);
    const categories = await mm.people.alice!.client.getChannelCategories(mm.people.alice!.id, mm.team.id);
    const incidents = categories.categories.find((category) => category.display_name === 'Incidents');
    expect(incidents?.channel_ids).not.toContain(channel.id);
    // The open incident's channel stays where it was.
    expect(incidents?.channel_ids).toContain(incident.links.channelId);
  });

  it('keeps every channel when four workers place theirs in the same person\'s sidebar at once (the store\'s shared lock)', async () => {
    const bot = new MattermostChat({ url: url!, token: setup.env.MATTERMOST_BOT_TOKEN!, timeoutMs: 10_000 });
    const channels = [];
    for (let i = 0; i < 12; i++) {
      const channel = await bot.createChannel({ team: TEAM, name: `sidebar-race-${Date.now()}-${i}`, displayName: `Sidebar race ${i}`, purpose: '', private: false });
      await bot.addChannelMembers(channel.id, ['bob']);
      channels.push(channel);
    }
    // Four workers: each its own adapter and its own connection to the store they share.
    const stores = await Promise.all(Array.from({ length: 4 }, () => openDatabase({ url: `sqlite:${join(directory, 'store.sqlite')}` })));
    try {
      const workers = stores.map((store) => new MattermostChat({ url: url!, token: setup.env.MATTERMOST_BOT_TOKEN!, timeoutMs: 10_000 }, { sharedLocks: new StoreSharedLocks(store.db) }));
      const placed = await Promise.all(
        channels.map((channel, i) => workers[i % workers.length]!.addToSidebarCategory({ team: TEAM, channelId: channel.id, usernames: ['bob'], category: 'Incidents' })),
      );
      expect(placed.filter((result) => result.placed.length !== 1)).toEqual([]);
      const categories = await mm.people.bob!.client.getChannelCategories(mm.people.bob!.id, mm.team.id);
      const incidents = categories.categories.filter((category) => category.display_name === 'Incidents');
      expect(incidents).toHaveLength(1);
      expect(channels.filter((channel) => !incidents[0]!.channel_ids.includes(channel.id)).map((channel) => channel.name)).toEqual([]);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      for (const channel of channels) await bot.archiveChannel(channel.id);
    }
  });

  it('starts a private channel that only the people invited can see', async () => {
    const started = await fetch(`${api.url}/api/v1/incidents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Leaked credentials', reporter: 'alice', playbook: { id: 'private-one', title: 'Private one', channel: { private: true } } }),
    });
    expect(started.status).toBe(201);
    const { id } = (await started.json()) as { id: string };
    privateIncidentId = id;
    const view = await waitFor(() => incidents.view(id), (v) => Object.values(v.launch).every((step) => step.status !== 'pending'), { timeoutMs: 30_000, what: 'the launch' });
    const channel = await mm.admin.getChannel(view.links.channelId!);
    expect(channel.type).toBe('P');
    expect((await mm.admin.getChannelMembers(channel.id)).map((member) => member.user_id)).toContain(mm.people.alice!.id);
    // dave, in the team but not invited, cannot read it.
    const peek = await mm.people.dave!.client.getChannel(channel.id).then(() => 'read', (error: { status_code?: number }) => error.status_code);
    expect(peek).toBe(403);
    // Its checklist shows nobody on call: from incident-v15 the channel's own activity posts and pins it.
    expect(view.launch.checklistPost.status).toBe('done');
    const pinned = Object.values((await mm.admin.getPinnedPosts(channel.id)).posts);
    expect(pinned.map((post) => post.id)).toEqual([view.links.checklistPostId]);
    const activities = await scheduledActivities(env.client.workflow.getHandle(incidentWorkflowId(id)));
    expect(activities).toContain('openIncidentChannel');
    expect(activities).not.toContain('postChecklist');
  });

  it('completes a task when alice picks it from the checklist menu (Mattermost calls the product back)', async () => {
    const taskId = incident.checklists[0]!.tasks[0]!.id;
    const answer = await mm.people.alice!.client.doPostAction(incident.links.checklistPostId!, 'complete1', taskId);
    expect(answer.status).toBe('OK');
    const done = await waitFor(() => incidents.view(incident.id), (view) => view.checklists[0]!.tasks[0]!.state === 'done', { what: 'the task done' });
    expect(done.timeline.find((event) => event.kind === 'task_state_changed')?.actor).toBe('alice');
  });

  it('hands command over only to someone in the channel, and refuses dave who is not in it', async () => {
    const channelId = incident.links.channelId!;
    expect(await slash('alice', 'commander @bob', channelId)).toMatch(/@bob is not in this channel/);
    await mm.admin.addToChannel(mm.people.bob!.id, channelId);
    // bob, who joined after the launch, gets the playbook's welcome from the bot as a direct message.
    const direct = await mm.people.bob!.client.createDirectChannel([mm.people.bob!.id, botId]);
    // (A server used before holds welcomes to earlier incidents in the same conversation.)
    const welcome = await waitFor(
      async () => Object.values((await mm.people.bob!.client.getPosts(direct.id)).posts).map((post) => post.message),
      (messages) => messages.some((message) => message.startsWith(`Welcome to ~${incident.links.channelName}.`)),
      { timeoutMs: 15_000, what: 'the welcome message (the websocket said bob joined)' },
    );
    expect(welcome.filter((message) => message.startsWith(`Welcome to ~${incident.links.channelName}.`))).toHaveLength(1);
    expect(await slash('alice', 'commander @bob', channelId)).not.toMatch(/no_entry_sign/);
    expect((await incidents.view(incident.id)).commander).toBe('bob');
    // The channel header follows: new commander, and the status the hand-over moved it to.
    const header = await waitFor(() => mm.admin.getChannel(channelId).then((channel) => channel.header), (text) => text.includes('commander @bob'), { what: 'the header to follow' });
    expect(header).toMatch(/^sev2 · active · commander @bob/);
    const before = (await incidents.view(incident.id)).revision;
    const refused = await slash('dave', 'note I was not here', channelId).catch((error: unknown) => String((error as Error).message));
    expect(refused).toMatch(/only members of the incident channel|permission/i);
    expect((await incidents.view(incident.id)).revision).toBe(before);
  });

  it('puts an incident started over REST without a team into the bot’s only team', async () => {
    const started = await fetch(`${api.url}/api/v1/incidents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Queue backlog', reporter: 'alice', playbook: 'blank' }),
    });
    expect(started.status).toBe(201);
    const { id } = (await started.json()) as { id: string };
    const view = await waitFor(() => incidents.view(id), (v) => v.launch.channel.status !== 'pending', { timeoutMs: 30_000, what: 'its channel' });
    expect(view.team).toBe(TEAM);
    expect((await mm.admin.getChannel(view.links.channelId!)).team_id).toBe(mm.team.id);
  });

  it('turns a "#timeline" message in the incident channel into one timeline entry by its author (the webhook and the websocket both bring it)', async () => {
    const post = await mm.people.alice!.client.createPost({ channel_id: incident.links.channelId!, message: '#timeline rolled back the 14:02 deploy' } as never);
    const noted = await waitFor(() => incidents.view(incident.id), (view) => view.timeline.some((event) => event.kind === 'note'), { what: 'the note' });
    expect(noted.timeline.find((event) => event.kind === 'note')?.data?.link).toBe(`${url}/${TEAM}/pl/${post.id}`);
    // A later note, noted after the first by both doors (the websocket keeps a channel's order): by then a duplicate
    // of the first would be there too.
    await mm.people.alice!.client.createPost({ channel_id: incident.links.channelId!, message: '#timeline error rate back to normal' } as never);
    const both = await waitFor(() => incidents.view(incident.id), (view) => view.timeline.some((event) => event.text === 'error rate back to normal'), { what: 'the second note' });
    expect(both.timeline.filter((event) => event.kind === 'note').map((event) => [event.actor, event.text])).toEqual([
      ['alice', 'rolled back the 14:02 deploy'],
      ['alice', 'error rate back to normal'],
    ]);
  });

  it('notes a "#timeline" message in a private incident channel, where outgoing webhooks never fire (the websocket)', async () => {
    const view = await incidents.view(privateIncidentId);
    await mm.people.alice!.client.createPost({ channel_id: view.links.channelId!, message: '!note rotated the leaked key' } as never);
    const noted = await waitFor(() => incidents.view(privateIncidentId), (v) => v.timeline.some((event) => event.kind === 'note'), { timeoutMs: 15_000, what: 'the note' });
    expect(noted.timeline.filter((event) => event.kind === 'note').map((event) => [event.actor, event.text])).toEqual([['alice', 'rotated the leaked key']]);
  });

  it('is resolved from the channel by its new commander (taking command acknowledged it)', async () => {
    const channelId = incident.links.channelId!;
    expect((await incidents.view(incident.id)).status).toBe('active');
    expect(await slash('bob', 'ack', channelId)).toMatch(/already acknowledged/);
    expect(await slash('bob', 'resolve Rolled back the deploy', channelId)).not.toMatch(/no_entry_sign/);
    expect((await incidents.view(incident.id)).status).toBe('resolved');
  });
});
