/**
 * `npm start`: the whole product on one machine. Without TEMPORAL_ADDRESS it runs the embedded Temporal dev server
 * (SQLite under .data/, Web UI, search attributes registered), then the worker and the API, and prints where to look.
 * Ctrl-C stops them in order: the API stops taking requests, the worker drains, then the server shuts down, so the next
 * `npm start` finds every incident where it was.
 */
import { resolveDefaultTeam } from '../config/default-team.js';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import type { Worker, NativeConnection } from '@temporalio/worker';
import { apiServerSettings, openApiBackends } from '../api/backends.js';
import { startApi, type RunningApi } from '../api/server.js';
import { decideApiAccess } from '../api/auth/api-tokens.js';
import { listSetting, loadDotEnv } from '../config/env.js';
import { MattermostChat } from '../integrations/mattermost/mattermost-chat.js';
import { listenToMattermostEvents } from '../integrations/mattermost/mattermost-events.js';
import type { ChatEventHandlers } from '../api/ports/chat-events.js';
import { loadStartConfig, type StartConfig } from './start-config.js';
import { exitWithStartupError } from '../config/fatal.js';
import { createLogger } from '../config/logger.js';
import { DEFAULT_SQLITE_PATH, redactDatabaseUrl, type OpenedDatabase } from '../store/database.js';
import { StoreSharedLocks } from '../store/shared-locks.js';
import { connectClient, connectWorker, resolveNamespace } from '../temporal/connection.js';
import { startDevServer, stopLeftoverDevServer, type RunningDevServer } from '../temporal/dev-server.js';
import { ensureTemporalCli } from '../temporal/temporal-cli.js';
import { createIncidentWorker } from '../workers/incident-worker.js';
import { selectIntegrations, type SelectedIntegrations } from '../workers/integrations.js';
import { EXPECTED_IN_API, installTemporalRuntime } from '../temporal/runtime-logging.js';
import { buildWeb, type WebBuild } from './build-web.js';
import { createMattermostSignIn } from '../integrations/mattermost/oauth-sign-in.js';

const say = (line: string): void => console.log(`[start] ${line}`);

/** The slash-command front door: the configured tokens, or a fixed one when Mattermost is the sandbox. */
function frontDoor(config: StartConfig, selected: SelectedIntegrations): {
  mattermost?: { chat: MattermostChat; commandTokens: string[]; admins: string[]; taskCommandsAllowed: string[]; events?: (handlers: ChatEventHandlers) => { connected: boolean; close(): void } };
} {
  const sandbox = selected.sandboxes.Mattermost;
  const tokens = listSetting(config.MATTERMOST_COMMAND_TOKENS);
  if (tokens.length === 0 && !sandbox) return {};
  // The bot's websocket: to the real server with its token, or to the sandbox as its bot.
  const eventsFrom = sandbox?.url ? { url: sandbox.url, token: SANDBOX_BOT_TOKEN } : config.MATTERMOST_URL && config.MATTERMOST_BOT_TOKEN ? { url: config.MATTERMOST_URL, token: config.MATTERMOST_BOT_TOKEN } : undefined;
  return {
    mattermost: {
      chat: selected.ports.chat as MattermostChat,
      commandTokens: tokens.length ? tokens : [SANDBOX_COMMAND_TOKEN],
      admins: listSetting(config.INCIDENT_ADMINS),
      taskCommandsAllowed: config.TASK_COMMANDS_ALLOWED,
      ...(config.MATTERMOST_EVENTS === 'on' && eventsFrom ? { events: (handlers: ChatEventHandlers) => listenToMattermostEvents(eventsFrom, handlers) } : {}),
    },
  };
}
const SANDBOX_BOT_TOKEN = 'mm-bot-token';
const SANDBOX_COMMAND_TOKEN = 'sandbox-command-token';

/**
 * A slash command as the Mattermost sandbox would send it for alice, ready to paste: the API takes the caller's identity
 * from the user ID Mattermost sends (and checks it with Mattermost), and the sandbox's IDs are new at every start.
 * Undefined when the sandbox does not answer (the banner then leaves the line out).
 */
async function sandboxSlashCommandExample(apiUrl: string, sandboxUrl: string): Promise<string | undefined> {
  try {
    const state = (await (await fetch(`${sandboxUrl}/_sandbox/state`)).json()) as {
      users: Array<{ id: string; username: string }>;
      teams: Array<{ id: string; name: string }>;
    };
    const alice = state.users.find((user) => user.username === 'alice');
    const team = state.teams[0];
    if (!alice || !team) return undefined;
    return (
      `curl -s ${apiUrl}/mattermost/command -d token=${SANDBOX_COMMAND_TOKEN} -d team_id=${team.id} -d team_domain=${team.name} ` +
      `-d channel_id=town-square -d user_id=${alice.id} -d user_name=alice --data-urlencode 'text=start service-outage Checkout is down'`
    );
  } catch {
    return undefined;
  }
}

loadDotEnv();
let config: StartConfig;
try {
  config = loadStartConfig();
} catch (error) {
  exitWithStartupError('npm start', error);
}
const logger = createLogger({ level: config.LOG_LEVEL, name: 'incidents' });
// No API tokens: open mode, fine on loopback (the two-command quick start), refused anywhere else. Decided before the
// Temporal server starts, so a refusal leaves nothing behind.
const access = decideApiAccess(config.API_HOST, config.API_TOKENS.length);
if (access.mode === 'refused') exitWithStartupError('npm start', new Error(access.reason));
if (access.mode === 'open') logger.warn(access.warning);
const namespace = resolveNamespace(config.TEMPORAL_NAMESPACE);
// We stop things in our own order on Ctrl-C, so Temporal's runtime must not react to the signals by itself.
// This process is also an API, with the alert intake's activity-only worker: its start-up notice is expected.
installTemporalRuntime(logger, { handleSignals: false, level: 'WARN', expected: EXPECTED_IN_API });

async function isListening(address: string): Promise<boolean> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: 500 });
    await connection.close();
    return true;
  } catch {
    return false;
  }
}

let devServer: RunningDevServer | undefined;
let address: string;
let uiUrl: string | undefined;
let worker: Worker;
let workerConnection: NativeConnection;
let clientConnection: Connection;
let api: RunningApi;
let workerRun: Promise<void> = Promise.resolve();
let integrations: SelectedIntegrations | undefined;
let database: OpenedDatabase | undefined;
let webBuild: WebBuild | undefined;

/**
 * The web app, built afresh at every start (well under a second): not minified, its source map inline for the
 * browser's tools; WEB_WATCH=1 rebuilds on every change under web/ (reload the page by hand). A failed build is
 * reported and leaves /app/ answering 503, so the rest of the product still starts.
 */
async function buildWebApp(): Promise<string | undefined> {
  const outdir = resolve('.data', 'web');
  try {
    webBuild = await buildWeb({ outdir, minify: false, sourcemap: 'inline', watch: process.env.WEB_WATCH === '1' });
    return outdir;
  } catch (error) {
    say(`the web app did not build, /app/ answers 503: ${(error as Error).message}`);
    return undefined;
  }
}

/**
 * Signs the web app's session cookies: WEB_SESSION_SECRET when set, else one made up for this run (sessions then end
 * when npm start does).
 */
function webSessionSecret(config: StartConfig): string {
  return config.WEB_SESSION_SECRET ?? randomBytes(32).toString('base64url');
}

try {
  if (config.TEMPORAL_ADDRESS) {
    address = config.TEMPORAL_ADDRESS;
    say(`using the Temporal cluster at ${address} (namespace ${namespace})`);
  } else {
    const local = `127.0.0.1:${config.TEMPORAL_DEV_SERVER_PORT}`;
    const dbFile = resolve(config.TEMPORAL_DB_FILE);
    // An earlier npm start that was killed outright (and its watchdog with it) can leave its dev
    // server running on our port and SQLite file. The state file next to the database proves whether it is ours; only
    // then is it stopped. Anything else on the port gets the plain refusal below.
    const leftover = await stopLeftoverDevServer({ dbFile });
    if (leftover.kind === 'ours') {
      say(`a Temporal dev server left by an earlier npm start (pid ${leftover.pid}) was stopped; starting it again`);
    }
    if (leftover.kind === 'in-use') {
      throw new Error(`the Temporal dev server for ${dbFile} (pid ${leftover.pid}) belongs to the npm start still running as pid ${leftover.ownerPid}; stop that one first.`);
    }
    if (await isListening(local)) {
      throw new Error(
        `a Temporal server is already listening on ${local} (perhaps left over from an earlier npm start).\n` +
          `Stop it, or use it with TEMPORAL_ADDRESS=${local} npm start (and run npm run temporal:setup once).`,
      );
    }
    const cli = ensureTemporalCli(say);
    say(`starting the Temporal dev server (${cli.path}), data in ${dbFile}...`);
    devServer = await startDevServer({
      cliPath: cli.path,
      dbFile,
      port: config.TEMPORAL_DEV_SERVER_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      namespace,
      onOutput: (line) => logger.debug({ source: 'temporal-server' }, line),
    });
    address = devServer.address;
    uiUrl = devServer.uiUrl;
    // If we exit without cleaning up, do not leave the server running (SIGTERM to its watchdog, which stops it). Should
    // we be killed outright, the watchdog notices on its own.
    process.once('exit', () => devServer?.process.kill('SIGTERM'));
  }

  const target = { address, namespace };
  const backends = await openApiBackends(config, (line) => logger.info(line));
  database = backends.database;
  if (backends.seeded.length) say(`first run: loaded the example playbooks ${backends.seeded.join(', ')} into the store`);
  const { options: { playbooks }, records } = backends;
  // The quick start: sandboxes for whatever has no credentials, unless SANDBOXES=off says otherwise.
  integrations = await selectIntegrations(config, logger, { sandboxesAllowed: process.env.SANDBOXES !== 'off', sharedLocks: new StoreSharedLocks(database.db) });
  // One process holds worker and API, so a secret made up now signs and verifies the same buttons.
  const actionSecret = config.MATTERMOST_ACTION_SECRET ?? randomBytes(32).toString('base64url');
  // Where Mattermost reaches us: set PUBLIC_URL when Mattermost runs elsewhere; locally the API's own address works.
  const publicUrl = config.PUBLIC_URL ?? (config.API_PORT ? `http://${config.API_HOST}:${config.API_PORT}` : undefined);
  // Sign-in with Mattermost when Mattermost is the sandbox: a trusted OAuth app for the web app's callback.
  const mattermostSandbox = integrations.sandboxes.Mattermost;
  // Imported only then, as workers/integrations.ts imports the sandboxes: a deployment never loads them.
  const sandboxSignIn =
    mattermostSandbox && publicUrl
      ? await (await import('../sandbox/mattermost/index.js')).createSandboxSignInApp(mattermostSandbox.url, `${publicUrl}/app/auth/callback`)
      : undefined;
  // Or the real Mattermost's app, when its ID and secret are set (npm run mattermost:setup prints them).
  const mattermostSignIn = sandboxSignIn
    ? createMattermostSignIn({ url: mattermostSandbox!.url, clientId: sandboxSignIn.clientId, clientSecret: sandboxSignIn.clientSecret })
    : config.MATTERMOST_OAUTH_CLIENT_ID && config.MATTERMOST_OAUTH_CLIENT_SECRET && config.MATTERMOST_URL
      ? createMattermostSignIn({ url: config.MATTERMOST_URL, clientId: config.MATTERMOST_OAUTH_CLIENT_ID, clientSecret: config.MATTERMOST_OAUTH_CLIENT_SECRET, timeoutMs: config.INTEGRATION_TIMEOUT_MS })
      : undefined;
  // The API starts first: the worker's checklist buttons need its address.
  const client = await connectClient(target);
  clientConnection = client.connection;
  // One native connection for the worker and the API's alert intake worker.
  const connected = await connectWorker(target);
  workerConnection = connected.connection;
  const door = frontDoor(config, integrations);
  const webRoot = await buildWebApp();
  const mattermostChat = integrations.ports.chat instanceof MattermostChat ? integrations.ports.chat : undefined;
  const defaultTeam = await resolveDefaultTeam(config.MATTERMOST_DEFAULT_TEAM, mattermostChat, (message) => say(message));
  api = await startApi({
    client: client.client,
    defaultTeam,
    ...backends.options,
    ...apiServerSettings(config),
    logger,
    // The post-mortem export reads the channel with the worker's chat adapter (the sandbox's, when it is one).
    chat: integrations.ports.chat,
    // Playbook permissions that name Mattermost groups ask the same client.
    ...(mattermostChat ? { groupDirectory: mattermostChat } : {}),
    alertIntakeWorker: { connection: workerConnection, namespace },
    web: {
      ...(webRoot ? { root: webRoot } : {}),
      sessionSecret: webSessionSecret(config),
      // Signing in with Mattermost asks the front door's bot who people are.
      ...(mattermostSignIn && door.mattermost ? { mattermostSignIn } : {}),
    },
    ...(door.mattermost
      ? {
          mattermost: {
            ...door.mattermost,
            actionSecret,
            ...(publicUrl ? { publicUrl } : {}),
            webhookTokens: listSetting(config.MATTERMOST_WEBHOOK_TOKENS),
            timelineTriggers: listSetting(config.TIMELINE_TRIGGERS),
          },
        }
      : {}),
  });
  worker = await createIncidentWorker({
    connection: workerConnection,
    namespace,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowStackTraces: config.WORKER_WORKFLOW_STACK_TRACES === 'on',
    onStackTracesKept: (why) => say(why),
    dependencies: {
      integrations: integrations.ports,
      records,
      // The sandboxes are called by their own adapters, never by webhooks: nothing local needs opening here.
      webhooks: { allowList: config.OUTBOUND_ALLOWED_HOSTS },
      ...(door.mattermost ? { buttons: { actionUrl: `${publicUrl ?? api.url}/mattermost/actions`, secret: actionSecret } } : {}),
    },
  });
  workerRun = worker.run();

  say(`API:          ${api.url}  (health: ${api.url}/healthz)`);
  const signIns = [
    ...(mattermostSignIn && door.mattermost ? [sandboxSignIn ? 'sign in with Mattermost as a sandbox user (alice, bob, ...)' : 'sign in with Mattermost'] : []),
    access.mode === 'open' ? 'or go on as anonymous (open mode)' : 'or with an API token',
  ];
  say(`Web app:      ${api.url}/app/  (${signIns.join(', ')})`);
  if (uiUrl) say(`Temporal UI:  ${uiUrl}/namespaces/${namespace}/workflows`);
  say(`Temporal:     ${address}, namespace ${namespace}, task queue ${config.TEMPORAL_TASK_QUEUE}`);
  say(`Playbooks:    ${(await playbooks.list()).map((p) => p.id).join(', ')}  (store: ${redactDatabaseUrl(config.DATABASE_URL ?? DEFAULT_SQLITE_PATH)})`);
  for (const line of integrations.summary) say(`Integration:  ${line}`);
  if (config.OUTBOUND_ALLOWED_HOSTS.entries.length) say(`Webhooks:     public addresses and ${config.OUTBOUND_ALLOWED_HOSTS.entries.join(', ')}`);
  if (integrations.sandboxes.Mattermost && !config.MATTERMOST_COMMAND_TOKENS) {
    say(`Slash command: POST ${api.url}/mattermost/command with token=${SANDBOX_COMMAND_TOKEN} (sandbox)`);
    const example = await sandboxSlashCommandExample(api.url, integrations.sandboxes.Mattermost.url);
    if (example) say(`Try in chat:  ${example}`);
  }
  say(
    `Try:          curl -s -X POST ${api.url}/api/v1/incidents -H 'Content-Type: application/json' ` +
      (access.mode === 'tokens' ? `-H 'Authorization: Bearer <token>' ` : '') +
      `-d '{"name":"Checkout is down","reporter":"alice","playbook":"service-outage"}'`,
  );
  say('Ctrl-C stops everything.');
} catch (error) {
  await webBuild?.stop();
  await integrations?.stop();
  await database?.close();
  await devServer?.stop();
  exitWithStartupError('npm start', error);
}

let stopping = false;
let signals = 0;
async function stop(reason: string): Promise<void> {
  // A terminal's Ctrl-C reaches npm, tsx and us at once, so one press can arrive twice; a third means "now".
  if (stopping) {
    if (++signals >= 3) {
      say('forced exit; the Temporal dev server may still be running');
      process.exit(1);
    }
    return;
  }
  stopping = true;
  signals = 1;
  say(`${reason}: stopping the API...`);
  await api.stop().catch((error: unknown) => logger.warn({ err: error }, 'API stop failed'));
  await webBuild?.stop();
  say('stopping the worker (letting running activities finish)...');
  worker.shutdown();
  await workerRun.catch((error: unknown) => logger.warn({ err: error }, 'worker stopped with an error'));
  await workerConnection.close();
  await clientConnection.close();
  await integrations?.stop();
  await database?.close();
  if (devServer) {
    say('stopping the Temporal dev server...');
    await devServer.stop();
  }
  say('stopped.');
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

workerRun.catch(async (error: unknown) => {
  if (stopping) return;
  logger.error({ err: error }, 'the worker failed; stopping');
  await stop('worker failure');
});
