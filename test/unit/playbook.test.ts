import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeZodIssues } from '../../domain/errors.js';
import { playbookSchema } from '../../domain/playbook/schema.js';
import { snapshotPlaybook } from '../../domain/playbook/snapshot.js';
import { parsePlaybook } from '../../domain/playbook/validation.js';
import { loadPlaybookDirectory, PlaybookFileError } from '../../store/playbook-files.js';

function problemsOf(input: unknown): string[] {
  const parsed = playbookSchema.safeParse(input);
  if (parsed.success) throw new Error('expected the playbook to be rejected');
  return describeZodIssues(parsed.error);
}

describe('playbooks', () => {
  it('loads and validates the shipped examples', () => {
    const catalog = loadPlaybookDirectory(fileURLToPath(new URL('../../playbooks', import.meta.url)));
    expect(catalog.ids()).toEqual(['blank', 'security-incident', 'service-outage']);
    const outage = snapshotPlaybook(catalog.get('service-outage')!);
    expect(outage.checklists.map((c) => c.title)).toEqual(['Triage', 'Investigation', 'Resolution']);
    expect(outage.defaultSeverity).toBe('sev2');
  });

  it('fills in missing IDs by position without colliding with given ones', () => {
    const snapshot = snapshotPlaybook(
      parsePlaybook({
        id: 'p',
        title: 'P',
        checklists: [
          { title: 'A', tasks: [{ title: 'one' }, { id: 'checklist-1-task-2', title: 'two' }, { title: 'three' }] },
          { id: 'checklist-1', title: 'B', tasks: [] },
        ],
      }),
    );
    expect(snapshot.checklists.map((c) => c.id)).toEqual(['checklist-1-2', 'checklist-1']);
    expect(snapshot.checklists[0]!.tasks.map((t) => t.id)).toEqual([
      'checklist-1-2-task-1',
      'checklist-1-task-2',
      'checklist-1-2-task-3',
    ]);
    expect(snapshot.defaultSeverity).toBe('sev3');
  });

  it('reports every problem with its path', () => {
    expect(
      problemsOf({
        id: 'Bad Id',
        title: '',
        defaultSeverity: 'p1',
        checklists: [{ title: 'A', tasks: [{ id: 'x', title: 't', command: 'jira create' }, { id: 'x', title: 'dup' }] }],
      }),
    ).toEqual([
      'id: expected lower-case letters, digits, "-" or "_" (at most 64, starting with a letter or digit), got "Bad Id"',
      'title: a playbook needs a title',
      'checklists.0.tasks.0.command: a task command starts with "/", like "/jira create"',
      'defaultSeverity: "p1" is not one of the severities (sev1, sev2, sev3, sev4)',
      'checklists.0.tasks.1.id: id "x" is already used at checklists[0].tasks[0].id',
    ]);
    expect(
      problemsOf({ id: 'p', title: 'P', defaultSeverity: 'p1', checklists: [{ id: 'x', title: 'A', tasks: [{ id: 'x', title: 't' }] }] }),
    ).toEqual([
      'defaultSeverity: "p1" is not one of the severities (sev1, sev2, sev3, sev4)',
      'checklists.0.tasks.0.id: id "x" is already used at checklists[0].id',
    ]);
  });

  it('reports every broken file in a folder at once, by file name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'playbooks-'));
    try {
      writeFileSync(join(dir, 'a.yaml'), 'id: a\ntitle: A\n');
      writeFileSync(join(dir, 'b.yaml'), 'id: a\ntitle: Also A\n');
      writeFileSync(join(dir, 'c.yml'), 'id: [unclosed\n');
      writeFileSync(join(dir, 'd.json'), '{"id": "d"}');
      writeFileSync(join(dir, 'notes.txt'), 'ignored');
      let error: unknown;
      try {
        loadPlaybookDirectory(dir);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PlaybookFileError);
      const problems = (error as PlaybookFileError).problems;
      expect(problems[0]).toBe('b.yaml: playbook id "a" is already used by another file');
      expect(problems[1]).toMatch(/^c\.yml: cannot be parsed: /);
      expect(problems[2]).toBe('d.json: title: required');
      expect(problems).toHaveLength(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
