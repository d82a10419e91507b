/**
 * Playbooks as code: `npm run playbooks:apply -- <folder> [--dry-run]` brings the store in line with a folder of YAML or
 * JSON playbooks, creating or updating each by its id. It validates every file first and applies nothing if any is
 * wrong (every problem of every file is listed), shows what changes, and with --dry-run stops there.
 * The store is DATABASE_URL (default: sqlite:.data/incidents.sqlite).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { loadDotEnv } from '../config/env.js';
import { loadBaseConfig } from '../config/shared-settings.js';
import { parsePlaybookText } from '../formats/playbook-text.js';
import type { Playbook } from '../domain/playbook/schema.js';
import { openDatabase, redactDatabaseUrl, DEFAULT_SQLITE_PATH } from '../store/database.js';
import { PlaybookRepository } from '../store/playbook-repository.js';

const args = process.argv.slice(2);
const dryRun = args.includes('--dry-run');
const folder = args.find((arg) => !arg.startsWith('--'));
if (!folder || args.includes('--help')) {
  console.log('usage: npm run playbooks:apply -- <folder> [--dry-run]   (DATABASE_URL chooses the store)');
  process.exit(folder ? 0 : 2);
}
if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
  console.error(`${folder} is not a folder`);
  process.exit(2);
}

loadDotEnv();
const config = loadBaseConfig();
const files = readdirSync(folder).filter((name) => ['.yaml', '.yml', '.json'].includes(extname(name))).sort();
const problems: string[] = [];
const playbooks: Array<{ file: string; playbook: Playbook }> = [];
for (const file of files) {
  const result = parsePlaybookText(readFileSync(join(folder, file), 'utf8'), extname(file) === '.json' ? 'json' : 'yaml');
  if (!result.ok) problems.push(...result.problems.map((p) => `${file}: ${p.path ? `${p.path}: ` : ''}${p.message}`));
  else {
    const clash = playbooks.find((p) => p.playbook.id === result.playbook.id);
    if (clash) problems.push(`${file}: id "${result.playbook.id}" is also used by ${clash.file}`);
    else playbooks.push({ file, playbook: result.playbook });
  }
}
if (problems.length) {
  console.error(`${problems.length} problem(s); nothing was applied:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}

const where = redactDatabaseUrl(config.DATABASE_URL ?? DEFAULT_SQLITE_PATH);
const database = await openDatabase({ ...(config.DATABASE_URL ? { url: config.DATABASE_URL } : {}) });
const repository = new PlaybookRepository<Playbook>(database.db);
const stable = (value: unknown): string => JSON.stringify(value, (_key, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort()) : v));
let failures = 0;
try {
  console.log(`${dryRun ? 'Plan' : 'Applying'}: ${playbooks.length} playbook(s) from ${resolve(folder)} to ${where}`);
  for (const { file, playbook } of playbooks) {
    const current = await repository.get(playbook.id);
    if (!current) {
      console.log(`  + ${playbook.id} (${file}): new`);
      if (!dryRun) await repository.create(playbook, 'playbooks-apply');
      continue;
    }
    if (current.archived) {
      console.log(`  ! ${playbook.id} (${file}): archived in the store; restore it first`);
      failures += 1;
      continue;
    }
    if (stable(current.definition) === stable(playbook)) {
      console.log(`  = ${playbook.id} (${file}): unchanged at version ${current.version}`);
      continue;
    }
    const changed = Object.keys({ ...current.definition, ...playbook }).filter(
      (key) => stable((current.definition as Record<string, unknown>)[key]) !== stable((playbook as Record<string, unknown>)[key]),
    );
    console.log(`  ~ ${playbook.id} (${file}): version ${current.version} -> ${current.version + 1}, changes ${changed.join(', ')}`);
    if (!dryRun) await repository.replace(playbook.id, playbook, 'playbooks-apply', { expectedVersion: current.version });
  }
  console.log(dryRun ? 'Dry run: nothing was changed.' : 'Done.');
} finally {
  await database.close();
}
process.exitCode = failures ? 1 : 0;
