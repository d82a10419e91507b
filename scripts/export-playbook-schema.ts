/**
 * Writes playbooks/schema/playbook.schema.json from the zod schema, for editors (VS Code's YAML extension reads the
 * `# yaml-language-server: $schema=./schema/playbook.schema.json` line at the top of each example).
 *
 * It lives in a subfolder because the playbook loader (store/playbook-files.ts) reads every *.json file directly in
 * playbooks/ as a playbook.
 *
 *   npx tsx scripts/export-playbook-schema.ts          # write the file
 *   npx tsx scripts/export-playbook-schema.ts --check  # exit 1 if the committed file is out of date
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderPlaybookJsonSchema } from '../formats/playbook-json-schema.js';

const target = fileURLToPath(new URL('../playbooks/schema/playbook.schema.json', import.meta.url));
const fresh = renderPlaybookJsonSchema();

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(target, 'utf8');
  } catch {
    // Missing counts as out of date.
  }
  if (committed !== fresh) {
    console.error(`${target} is out of date; run: npx tsx scripts/export-playbook-schema.ts`);
    process.exit(1);
  }
  console.log(`${target} is up to date`);
} else {
  writeFileSync(target, fresh);
  console.log(`wrote ${target}`);
}
