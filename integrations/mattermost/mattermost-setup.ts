/**
 * Sets a Mattermost server up for the product, as an administrator would by hand, and says what it did: the incident
 * bot (created if missing, with the system admin role it needs to place channels in people's sidebars), a token for it
 * (kept when the one configured still works), the bot in each team, and the `/incident` slash command in each team
 * pointing at the product (created, or updated when it points elsewhere), and the OAuth app the web app signs people in
 * with (found by its callback URL, or created trusted). It checks the server settings the product needs and reports
 * what is missing; it changes no server setting itself. Idempotent: run it again after any change.
 *
 * `npm run mattermost:setup` is the command line around it (scripts/mattermost-setup.ts).
 */
import { isIP } from 'node:net';
import { nonPublicAddressReason } from '../../security/outbound-address-policy.js';
// CommonJS: Node's ESM loader gives its exports as the default export only.
import mattermost from '@mattermost/client';
import type { Command, OAuthApp } from '@mattermost/types/integrations';
import type { Team } from '@mattermost/types/teams';

export interface MattermostSetupRequest {
  url: string;
  /** A system admin's personal access token. */
  adminToken: string;
  /** Where Mattermost reaches the product: the slash command posts to <publicUrl>/mattermost/command. */
  publicUrl: string;
  /** Team names to install the command in; empty: every team the admin is in. */
  teams: string[];
  botUsername?: string;
  /** The bot token configured now (MATTERMOST_BOT_TOKEN): kept when it still authenticates as the bot. */
  currentBotToken?: string;
  /** Give the existing sign-in app a new secret (its old one stops working), so it can be printed. */
  regenerateOAuthSecret?: boolean;
}

export interface MattermostSetupResult {
  /** One line per thing looked at: what was created, changed or kept. */
  done: string[];
  /** What still needs an administrator (server settings), in words that say where to change it. */
  missing: string[];
  /** The environment lines the product needs. */
  env: Record<string, string>;
}

const { Client4 } = mattermost;
type Client4 = InstanceType<typeof Client4>;

const COMMAND_TRIGGER = 'incident';

function clientFor(url: string, token: string): Client4 {
  const client = new Client4();
  client.setUrl(url.replace(/\/+$/, ''));
  client.setIncludeCookies(false);
  client.setToken(token);
  return client;
}

const statusOf = (error: unknown) => (error as { status_code?: number }).status_code;

/** Whether Mattermost, on the server, may call this URL (a private address needs AllowedUntrustedInternalConnections). */
function needsInternalConnection(publicUrl: string): string | undefined {
  const host = new URL(publicUrl).hostname.replace(/^\[|\]$/g, '');
  // An IP address: the same judgement as for our own outbound calls. A name: localhost, or one without a domain.
  const internal = isIP(host) ? nonPublicAddressReason(host) !== undefined : host === 'localhost' || !host.includes('.');
  return internal ? host : undefined;
}

export async function setUpMattermost(request: MattermostSetupRequest): Promise<MattermostSetupResult> {
  const done: string[] = [];
  const missing: string[] = [];
  const admin = clientFor(request.url, request.adminToken);
  const me = await admin.getMe().catch((error: unknown) => {
    throw new Error(`the admin token was refused by ${request.url} (${statusOf(error) ?? 'no answer'}): use a system admin's personal access token`);
  });
  if (!me.roles.split(' ').includes('system_admin')) throw new Error(`@${me.username} is not a system admin of ${request.url}; setup needs one`);

  // Server settings the product relies on: reported, never changed behind the administrator's back.
  const config = (await admin.getConfig()) as unknown as { ServiceSettings: Record<string, unknown> };
  const service = config.ServiceSettings;
  missing.push(...missingSettings(service, request.publicUrl));

  // The bot.
  const botUsername = request.botUsername ?? 'incident-bot';
  let botId: string;
  try {
    botId = (await admin.getUserByUsername(botUsername)).id;
    done.push(`bot @${botUsername}: kept`);
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
    botId = (await admin.createBot({ username: botUsername, display_name: 'Incident bot', description: 'Incident Collaboration on Temporal' })).user_id;
    done.push(`bot @${botUsername}: created`);
  }
  const bot = await admin.getUser(botId);
  if (!bot.roles.split(' ').includes('system_admin')) {
    await admin.updateUserRoles(botId, 'system_user system_admin');
    done.push(`bot @${botUsername}: given the system admin role (to place incident channels in people's sidebar categories)`);
  }

  // Its token: the configured one if it still signs in as the bot, else a new one.
  const env: Record<string, string> = { MATTERMOST_URL: request.url.replace(/\/+$/, ''), PUBLIC_URL: request.publicUrl.replace(/\/+$/, '') };
  const currentWorks = request.currentBotToken
    ? await clientFor(request.url, request.currentBotToken)
        .getMe()
        .then((user) => user.id === botId)
        .catch(() => false)
    : false;
  if (currentWorks) {
    done.push('bot token: the configured MATTERMOST_BOT_TOKEN works, kept');
  } else {
    const token = await admin.createUserAccessToken(botId, `incident collaboration ${new Date().toISOString().slice(0, 10)}`);
    env.MATTERMOST_BOT_TOKEN = token.token ?? '';
    done.push('bot token: created (shown once below)');
  }

  // Teams: the bot in each, and the slash command.
  const allTeams = await admin.getMyTeams();
  const teams: Team[] = request.teams.length ? request.teams.map((name) => findTeam(allTeams, name)) : allTeams;
  if (teams.length === 0) missing.push(`@${me.username} is in no team: name the teams with --team, or join one`);
  const commandUrl = `${request.publicUrl.replace(/\/+$/, '')}/mattermost/command`;
  const commandTokens: string[] = [];
  for (const team of teams) {
    await admin.addToTeam(team.id, botId);
    const existing = (await admin.getCustomTeamCommands(team.id)).find((command) => command.trigger === COMMAND_TRIGGER);
    const wanted = {
      team_id: team.id,
      trigger: COMMAND_TRIGGER,
      method: 'P',
      url: commandUrl,
      auto_complete: true,
      auto_complete_desc: 'Start and run incidents: start, note, check, assign, commander, update, resolve, help',
      auto_complete_hint: '[start|info|note|check|assign|commander|update|resolve|help]',
      display_name: 'Incident',
      description: 'Incident Collaboration on Temporal',
    };
    if (!existing) {
      const created = await admin.addCommand({ ...wanted, username: '', icon_url: '' } as unknown as Command);
      commandTokens.push(created.token);
      done.push(`team ${team.name}: /${COMMAND_TRIGGER} created, posting to ${commandUrl}`);
    } else if (existing.url !== commandUrl || existing.method !== 'P' || !existing.auto_complete) {
      await admin.editCommand({ ...existing, ...wanted } as Command);
      commandTokens.push(existing.token);
      done.push(`team ${team.name}: /${COMMAND_TRIGGER} updated to post to ${commandUrl}`);
    } else {
      commandTokens.push(existing.token);
      done.push(`team ${team.name}: /${COMMAND_TRIGGER} kept`);
    }
  }
  env.MATTERMOST_COMMAND_TOKENS = commandTokens.join(',');
  if (teams.length === 1) env.MATTERMOST_DEFAULT_TEAM = teams[0]!.name;

  // The web app's sign-in: Mattermost refuses every OAuth call (501) while the provider is off.
  if (service.EnableOAuthServiceProvider === true) {
    const signIn = await setUpSignInApp(admin, { publicUrl: request.publicUrl, regenerateSecret: request.regenerateOAuthSecret ?? false });
    done.push(...signIn.done);
    Object.assign(env, signIn.env);
  } else {
    done.push('sign-in with Mattermost: no OAuth app yet (the OAuth 2.0 service provider is off); run setup again once it is on');
  }
  return { done, missing, env };
}

const REQUIRED_SETTINGS: Array<[string, string]> = [
  ['EnableBotAccountCreation', 'bot accounts'],
  ['EnableUserAccessTokens', 'personal access tokens (the bot signs in with one)'],
  ['EnableCommands', 'custom slash commands'],
  ['EnableOAuthServiceProvider', 'the OAuth 2.0 service provider (the web app\'s "Sign in with Mattermost")'],
];

/** What an administrator must still change in ServiceSettings for the product, where to change it. */
export function missingSettings(service: Record<string, unknown>, publicUrl: string): string[] {
  const missing = REQUIRED_SETTINGS.filter(([name]) => service[name] !== true).map(
    ([name, what]) => `System Console › Integrations: turn on ${what} (ServiceSettings.${name})`,
  );
  const internalHost = needsInternalConnection(publicUrl);
  const allowed = String(service.AllowedUntrustedInternalConnections ?? '').split(/[\s,]+/).filter(Boolean);
  if (internalHost && !allowed.includes(internalHost)) {
    missing.push(
      `the product is on a private address (${internalHost}): add "${internalHost}" to System Console › Developer › Allow untrusted internal connections ` +
        '(ServiceSettings.AllowedUntrustedInternalConnections), or Mattermost will not call its slash command, buttons and dialogs',
    );
  }
  return missing;
}

export interface SignInAppSetup {
  done: string[];
  /** MATTERMOST_OAUTH_CLIENT_ID, and MATTERMOST_OAUTH_CLIENT_SECRET when it was just made (created or regenerated). */
  env: Record<string, string>;
}

const OAUTH_APPS_PAGE = 200;

/**
 * The OAuth app for `<publicUrl>/app/auth/callback`: the one whose callback URLs hold it, or a new trusted one (trusted
 * apps skip Mattermost's consent page: people sign in to their own organisation's tool). Its secret is shown when it is
 * made, and again only after `regenerateSecret` (Mattermost lists secrets, but a setup log is no place to repeat one).
 * Needs a system admin and ServiceSettings.EnableOAuthServiceProvider on.
 */
export async function setUpSignInApp(admin: Client4, request: { publicUrl: string; regenerateSecret: boolean }): Promise<SignInAppSetup> {
  const publicUrl = request.publicUrl.replace(/\/+$/, '');
  const callback = `${publicUrl}/app/auth/callback`;
  let existing: OAuthApp | undefined;
  for (let page = 0; !existing; page++) {
    const apps = await admin.getOAuthApps(page, OAUTH_APPS_PAGE);
    existing = apps.find((app) => app.callback_urls.includes(callback));
    if (apps.length < OAUTH_APPS_PAGE) break;
  }
  if (!existing) {
    const created = await admin.createOAuthApp({
      name: 'Incident Collaboration',
      description: 'Sign-in for the incident web app',
      homepage: `${publicUrl}/app/`,
      callback_urls: [callback],
      icon_url: '',
      is_trusted: true,
    });
    return {
      done: [`sign-in with Mattermost: OAuth app "${created.name}" created (trusted) for ${callback}; its secret is shown once below`],
      env: { MATTERMOST_OAUTH_CLIENT_ID: created.id, MATTERMOST_OAUTH_CLIENT_SECRET: created.client_secret },
    };
  }
  const trust = existing.is_trusted ? '' : ' (not trusted: people will see Mattermost\'s consent page once)';
  const env: Record<string, string> = { MATTERMOST_OAUTH_CLIENT_ID: existing.id };
  if (!request.regenerateSecret) {
    return { done: [`sign-in with Mattermost: OAuth app "${existing.name}" kept${trust}; its secret is not shown again (--regenerate-oauth-secret makes a new one)`], env };
  }
  env.MATTERMOST_OAUTH_CLIENT_SECRET = (await admin.regenOAuthAppSecret(existing.id)).client_secret;
  return { done: [`sign-in with Mattermost: OAuth app "${existing.name}" kept${trust}, with a new secret shown once below (the old one no longer works)`], env };
}

function findTeam(teams: Team[], name: string): Team {
  const team = teams.find((candidate) => candidate.name === name.toLowerCase());
  if (!team) throw new Error(`no team "${name}" among the admin's teams (${teams.map((t) => t.name).join(', ') || 'none'})`);
  return team;
}
