/**
 * `npm run api:token -- <name> <scope> [--act-for] [--alerts]`: makes a new REST API token. Prints the token once (only its SHA-256 is kept,
 * in API_TOKENS, so it cannot be shown again) and the API_TOKENS entry to add.
 */
import { callerNameProblem, generateToken, isScope, scopeAllows, SCOPES, tokenEntry } from '../api/auth/api-tokens.js';

const usage =
  'usage: npm run api:token -- <name> <scope> [--act-for] [--alerts]\n' +
  `  <name>     who uses the token, like "alertmanager", "ci-bot" or a Mattermost username; it is recorded as the actor\n` +
  `  <scope>    ${SCOPES.join(' | ')} (admin includes write, write includes read)\n` +
  '  --act-for  the token may name another person as the actor (the Mattermost bridge, trusted automation)\n' +
  '  --alerts   the token may send alerts (Alertmanager, other monitoring; needs write): POST /api/v1/alerts...';

const args = process.argv.slice(2);
const actFor = args.includes('--act-for');
const alerts = args.includes('--alerts');
const [rawName, rawScope, ...extra] = args.filter((arg) => arg !== '--act-for' && arg !== '--alerts');
if (!rawName || !rawScope || extra.length) {
  console.error(usage);
  process.exit(2);
}
const name = rawName.trim().toLowerCase();
const scope = rawScope.trim().toLowerCase();
const problem =
  callerNameProblem(name) ??
  (isScope(scope) ? undefined : `the scope must be ${SCOPES.join(', ').replace(/, (?=[^,]*$)/, ' or ')}`) ??
  (alerts && !scopeAllows(scope as (typeof SCOPES)[number], 'write') ? '--alerts needs the write scope (an alert starts and changes incidents)' : undefined);
if (problem || !isScope(scope)) {
  console.error(`api:token: ${problem}\n${usage}`);
  process.exit(2);
}

const token = generateToken();
console.log(`API token for "${name}" (scope ${scope}${actFor ? ', may act for others' : ''}${alerts ? ', may send alerts' : ''}):

  ${token}

Store it now (a secret manager, the caller's configuration): it cannot be shown again, only its hash is kept.
Callers send it as: Authorization: Bearer <token>

Add this entry to API_TOKENS (comma-separated with any others) and restart the API:

  ${tokenEntry(name, scope, token, { actFor, alerts })}
`);
