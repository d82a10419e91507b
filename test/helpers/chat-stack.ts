/**
 * What the Mattermost front-door tests share: the four sandboxes, the API with the front door, and a worker whose
 * integrations are the sandboxes (and whose checklist buttons call this API), all on the run's Temporal dev server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { pino } from 'pino';
import type { AppOptions } from '../../api/app.js';
import { IncidentService } from '../../api/incident-service.js';
import { startApi, type RunningApi } from '../../api/server.js';
import type { MattermostChat } from '../../integrations/mattermost/mattermost-chat.js';
import { listenToMattermostEvents } from '../../integrations/mattermost/mattermost-events.js';
import { outboundAllowList } from '../../security/outbound-address-policy.js';
import { openDatabase } from '../../store/database.js';
import { IncidentRecordRepository } from '../../store/incident-records.js';
import { loadPlaybookDirectory } from '../../store/playbook-files.js';
import { lookupFromFiles, type PlaybookLookup } from '../../store/playbook-lookup.js';
import type { IncidentWorkflowOptions } from '../../workflows/incident.js';
import { freePort } from './free-port.js';
import { startSandboxes } from './sandboxes.js';
import { connectToTestServer, runTestWorker, uniqueTaskQueue } from './temporal.js';

export interface ChatStack {
  env: TestWorkflowEnvironment;
  sandboxes: Awaited<ReturnType<typeof startSandboxes>>;
  api: RunningApi;
  taskQueue: string;
  incidents: IncidentService;
  /** The store's incident records (how the API finds an incident by its channel). */
  records: IncidentRecordRepository;
  /** The API's log, one JSON line each (info and above). */
  logLines: string[];
  stop(): Promise<void>;
}

export const shippedPlaybooks = (): PlaybookLookup =>
  lookupFromFiles(loadPlaybookDirectory(new URL('../../playbooks', import.meta.url).pathname));

export async function startChatStack(options: {
  name: string;
  /** Front-door settings; the Mattermost client is the sandbox's. */
  mattermost: Omit<NonNullable<AppOptions['mattermost']>, 'chat' | 'publicUrl'>;
  playbooks?: PlaybookLookup;
  /** Dialogs need the address Mattermost posts submissions to, known before the API starts. */
  withPublicUrl?: boolean;
  /** Options for every incident's workflow (e.g. `timeScale` to shorten reminders). */
  workflowOptions?: IncidentWorkflowOptions;
  /** The worker's environment for webhook secrets. */
  webhookEnv?: Record<string, string>;
  /** What webhooks may call beyond public addresses, as OUTBOUND_ALLOWED_HOSTS says it (a local receiver needs 127.0.0.1). */
  webhookAllowedHosts?: string;
  /** The API listens to the Mattermost sandbox's websocket as the bot (MATTERMOST_EVENTS=on), reconnecting quickly. */
  listenToEvents?: boolean;
  /** REST API tokens (none: open mode). */
  apiTokens?: AppOptions['apiTokens'];
  /** The web app's settings, or how to make them once the sandboxes run and the API's address is known. */
  web?: AppOptions['web'] | ((context: { sandboxes: Awaited<ReturnType<typeof startSandboxes>>; apiUrl?: string }) => Promise<AppOptions['web']>);
  /** The playbook store behind /api/v1/playbooks (the web app's playbook pages). */
  playbookStore?: AppOptions['playbookStore'];
}): Promise<ChatStack> {
  const env = await connectToTestServer();
  // A SQLite store of incident records, written by the worker, read by the API: how a channel's incident is found, and
  // lists, stats and `/incident stats`.
  const storeDirectory = mkdtempSync(join(tmpdir(), 'chat-stack-'));
  const database = await openDatabase({ url: `sqlite:${join(storeDirectory, 'store.sqlite')}` });
  const records = new IncidentRecordRepository(database.db);
  const sandboxes = await startSandboxes();
  const taskQueue = uniqueTaskQueue(options.name);
  const port = options.withPublicUrl ? await freePort() : 0;
  const publicUrl = options.withPublicUrl ? `http://127.0.0.1:${port}` : undefined;
  const web = typeof options.web === 'function' ? await options.web({ sandboxes, ...(publicUrl ? { apiUrl: publicUrl } : {}) }) : options.web;
  const logLines: string[] = [];
  const api = await startApi({
    client: env.client,
    taskQueue,
    playbooks: options.playbooks ?? shippedPlaybooks(),
    logger: pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) }),
    host: '127.0.0.1',
    port,
    ...(options.workflowOptions ? { incidentWorkflowOptions: options.workflowOptions } : {}),
    records,
    chat: sandboxes.ports.chat,
    ...(options.apiTokens ? { apiTokens: options.apiTokens } : {}),
    ...(web ? { web } : {}),
    ...(options.playbookStore ? { playbookStore: options.playbookStore } : {}),
    mattermost: {
      ...options.mattermost,
      chat: sandboxes.ports.chat as MattermostChat,
      ...(publicUrl ? { publicUrl } : {}),
      ...(options.listenToEvents
        ? {
            events: (handlers: Parameters<typeof listenToMattermostEvents>[1]) =>
              listenToMattermostEvents({ url: sandboxes.urls.mattermost, token: 'mm-bot-token', minRetryMs: 100, retryJitterMs: 0 }, handlers),
          }
        : {}),
    },
  });
  const secret = options.mattermost.actionSecret;
  const worker = await runTestWorker(env, taskQueue, {
    integrations: sandboxes.ports,
    ...(secret ? { buttons: { actionUrl: `${publicUrl ?? api.url}/mattermost/actions`, secret } } : {}),
    webhooks: {
      ...(options.webhookEnv ? { env: options.webhookEnv } : {}),
      ...(options.webhookAllowedHosts ? { allowList: outboundAllowList(options.webhookAllowedHosts) } : {}),
    },
    records,
  });
  return {
    env,
    sandboxes,
    api,
    logLines,
    taskQueue,
    records,
    incidents: new IncidentService(env.client, taskQueue, undefined, undefined, options.workflowOptions),
    async stop() {
      await api.stop();
      await worker.stop();
      await sandboxes.stop();
      await database.close();
      rmSync(storeDirectory, { recursive: true, force: true });
      await env.teardown();
    },
  };
}
