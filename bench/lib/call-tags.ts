/**
 * Runs in the benchmark's worker process: every HTTP request an activity makes carries a header naming the activity
 * (workflow ID, activity ID, attempt, type), so the sandboxes' call log says which activity made each call. The
 * critical path (critical-path.ts) joins that to the workflow's history. The adapters are the real npm clients, which
 * reach the network two ways: fetch (Mattermost's client) and node:http (jira-client, opsgenie-sdk, Zoom's Rivet via
 * axios); both are covered. Only the benchmark installs this; the product never sends the header.
 */
import { subscribe } from 'node:diagnostics_channel';
import http from 'node:http';
import https from 'node:https';
import { asyncLocalStorage } from '@temporalio/activity';

export const CALL_TAG_HEADER = 'x-bench-activity';

export interface CallTag {
  workflowId: string;
  activityId: string;
  attempt: number;
  activityType: string;
}

function currentTag(): string | undefined {
  const info = asyncLocalStorage.getStore()?.info;
  if (!info?.workflowExecution) return undefined;
  return [info.workflowExecution.workflowId, info.activityId, info.attempt, info.activityType].map(encodeURIComponent).join(' ');
}

export function parseCallTag(header: string | undefined): CallTag | undefined {
  const parts = header?.split(' ').map(decodeURIComponent);
  if (!parts || parts.length !== 4) return undefined;
  return { workflowId: parts[0]!, activityId: parts[1]!, attempt: Number(parts[2]), activityType: parts[3]! };
}

export function installCallTags(): void {
  // undici publishes each request as it is created, while its headers can still be added.
  subscribe('undici:request:create', (message) => {
    const tag = currentTag();
    if (tag) (message as { request: { addHeader(name: string, value: string): unknown } }).request.addHeader(CALL_TAG_HEADER, tag);
  });
  // node:http's own channel fires after the headers went out, so request() is wrapped instead: its caller writes the
  // body (and so the headers) only after it returns.
  for (const module of [http, https]) {
    const original = module.request;
    const tagged = function (this: unknown, ...args: unknown[]) {
      const request = (original as (...a: unknown[]) => http.ClientRequest).apply(this, args);
      const tag = currentTag();
      if (tag && !request.headersSent) request.setHeader(CALL_TAG_HEADER, tag);
      return request;
    };
    Object.defineProperty(module, 'request', { value: tagged, writable: true, configurable: true });
  }
}
