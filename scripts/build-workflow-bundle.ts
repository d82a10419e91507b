/**
 * `npm run build`'s second step: bundles the incident workflow once, at build time, into dist/workflow-bundle.js, so a
 * production worker starts without webpack (seconds of CPU and ~100 MB at every start) and every replica runs exactly
 * the bundle that was built and tested. The compiled worker loads it (workers/incident-worker.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { WORKFLOWS_SOURCE_PATH } from '../workers/incident-worker.js';

const target = fileURLToPath(new URL('../dist/workflow-bundle.js', import.meta.url));
const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_SOURCE_PATH, logger: new DefaultLogger('WARN') });
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, code);
console.log(`workflow bundle: ${target} (${(code.length / 1024).toFixed(0)} KB)`);
