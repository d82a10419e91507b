/**
 * Bundles the workflow code exactly as the worker does. A forbidden import (a Node built-in, an activity implementation,
 * the client) anywhere under workflows/ or domain/ fails here, not at the first worker start in production.
 */
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { WORKFLOWS_SOURCE_PATH } from '../../workers/incident-worker.js';
import { REQUEST_TRAIL_WORKFLOW_MODULE } from '../../workers/request-trail.js';

const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

describe('workflow bundle', () => {
  it('bundles the incident workflow without disallowed modules', async () => {
    const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_SOURCE_PATH, workflowInterceptorModules: [REQUEST_TRAIL_WORKFLOW_MODULE], logger: silent });
    expect(code).toContain('incidentView');
    expect(code.length).toBeGreaterThan(10_000);
  });

  it('refuses a workflow that imports a Node built-in (the check this test relies on works)', async () => {
    const leaky = fileURLToPath(new URL('../fixtures/forbidden-import-workflow.ts', import.meta.url));
    const errors: string[] = [];
    const logger = { ...silent, error: (message: string) => void errors.push(message) };
    await expect(bundleWorkflowCode({ workflowsPath: leaky, logger })).rejects.toThrow(/Webpack finished with errors/);
    expect(errors.join("\n")).toMatch(/ERROR in node:fs/);
  });
});
