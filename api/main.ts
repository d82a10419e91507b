/**
 * The API process for production: connects to the Temporal cluster named by the environment and serves the REST API.
 * Stateless; run as many as you like behind a load balancer.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createMattermostSignIn } from '../integrations/mattermost/oauth-sign-in.js';
import type { MattermostSignIn } from './ports/mattermost-sign-in.js';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveDefaultTeam } from '../config/default-team.js';
import { listSetting, loadDotEnv } from '../config/env.js';
import { loadApiConfig } from './api-config.js';
import { MattermostChat } from '../integrations/mattermost/mattermost-chat.js';
import { listenToMattermostEvents } from '../integrations/mattermost/mattermost-events.js';
import { exitWithStartupError } from '../config/fatal.js';
import { createLogger } from '../config/logger.js';
import { connectClient, connectWorker, resolveNamespace } from '../temporal/connection.js';
import { EXPECTED_IN_API, installTemporalRuntime } from '../temporal/runtime-logging.js';
import { apiServerSettings, openApiBackends } from './backends.js';
import { startApi } from './server.js';
import { decideApiAccess } from './auth/api-tokens.js';
import { startTracing } from '../temporal/tracing.js';

loadDotEnv();
const config = (() => {
  try {
    return loadApiConfig();
  } catch (error) {
    return exitWithStartupError('the API', error);
  }
})();
const logger = createLogger({ level: config.LOG_LEVEL, name: 'api' });
// The API serves Mattermost's slash commands, buttons and dialogs and reads its channels: in production it needs the
// server. With SANDBOXES=on (trying things out) it runs without, and says what is off.
if (!(config.MATTERMOST_URL && config.MATTERMOST_BOT_TOKEN) && config.SANDBOXES !== 'on') {
  exitWithStartupError(
    'the API',
    new Error('no credentials for Mattermost: set MATTERMOST_URL and MATTERMOST_BOT_TOKEN (or SANDBOXES=on to run without Mattermost while trying the product)'),
  );
}
// No API tokens: open mode, fine on loopback (the two-command quick start), refused anywhere else.
const access = decideApiAccess(config.API_HOST, config.API_TOKENS.length);
if (access.mode === 'refused') exitWithStartupError('the API', new Error(access.reason));
if (access.mode === 'open') logger.warn(access.warning);
// The web app `npm run build` wrote beside this file's folder (dist/web for dist/api/main.js); without one, /app/
// answers 503 naming the command.
const webRoot = fileURLToPath(new URL('../web/', import.meta.url));
const web = {
  ...(existsSync(join(webRoot, 'index.html')) ? { root: webRoot } : {}),
  // Unset: a secret made up at start; sessions end when the process does, and replicas do not share them.
  sessionSecret: config.WEB_SESSION_SECRET ?? randomBytes(32).toString('base64url'),
};
if (!web.root) logger.warn(`the web app was not built (no ${join(webRoot, 'index.html')}): /app/ answers 503 until npm run build`);
if (!config.WEB_SESSION_SECRET) logger.warn('WEB_SESSION_SECRET is not set: web sign-ins end when this process restarts, and other API processes do not accept them');
/** Sign-in with Mattermost, when its OAuth app is configured; it asks the bot who people are. */
function signIn(bot: boolean): { mattermostSignIn: MattermostSignIn } | undefined {
  if (!config.MATTERMOST_OAUTH_CLIENT_ID || !config.MATTERMOST_OAUTH_CLIENT_SECRET || !config.MATTERMOST_URL) return undefined;
  if (!bot) {
    logger.warn('sign-in with Mattermost is off: it needs the bot (MATTERMOST_URL and MATTERMOST_BOT_TOKEN) to ask who people are');
    return undefined;
  }
  const mattermostSignIn = createMattermostSignIn({ url: config.MATTERMOST_URL, clientId: config.MATTERMOST_OAUTH_CLIENT_ID, clientSecret: config.MATTERMOST_OAUTH_CLIENT_SECRET, timeoutMs: config.INTEGRATION_TIMEOUT_MS });
  return { mattermostSignIn };
}
// Traces, when OTEL_EXPORTER_OTLP_ENDPOINT names a collector.
const tracing = startTracing('incident-api', config.OTEL_EXPORTER_OTLP_ENDPOINT);
// The alert intake's worker (api/alert-intake-worker.ts) logs through pino like the rest of this process.
installTemporalRuntime(logger, { handleSignals: false, level: 'WARN', expected: EXPECTED_IN_API });
const { api, connection, workerConnection } = await (async () => {
  try {
    const backends = await openApiBackends(config, (line) => logger.info(line));
    const target = {
      ...(config.TEMPORAL_ADDRESS ? { address: config.TEMPORAL_ADDRESS } : {}),
      namespace: resolveNamespace(config.TEMPORAL_NAMESPACE),
    };
    const { client, connection } = await connectClient(target, tracing ? { interceptors: tracing.clientInterceptors } : {});
    const { connection: workerConnection, namespace } = await connectWorker(target);
    const tokens = listSetting(config.MATTERMOST_COMMAND_TOKENS);
    // One client for the front door, the post-mortem export and playbook permissions (which need no command token).
    const chat =
      config.MATTERMOST_URL && config.MATTERMOST_BOT_TOKEN
        ? new MattermostChat({ url: config.MATTERMOST_URL, token: config.MATTERMOST_BOT_TOKEN, timeoutMs: config.INTEGRATION_TIMEOUT_MS })
        : undefined;
    const mattermost =
      tokens.length && chat
        ? {
            chat,
            commandTokens: tokens,
            admins: listSetting(config.INCIDENT_ADMINS),
            taskCommandsAllowed: config.TASK_COMMANDS_ALLOWED,
            ...(config.MATTERMOST_ACTION_SECRET ? { actionSecret: config.MATTERMOST_ACTION_SECRET } : {}),
            ...(config.PUBLIC_URL ? { publicUrl: config.PUBLIC_URL } : {}),
            webhookTokens: listSetting(config.MATTERMOST_WEBHOOK_TOKENS),
            timelineTriggers: listSetting(config.TIMELINE_TRIGGERS),
            ...(config.MATTERMOST_EVENTS === 'on'
              ? {
                  events: (handlers: Parameters<typeof listenToMattermostEvents>[1]) =>
                    listenToMattermostEvents({ url: config.MATTERMOST_URL!, token: config.MATTERMOST_BOT_TOKEN! }, handlers),
                }
              : {}),
          }
        : undefined;
    if (!mattermost) logger.warn('Mattermost slash commands are off: set MATTERMOST_COMMAND_TOKENS, MATTERMOST_URL and MATTERMOST_BOT_TOKEN');
    if (!chat) logger.warn('the post-mortem export is off: set MATTERMOST_URL and MATTERMOST_BOT_TOKEN');
    const defaultTeam = await resolveDefaultTeam(config.MATTERMOST_DEFAULT_TEAM, chat, (message) => logger.warn(message));
    const api = await startApi({
      ...(mattermost ? { mattermost } : {}),
      ...(chat ? { chat, groupDirectory: chat } : {}),
      defaultTeam,
      client,
      ...backends.options,
      ...apiServerSettings(config),
      logger,
      ...(tracing ? { tracer: tracing.tracer } : {}),
      alertIntakeWorker: { connection: workerConnection, namespace },
      // Without the slash commands, the bot still says who people are, for the web app's sign-in and chat's rules.
      ...(chat && !mattermost ? { chatIdentity: { chat, admins: listSetting(config.INCIDENT_ADMINS) } } : {}),
      web: { ...web, ...(signIn(chat !== undefined) ?? {}) },
    });
    return { api, connection, workerConnection };
  } catch (error) {
    return exitWithStartupError('the API', error);
  }
})();
logger.info({ url: api.url }, 'API listening');

const shutdown = async (): Promise<void> => {
  await api.stop();
  await connection.close();
  await workerConnection.close();
  await tracing?.shutdown();
  logger.info('API stopped');
};
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
