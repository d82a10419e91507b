/**
 * `npm run mattermost:setup [-- --team <name> ... --regenerate-oauth-secret]`: sets a Mattermost server up for the
 * product (the bot, its token, its role, the /incident command in each team, the OAuth app for the web app's sign-in;
 * see integrations/mattermost/mattermost-setup.ts), says what it changed and what an administrator must still do, and
 * prints the environment lines to set. Safe to run again. The sign-in app's secret is printed when the app is created;
 * `--regenerate-oauth-secret` replaces it with a new one (printed) when it is lost.
 *
 *   MATTERMOST_URL=https://chat.example.com MATTERMOST_ADMIN_TOKEN=<a system admin's personal access token> \
 *   PUBLIC_URL=https://incidents.example.com npm run mattermost:setup -- --team platform
 *
 * Exit status: 0 when the server is ready, 1 when something is still missing (listed), 2 on bad input.
 */
import { setUpMattermost } from '../integrations/mattermost/mattermost-setup.js';
import { messageOf } from '../domain/errors.js';

const usage = 'usage: MATTERMOST_URL=... MATTERMOST_ADMIN_TOKEN=... PUBLIC_URL=... npm run mattermost:setup [-- --team <name> ... --regenerate-oauth-secret]';

const teams: string[] = [];
let regenerateOAuthSecret = false;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--team' && args[i + 1]) teams.push(args[++i]!);
  else if (args[i] === '--regenerate-oauth-secret') regenerateOAuthSecret = true;
  else {
    console.error(`mattermost:setup: unexpected argument "${args[i]}"\n${usage}`);
    process.exit(2);
  }
}
const problems = (['MATTERMOST_URL', 'MATTERMOST_ADMIN_TOKEN', 'PUBLIC_URL'] as const).filter((name) => !process.env[name]?.trim());
if (problems.length) {
  console.error(`mattermost:setup: set ${problems.join(', ')}\n${usage}`);
  process.exit(2);
}
for (const name of ['MATTERMOST_URL', 'PUBLIC_URL'] as const) {
  if (!/^https?:\/\/[^\s/]+/.test(process.env[name]!)) {
    console.error(`mattermost:setup: ${name} must be an http(s) URL, got "${process.env[name]!.slice(0, 100)}"`);
    process.exit(2);
  }
}

try {
  const result = await setUpMattermost({
    url: process.env.MATTERMOST_URL!,
    adminToken: process.env.MATTERMOST_ADMIN_TOKEN!,
    publicUrl: process.env.PUBLIC_URL!,
    teams,
    regenerateOAuthSecret,
    ...(process.env.MATTERMOST_BOT_TOKEN ? { currentBotToken: process.env.MATTERMOST_BOT_TOKEN } : {}),
  });
  console.log('Done:');
  for (const line of result.done) console.log(`  - ${line}`);
  if (result.missing.length) {
    console.log('\nStill missing (an administrator must do these):');
    for (const line of result.missing) console.log(`  - ${line}`);
  }
  console.log('\nSet these for the worker and the API (the bot token and the OAuth secret are shown only now):\n');
  for (const [name, value] of Object.entries(result.env)) console.log(`${name}=${value}`);
  process.exit(result.missing.length ? 1 : 0);
} catch (error) {
  console.error(`mattermost:setup: ${messageOf(error)}`);
  process.exit(2);
}
