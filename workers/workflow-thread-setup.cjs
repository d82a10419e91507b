'use strict';
/**
 * Loaded (`--require`) into the Temporal SDK's workflow threads, before the SDK's own thread code, by
 * workers/workflow-threads.ts when the worker runs without workflow stack traces (the default).
 *
 * The SDK installs a V8 promise hook in its workflow threads that captures and source-maps a stack trace for every
 * promise a workflow creates, only to answer the `__stack_trace` query (the Web UI's "Stack Trace" tab). That is about
 * half of the workflow thread's CPU when an incident is replayed from its history and a fifth when it runs from the
 * cache (docs/benchmarks.md). Here the hook is not installed: the SDK then reports stack traces as not enabled, and
 * everything else (errors' own stacks, source-mapped) is as before.
 *
 * Plain CommonJS, no TypeScript: a thread loads it before any loader could compile it. It must find the same copy of
 * @temporalio/worker that the SDK's thread loads (the project's node_modules).
 */
const { isMainThread } = require('node:worker_threads');

if (!isMainThread) {
  const { globalHandlers } = require('@temporalio/worker/lib/workflow/vm-shared.js');
  // A newer SDK may have moved it: then the hook stays, and the worker's test of this says so.
  if (globalHandlers && typeof globalHandlers.setPromiseHook === 'function') {
    globalHandlers.setPromiseHook = function promiseHookLeftOut() {};
  }
}
