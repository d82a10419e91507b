/**
 * The layer table of docs/architecture.md, as `npm run check:layers` enforces it (.dependency-cruiser.cjs): the tree as
 * it is passes, and a domain module that imports the store or an npm package other than zod is refused with the file
 * and the import named, so the check can fail (a rule that allowed everything would pass the tree too).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEPCRUISE = `${ROOT}node_modules/.bin/depcruise`;
const CONFIG = `${ROOT}.dependency-cruiser.cjs`;

async function cruise(cwd: string, folders: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run(DEPCRUISE, ['--config', CONFIG, '--output-type', 'err', ...folders], { cwd });
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

it('finds no import against the layer table in the project', async () => {
  const packageJson = (await import('../../package.json', { with: { type: 'json' } })).default as { scripts: Record<string, string> };
  const folders = packageJson.scripts['check:layers']!.split(/\s+/).filter((word) => /^[a-z-]+$/.test(word) && word !== 'depcruise');
  expect(folders).toEqual(expect.arrayContaining(['domain', 'formats', 'workflows', 'activities', 'integrations', 'api', 'store', 'workers']));
  const { code, output } = await cruise(ROOT, folders);
  expect(output).toContain('no dependency violations found');
  expect(code).toBe(0);
}, 60_000);

it('refuses a domain module that imports the store or an npm package other than zod, naming each import', async () => {
  const { code, output } = await cruise(fileURLToPath(new URL('../fixtures/layers', import.meta.url)), ['domain', 'store']);
  expect(code).not.toBe(0);
  expect(output).toContain('not-in-allowed: domain/wrong-way.ts → store/incident-table.ts');
  expect(output).toMatch(/not-in-allowed: domain\/wrong-package\.ts → (\.\.\/)*node_modules\/yaml\//);
  expect(output).toContain('2 dependency violations');
}, 60_000);
