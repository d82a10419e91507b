/**
 * `npm run mattermost:doctor`: checks a running deployment against its Mattermost end to end (the bot's token and role,
 * the product at PUBLIC_URL, the /incident command in each of the bot's teams, a real /incident help travelling
 * Mattermost → product → Mattermost) and says exactly what is wrong. Reads the deployment's own settings:
 * MATTERMOST_URL, MATTERMOST_BOT_TOKEN, PUBLIC_URL, MATTERMOST_COMMAND_TOKENS. Exit 0 when all is well, 1 otherwise.
 */
import { examineMattermost } from '../integrations/mattermost/mattermost-doctor.js';
import { messageOf } from '../domain/errors.js';

const missing = (['MATTERMOST_URL', 'MATTERMOST_BOT_TOKEN', 'PUBLIC_URL', 'MATTERMOST_COMMAND_TOKENS'] as const).filter((name) => !process.env[name]?.trim());
if (missing.length) {
  console.error(`mattermost:doctor: set ${missing.join(', ')} (the deployment's own settings)`);
  process.exit(2);
}
try {
  const checks = await examineMattermost({
    url: process.env.MATTERMOST_URL!,
    botToken: process.env.MATTERMOST_BOT_TOKEN!,
    publicUrl: process.env.PUBLIC_URL!,
    commandTokens: process.env.MATTERMOST_COMMAND_TOKENS!.split(',').map((token) => token.trim()).filter(Boolean),
  });
  for (const check of checks) console.log(`${check.ok ? 'ok  ' : 'FAIL'} ${check.what}${check.fix ? `\n     → ${check.fix}` : ''}`);
  const failed = checks.filter((check) => !check.ok).length;
  console.log(failed ? `\n${failed} problem(s).` : '\nAll good.');
  process.exit(failed ? 1 : 0);
} catch (error) {
  console.error(`mattermost:doctor: ${messageOf(error)}`);
  process.exit(2);
}
