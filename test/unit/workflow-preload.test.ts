/**
 * The workflow bundle preloads zod once per workflow thread (WORKFLOW_PRELOAD_MODULES, workers/workflow-preload.ts)
 * instead of evaluating it again for every incident. That only helps when the preloaded modules are the very ones the
 * workflow code imports: zod ships a CommonJS build beside its ES one, and a preload that named 'zod' would load that
 * build (the bundler preloads with require()) while the workflows went on evaluating the ES modules each time. That
 * the preloaded zod still works once the worker freezes it is what the workflow tests check (they bundle with it).
 * The domain modules are preloaded too (their schemas were most of a cached incident's memory), every one of them.
 */
import { bundleWorkflowCode } from '@temporalio/worker';
import { expect, it } from 'vitest';
import { WORKFLOW_PRELOAD_MODULES, WORKFLOWS_SOURCE_PATH } from '../../workers/incident-worker.js';
import { REQUEST_TRAIL_WORKFLOW_MODULE } from '../../workers/request-trail.js';

const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

/** The modules in a webpack bundle, by the ID each is registered under. */
function moduleIds(code: string): string[] {
  return [...code.matchAll(/^\/\*\*\*\/ "([^"]+)"$/gm)].map((match) => match[1]!);
}

it('preloads the zod modules the workflows use, and no second copy of zod', async () => {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_SOURCE_PATH,
    workflowInterceptorModules: [REQUEST_TRAIL_WORKFLOW_MODULE],
    preloadModules: WORKFLOW_PRELOAD_MODULES,
    logger: silent,
  });
  const ids = moduleIds(code);
  const zod = ids.filter((id) => id.includes('/node_modules/zod/'));
  // One copy: the ES modules the domain's `import { z } from 'zod'` resolves to, none of the CommonJS build.
  expect(zod).toContain('./node_modules/zod/v4/classic/schemas.js');
  expect(zod.filter((id) => id.endsWith('.cjs'))).toEqual([]);
  // The preload function loads our preload module, which imports those same modules.
  const preload = /exports\.preloadModules = function preloadModules\(\) \{([\s\S]*?)\n\}/.exec(code)?.[1] ?? '';
  expect(preload).toContain('workers/workflow-preload.ts');
  const preloadModule = code.slice(code.indexOf('/***/ "./workers/workflow-preload.ts"'));
  expect(preloadModule.slice(0, 2_000)).toContain('./node_modules/zod/v4/classic/schemas.js');
});

it('preloads every domain and formats module in the bundle, so the worker freezes none of their schemas', async () => {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_SOURCE_PATH,
    workflowInterceptorModules: [REQUEST_TRAIL_WORKFLOW_MODULE],
    preloadModules: WORKFLOW_PRELOAD_MODULES,
    logger: silent,
  });
  const domain = moduleIds(code).filter((id) => id.startsWith('./domain/') || id.startsWith('./formats/'));
  expect(domain).toContain('./domain/commands.ts');
  // The preload module's own code: from its header to the next module's.
  const start = code.indexOf('/***/ "./workers/workflow-preload.ts"');
  const preloadModule = code.slice(start, code.indexOf('\n/***/ "', start + 1));
  const imported = new Set([...preloadModule.matchAll(/__webpack_require__\(\/\*! [^*]+ \*\/ "([^"]+)"\)/g)].map((match) => match[1]));
  expect(domain.filter((id) => !imported.has(id))).toEqual([]);
});
