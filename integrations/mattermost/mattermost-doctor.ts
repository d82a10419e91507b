/**
 * Checks a running deployment against its Mattermost end to end, the way a user's slash command travels, and says
 * exactly what is wrong: Mattermost answers and knows the bot's token; the bot has the role the sidebar needs; the
 * product answers at PUBLIC_URL; in each of the bot's teams the /incident command exists, posts to PUBLIC_URL, and
 * its token is one the product accepts; and a real `/incident help` executed in Mattermost comes back from the
 * product (so Mattermost can reach it). It changes nothing except one command run as the bot.
 *
 * `npm run mattermost:doctor` is the command line around it (scripts/mattermost-doctor.ts).
 */
// CommonJS: Node's ESM loader gives its exports as the default export only.
import mattermost from '@mattermost/client';

const { Client4 } = mattermost;

export interface DoctorRequest {
  url: string;
  botToken: string;
  publicUrl: string;
  /** MATTERMOST_COMMAND_TOKENS: the slash command tokens the product accepts. */
  commandTokens: string[];
}

export interface DoctorCheck {
  ok: boolean;
  what: string;
  /** What to do about it, when not ok. */
  fix?: string;
}

export async function examineMattermost(request: DoctorRequest): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const pass = (what: string) => checks.push({ ok: true, what });
  const fail = (what: string, fix: string) => checks.push({ ok: false, what, fix });
  const bot = new Client4();
  bot.setUrl(request.url.replace(/\/+$/, ''));
  bot.setIncludeCookies(false);
  bot.setToken(request.botToken);
  const publicUrl = request.publicUrl.replace(/\/+$/, '');

  const me = await bot.getMe().catch((error: unknown) => error as { status_code?: number; message?: string });
  if (!('id' in me)) {
    fail(`Mattermost at ${request.url} refused the bot token (${me.status_code ?? me.message ?? 'no answer'})`, 'set MATTERMOST_BOT_TOKEN to a token of the bot (npm run mattermost:setup makes one)');
    return checks;
  }
  pass(`Mattermost at ${request.url} knows the bot token: @${me.username}${me.is_bot ? ' (a bot account)' : ''}`);
  if (me.roles.split(' ').includes('system_admin')) pass('the bot has the System Admin role (sidebar categories)');
  else fail('the bot lacks the System Admin role: incident channels will not be put in sidebar categories', 'give it the role (System Console › Users), or run npm run mattermost:setup');

  const health = await fetch(`${publicUrl}/healthz`).then(
    (response) => response.status,
    (error: unknown) => (error as Error).message,
  );
  if (health === 200) pass(`the product answers at ${publicUrl}`);
  else fail(`the product does not answer at ${publicUrl}/healthz (${health})`, 'check PUBLIC_URL and that the API runs');

  const teams = await bot.getMyTeams();
  if (teams.length === 0) fail('the bot is in no team', 'add it to the teams that run incidents, or run npm run mattermost:setup');
  for (const team of teams) {
    const commands = await bot.getCustomTeamCommands(team.id).catch(() => undefined);
    const command = commands?.find((candidate) => candidate.trigger === 'incident');
    if (!command) {
      fail(`team ${team.name}: no /incident command`, 'run npm run mattermost:setup');
      continue;
    }
    if (command.url.replace(/\/+$/, '') !== `${publicUrl}/mattermost/command`) {
      fail(`team ${team.name}: /incident posts to ${command.url}, not ${publicUrl}/mattermost/command`, 'run npm run mattermost:setup (it updates the URL)');
      continue;
    }
    if (!request.commandTokens.includes(command.token)) {
      fail(`team ${team.name}: the /incident command's token is not in MATTERMOST_COMMAND_TOKENS`, 'add it (npm run mattermost:setup prints the line)');
      continue;
    }
    pass(`team ${team.name}: /incident posts to the product with a token it accepts`);
    // The whole way: Mattermost calls the product and shows its answer.
    const townSquare = await bot.getChannelByName(team.id, 'town-square').catch(() => undefined);
    if (!townSquare) continue;
    await bot.addToChannel(me.id, townSquare.id).catch(() => undefined);
    const answer = await bot.executeCommand('/incident help', { channel_id: townSquare.id, team_id: team.id } as never).catch((error: unknown) => error as { message?: string });
    const text = (answer as { text?: string }).text ?? '';
    if (/\/incident start/.test(text)) pass(`team ${team.name}: Mattermost reached the product and showed its answer to /incident help`);
    else {
      fail(
        `team ${team.name}: /incident help did not come back from the product (${((answer as { message?: string }).message ?? text).slice(0, 200) || 'no answer'})`,
        'Mattermost cannot reach PUBLIC_URL: check the address from the Mattermost server, and AllowedUntrustedInternalConnections for a private one',
      );
    }
  }
  return checks;
}
