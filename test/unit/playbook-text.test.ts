/**
 * Playbooks as YAML or JSON text: one file with many problems reports them all, the shipped examples read, and import
 * then export then import gives an equal playbook.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatPlaybookProblems } from '../../domain/playbook/messages.js';
import { snapshotPlaybook } from '../../domain/playbook/snapshot.js';
import { formatPlaybook, parsePlaybookText } from '../../formats/playbook-text.js';
import { exampleFiles, parseExample, playbooksDir, valid } from '../helpers/playbook-examples.js';

describe('one playbook with many problems', () => {
  it('reports all of them at once, in the order of the fields', () => {
    const text = [
      'id: Outage Playbook',
      'title: ""',
      'severities: [sev1, sev2]',
      'defaultSeverity: sev9',
      'defaultCommander: bob',
      'channel:',
      '  nameTemplate: "Outage {{slug}}"',
      '  headerTemplate: "{{sev}}"',
      'checklist: []',
      'checklists:',
      '  - id: triage',
      '    title: Triage',
      '    tasks:',
      '      - id: ack',
      '        title: Acknowledge',
      '        assignee: alice',
      '        assigneeRole: commander',
      '        due: soon',
      '      - id: ack',
      '        title: Page',
      '        command: /genie page',
      '        action: { type: page-oncall }',
      'statusUpdates:',
      '  reminder: 90d',
      '  webhooks:',
      '    - url: http://hooks.example.com/x',
      '      secretEnv: hunter2',
      'opsgenie:',
      '  priority: urgent',
      '',
    ].join('\n');
    const result = parsePlaybookText(text, 'yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(formatPlaybookProblems(result.problems).split('\n')).toEqual([
      'id: expected lower-case letters, digits, "-" or "_" (at most 64, starting with a letter or digit), got "Outage Playbook"',
      'title: a playbook needs a title',
      'defaultCommander: write a user as "@bob" (or use "reporter" or "oncall")',
      'channel.nameTemplate: a channel name has only lower-case letters, digits, "-" and "_"; found "O", space (perhaps "outage-{{slug}}")',
      'channel.nameTemplate: must contain {{id}} or {{seq}}, so that every incident gets a channel of its own',
      'channel.headerTemplate: unknown placeholder {{sev}} (did you mean {{severity}}?); allowed here: {{id}}, {{seq}}, {{date}}, {{name}}, {{severity}}, {{status}}, {{commander}}, {{reporter}}, {{playbook}}, {{ticket}}, {{meeting}}',
      'checklists[0].tasks[0].due: expected a duration like "30m", "2h", "1d" or "1h30m", got "soon"',
      'checklists[0].tasks[0].assigneeRole: give either assignee or assigneeRole, not both',
      'checklists[0].tasks[1].action: give either command or action, not both',
      'statusUpdates.reminder: expected a duration from 1m to 30d, got "90d"',
      'statusUpdates.webhooks[0].secretEnv: expected the NAME of an environment variable like "INCIDENT_WEBHOOK_SECRET_OPS" (upper-case letters, digits, "_"), never the secret itself; got "hunter2"',
      'opsgenie.priority: expected one of P1, P2, P3, P4, P5, got "urgent"',
      'checklist: unknown field "checklist" (did you mean "checklists"?)',
      'defaultSeverity: "sev9" is not one of the severities (sev1, sev2)',
      'checklists[0].tasks[1].id: id "ack" is already used at checklists[0].tasks[0].id',
    ]);
    expect(result.problems.every((p) => typeof p.path === 'string' && p.message.length > 0)).toBe(true);
  });
});

describe('the shipped examples', () => {
  it('are the three documented ones', () => {
    expect(exampleFiles).toEqual(['blank.yaml', 'security-incident.yaml', 'service-outage.yaml']);
  });

  it.each(exampleFiles)('%s validates', (file) => {
    const result = parsePlaybookText(readFileSync(join(playbooksDir, file), 'utf8'), 'yaml');
    if (!result.ok) throw new Error(formatPlaybookProblems(result.problems));
    expect(result.playbook.id).toBe(file.replace(/\.yaml$/, ''));
  });

  it('service-outage turns on Jira, Zoom and Opsgenie paging, reminders, the retrospective and keywords', () => {
    const outage = parseExample('service-outage.yaml');
    expect(outage.checklists.map((c) => c.title)).toEqual(['Triage', 'Investigation', 'Resolution']);
    expect([outage.jira.enabled, outage.zoom.enabled, outage.opsgenie.inviteOnCall, outage.opsgenie.page]).toEqual([true, true, true, true]);
    expect(outage.statusUpdates.reminder).toBe('30m');
    expect(outage.retrospective.enabled).toBe(true);
    expect(outage.keywords).toEqual(expect.arrayContaining(['outage', 'down', '5xx']));
  });

  it('security-incident is private, restricted and tracked in SEC', () => {
    const security = parseExample('security-incident.yaml');
    expect(security.channel.private).toBe(true);
    expect(security.permissions.run.groups).toEqual(['security-team']);
    expect(security.permissions.edit.groups).toEqual(['security-team']);
    expect(security.jira.project).toBe('SEC');
    expect(security.checklists.map((c) => c.id)).toEqual(['contain', 'eradicate', 'recover', 'notify']);
  });

  it('blank is minimal', () => {
    const blank = parseExample('blank.yaml');
    expect(blank.checklists).toEqual([{ id: 'tasks', title: 'Tasks', tasks: [] }]);
  });
});

describe('import then export then import gives an equal playbook', () => {
  it.each(exampleFiles.flatMap((file) => [[file, 'yaml'] as const, [file, 'json'] as const]))('%s as %s', (file, format) => {
    const imported = parseExample(file);
    const exported = formatPlaybook(imported, format);
    const again = parsePlaybookText(exported, format);
    if (!again.ok) throw new Error(formatPlaybookProblems(again.problems));
    expect(again.playbook).toEqual(imported);
    expect(formatPlaybook(again.playbook, format)).toBe(exported);
    expect(snapshotPlaybook(again.playbook)).toEqual(snapshotPlaybook(imported));
  });

  it('a minimal playbook exports every default and reads back the same', () => {
    const minimal = valid({ id: 'min', title: 'Min' });
    for (const format of ['yaml', 'json'] as const) {
      const again = parsePlaybookText(formatPlaybook(minimal, format), format);
      expect(again).toEqual({ ok: true, playbook: minimal });
    }
  });
});
