/**
 * `npm run build`'s second step: bundles the incident workflow once, at build time, into dist/workflow-bundle.js, so a
 * production worker starts without webpack (seconds of CPU and ~100 MB at every start) and every replica runs exactly
 * the bundle that was built and tested. The compiled worker loads it (workers/incident-worker.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { WORKFLOW_PRELOAD_MODULES, WORKFLOWS_SOURCE_PATH } from '../workers/incident-worker.js';
import { TRACING_WORKFLOW_INTERCEPTORS } from '../temporal/tracing.js';
import { REQUEST_TRAIL_WORKFLOW_MODULE } from '../workers/request-trail.js';

// Two bundles, both with the request trail's interceptors: the plain one, and one also with Temporal's OpenTelemetry
// workflow interceptors for workers that trace.
for (const [file, interceptors] of [
  ['workflow-bundle.js', [REQUEST_TRAIL_WORKFLOW_MODULE]],
  ['workflow-bundle-traced.js', [REQUEST_TRAIL_WORKFLOW_MODULE, TRACING_WORKFLOW_INTERCEPTORS]],
] as const) {
  const target = fileURLToPath(new URL(`../dist/${file}`, import.meta.url));
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_SOURCE_PATH,
    workflowInterceptorModules: [...interceptors],
    preloadModules: WORKFLOW_PRELOAD_MODULES,
    logger: new DefaultLogger('WARN'),
  });
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, code);
  console.log(`workflow bundle: ${target} (${(code.length / 1024).toFixed(0)} KB)`);
}
