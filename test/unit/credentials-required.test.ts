/**
 * Sandboxes only when asked: a worker or API started with a credential missing refuses, naming every variable to set,
 * unless SANDBOXES=on; the worker and the API refuse as processes, before connecting to anything.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadWorkerConfig } from '../../workers/worker-config.js';
import { requireCredentials, systemsWithoutCredentials } from '../../workers/integrations.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const everything = {
  MATTERMOST_URL: 'https://chat.example.com',
  MATTERMOST_BOT_TOKEN: 'bot-token',
  JIRA_URL: 'https://jira.example.com',
  JIRA_TOKEN: 'jira-token',
  ZOOM_ACCOUNT_ID: 'a',
  ZOOM_CLIENT_ID: 'b',
  ZOOM_CLIENT_SECRET: 'c',
  OPSGENIE_API_KEY: 'og',
};

describe('credentials', () => {
  it('are all there, or each missing system is named with what to set', () => {
    expect(systemsWithoutCredentials(loadWorkerConfig(everything))).toEqual([]);
    expect(() => requireCredentials(loadWorkerConfig(everything), false)).not.toThrow();
    const { OPSGENIE_API_KEY: _og, ZOOM_ACCOUNT_ID: _a, ZOOM_CLIENT_ID: _b, ZOOM_CLIENT_SECRET: _c, ...twoMissing } = everything;
    expect(systemsWithoutCredentials(loadWorkerConfig(twoMissing))).toEqual(['Zoom', 'Opsgenie']);
    expect(() => requireCredentials(loadWorkerConfig(twoMissing), false)).toThrow(
      /^no credentials for Zoom, Opsgenie: set ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET; OPSGENIE_API_KEY\. To try the product without them, SANDBOXES=on/,
    );
  });

  it('may be missing when sandboxes were asked for', () => {
    expect(loadWorkerConfig({}).SANDBOXES).toBe('off');
    expect(() => requireCredentials(loadWorkerConfig({}), true)).not.toThrow();
  });

  // Each with the other process's settings malformed too: its own configuration does not read them, so it gets as far
  // as its credentials (a worker is not stopped by a bad API_TOKENS, nor the API by a bad PAGERDUTY_SEVERITY_MAP).
  it.each([
    ['workers/main.ts', 'the worker could not start: no credentials for Mattermost, Jira, Zoom, Opsgenie', { API_TOKENS: 'ci-bot:write:not-a-hash', API_RATE_LIMIT: 'lots' }],
    ['api/main.ts', 'the API could not start: no credentials for Mattermost: set MATTERMOST_URL and MATTERMOST_BOT_TOKEN', { PAGERDUTY_SEVERITY_MAP: 'sev1', OUTBOUND_ALLOWED_HOSTS: '10.0.0.0/40' }],
  ])('%s refuses to start without them, before connecting to anything', async (entry, message, otherProcessSettings) => {
    // TEMPORAL_ADDRESS points nowhere: a process that got as far as connecting would fail differently, and later.
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, TEMPORAL_ADDRESS: '127.0.0.1:1', DATABASE_URL: 'sqlite::memory:', ...otherProcessSettings };
    const result = await promisify(execFile)(process.execPath, ['--import', 'tsx', entry], { cwd: root, env, timeout: 30_000 }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code?: number; stderr?: string }) => ({ code: error.code, stderr: error.stderr ?? '' }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
  }, 40_000);
});
