/**
 * The playbook definition language's validation: a catalogue of broken playbooks (definitions and files), each rejected
 * with exactly the problems a user should see (path and plain reason).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatPlaybookProblems } from '../../domain/playbook/messages.js';
import { validatePlaybook } from '../../domain/playbook/validation.js';
import { parsePlaybookText } from '../../formats/playbook-text.js';

const brokenDir = fileURLToPath(new URL('../fixtures/playbooks/broken', import.meta.url));

/** The problems of an invalid playbook, as the user reads them: one `path: message` line each. */
function problemLines(input: unknown): string[] {
  const result = validatePlaybook(input);
  if (result.ok) throw new Error('expected the playbook to be rejected');
  return formatPlaybookProblems(result.problems).split('\n');
}

function fileProblemLines(file: string): string[] {
  const result = parsePlaybookText(readFileSync(join(brokenDir, file), 'utf8'), extname(file) === '.json' ? 'json' : 'yaml');
  if (result.ok) throw new Error(`expected ${file} to be rejected`);
  return formatPlaybookProblems(result.problems).split('\n');
}

const base = { id: 'p', title: 'P' };
const task = (fields: Record<string, unknown>) => ({ ...base, checklists: [{ title: 'A', tasks: [{ title: 't', ...fields }] }] });

/** [what is wrong, the playbook, the exact lines expected]. */
const catalogue: Array<[string, unknown, string[]]> = [
  [
    'no id and no title',
    {},
    [
      'id: required',
      'title: required',
    ],
  ],
  [
    'a list instead of a mapping',
    ['id', 'p'],
    [
      'expected a playbook: a mapping with at least "id" and "title", got a list',
    ],
  ],
  [
    'an id with spaces and capitals',
    { id: 'Service Outage', title: 'Service outage' },
    [
      'id: expected lower-case letters, digits, "-" or "_" (at most 64, starting with a letter or digit), got "Service Outage"',
    ],
  ],
  [
    'empty titles at every level',
    { id: 'p', title: '  ', checklists: [{ title: '', tasks: [{ title: '' }] }] },
    [
      'title: a playbook needs a title',
      'checklists[0].title: a checklist needs a title',
      'checklists[0].tasks[0].title: a task needs a title',
    ],
  ],
  [
    'a title over 200 characters',
    { id: 'p', title: 'x'.repeat(201) },
    [
      'title: at most 200 characters, got 201',
    ],
  ],
  [
    'a default severity that is not among the severities',
    { ...base, severities: ['critical', 'major'], defaultSeverity: 'sev1' },
    [
      'defaultSeverity: "sev1" is not one of the severities (critical, major)',
    ],
  ],
  [
    'repeated severities and keywords',
    { ...base, severities: ['sev1', 'sev2', 'sev1'], checklists: [], keywords: ['outage', 'Outage'] },
    [
      'severities[2]: "sev1" is already listed',
      'keywords[1]: "Outage" is already listed',
    ],
  ],
  [
    'no severities at all',
    { ...base, severities: [] },
    [
      'severities: name at least one severity',
    ],
  ],
  [
    'IDs repeated across checklists and tasks',
    { ...base, checklists: [{ id: 'triage', title: 'A', tasks: [{ id: 'ack', title: 'a' }, { id: 'ack', title: 'b' }] }, { id: 'triage', title: 'B', tasks: [{ id: 'B', title: 'c' }] }] },
    [
      'checklists[1].tasks[0].id: expected lower-case letters, digits, "-" or "_" (at most 64, starting with a letter or digit), got "B"',
      'checklists[0].tasks[1].id: id "ack" is already used at checklists[0].tasks[0].id',
      'checklists[1].id: id "triage" is already used at checklists[0].id',
    ],
  ],
  [
    'assignee and assigneeRole together, an unknown role, a bad username',
    { ...base, checklists: [{ title: 'A', tasks: [{ title: 'a', assignee: 'alice', assigneeRole: 'commander' }, { title: 'b', assigneeRole: 'boss' }, { title: 'c', assignee: 'not a user' }] }] },
    [
      'checklists[0].tasks[0].assigneeRole: give either assignee or assigneeRole, not both',
      'checklists[0].tasks[1].assigneeRole: expected one of commander, reporter, oncall, got "boss"',
      'checklists[0].tasks[2].assignee: expected a Mattermost username like "alice" or "@alice" (letters, digits, ".", "-", "_"), got "not a user"',
    ],
  ],
  [
    'command and action together, a command without "/", unknown and malformed actions',
    { ...base, checklists: [{ title: 'A', tasks: [{ title: 'a', command: '/zoom start', action: { type: 'start-meeting' } }, { title: 'b', command: 'zoom start' }, { title: 'c', action: { type: 'page' } }, { title: 'd', action: 'page-oncall' }] }] },
    [
      'checklists[0].tasks[0].action: give either command or action, not both',
      'checklists[0].tasks[1].command: a task command starts with "/", like "/jira create"',
      'checklists[0].tasks[2].action.type: expected one of page-oncall, open-ticket, start-meeting, post-status-update, got "page"',
      'checklists[0].tasks[3].action: expected a mapping like { type: page-oncall }, got "page-oncall"',
    ],
  ],
  [
    'actions that need a disabled integration',
    { ...base, jira: { enabled: false }, zoom: { enabled: false }, statusUpdates: { enabled: false }, checklists: [{ title: 'A', tasks: [{ title: 'a', action: { type: 'open-ticket' } }, { title: 'b', action: { type: 'start-meeting' } }, { title: 'c', action: { type: 'post-status-update' } }, { title: 'd', action: { type: 'page-oncall' } }] }] },
    [
      'checklists[0].tasks[0].action.type: "open-ticket" opens a Jira issue, but jira.enabled is false',
      'checklists[0].tasks[1].action.type: "start-meeting" starts a Zoom meeting, but zoom.enabled is false',
      'checklists[0].tasks[2].action.type: "post-status-update" asks for a status update, but statusUpdates.enabled is false',
    ],
  ],
  [
    'a due date that is not a duration',
    task({ due: 'soon' }),
    [
      'checklists[0].tasks[0].due: expected a duration like "30m", "2h", "1d" or "1h30m", got "soon"',
    ],
  ],
  [
    'a channel name template with capitals and spaces',
    { ...base, channel: { nameTemplate: 'Incident {{id}}' } },
    [
      'channel.nameTemplate: a channel name has only lower-case letters, digits, "-" and "_"; found "I", space (perhaps "incident-{{id}}")',
    ],
  ],
  [
    'a channel name template that does not make names unique',
    { ...base, channel: { nameTemplate: 'incident-{{slug}}' } },
    [
      'channel.nameTemplate: must contain {{id}} or {{seq}}, so that every incident gets a channel of its own',
    ],
  ],
  [
    'a channel name template that can exceed 64 characters',
    { ...base, severities: ['critical', 'minor'], channel: { nameTemplate: 'incident-{{severity}}-{{id}}-{{seq}}' } },
    [
      'channel.nameTemplate: can make a name of 73 characters (counting {{id}} as 48, {{seq}} as 6, {{date}} as 10, {{severity}} as 8); a channel name has at most 64',
    ],
  ],
  [
    'a channel name template starting and ending with separators',
    { ...base, channel: { nameTemplate: '-{{id}}_' } },
    [
      'channel.nameTemplate: must start and end with a letter, a digit or a placeholder, not "-" or "_"',
    ],
  ],
  [
    'a channel name template with {{name}}',
    { ...base, channel: { nameTemplate: 'inc-{{name}}-{{id}}' } },
    [
      'channel.nameTemplate: unknown placeholder {{name}} (did you mean {{slug}}?); allowed here: {{id}}, {{seq}}, {{date}}, {{slug}}, {{severity}}',
    ],
  ],
  [
    'unknown placeholders in templates',
    { ...base, channel: { headerTemplate: '{{sevrity}} led by {{ commandr }}', purposeTemplate: '{{ticket}}' }, welcomeMessage: 'Hi {{user}}', statusUpdates: { template: '{{name}} {{' }, retrospective: { template: '{{status}}' } },
    [
      'channel.headerTemplate: unknown placeholder {{sevrity}} (did you mean {{severity}}?); allowed here: {{id}}, {{seq}}, {{date}}, {{name}}, {{severity}}, {{status}}, {{commander}}, {{reporter}}, {{playbook}}, {{ticket}}, {{meeting}}',
      'channel.headerTemplate: unknown placeholder {{commandr}} (did you mean {{commander}}?); allowed here: {{id}}, {{seq}}, {{date}}, {{name}}, {{severity}}, {{status}}, {{commander}}, {{reporter}}, {{playbook}}, {{ticket}}, {{meeting}}',
      'channel.purposeTemplate: unknown placeholder {{ticket}}; allowed here: {{id}}, {{seq}}, {{date}}, {{name}}, {{summary}}, {{severity}}, {{commander}}, {{reporter}}, {{playbook}}',
      'welcomeMessage: unknown placeholder {{user}}; allowed here: {{id}}, {{seq}}, {{date}}, {{name}}, {{summary}}, {{severity}}, {{status}}, {{commander}}, {{reporter}}, {{playbook}}, {{ticket}}, {{meeting}}, {{channel}}',
      'statusUpdates.template: unbalanced "{{" or "}}"; a placeholder looks like {{id}}',
      'retrospective.template: unknown placeholder {{status}}; allowed here: {{id}}, {{seq}}, {{date}}, {{name}}, {{summary}}, {{severity}}, {{commander}}, {{reporter}}, {{playbook}}, {{ticket}}, {{metrics}}, {{timeline}}, {{checklists}}',
    ],
  ],
  [
    'webhooks: wrong scheme, credentials, not a URL, an inline secret, a secret as secretEnv, no events, a repeat',
    { ...base, statusUpdates: { webhooks: [{ url: 'ftp://files.example.com/x' }, { url: 'https://user:pw@hooks.example.com/x' }, { url: 'not a url' }, { url: 'https://hooks.example.com/a', secret: 's3cr3t' }, { url: 'https://hooks.example.com/b', secretEnv: 'xoxb-1234-abcdef-secret' }, { url: 'https://hooks.example.com/a', events: [] }] } },
    [
      'statusUpdates.webhooks[0].url: expected an http or https URL, got "ftp://files.example.com/x"',
      'statusUpdates.webhooks[1].url: do not put credentials in the URL; name the environment variable holding the secret in "secretEnv"',
      'statusUpdates.webhooks[2].url: expected a URL like "https://hooks.example.com/incidents", got "not a url"',
      'statusUpdates.webhooks[3].secret: unknown field "secret": never put a secret in a playbook; name the environment variable that holds it in "secretEnv"',
      'statusUpdates.webhooks[4].secretEnv: expected the NAME of an environment variable like "INCIDENT_WEBHOOK_SECRET_OPS" (upper-case letters, digits, "_"), never the secret itself',
      'statusUpdates.webhooks[5].events: name at least one event',
      'statusUpdates.webhooks[5].url: "https://hooks.example.com/a" is already listed',
    ],
  ],
  [
    'broadcast channels given by display name, and repeated',
    { ...base, statusUpdates: { broadcastChannels: ['Town Square', 'incidents', '~incidents'] } },
    [
      'statusUpdates.broadcastChannels[0]: expected a channel name (the last part of its URL) like "incidents": 2 to 64 lower-case letters, digits, "-" or "_", got "Town Square"',
      'statusUpdates.broadcastChannels[2]: "incidents" is already listed',
    ],
  ],
  [
    'a default commander named without "@"',
    { ...base, defaultCommander: 'alice' },
    [
      'defaultCommander: write a user as "@alice" (or use "reporter" or "oncall")',
    ],
  ],
  [
    'a default commander that is none of the choices',
    { ...base, defaultCommander: 'the on-call' },
    [
      'defaultCommander: expected "reporter", "oncall" or a user like "@alice", got "the on-call"',
    ],
  ],
  [
    'Jira: a non-boolean switch, a lower-case project key, a label with a space, a repeated component, an empty transition',
    { ...base, jira: { enabled: 'yes', project: 'ops', labels: ['needs triage'], components: ['Payments', 'Payments'], transitionOnResolve: '' } },
    [
      'jira.enabled: expected true or false, got "yes"',
      'jira.project: expected a Jira project key like "OPS", got "ops"',
      'jira.labels[0]: a Jira label has no spaces',
      'jira.components[1]: "Payments" is already listed',
      'jira.transitionOnResolve: must not be empty',
    ],
  ],
  [
    'integrations written as booleans, an unknown priority, a quoted boolean',
    { ...base, zoom: true, jira: false, opsgenie: { priority: 'P0', page: 'true' } },
    [
      'jira: expected a mapping like { enabled: false }, got false',
      'zoom: expected a mapping like { enabled: true }, got true',
      'opsgenie.page: expected true or false, got "true"',
      'opsgenie.priority: expected one of P1, P2, P3, P4, P5, got "P0"',
    ],
  ],
  [
    'a Zoom host that is not an email address',
    { ...base, zoom: { host: 'alice' } },
    [
      'zoom.host: expected the email address of a Zoom user, got "alice"',
    ],
  ],
  [
    'permissions and invitees: a list for a mapping, a repeat, an unknown field, a bad username',
    { ...base, permissions: { edit: ['alice'], run: { users: ['@Bob', 'bob'], teams: ['x'] } }, invitees: { users: ['alice', 'bad user'], groups: ['@sre'] } },
    [
      'invitees.users[1]: expected a Mattermost username like "alice" or "@alice" (letters, digits, ".", "-", "_"), got "bad user"',
      'permissions.edit: expected a mapping like { users: [alice], groups: [sre] }, got a list',
      'permissions.run.users[1]: "bob" is already listed',
      'permissions.run.teams: unknown field "teams"; expected one of users, groups',
    ],
  ],
  [
    'too many checklists',
    { ...base, checklists: Array.from({ length: 21 }, (_, i) => ({ title: `c${i}` })) },
    [
      'checklists: at most 20 checklists, got 21',
    ],
  ],
  [
    'too many tasks in a checklist',
    { ...base, checklists: [{ title: 'A', tasks: Array.from({ length: 101 }, (_, i) => ({ title: `t${i}` })) }] },
    [
      'checklists[0].tasks: at most 100 tasks per checklist, got 101',
    ],
  ],
  [
    'wrong types everywhere, and a field nobody knows',
    { ...base, version: 1.5, archiveChannelOnClose: 'no', checklists: { title: 'A' }, keywords: 'outage', team: 'My Team', colour: 'red' },
    [
      'team: expected a Mattermost team name (as in its URL) like "platform", got "My Team"',
      'version: expected a whole number, got 1.5',
      'checklists: expected a list, got a mapping',
      'keywords: expected a list, got "outage"',
      'archiveChannelOnClose: expected true or false, got "no"',
      'colour: unknown field "colour"; expected one of id, title, description, team, version, severities, defaultSeverity, defaultCommander, channel, invitees, welcomeMessage, checklists, statusUpdates, retrospective, jira, zoom, opsgenie, alerts, keywords, permissions, archiveChannelOnClose',
    ],
  ],
  [
    'channel switches of the wrong type',
    { ...base, channel: { sidebarCategory: true, private: 'yes' } },
    [
      'channel.private: expected true or false, got "yes"',
      'channel.sidebarCategory: expected a sidebar category name, or false to leave the channel uncategorised, got true',
    ],
  ],
  [
    'reminders that are not durations or out of range',
    { ...base, statusUpdates: { reminder: 15 }, retrospective: { reminder: '1h30' } },
    [
      'statusUpdates.reminder: expected a duration like "30m", got 15',
      'retrospective.reminder: expected a duration like "30m", "2h", "1d" or "1h30m", got "1h30"',
    ],
  ],
  [
    'snake_case field names from the original product',
    { ...base, default_severity: 'sev2', checklists: [{ title: 'A', tasks: [{ title: 'a', assignee_id: 'x' }] }] },
    [
      'checklists[0].tasks[0].assignee_id: unknown field "assignee_id" (did you mean "assignee"?)',
      'default_severity: unknown field "default_severity" (did you mean "defaultSeverity"?)',
    ],
  ],
];

/** [fixture file, the exact lines expected]. */
const brokenFiles: Array<[string, string[]]> = [
  [
    'bad-durations.yaml',
    [
      'checklists[0].tasks[1].due: expected a duration like "30m", "2h", "1d" or "1h30m", got "soon"',
      'checklists[1].tasks[0].due: expected a duration like "30m", got 30',
      'checklists[1].tasks[1].due: expected a duration from 1m to 30d, got "45d"',
      'statusUpdates.reminder: expected a duration like "30m", "2h", "1d" or "1h30m", got "30s"',
    ],
  ],
  [
    'channel-name-template.yaml',
    [
      'channel.nameTemplate: unknown placeholder {{name}} (did you mean {{slug}}?); allowed here: {{id}}, {{seq}}, {{date}}, {{slug}}, {{severity}}',
      'channel.nameTemplate: a channel name has only lower-case letters, digits, "-" and "_"; found "I", space (perhaps "incident-{{name}}")',
      'channel.nameTemplate: must contain {{id}} or {{seq}}, so that every incident gets a channel of its own',
    ],
  ],
  [
    'items-instead-of-tasks.yaml',
    [
      'checklists[0].items: unknown field "items" (did you mean "tasks"?)',
    ],
  ],
  [
    'json-syntax-error.json',
    [
      'JSON syntax error at line 5, column 1: Expected double-quoted property name',
    ],
  ],
  [
    'secret-in-webhook.yaml',
    [
      'statusUpdates.webhooks[0].secret: unknown field "secret": never put a secret in a playbook; name the environment variable that holds it in "secretEnv"',
      'statusUpdates.webhooks[1].secretEnv: expected the NAME of an environment variable like "INCIDENT_WEBHOOK_SECRET_OPS" (upper-case letters, digits, "_"), never the secret itself',
    ],
  ],
  [
    'typo-checklist-key.yaml',
    [
      'checklist: unknown field "checklist" (did you mean "checklists"?)',
    ],
  ],
  [
    'yaml-syntax-error.yaml',
    [
      'YAML syntax error at line 3, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ],
  ],
];

describe('broken playbooks are rejected with every problem, its path and a plain reason', () => {
  it('has a catalogue of at least 20 broken playbooks', () => {
    expect(catalogue.length + brokenFiles.length).toBeGreaterThanOrEqual(20);
    expect(readdirSync(brokenDir).sort()).toEqual(brokenFiles.map(([file]) => file).sort());
  });

  it.each(catalogue)('%s', (_what, input, expected) => {
    expect(problemLines(input)).toEqual(expected);
  });

  it.each(brokenFiles)('%s', (file, expected) => {
    expect(fileProblemLines(file)).toEqual(expected);
  });
});
