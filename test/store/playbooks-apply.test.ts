/** `npm run playbooks:apply`: validate everything first, show the plan, apply creates and updates by id, dry run changes nothing. */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../store/database.js';
import { PlaybookRepository } from '../../store/playbook-repository.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'apply-'));
const databaseUrl = `sqlite:${join(directory, 'store.sqlite')}`;
afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function apply(folder: string, ...flags: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', join(root, 'scripts/apply-playbooks.ts'), folder, ...flags], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrl },
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

async function stored() {
  const database = await openDatabase({ url: databaseUrl });
  try {
    return (await new PlaybookRepository(database.db).list({ includeArchived: true })).items.map((p) => [p.id, p.version]);
  } finally {
    await database.close();
  }
}

function folder(name: string, files: Record<string, string>): string {
  const path = join(directory, name);
  mkdirSync(path, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(path, file), text);
  return path;
}

describe('playbooks apply', () => {
  it('applies nothing when any file is wrong, and lists every problem by file', async () => {
    const broken = folder('broken', { 'a.yaml': 'id: a\ntitle: A\n', 'b.yaml': 'id: b\ntitle: ""\nchecklist: []\n', 'c.json': '{"id": "a", "title": "dup"}' });
    const result = await apply(broken);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/problem\(s\); nothing was applied/);
    expect(result.output).toMatch(/- b\.yaml: title: /);
    expect(result.output).toMatch(/- b\.yaml: checklist/);
    expect(result.output).toContain('- c.json: id "a" is also used by a.yaml');
    expect(await stored()).toEqual([]);
  });

  it('shows the plan in a dry run, then creates, updates by id, and leaves unchanged ones alone', async () => {
    const good = folder('good', { 'db.yaml': 'id: db\ntitle: Database\n', 'web.yaml': 'id: web\ntitle: Web\n' });
    const plan = await apply(good, '--dry-run');
    expect(plan.code).toBe(0);
    expect(plan.output).toContain('+ db (db.yaml): new');
    expect(plan.output).toContain('Dry run: nothing was changed.');
    expect(await stored()).toEqual([]);

    expect((await apply(good)).output).toContain('Done.');
    expect(await stored()).toEqual([['db', 1], ['web', 1]]);

    writeFileSync(join(good, 'db.yaml'), 'id: db\ntitle: Database (primary)\n');
    const second = await apply(good);
    expect(second.output).toContain('~ db (db.yaml): version 1 -> 2, changes title');
    expect(second.output).toContain('= web (web.yaml): unchanged at version 1');
    expect(await stored()).toEqual([['db', 2], ['web', 1]]);
  });
});
