/**
 * The chat flows of the contract suite, against a real Mattermost server and through its own endpoints, as its apps
 * drive them: the start dialog (opened on alice's websocket by `/incident start`, submitted through
 * /api/v4/actions/dialogs/submit, with its field errors), the ephemeral answers Mattermost pushes to the person who
 * typed a command, a status update, assignment, what a fresh install posts in an incident channel, the post-mortem
 * export of what people wrote there, the stats, resolve and close.
 *
 * Its own team ("contract-flows") and the product's API without the bot's websocket (`events`) and without outgoing
 * webhooks: what happens here comes from slash commands and dialogs alone. Jira, Zoom and Opsgenie are the in-memory
 * stand-ins. Enable it with MATTERMOST_CONTRACT_URL, as incident-in-mattermost.test.ts says.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { IncidentView } from '../../../domain/incident.js';
import type { Playbook } from '../../../domain/playbook/schema.js';
import { IncidentService } from '../../../api/incident-service.js';
import { startApi, type RunningApi } from '../../../api/server.js';
import { InMemoryWorkspace } from '../../fakes/in-memory-workspace.js';
import { MattermostChat } from '../../../integrations/mattermost/mattermost-chat.js';
import { setUpMattermost } from '../../../integrations/mattermost/mattermost-setup.js';
import { openDatabase, type OpenedDatabase } from '../../../store/database.js';
import { IncidentRecordRepository } from '../../../store/incident-records.js';
import { shippedPlaybooks } from '../../helpers/chat-stack.js';
import { freePort } from '../../helpers/free-port.js';
import { connectToTestServer, runTestWorker, uniqueTaskQueue } from '../../helpers/temporal.js';
import { waitFor } from '../../helpers/wait-for.js';
import { provisionMattermost, type ProvisionedMattermost } from './provision.js';

const url = process.env.MATTERMOST_CONTRACT_URL;
const SECRET = 'contract-flows-action-secret-long-enough-0123456789';
const TEAM = 'contract-flows';
const BOT = 'incident-bot-flows';
/** Names unique to this run: a server used before holds incidents of earlier runs. */
const RUN = Date.now().toString(36);

/** A frame Mattermost pushes on its websocket. */
interface SocketEvent {
  event: string;
  data: Record<string, unknown>;
  broadcast?: { user_id?: string; channel_id?: string; team_id?: string };
}

/** What an `open_dialog` event carries (its `data.dialog`, a JSON string): Mattermost's OpenDialogRequest. */
interface OpenedDialog {
  trigger_id?: string;
  url: string;
  dialog: {
    callback_id: string;
    title: string;
    introduction_text?: string;
    state: string;
    elements: Array<{ name: string; type: string; default?: string; help_text?: string; options?: Array<{ text: string; value: string }> }>;
  };
}

/** Someone's websocket, as Mattermost's webapp opens it: every event Mattermost sends that person, kept in order. */
class PersonSocket {
  readonly events: SocketEvent[] = [];
  private constructor(private readonly socket: WebSocket) {}

  static async open(serverUrl: string, token: string): Promise<PersonSocket> {
    const socket = new WebSocket(`${serverUrl.replace(/^http/, 'ws')}/api/v4/websocket`);
    const person = new PersonSocket(socket);
    const accepted = new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('close', (code) => reject(new Error(`the websocket closed (${code}) before Mattermost accepted the token`)));
      socket.on('message', (raw) => {
        const frame = JSON.parse(String(raw)) as SocketEvent & { seq_reply?: number; status?: string };
        if (frame.seq_reply === 1) {
          if (frame.status === 'OK') resolve();
          else reject(new Error(`Mattermost refused the websocket authentication: ${String(raw)}`));
        }
        if (frame.event) person.events.push(frame);
      });
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    socket.send(JSON.stringify({ action: 'authentication_challenge', seq: 1, data: { token } }));
    await accepted;
    return person;
  }

  /** Where the next wait starts: only events after this position count. */
  mark(): number {
    return this.events.length;
  }

  async next(from: number, accept: (event: SocketEvent) => boolean, what: string): Promise<SocketEvent> {
    // On a timeout, waitFor shows every event that came instead.
    const seen = await waitFor(() => this.events.slice(from), (events) => events.some(accept), { timeoutMs: 10_000, what });
    return seen.find(accept)!;
  }

  close(): void {
    this.socket.close();
  }
}

const dialogOf = (event: SocketEvent): OpenedDialog => JSON.parse(String(event.data.dialog)) as OpenedDialog;
const postOf = (event: SocketEvent): { channel_id: string; message: string } => JSON.parse(String(event.data.post)) as { channel_id: string; message: string };

it.skipIf(url)('needs a real Mattermost: set MATTERMOST_CONTRACT_URL to run the chat flows (see test/contract/mattermost/ and .ci/run)', () => {});

describe.runIf(url)('chat flows in a real Mattermost', () => {
  let mm: ProvisionedMattermost;
  let env: TestWorkflowEnvironment;
  let api: RunningApi;
  let worker: Awaited<ReturnType<typeof runTestWorker>>;
  let database: OpenedDatabase;
  let directory: string;
  let incidents: IncidentService;
  let records: IncidentRecordRepository;
  let aliceSocket: PersonSocket;
  /** The incident started from the dialog (security-incident), and the one started by command (service-outage). */
  let secured: IncidentView;
  let outage: IncidentView;

  beforeAll(async () => {
    mm = await provisionMattermost(url!, TEAM, ['alice', 'bob', 'carol', 'dave']);
    env = await connectToTestServer();
    directory = mkdtempSync(join(tmpdir(), 'mm-flows-'));
    database = await openDatabase({ url: `sqlite:${join(directory, 'store.sqlite')}` });
    records = new IncidentRecordRepository(database.db);
    const taskQueue = uniqueTaskQueue('mm-flows');
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    // A bot of its own: the other contract file's bot stays in its one team (it sends team-less incidents there, and
    // its doctor checks every team it is in).
    const setup = await setUpMattermost({ url: url!, adminToken: mm.admin.getToken(), publicUrl, teams: [TEAM], botUsername: BOT });
    expect(setup.missing).toEqual([]);
    const chat = new MattermostChat({ url: url!, token: setup.env.MATTERMOST_BOT_TOKEN!, timeoutMs: 10_000 });
    // carol is on call, in the default rotation and in the security one (the security playbook's Opsgenie schedule).
    const workspace = new InMemoryWorkspace({ onCall: { default: [mm.people.carol!.email], 'Security on-call': [mm.people.carol!.email] } });
    // The shipped playbooks. The security playbook admits the "security-team" group, which a server without a licence
    // cannot ask about; as docs/mattermost.md says for Team Edition, its run list names a user as well: alice.
    const shipped = shippedPlaybooks();
    const security = (await shipped.get('security-incident'))!;
    const securityForAlice = {
      ...security,
      permissions: { ...security.permissions, run: { users: ['ciso', 'alice'], groups: ['security-team'] } },
    } as Playbook;
    const playbooks = {
      get: async (id: string) => (id === securityForAlice.id ? securityForAlice : shipped.get(id)),
      list: async () => (await shipped.list()).map((playbook) => (playbook.id === securityForAlice.id ? securityForAlice : playbook)),
    };
    api = await startApi({
      client: env.client,
      taskQueue,
      playbooks: playbooks as never,
      records,
      logger: pino({ level: process.env.CONTRACT_LOG_LEVEL ?? 'silent' }),
      host: '127.0.0.1',
      port,
      chat,
      mattermost: {
        chat,
        commandTokens: [setup.env.MATTERMOST_COMMAND_TOKENS!],
        admins: [],
        actionSecret: SECRET,
        publicUrl,
        taskCommandsAllowed: ['/jira', '/zoom'],
      },
      incidentWorkflowOptions: { membershipCheckIntervalMs: 3_600_000 },
      defaultTeam: TEAM,
    });
    worker = await runTestWorker(env, taskQueue, {
      integrations: { chat, tickets: workspace.tickets, meetings: workspace.meetings, onCall: workspace.onCall },
      buttons: { actionUrl: `${publicUrl}/mattermost/actions`, secret: SECRET },
      records,
    });
    incidents = new IncidentService(env.client, taskQueue);
    aliceSocket = await PersonSocket.open(url!, mm.people.alice!.client.getToken());
  }, 180_000);

  afterAll(async () => {
    aliceSocket?.close();
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

  /** Opens a dialog as alice does: the command, then the dialog Mattermost pushes to her apps. */
  async function openDialogAsAlice(text: string, channelId: string): Promise<{ reply: string; opened: OpenedDialog }> {
    const from = aliceSocket.mark();
    const reply = await slash('alice', text, channelId);
    const event = await aliceSocket.next(from, (e) => e.event === 'open_dialog', `the dialog of "/incident ${text}" on alice's websocket`);
    return { reply, opened: dialogOf(event) };
  }

  /** Submits a dialog as Mattermost's webapp does; the answer is what the product said ({} when accepted). */
  function submitAsAlice(opened: OpenedDialog, channelId: string, submission: Record<string, string>) {
    return mm.people.alice!.client.submitInteractiveDialog({
      url: opened.url,
      callback_id: opened.dialog.callback_id,
      state: opened.dialog.state,
      submission,
      user_id: mm.people.alice!.id,
      channel_id: channelId,
      team_id: mm.team.id,
      cancelled: false,
    });
  }

  async function channelMessages(channelId: string): Promise<string[]> {
    const { order, posts } = await mm.admin.getPosts(channelId, 0, 200);
    return [...order].reverse().map((id) => posts[id]!.message);
  }

  /** The incident a new channel runs, once the store knows it (slash commands there find it that way). */
  async function startedIncident(name: string, settled: (view: IncidentView) => boolean): Promise<IncidentView> {
    const record = await waitFor(() => records.list({ team: TEAM, text: name }), (page) => page.items.length === 1 && page.items[0]!.channelId !== undefined, {
      timeoutMs: 30_000,
      what: `the record of "${name}" with its channel`,
    });
    return waitFor(() => incidents.view(record.items[0]!.id), settled, { timeoutMs: 60_000, what: `"${name}" launched` });
  }

  const launched = (view: IncidentView) => Object.values(view.launch).every((step) => step.status !== 'pending');

  it('offers every playbook in the start dialog, and refuses there a level the chosen playbook lacks, at its field', async () => {
    const { reply, opened } = await openDialogAsAlice('start', mm.townSquareId);
    expect(reply).toBe('Opening the start dialog…');
    expect(opened.dialog.callback_id).toBe('start-incident');
    const field = (name: string) => opened.dialog.elements.find((element) => element.name === name);
    expect(field('playbook')?.options?.map((option) => option.value)).toEqual(expect.arrayContaining(['blank', 'security-incident', 'service-outage']));
    expect(field('severity')?.options?.map((option) => option.value)).toEqual(expect.arrayContaining(['sev1', 'sev4', 'critical', 'low']));
    expect(field('severity')?.help_text).toMatch(/own levels/);
    const answer = await submitAsAlice(opened, mm.townSquareId, { playbook: 'security-incident', name: `Leaked key ${RUN}`, severity: 'sev1' });
    expect(answer).toEqual({ errors: { severity: 'Security incident has critical, high, medium, low' } });
    // Only alice may submit what was opened for her: Mattermost says who submits (bob, by his session), the product
    // refuses him (403), and Mattermost turns that into an error of its own.
    const byBob = await mm.people.bob!.client
      .submitInteractiveDialog({
        url: opened.url,
        callback_id: opened.dialog.callback_id,
        state: opened.dialog.state,
        submission: { playbook: 'service-outage', name: `Started by bob ${RUN}`, severity: 'sev2' },
        user_id: mm.people.alice!.id,
        channel_id: mm.townSquareId,
        team_id: mm.team.id,
        cancelled: false,
      })
      .then(
        (reply) => ({ reply }),
        (error: { status_code?: number; message?: string }) => ({ status: error.status_code, message: error.message }),
      );
    expect(byBob).toMatchObject({ status: 400 });
    expect((await records.list({ team: TEAM, text: RUN })).items).toEqual([]);
  });

  it('opens the dialog of one playbook with its own levels, refuses another level and starts the incident with a good one', async () => {
    const { reply, opened } = await openDialogAsAlice('start security-incident', mm.townSquareId);
    expect(reply).toBe('Opening the start dialog for *Security incident*…');
    const severity = opened.dialog.elements.find((element) => element.name === 'severity');
    expect(severity?.options?.map((option) => option.value)).toEqual(['critical', 'high', 'medium', 'low']);
    expect(severity?.default).toBe('high');
    expect(opened.dialog.elements.find((element) => element.name === 'playbook')?.options).toEqual([{ text: 'Security incident', value: 'security-incident' }]);

    const name = `Leaked deploy key ${RUN}`;
    const wrong = await submitAsAlice(opened, mm.townSquareId, { playbook: 'security-incident', name, severity: 'sev2' });
    expect(wrong).toEqual({ errors: { severity: 'Security incident has critical, high, medium, low' } });
    const nameless = await submitAsAlice(opened, mm.townSquareId, { playbook: 'security-incident', name: '  ', severity: 'critical' });
    expect(nameless).toEqual({ errors: { name: 'An incident needs a name.' } });
    expect((await records.list({ team: TEAM, text: name })).items).toEqual([]);

    const accepted = await submitAsAlice(opened, mm.townSquareId, { playbook: 'security-incident', name, summary: 'A deploy key was pushed to a public repository', severity: 'critical' });
    expect(accepted).toEqual({});
    secured = await startedIncident(name, launched);
    // The playbook's commander is whoever is on call: carol.
    expect(secured).toMatchObject({ severity: 'critical', reporter: 'alice', commander: 'carol', team: TEAM, summary: 'A deploy key was pushed to a public repository', playbook: { id: 'security-incident' } });
    // The playbook's private channel, with alice in it.
    const channel = await mm.admin.getChannel(secured.links.channelId!);
    expect(channel.type).toBe('P');
    expect((await mm.admin.getChannelMembers(channel.id)).map((member) => member.user_id)).toContain(mm.people.alice!.id);
  });

  it('pushes a command’s ephemeral answer to the person who typed it, in the channel they typed it in', async () => {
    const from = aliceSocket.mark();
    const unknown = await slash('alice', 'frobnicate', mm.townSquareId);
    expect(unknown).toMatch(/unknown sub-command "frobnicate"/);
    const shown = await aliceSocket.next(from, (e) => e.event === 'ephemeral_message' && /frobnicate/.test(postOf(e).message), 'the error as an ephemeral post');
    expect(postOf(shown)).toMatchObject({ channel_id: mm.townSquareId, message: unknown });
    expect(shown.broadcast?.user_id).toBe(mm.people.alice!.id);
  });

  it('shows `/incident help` as the product wrote it (Mattermost’s Slack-link parsing leaves it alone)', async () => {
    const from = aliceSocket.mark();
    const help = await slash('alice', 'help', mm.townSquareId);
    expect(help).toMatch(/^\*\*\/incident\*\* sub-commands:/);
    const shown = postOf(await aliceSocket.next(from, (e) => e.event === 'ephemeral_message' && postOf(e).message.startsWith('**/incident** sub-commands:'), 'the help as an ephemeral post'));
    // What people see is this post, not the command's HTTP answer. Mattermost turns "<a ... | b>" in a command's text into
    // a Markdown link "[b](a ...)" unless the answer says skip_slack_parsing: the snooze and retro lines hold such a span.
    expect(shown.message.split('\n').filter((line) => /snooze|retro/.test(line))).toEqual(help.split('\n').filter((line) => /snooze|retro/.test(line)));
    expect(shown.message).toBe(help);
  });

  it('opens the status update dialog from `/incident update` without a message, and posts what alice submits', async () => {
    const channelId = secured.links.channelId!;
    const { reply, opened } = await openDialogAsAlice('update', channelId);
    expect(reply).toBe('Opening the status update dialog…');
    expect(opened.dialog.callback_id).toBe('status-update');
    // The playbook's template, filled in, is where the update starts.
    expect(opened.dialog.elements.find((element) => element.name === 'message')?.default).toMatch(/^critical · (reported|active)\nContained: yes \/ no/);
    expect(await submitAsAlice(opened, channelId, { message: '  ', status: 'active' })).toEqual({ errors: { message: 'Write what changed, even "no news".' } });
    expect(await submitAsAlice(opened, channelId, { message: 'Contained: yes. The key is revoked.', status: 'active' })).toEqual({});
    await waitFor(() => channelMessages(channelId), (all) => all.includes('#### Status update 1 from @alice\nContained: yes. The key is revoked.'), { what: 'the update in the private channel' });
    const view = await incidents.view(secured.id);
    expect(view.statusUpdates.map((update) => update.message)).toEqual(['Contained: yes. The key is revoked.']);
    // A status update acknowledges a reported incident.
    expect(view.status).toBe('active');
  });

  it('starts a service outage on a fresh install without warnings in its channel, and a purpose without a dangling colon', async () => {
    const name = `Checkout is down ${RUN}`;
    expect(await slash('alice', `start service-outage ${name}`, mm.townSquareId)).toMatch(/^:rotating_light: Incident \*\*Checkout is down .*\*\* .* started with playbook \*Service outage\*/);
    outage = await startedIncident(name, (view) => launched(view) && view.checklistRevisionShown !== undefined);
    expect(Object.entries(outage.launch).filter(([, step]) => step.status === 'failed')).toEqual([]);
    const channelId = outage.links.channelId!;
    // What the launch posts (the checklist, the bridge's link) is there, and no warning with it.
    const messages = await waitFor(() => channelMessages(channelId), (all) => all.some((m) => m.startsWith(':telephone_receiver: Incident bridge:')), { what: 'the bridge link posted' });
    expect(messages.filter((message) => message.includes(':warning:'))).toEqual([]);
    const channel = await mm.admin.getChannel(channelId);
    expect(channel.purpose).toBe(name);
  });

  it('posts a status update written after `/incident update` in the channel, without warnings, and keeps it in the incident', async () => {
    const channelId = outage.links.channelId!;
    const reply = await slash('alice', 'update Rolled back the 14:02 deploy; error rate falling', channelId);
    expect(reply).not.toMatch(/no_entry_sign/);
    const messages = await waitFor(
      () => channelMessages(channelId),
      (all) => all.some((m) => m.startsWith('#### Status update 1 from @alice')),
      { what: 'the status update in the channel' },
    );
    expect(messages.find((m) => m.startsWith('#### Status update 1'))).toBe('#### Status update 1 from @alice\nRolled back the 14:02 deploy; error rate falling');
    const view = await waitFor(() => incidents.view(outage.id), (v) => v.followUps.length > 0 && v.followUps.every((f) => f.status !== 'pending'), { what: 'the update’s follow-ups done' });
    expect(view.statusUpdates.map((update) => [update.number, update.author, update.message])).toEqual([[1, 'alice', 'Rolled back the 14:02 deploy; error rate falling']]);
    expect(view.followUps.filter((followUp) => followUp.status === 'failed')).toEqual([]);
    expect((await channelMessages(channelId)).filter((message) => message.includes(':warning:'))).toEqual([]);
  });

  it('refuses to assign a task to someone Mattermost does not know, changing nothing, and assigns it to a member', async () => {
    const channelId = outage.links.channelId!;
    const before = await incidents.view(outage.id);
    expect(before.checklists[0]!.tasks[0]!.assignee).toBe('alice');
    expect(await slash('alice', `assign 1.1 @nobody-${RUN}`, channelId)).toBe(`:no_entry_sign: Mattermost has no user @nobody-${RUN}.`);
    const after = await incidents.view(outage.id);
    expect(after.revision).toBe(before.revision);
    expect(after.checklists[0]!.tasks[0]!.assignee).toBe('alice');

    const assigned = await slash('alice', 'assign 1.1 @carol', channelId);
    expect(assigned).toMatch(/^:white_check_mark: .*carol/);
    expect((await incidents.view(outage.id)).checklists[0]!.tasks[0]!.assignee).toBe('carol');
  });

  it('exports what alice wrote in the channel through Mattermost (markdown, JSON, and CSV that no spreadsheet runs)', async () => {
    const channelId = outage.links.channelId!;
    const said = `the payment provider confirms the fix ${RUN}`;
    const formula = `=HYPERLINK("http://evil.example","${RUN}")`;
    const post = await mm.people.alice!.client.createPost({ channel_id: channelId, message: said } as never);
    await mm.people.alice!.client.createPost({ channel_id: channelId, message: formula } as never);
    const exported = async (format: string) => {
      const response = await fetch(`${api.url}/api/v1/incidents/${outage.id}/export?format=${format}`);
      return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
    };
    const markdown = await exported('markdown');
    expect(markdown.status).toBe(200);
    expect(markdown.body).toContain(said);
    const json = await exported('json');
    expect(json.type).toMatch(/^application\/json/);
    const report = JSON.parse(json.body) as { incident: { id: string }; posts: Array<{ id: string; username?: string; message: string }> };
    expect(report.incident.id).toBe(outage.id);
    expect(report.posts.find((p) => p.id === post.id)).toMatchObject({ username: 'alice', message: said });
    expect(report.posts.map((p) => p.message)).toContain('#### Status update 1 from @alice\nRolled back the 14:02 deploy; error rate falling');
    const csv = await exported('csv');
    expect(csv.status).toBe(200);
    expect(csv.body).toContain(`alice,${post.id},,${said},message`);
    // The formula is made text: a leading quote, and the field quoted for its own quotes and comma.
    expect(csv.body).toContain(`"'=HYPERLINK(""http://evil.example"",""${RUN}"")"`);
  });

  it('resolves with a summary and closes from the channel', async () => {
    const channelId = outage.links.channelId!;
    const resolved = await slash('alice', 'resolve Rolled back; the provider fixed their side', channelId);
    expect(resolved).not.toMatch(/no_entry_sign/);
    let view = await incidents.view(outage.id);
    expect(view.status).toBe('resolved');
    // The summary a resolution gives becomes the incident's (the purpose had none until now).
    expect(view.summary).toBe('Rolled back; the provider fixed their side');
    const header = await waitFor(() => mm.admin.getChannel(channelId).then((c) => c.header), (text) => text.includes('resolved'), { what: 'the header to say resolved' });
    expect(header).toMatch(/^sev2 · resolved · commander @alice/);

    const closed = await slash('alice', 'close', channelId);
    expect(closed).not.toMatch(/no_entry_sign/);
    view = await incidents.view(outage.id);
    expect(view.status).toBe('closed');
    // The store says so too (the list and the stats read it).
    await waitFor(() => records.list({ team: TEAM, status: ['closed'] }), (page) => page.items.some((item) => item.id === outage.id), { what: 'the record closed' });
  });

  it('answers `/incident stats` with this team’s counts, the same as GET /api/v1/stats', async () => {
    const reply = await slash('alice', 'stats', mm.townSquareId);
    expect(reply).toMatch(new RegExp(`^#### Incidents in ${TEAM}, last 30 days`));
    const counts = /\*\*(\d+)\*\* reported · \*\*(\d+)\*\* resolved · \*\*(\d+)\*\* open/.exec(reply);
    expect(counts).not.toBeNull();
    const response = await fetch(`${api.url}/api/v1/stats?team=${TEAM}`);
    expect(response.status).toBe(200);
    const stats = (await response.json()) as { reported: number; resolved: number; active: number; byPlaybook: Record<string, { reported: number }> };
    // This API's store holds this run's two incidents: the security incident still open, the outage resolved and closed.
    expect(stats).toMatchObject({ reported: 2, resolved: 1, active: 1 });
    expect(stats.byPlaybook['security-incident']?.reported).toBe(1);
    expect(stats.byPlaybook['service-outage']?.reported).toBe(1);
    expect(counts!.slice(1).map(Number)).toEqual([stats.reported, stats.resolved, stats.active]);
    expect(reply).toContain('By playbook: security-incident 1 · service-outage 1');
  });
});
